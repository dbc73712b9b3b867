"""Replay: recompute a contest's ranking and allocation from the store's event log
alone, and a digest that lets anyone holding the file check a published result.

The current scores are rebuilt here by folding the events in sequence order (the
last score or retraction per judge, project, criterion and round wins) — not
through :meth:`Store.scores` — so the replay is an independent check of the store.
The settings come from the folded setting events and the result from
:func:`evalkit.decision.decide` — the same reading of the settings and the same
computation as the Allocation tab, the 公示 and ``evalkit report``.

Digest: :func:`evalkit.decision.result_digest` (SHA-256 over the canonical ranking
and allocation), the digest the 公示 prints: the same log always gives the same
digest, and a different score or setting that moves a result changes it.

Example::

    result = replay("data/demo-huaihe/evalkit.db")
    print(result.digest)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import TamperError
from ..store import EVENT_FIELDS, read_log, verify_chain
from .record import DIGEST_DECIMALS, decide, read_settings, result_digest  # noqa: F401 (re-exported)

__all__ = ["Replay", "replay", "fold_scores", "DIGEST_DECIMALS", "result_digest"]


@dataclass
class Replay:
    """The result of :func:`replay`: ``scores`` (long, rebuilt from the events),
    ``ranking`` (project, score, rank, excluded), ``allocation`` (project, score,
    requested, funded, amount), ``digest`` (hex SHA-256), ``events`` (count),
    ``rule`` (allocation rule), ``method`` (ranking rule), ``round``, ``notes``,
    ``settings`` (every setting used) and ``decision`` (the Decision itself)."""
    scores: pd.DataFrame
    ranking: pd.DataFrame
    allocation: pd.DataFrame
    digest: str
    events: int
    rule: str
    method: str
    round: str
    notes: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    decision: object = None


def fold_scores(rows) -> tuple[pd.DataFrame, dict]:
    """Current scores (judge, project, criterion, score, round) and settings from event rows."""
    current, settings = {}, {}
    for row in rows:
        ev = dict(zip(EVENT_FIELDS, row))
        if ev["kind"] in ("score", "retract"):
            key = (ev["judge"], ev["project"], ev["criterion"], ev["round"])
            current.pop(key, None)  # keep the order of the newest event, as Store.scores does
            if ev["kind"] == "score":
                current[key] = float(ev["score"])
        elif ev["kind"] == "setting" and ev["criterion"] is not None:
            settings[ev["criterion"]] = json.loads(ev["reason"])
    df = pd.DataFrame([k + (v,) for k, v in current.items()], columns=["judge", "project", "criterion", "round", "score"])
    return df[["judge", "project", "criterion", "score", "round"]], settings


def replay(store_path, contest=None, *, round: str | None = None, rule: str | None = None,
           allow_broken: bool = False) -> Replay:
    """Recompute ranking and allocation from a store file's event log.

    ``contest``: a Contest or its folder (default: the store's folder). ``round``:
    default the contest's first round. ``rule``: the allocation rule (default: the
    store's setting, else "optimal"). A broken hash chain raises TamperError unless
    ``allow_broken``.
    """
    from ..contest import Contest, load_contest
    store_path = Path(store_path)
    if not isinstance(contest, Contest):
        contest = load_contest(contest if contest is not None else store_path.parent)
    rows, meta, _ = read_log(store_path)
    notes = []
    head = json.loads(meta["head"]) if meta.get("head") else None
    check = verify_chain(rows, head)
    if not check["ok"]:
        if not allow_broken:
            raise TamperError(check["problem"], where=f"{store_path} event {check['first_bad']}",
                              expected="an unbroken hash chain", found=check["problem"],
                              zh=f"评分记录校验失败：{check['problem']}")
        notes.append(f"hash chain broken: {check['problem']}")
    if meta.get("contest") not in (None, contest.id):
        notes.append(f"the store was made for contest '{meta.get('contest')}', replayed with '{contest.id}'")
    scores, stored = fold_scores([r[:len(EVENT_FIELDS)] for r in rows])
    from ..store.amendments import KIND, allowed_scores, apply_amendments, decode  # the running contest's panel
    contest = apply_amendments(contest, [decode(dict(zip(EVENT_FIELDS, r))) for r in rows
                                         if r[EVENT_FIELDS.index("kind")] == KIND])
    scores = allowed_scores(contest.with_panels(scores), contest)[list(scores.columns)]
    settings = read_settings(stored, contest)
    if rule:
        settings["rule"] = rule
    d = decide(contest, scores, settings, round=round)
    return Replay(scores=d.scores, ranking=d.ranking_table, allocation=d.allocation_table, digest=d.digest,
                  events=len(rows), rule=d.settings["rule"], method=d.settings["method"], round=d.round,
                  notes=notes + d.notes, settings=d.settings, decision=d)
