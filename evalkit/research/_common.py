"""The argument constraints and small helpers shared by the research analyses."""
from __future__ import annotations

import numpy as np

from .._params import Boolean, Column, Frame, InstanceOf, ListOf, NoneOr, Options
from ..errors import DataError
from ..rubric import Rubric


def _methods():
    from ..aggregate.registry import METHODS
    return tuple(METHODS)


# the arguments every many-contest analysis shares (criterion is needed only with a rubric)
SCORES = {"scores": Frame(), "contest": Column("scores"), "judge": Column("scores"),
          "project": Column("scores"), "value": Column("scores"), "progress": Boolean(),
          "rubric": NoneOr(InstanceOf(Rubric, "a Rubric", "评分细则 (Rubric)")), "method": Options(_methods()),
          "methods": ListOf(Options(_methods()))}


# ---------------------------------------------------------------------------
# many contests: judges' totals and per-contest project scores

import pandas as pd  # noqa: E402

from ..scores import require_columns, totals as rubric_totals  # noqa: E402

RULE_METHODS = ("sum", "mean", "trimmed", "median")   # per-project rules: one vectorised call for all contests


def judge_totals(scores: pd.DataFrame, rubric=None, *, contest: str | None = "contest", judge: str = "judge",
                 project: str = "project", criterion: str = "criterion", value: str = "score",
                 where: str = "scores") -> pd.DataFrame:
    """One total per (contest, judge, project): with a rubric the weighted sum of the
    criterion scores computed by ``evalkit.scores.totals`` (veto/bonus rows ignored,
    incomplete sheets left out), without one the ``value`` itself. ``contest=None``:
    a single contest (the column is filled with "")."""
    cols = [c for c in (contest, judge, project, value) if c]
    if rubric is not None:
        cols.append(criterion)
    require_columns(scores, cols, where=where)
    n = len(scores)
    num = pd.to_numeric(scores[value], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(num)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("scores must be numbers", where=f"{where} row {i + 2}", key=value,
                        expected="a number", found=scores[value].iloc[i],
                        zh=f"'{value}' 列的评分须为数字（实际为 {scores[value].iloc[i]!r}）")
    # integer codes for the keys: sums and counts by np.bincount, no string work per row
    cc, cid = pd.factorize(scores[contest]) if contest else (np.zeros(n, np.int64), pd.Index([""]))
    jc, jid = pd.factorize(scores[judge])
    pc, pid = pd.factorize(scores[project])
    missing = (cc < 0) | (jc < 0) | (pc < 0)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError("contest, judge and project ids must not be empty", where=f"{where} row {i + 2}",
                        key=f"{contest}, {judge}, {project}", expected="an id in every row", found="an empty cell",
                        zh=f"大赛、评委与项目编号（{'、'.join(c for c in (contest, judge, project) if c)} 列）不能为空")
    if rubric is not None:
        # the rubric total is evalkit.scores.totals' (one implementation), grouped by contest too
        ckey = contest or "_contest"
        out = rubric_totals(scores if contest else scores.assign(_contest=""), rubric, judge=judge, project=project,
                            criterion=criterion, value=value, by=(ckey,))
        # rows by contest, judge, project in order of first appearance (what the bootstraps draw from)
        order = np.lexsort((pid.get_indexer(out["project"]), jid.get_indexer(out["judge"]),
                            cid.get_indexer(out[ckey])))
        return pd.DataFrame({"contest": out[ckey].astype(str).to_numpy()[order],
                             "judge": out["judge"].astype(str).to_numpy()[order],
                             "project": out["project"].astype(str).to_numpy()[order],
                             "total": out["total"].to_numpy()[order]})
    key = (cc.astype(np.int64) * len(jid) + jc) * len(pid) + pc
    kc, keys = pd.factorize(key, sort=True)
    count = np.bincount(kc, minlength=len(keys))
    if count.max(initial=0) > 1:
        i = int(np.flatnonzero(count[kc] > 1)[1])
        raise DataError("without a rubric the table must hold one total per contest, judge and project",
                        where=f"{where} row {i + 2}", key=value, expected="one row per (contest, judge, project)",
                        found=f"a second row for ({cid[cc[i]]}, {jid[jc[i]]}, {pid[pc[i]]})",
                        zh=f"没有评分细则时，每个大赛的每位评委对每个项目只能有一行总分（评委 {jid[jc[i]]}、"
                           f"项目 {pid[pc[i]]} 出现两次）")
    keys = np.asarray(keys)
    p_code = keys % len(pid)
    j_code = (keys // len(pid)) % len(jid)
    c_code = keys // (len(pid) * len(jid))
    return pd.DataFrame({"contest": np.asarray(cid.astype(str))[c_code], "judge": np.asarray(jid.astype(str))[j_code],
                         "project": np.asarray(pid.astype(str))[p_code], "total": np.bincount(kc, num, len(keys))})


def project_scores(totals: pd.DataFrame, method: str = "trimmed", *, trim: int = 1, progress: bool = False
                   ) -> pd.DataFrame:
    """Every contest's projects scored by ``method`` (as :func:`evalkit.rank` with no
    rubric): contest, project, score, rank (1 = best within the contest), percentile
    (rank turned into 0..1, 1 = best). Rules run in one vectorised call for all
    contests; the other methods contest by contest through ``evalkit.rank``."""
    from ..aggregate import rank
    from ..aggregate.base import Context
    from ..aggregate.registry import METHODS
    if method in RULE_METHODS:
        # integer keys (contest code * n + project code): no string work on millions of rows
        cc, cid = pd.factorize(totals["contest"], sort=True)
        pc, pid = pd.factorize(totals["project"], sort=True)
        key = cc.astype(np.int64) * len(pid) + pc
        fit = METHODS[method].fit(pd.DataFrame({"judge": totals["judge"].to_numpy(), "project": key,
                                                "total": totals["total"].to_numpy()}),
                                  Context(None, options={"trim": trim}))
        k = fit.projects.index.to_numpy().astype(np.int64)
        out = pd.DataFrame({"contest": np.asarray(cid)[k // len(pid)], "project": np.asarray(pid)[k % len(pid)],
                            "score": fit.projects["score"].to_numpy()})
    else:
        groups = totals.groupby("contest", sort=True)
        frames = []
        for cid, g in _progress(groups, progress, f"rank ({method})", groups.ngroups):
            opts = {"trim": trim} if method == "trimmed" else {}
            r = rank(g, method=method, value="total", **opts).projects
            frames.append(pd.DataFrame({"contest": cid, "project": r.index.to_numpy(),
                                        "score": r["score"].to_numpy()}))
        out = pd.concat(frames, ignore_index=True)
    out["rank"] = out.groupby("contest")["score"].rank(ascending=False, method="min")
    n = out.groupby("contest")["score"].transform("size")
    out["percentile"] = np.where(n > 1, (n - out["rank"]) / (n - 1).clip(lower=1), 1.0)
    return out.sort_values(["contest", "rank", "project"], ignore_index=True)


def _progress(iterable, show: bool, desc: str, total: int | None = None):
    """A tqdm progress bar on long runs (stderr), or the iterable itself."""
    if not show:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, total=total, leave=False)
