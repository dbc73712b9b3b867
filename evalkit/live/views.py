"""What each served page shows, as JSON-ready dicts (texts in both languages).

The numbers come from the core: :func:`evalkit.live.board.project_board` (the rule's
dropped totals and result), :func:`evalkit.live.ranking.live_ranking` (the leaderboard)
and :func:`evalkit.display.format_score` (the one display rounding). Pages put these
texts into the DOM as text, never as markup, so data cannot run as code.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from ..display import format_score
from .board import project_board
from .ranking import live_ranking
from .sheet import BOX_PROBLEMS, problem_text, scale_text


def both(text) -> dict:
    """A Text (or plain string) as {"zh", "en"}."""
    if isinstance(text, str):
        return {"zh": text, "en": text}
    return {"zh": text.get("zh"), "en": text.get("en")}


def project_text(contest, project: str) -> dict:
    row = contest.projects.loc[contest.projects["id"] == project].iloc[0]
    return {"zh": f"{project} {row['name']}", "en": f"{project} {row.get('name_en') or row['name']}"}


def criteria_view(rubric) -> list[dict]:
    """The judges' criteria only (veto and bonus items are not a judge's to enter)."""
    return [{"id": c.id, "label": both(c.label), "min": c.min, "max": c.max, "decimals": c.decimals,
             "weight": c.weight, "scale": scale_text(c),
             "levels": [{"range": f"{d.low:g}–{d.high:g}", "text": both(d.text)} for d in c.descriptors],
             "help": both(c.help) if c.help else None}
            for c in rubric.criteria]


def judge_hello(contest, judge: str, build: str) -> dict:
    """What a judge's page needs once per connection."""
    name = contest.judges.set_index("id").loc[judge, "name"]
    return {"t": "hello", "build": build, "judge": {"id": judge, "name": str(name)},
            "contest": both(contest.name), "criteria": criteria_view(contest.rubric),
            "problems": {k: problem_text(k) for k in BOX_PROBLEMS},
            "rule_total": contest.rubric.total_max}


def judge_view(store, judge: str, scores: pd.DataFrame) -> dict:
    """The judge's own view of the round now running: the project on stage, every
    project that has pitched in the round (the judge may go back to any until the
    lock), the judge's own scores and receipts — never another judge's."""
    contest = store.contest
    now, round_id = store.current()
    mine = scores[(scores["judge"] == judge) & (scores["round"] == round_id)]
    sheets: dict = {}
    for p, c, v in zip(mine["project"], mine["criterion"], mine["score"]):
        sheets.setdefault(p, {})[c] = float(v)
    projects = [{"id": p, "label": project_text(contest, p), "conflict": contest.is_conflicted(judge, p),
                 "scored": sum(1 for c in sheets.get(p, {}) if contest.rubric.item_kind(c) == "criterion")}
                for p in store.pitched(round_id)]
    return {"t": "state", "round": round_id, "now": now, "locked": store.is_locked(round_id), "projects": projects,
            "mine": sheets, "receipts": {p: store.receipt(judge, p, round_id) for p in sheets}}


def screen_view(store, scores: pd.DataFrame, *, contest=None) -> dict:
    """The big screen's stage: the project on stage with its judges' totals as they
    arrive (numbered in order of arrival, so nobody learns who is absent), the totals
    the rule drops, "x / n scored", the result (final only when every expected sheet
    is in), and the head digest once the round is locked. ``contest``: the contest
    under the store's decision settings (default: its own rule). The leaderboard is
    :func:`leaderboard_view` (slower: pushed after the stage)."""
    contest = contest or store.contest
    dec = contest.rubric.rule.decimals
    now, round_id = store.current()
    sc = scores[scores["round"] == round_id]
    view: dict = {"t": "screen", "contest": both(contest.name), "round": round_id, "now": None,
                  "round_label": both(next((r.label for r in contest.rounds if r.id == round_id), round_id)),
                  "server_time": datetime.now(timezone.utc).isoformat()}
    if now is not None:
        board = project_board(sc, contest, now)
        rows = board.rows[board.rows["complete"]].set_index("judge")
        arrival = [j for j in dict.fromkeys(sc.loc[sc["project"] == now, "judge"]) if j in rows.index]
        expected = int((~board.rows["conflict"]).sum())
        view.update(now=now, label=project_text(contest, now), scored=len(arrival), expected=expected,
                    since=store.pitching_since(),
                    boxes=[{"n": i + 1, "total": format_score(rows.loc[j, "total"], dec),
                            "dropped": bool(rows.loc[j, "dropped"])} for i, j in enumerate(arrival)],
                    result=format_score(board.result, dec), final=len(arrival) >= expected > 0,
                    rule=contest.rubric.rule.method)
    view["locked"] = store.is_locked(round_id)
    if view["locked"]:
        import segno  # the digest as a QR code too, so the hall can photograph it
        view["digest"] = store.head_digest()
        view["digest_qr"] = segno.make(view["digest"], error="m").svg_data_uri(scale=4)
    return view


def leaderboard_view(store, scores: pd.DataFrame, *, contest=None, limit: int = 10) -> dict:
    """The leaderboard of the round now running under the contest's rule: the projects
    with enough complete sheets, ranked by :func:`evalkit.live.ranking.live_ranking`."""
    contest = contest or store.contest
    dec = contest.rubric.rule.decimals
    round_id = store.current()[1]
    ranking, waiting, _ = live_ranking(scores[scores["round"] == round_id], contest)
    table = []
    if ranking is not None:
        for pid, r in ranking.projects.head(limit).iterrows():
            table.append({"project": pid, "label": project_text(contest, pid),
                          "rank": "" if pd.isna(r["rank"]) else int(r["rank"]), "tied": bool(r.get("tied", False)),
                          "excluded": bool(r.get("excluded", "")), "score": format_score(r["score"], dec)})
    return {"t": "leaderboard", "rows": table, "waiting": len(waiting)}
