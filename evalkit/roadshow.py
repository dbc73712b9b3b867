"""The live roadshow's logic, shared by the secretary's, the judges' and the big
screen's pages (evalkit/ui only displays what these functions return).

- :func:`pending`: who has not (fully) scored a project yet;
- :func:`project_board`: one project's judges' totals, anonymised, with the totals
  the contest rule drops (struck through on the screen) and the rule's result;
- :func:`out_of_line`: whether a new entry puts a judge's total far outside the
  other judges' totals on the project (the secretary is asked to confirm);
- :func:`place_changes`: how ranks moved between two rankings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scores import totals


def alias(contest, judge: str, lang: str = "zh") -> str:
    """The anonymous name of a judge on the big screen: 评委1, 评委2 … (contest order)."""
    i = contest.judge_ids.index(judge) + 1
    return f"评委{i}" if lang == "zh" else f"Judge {i}"


def pending(scores: pd.DataFrame, contest, project: str) -> pd.DataFrame:
    """Judges who still owe scores on ``project`` (conflicted judges are not owed).

    Returns judge, name, scored, of, state ('missing' or 'partial'), contest order.
    """
    comp = contest.completeness(scores)
    comp = comp[(comp["project"] == project) & comp["state"].isin(["missing", "partial"])]
    names = dict(zip(contest.judges["id"], contest.judges["name"]))
    out = comp.assign(name=comp["judge"].map(names))
    return out[["judge", "name", "scored", "of", "state"]].reset_index(drop=True)


@dataclass
class Board:
    """One project's scores as the screen shows them.

    ``rows``: judge, alias, panel, total (NaN until the sheet is complete), complete,
    dropped (True when the rule leaves this total out), conflict. ``result``: the
    rule's score from the complete sheets (NaN when there are none), ``kept``: how
    many totals the result uses.
    """
    project: str
    method: str
    rows: pd.DataFrame
    result: float
    kept: int


def _rule_value(x: np.ndarray, method: str) -> float:
    if len(x) == 0:
        return math.nan
    if method == "sum":
        return float(x.sum())
    return float(x.mean())  # mean, and trimmed/median over what they keep


def project_board(scores: pd.DataFrame, contest, project: str, *, lang: str = "zh") -> Board:
    """The big screen's view of one project under the contest's rule.

    With panels (e.g. expert and public), the rule runs within each panel and the
    panel results are combined by the rubric's panel weights, as ``evalkit.rank`` does.
    Bonus points and vetoes are not part of the board (the leaderboard shows them).
    """
    from .aggregate.rules import dropped_mask
    rubric = contest.rubric
    method, trim = rubric.rule.method, rubric.rule.trim
    sc = scores[scores["project"] == project]
    tot = totals(sc, rubric) if len(sc) else pd.DataFrame(columns=["judge", "project", "total"])
    by_judge = dict(zip(tot["judge"], tot["total"]))
    judges = contest.judge_ids
    panels = contest.judge_panels()
    panel = np.array([panels.get(j) for j in judges], object)
    total = np.array([by_judge.get(j, np.nan) for j in judges], float)
    complete = ~np.isnan(total)
    dropped = np.zeros(len(judges), bool)
    idx = np.flatnonzero(complete)
    results, kept = {}, 0
    if len(idx):
        # one call for every panel: each panel is its own group (the rule runs within panels)
        frame = pd.DataFrame({"judge": [judges[i] for i in idx], "project": project, "total": total[idx],
                              "panel": panel[idx].astype(str)})
        drop = dropped_mask(frame, method, trim)
        dropped[idx[drop]] = True
        for p in dict.fromkeys(panel[idx]):
            here = panel[idx] == p
            results[p] = _rule_value(total[idx][here & ~drop], method)
            kept += int((here & ~drop).sum())
    rows = pd.DataFrame({"judge": judges, "alias": [alias(contest, j, lang) for j in judges], "panel": panel,
                         "total": total, "complete": complete,
                         "conflict": [contest.is_conflicted(j, project) for j in judges], "dropped": dropped})
    weights = rubric.panel_weights() if rubric.panels else {}
    if weights:
        have = {p: w for p, w in weights.items() if p in results}
        total_w = sum(have.values())
        result = sum(results[p] * w for p, w in have.items()) / total_w if total_w else math.nan
    else:
        result = next(iter(results.values()), math.nan)
    return Board(project=project, method=method, rows=rows, result=float(result), kept=kept)


@dataclass
class OutOfLine:
    """A judge's total that lies far outside the rest of the panel on one project.

    ``value``: the criterion score being confirmed; ``total``: the judge's total with
    it; ``low``/``high``: the band the other judges' totals allow; ``median`` and
    ``others``: the other judges' median total and how many complete sheets it uses.
    """
    judge: str
    project: str
    criterion: str
    value: float
    total: float
    low: float
    high: float
    median: float
    others: int


def out_of_line(scores: pd.DataFrame, contest, judge: str, project: str, criterion: str, value: float, *,
                floor: float = 0.15, min_others: int = 3) -> OutOfLine | None:
    """Whether entering ``value`` makes the judge's total on ``project`` far from the
    other judges' totals (the secretary is asked to confirm); None when it is not, or
    while the judge's sheet is incomplete or the judge's panel has fewer than
    ``min_others`` other complete sheets.

    Rule: the total is out of line when it lies outside the others' range widened on
    each side by ``margin = max(1.4826 * MAD, floor * scale)``: below
    ``min(others) - margin`` or above ``max(others) + margin``. MAD is the others'
    median absolute deviation (1.4826 * MAD estimates their standard deviation,
    Leys et al. 2013, J. Exp. Soc. Psych. 49:764), ``scale`` the rubric's total
    (100) and ``floor`` 15 % of it. Why this rule: the sheet under test is left out
    of the reference, so a wild sheet cannot widen its own yardstick; and the
    panel's own range is the reference, so a small or split panel still flags a
    sheet far below all of it. The former robust z over every sheet (|z| > 3.5,
    >= 4 sheets) let a 20/100 sheet pass against a panel of 58-92, because with a
    handful of sheets the outlier inflates the spread it is measured by. The floor
    keeps a tight panel (MAD near 0) from flagging ordinary differences: against a
    unanimous 80 a total needs to be more than 15 points off. With 15 % the rule asks
    about none of the 230 sheets of the two demo contests (with 10 % it asked about
    6, the demo's lenient and harsh judges) and still catches a 20 against 58-92.
    Only judges of the same panel (e.g. experts vs. public) are compared.
    """
    rubric = contest.rubric
    sc = scores[(scores["project"] == project)
                & ~((scores["judge"] == judge) & (scores["criterion"] == criterion))]
    new = pd.DataFrame([{"judge": judge, "project": project, "criterion": criterion, "score": float(value)}])
    sc = pd.concat([sc[["judge", "project", "criterion", "score"]], new], ignore_index=True)
    tot = totals(sc, rubric)
    if judge not in set(tot["judge"]):
        return None
    panel = {j: p if isinstance(p, str) else "" for j, p in contest.judge_panels().items()}
    same = tot["judge"].map(panel) == panel.get(judge, "")
    others = tot.loc[same & (tot["judge"] != judge), "total"].to_numpy(float)
    if len(others) < min_others:
        return None
    total = float(tot.loc[tot["judge"] == judge, "total"].iloc[0])
    median = float(np.median(others))
    mad = float(np.median(np.abs(others - median)))
    margin = max(1.4826 * mad, floor * rubric.total_max)
    low, high = float(others.min()) - margin, float(others.max()) + margin
    if low <= total <= high:
        return None
    return OutOfLine(judge, project, criterion, float(value), total, low, high, median, len(others))


def place_changes(new: pd.DataFrame, old: pd.DataFrame | None) -> pd.Series:
    """Places gained per project (old rank - new rank; positive = moved up, 0 for new
    or unranked projects), indexed like ``new`` (a Ranking.projects frame)."""
    if old is None or not len(old):
        return pd.Series(0, index=new.index, dtype=int)
    before = pd.to_numeric(old["rank"], errors="coerce").reindex(new.index)
    now = pd.to_numeric(new["rank"], errors="coerce")
    return (before - now).fillna(0).astype(int)


def min_judges(rubric) -> int:
    """Complete sheets a project needs before the contest rule can score it."""
    return 2 * rubric.rule.trim + 1 if rubric.rule.method == "trimmed" else 1


def live_ranking(scores: pd.DataFrame, contest, method: str | None = None):
    """Rank the projects that have enough complete sheets for ``method`` (default the
    contest's rule); the others wait. Returns (Ranking or None, waiting project ids,
    error text or ""): a calibration model that cannot fit yet (too few scores, a
    disconnected design) gives its reason instead of raising during a live show."""
    from .aggregate import rank
    from .errors import EvalkitError
    rubric = contest.rubric
    method = method or rubric.rule.method
    # complete sheets per project, counted on integer codes without computing totals
    # (rank does that; this runs on every write)
    crit = scores["criterion"].isin(rubric.criterion_ids).to_numpy()
    pc, pids = pd.factorize(scores["project"])
    jc, jids = pd.factorize(scores["judge"])
    sheet = pc[crit] * len(jids) + jc[crit]
    per_sheet = np.bincount(sheet, minlength=len(pids) * len(jids)).reshape(len(pids), len(jids))
    counts = dict(zip(pids, (per_sheet == len(rubric.criteria)).sum(axis=1)))
    need = min_judges(rubric) if method == rubric.rule.method else 2
    ready = [p for p in contest.project_ids if counts.get(p, 0) >= need]
    waiting = [p for p in contest.project_ids if p not in ready]
    if not ready:
        return None, waiting, ""
    present = set(pids)
    try:
        ranking = rank(scores if present <= set(ready) else scores[scores["project"].isin(ready)], rubric,
                       method=method)
    except EvalkitError as exc:
        return None, waiting, str(exc)
    return ranking, waiting, ""


class LiveTable:
    """The store's current score table kept up to date from new events only
    (``Store.score_events(after=seq)``), so following pages do not re-read the whole
    table on every write. ``frame()`` equals ``store.scores()``.

    A live write touches a cell or two of thousands: ``frame()`` drops the rows that
    events replaced or retracted and appends the new ones to the last frame instead of
    rebuilding it (rows are labelled by insertion number while held; the frame handed
    out has a plain 0..n-1 index like ``store.scores()``).
    """

    REBUILD_AT = 0.25  # rebuild from scratch when this share of the rows changed

    def __init__(self, store):
        self.store = store
        self.seq = 0
        self._cells: dict = {}     # (judge, project, criterion, round) -> (row label, score), store order
        self._next = 0             # the next row label
        self._frame = None         # the last frame built, indexed by row label
        self._built = 0            # labels below this are in self._frame
        self._gone: list = []      # labels in self._frame replaced or retracted since

    def update(self) -> set:
        """Apply new events; returns the projects that changed."""
        ev = self.store.score_events(after=self.seq)
        self.changed_judges = set()  # whose scores the last update changed
        if not len(ev):
            return set()
        for seq, kind, judge, project, criterion, round_id, score in ev.itertuples(index=False):
            key = (judge, project, criterion, round_id)
            old = self._cells.pop(key, None)  # re-inserted last: the order of store.scores() (by seq)
            if old is not None and old[0] < self._built:
                self._gone.append(old[0])
            if kind == "score":
                self._cells[key] = (self._next, float(score))
                self._next += 1
        self.seq = int(ev["seq"].iloc[-1])
        self.changed_judges = set(ev["judge"])
        return set(ev["project"])

    def _rows(self, items) -> pd.DataFrame:
        items = list(items)
        keys = [k for k, _ in items]
        df = pd.DataFrame(keys, columns=["judge", "project", "criterion", "round"],
                          index=pd.Index([v[0] for _, v in items], dtype=np.int64))
        df.insert(3, "score", np.array([v[1] for _, v in items], float))
        return self.store.contest.with_panels(df)

    def frame(self) -> pd.DataFrame:
        fresh = self._next - self._built
        if self._frame is None or len(self._gone) + fresh > self.REBUILD_AT * max(len(self._cells), 1):
            self._frame = self._rows(self._cells.items())
        elif self._gone or fresh:
            # the rows added since the last frame are the dict's tail (labels grow with insertion)
            tail = []
            for item in reversed(self._cells.items()):
                if item[1][0] < self._built:
                    break
                tail.append(item)
            base = self._frame.drop(index=self._gone) if self._gone else self._frame
            self._frame = pd.concat([base, self._rows(reversed(tail))]) if tail else base
        self._built, self._gone = self._next, []
        return self._frame.reset_index(drop=True)
