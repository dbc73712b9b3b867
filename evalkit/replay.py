"""Replay: recompute a contest's ranking and allocation from the store's event log
alone, and a digest that lets anyone holding the file check a published result.

The current scores are rebuilt here by folding the events in sequence order (the
last score or retraction per judge, project, criterion and round wins) — not
through :meth:`Store.scores` — so the replay is an independent check of the store.
The ranking uses the rubric's own rule (``ek.rank``), the allocation
``ek.allocate`` with the rule "optimal" and the contest's budget unless setting
events say otherwise (setting ``allocation_rule``, or ``allocation`` = a dict of
``ek.allocate`` keywords: rule, budget, threshold, min_fraction, ...).

Digest: SHA-256 over the canonical JSON of the ranking table (project, score to 6
decimals, rank, excluded) and the allocation table (project, funded, amount),
so a different score anywhere that moves a result changes it, and the same log
always gives the same digest.

Example::

    result = replay("data/demo-huaihe/evalkit.db")
    print(result.digest)
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import TamperError
from .store import EVENT_FIELDS, read_log, verify_chain

DIGEST_DECIMALS = 6


@dataclass
class Replay:
    """The result of :func:`replay`: ``scores`` (long, rebuilt from the events),
    ``ranking`` (project, score, rank, excluded), ``allocation`` (project, score,
    requested, funded, amount), ``digest`` (hex SHA-256), ``events`` (count),
    ``rule`` (allocation rule), ``method`` (ranking rule), ``round``, ``notes``."""
    scores: pd.DataFrame
    ranking: pd.DataFrame
    allocation: pd.DataFrame
    digest: str
    events: int
    rule: str
    method: str
    round: str
    notes: list = field(default_factory=list)


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


def allocation_options(settings: dict) -> dict:
    """The allocation as the store's settings define it: setting ``allocation`` = a
    dict of ``ek.allocate`` keywords (rule, budget, threshold, min_fraction,
    category_min_share, ...), or setting ``allocation_rule`` = a rule name.
    Default: {"rule": "optimal"}."""
    alloc = settings.get("allocation")
    opts = dict(alloc) if isinstance(alloc, dict) else {}
    opts["rule"] = str(opts.get("rule") or settings.get("allocation_rule") or "optimal")
    return opts


def digest(ranking: pd.DataFrame, allocation: pd.DataFrame) -> str:
    """SHA-256 over the canonical ranking and allocation tables."""
    def num(x):
        return None if pd.isna(x) else round(float(x), DIGEST_DECIMALS)
    rank_rows = [[str(r.project), num(r.score), None if pd.isna(r.rank) else int(r.rank), str(r.excluded or "")]
                 for r in ranking.itertuples(index=False)]
    alloc_rows = [[str(r.project), bool(r.funded), num(r.amount)] for r in allocation.itertuples(index=False)]
    body = json.dumps({"ranking": rank_rows, "allocation": alloc_rows}, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def replay(store_path, contest=None, *, round: str | None = None, rule: str | None = None,
           allow_broken: bool = False) -> Replay:
    """Recompute ranking and allocation from a store file's event log.

    ``contest``: a Contest or its folder (default: the store's folder). ``round``:
    default the contest's first round. ``rule``: the allocation rule (default: the
    store's setting, else "optimal"). A broken hash chain raises TamperError unless
    ``allow_broken``.
    """
    from .aggregate import rank
    from .allocate import allocate
    from .contest import Contest, load_contest
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
                              expected="an unbroken hash chain", found=check["problem"])
        notes.append(f"hash chain broken: {check['problem']}")
    if meta.get("contest") not in (None, contest.id):
        notes.append(f"the store was made for contest '{meta.get('contest')}', replayed with '{contest.id}'")
    scores, settings = fold_scores([r[:len(EVENT_FIELDS)] for r in rows])
    round_id = round or contest.default_round
    scores = contest.with_panels(scores[scores["round"] == round_id].reset_index(drop=True))
    method = contest.rubric.rule.method
    ranking = rank(scores, contest.rubric, method=method)
    ranked = ranking.projects.reset_index()
    ranked["project"] = ranked["project"].astype(str)
    columns = ["id", "requested", "min_amount", "category", "organisation"]
    table = ranked.merge(contest.projects[columns].rename(columns={"id": "project"}), on="project", how="left")
    opts = allocation_options(settings)
    if rule:
        opts["rule"] = rule
    rule = opts["rule"]
    budget = opts.pop("budget", contest.budget)
    alloc = allocate(table[["project", "score", "excluded"] + columns[1:]], budget, **opts)
    ranking_table = ranked[["project", "score", "rank", "excluded"]]
    allocation_table = alloc.table[["project", "score", "requested", "funded", "amount"]]
    return Replay(scores=scores, ranking=ranking_table, allocation=allocation_table,
                  digest=digest(ranking_table, allocation_table), events=len(rows), rule=rule, method=method,
                  round=round_id, notes=notes + list(ranking.notes))
