"""Argument checks and small helpers shared by the research analyses."""
from __future__ import annotations

import numpy as np

from ..errors import DataError


def check_fraction(x, name: str) -> float:
    """A number strictly between 0 and 1 (a target reliability, a CI level)."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating)) or not 0 < x < 1:
        raise DataError(f"{name} must be a number between 0 and 1 / {name} 须在 0 与 1 之间", key=name,
                        expected="0 < x < 1", found=x)
    return float(x)


def check_count(x, name: str, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < minimum:
        raise DataError(f"{name} must be a whole number >= {minimum}", key=name, expected=f">= {minimum}", found=x)
    return int(x)


# ---------------------------------------------------------------------------
# many contests: judges' totals and per-contest project scores

import pandas as pd  # noqa: E402

from ..scores import require_columns  # noqa: E402

RULE_METHODS = ("sum", "mean", "trimmed", "median")   # per-project rules: one vectorised call for all contests


def judge_totals(scores: pd.DataFrame, rubric=None, *, contest: str | None = "contest", judge: str = "judge",
                 project: str = "project", criterion: str = "criterion", value: str = "score",
                 where: str = "scores") -> pd.DataFrame:
    """One total per (contest, judge, project): with a rubric the weighted sum of the
    criterion scores (``evalkit.scores.totals``' formula; veto/bonus rows ignored,
    incomplete sheets left out), without one the ``value`` itself. ``contest=None``:
    a single contest (the column is filled with "")."""
    cols = [c for c in (contest, judge, project, value) if c]
    if rubric is not None:
        cols.append(criterion)
    require_columns(scores, cols, where=where)
    df = pd.DataFrame({"contest": scores[contest].astype(str).to_numpy() if contest else "",
                       "judge": scores[judge].astype(str).to_numpy(),
                       "project": scores[project].astype(str).to_numpy()})
    num = pd.to_numeric(scores[value], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(num)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("scores must be numbers / 评分须为数字", where=f"{where} row {i + 2}", key=value,
                        expected="a number", found=scores[value].iloc[i])
    keys = ["contest", "judge", "project"]
    if rubric is None:
        df["total"] = num
        dup = df.duplicated(keys).to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise DataError("without a rubric the table must hold one total per contest, judge and project",
                            where=f"{where} row {i + 2}", key=value, expected="one row per (contest, judge, project)",
                            found=f"a second row for {tuple(df.loc[i, keys])}")
        return df
    crit = scores[criterion].astype(str).to_numpy()
    ok = np.isin(crit, rubric.criterion_ids)
    w = pd.Series(rubric.weights)
    lo = pd.Series({c.id: c.min for c in rubric.criteria})
    span = pd.Series({c.id: c.max - c.min for c in rubric.criteria})
    c = crit[ok]
    share = w.reindex(c).to_numpy() * (num[ok] - lo.reindex(c).to_numpy()) / span.reindex(c).to_numpy()
    df = df[ok].assign(total=share)
    g = df.groupby(keys, sort=True)["total"].agg(["sum", "count"])
    g = g[g["count"] == len(rubric.criteria)]
    return g["sum"].rename("total").reset_index()


def project_scores(totals: pd.DataFrame, method: str = "trimmed", *, trim: int = 1, progress: bool = False
                   ) -> pd.DataFrame:
    """Every contest's projects scored by ``method`` (as :func:`evalkit.rank` with no
    rubric): contest, project, score, rank (1 = best within the contest), percentile
    (rank turned into 0..1, 1 = best). Rules run in one vectorised call for all
    contests; the other methods contest by contest through ``evalkit.rank``."""
    from ..aggregate import rank
    from ..aggregate.base import Context
    from ..aggregate.registry import METHODS
    if method not in METHODS:
        raise DataError(f"unknown method '{method}'", key="method", expected="one of " + ", ".join(METHODS),
                        found=method)
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
