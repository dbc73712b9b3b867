"""Per-judge diagnostics for a live panel, and the robust outlier check the entry
form runs before saving a score."""
from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from ..aggregate.ranking import rule_aggregate
from .._params import Boolean, Column, Frame, InstanceOf, Interval, NoneOr, count, parameter_error, validate_params
from ..errors import DataError
from ..rubric import Rubric
from ..scores import totals
from .flags import DEFAULT_THRESHOLDS, bilingual_flags, flag_codes

COLUMNS = ["judge", "n_projects", "mean_total", "severity", "severity_se", "severity_z", "spread",
           "loo_spearman", "halo", "top_k_changes", "flags", "top_k", "by_panel", "flag_codes"]
_SCORES = {"scores": Frame(), "judge": Column("scores"), "project": Column("scores")}


@validate_params({**_SCORES, "criterion": Column("scores"), "value": Column("scores"),
                  "rubric": InstanceOf(Rubric, "a Rubric", "评分细则 (Rubric)"), "k": NoneOr(count(1)),
                  "thresholds": NoneOr(InstanceOf(dict, "a dict of thresholds", "阈值字典")), "by_panel": Boolean()})
def judges(scores: pd.DataFrame, rubric: Rubric, *, judge: str = "judge", project: str = "project",
           criterion: str = "criterion", value: str = "score", k: int | None = None,
           thresholds: dict | None = None, by_panel: bool = True) -> pd.DataFrame:
    """Per-judge diagnostics from a long score table.

    Totals come from :func:`evalkit.scores.totals` (complete judge-project pairs only;
    with a ``round`` column each (project, round) is its own unit). Per judge:

    - ``n_projects``, ``mean_total``;
    - ``severity``: mean of (mean of the other judges' totals - judge's total) over the
      projects the judge scored with at least one other judge, in points of the total;
      positive = harsh (the judge scores lower than the panel), negative = lenient, the
      sign of ``ek.rank(...).judges`` and ``evalkit.research.judge_effects``.
      ``severity_se`` = SD of those differences / sqrt(count); ``severity_z`` their ratio;
    - ``spread``: the judge's SD of totals over the panel's typical SD (root mean square
      of every judge's SD); < 1 uses a narrower range than the panel;
    - ``loo_spearman``: Spearman correlation of the judge's totals with the other
      judges' mean on the same projects (leave-one-out);
    - ``halo``: the judge's mean inter-criterion correlation (over the projects they
      scored) minus the mean of the other judges' (positive: criteria move together
      more than the panel's, a halo effect);
    - ``top_k_changes``: how many of the positions 1..k change project when the judge
      is removed, ranking by the rubric's rule (sum ranks as mean, trimmed drops
      ``trim`` highest and lowest when enough judges remain); ``k`` defaults to
      min(5, ceil(projects / 3));
    - with ``by_panel`` (default) and a ``panel`` column (expert / public panels), the
      relative measures (severity, spread, loo_spearman, halo) compare a judge with
      the other judges of their own panel; column ``by_panel`` says whether that
      happened. ``top_k_changes`` always uses all judges; column ``top_k`` is its k;
    - ``flag_codes``: the rules that fired, ";"-separated codes (harsh, lenient,
      disagree, narrow, wide, halo, sways_top, few_projects; evalkit.agreement.flags);
      :func:`evalkit.agreement.describe_flags` gives their text in one language;
    - ``flags``: the same, Chinese label then English text, with the rule, e.g.
      "偏严 harsh: severity +18.40, z=2.6 (rule |z|>2)". Thresholds can be overridden
      (keys of ``DEFAULT_THRESHOLDS``).

    Example
    -------
    >>> judges(contest.scores, contest.rubric)  # doctest: +SKIP
    """
    where = "judges"
    limits = dict(DEFAULT_THRESHOLDS, **(thresholds or {}))
    unknown = set(limits) - set(DEFAULT_THRESHOLDS)
    if unknown:
        raise parameter_error(where, "thresholds", "a dict with keys among " + ", ".join(DEFAULT_THRESHOLDS),
                              "键取自 " + ", ".join(DEFAULT_THRESHOLDS) + " 的字典", sorted(unknown))
    tot = totals(scores, rubric, judge=judge, project=project, criterion=criterion, value=value)
    if tot.empty:
        raise DataError("no judge has a complete set of criterion scores for any project",
                        where=where, expected="complete (judge, project) score sets", found="none",
                        zh="没有任何评委对任何项目给出全部评分项的分数")
    unit_key = ["project", "round"] if "round" in tot.columns else ["project"]
    units = pd.MultiIndex.from_frame(tot[unit_key]) if len(unit_key) > 1 else pd.Index(tot["project"])
    u_codes, u_labels = pd.factorize(units, sort=True)
    j_codes, j_labels = pd.factorize(tot["judge"], sort=True)
    n_u, n_j = len(u_labels), len(j_labels)
    x = np.full((n_u, n_j), np.nan)
    x[u_codes, j_codes] = tot["total"].to_numpy(float)
    if k is None:
        k = min(5, int(np.ceil(n_u / 3)))
    if not 1 <= k <= n_u:
        raise parameter_error(where, "k", f"a whole number from 1 to the number of projects ({n_u})",
                              f"1 至项目数 ({n_u}) 之间的整数", k)

    halo_raw = _halo(scores, rubric, judge, project, criterion, value, tot, j_labels)
    # each judge is compared with the other judges of their own panel (expert / public)
    groups = np.zeros(n_j, int)
    if by_panel and "panel" in tot.columns:
        panel_of = tot.groupby("judge", sort=True)["panel"].first().reindex(j_labels)
        groups = pd.factorize(panel_of.astype(str), sort=True)[0]
    rel = {key: np.full(n_j, np.nan) for key in ("severity", "severity_se", "spread", "loo_spearman", "halo")}
    for g in np.unique(groups):
        cols = np.flatnonzero(groups == g)
        for key, vals in _relative(x[:, cols], halo_raw[cols]).items():
            rel[key][cols] = vals
    base = _top(tot, unit_key, rubric, k)
    changes = []
    for name in j_labels:
        # a unit only this judge scored drops out: its position counts as changed
        without = _top(tot[tot["judge"] != name], unit_key, rubric, k) + [None] * k
        changes.append(sum(a != b for a, b in zip(base, without)))

    rows = []
    for j, name in enumerate(j_labels):
        sev, se = rel["severity"][j], rel["severity_se"][j]
        row = {"judge": name, "n_projects": int((~np.isnan(x[:, j])).sum()),
               "mean_total": float(np.nanmean(x[:, j])), "severity": sev, "severity_se": se,
               "severity_z": sev / se if np.isfinite(se) and se > 0 else np.nan, "spread": rel["spread"][j],
               "loo_spearman": rel["loo_spearman"][j], "halo": rel["halo"][j], "top_k_changes": int(changes[j])}
        row["top_k"], row["by_panel"] = k, bool(groups.any())
        codes = flag_codes(row, limits)
        row["flags"], row["flag_codes"] = bilingual_flags(row, codes, limits), ";".join(codes)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _relative(x: np.ndarray, halo_raw: np.ndarray) -> dict:
    """Severity (positive = harsh), spread, leave-one-out rank correlation and halo of each judge (column
    of the units x judges totals ``x``) relative to the other judges in ``x``."""
    n_u, n_j = x.shape
    scored = ~np.isnan(x)
    count = scored.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (np.nansum(x, axis=1, keepdims=True) - np.nan_to_num(x)) / np.where(count > 1, count - 1, np.nan)
    diff = np.where(scored & (count > 1), others - x, np.nan)  # positive = below the others: harsh
    n_d = (~np.isnan(diff)).sum(axis=0)
    sev = np.array([np.nanmean(d) if m else np.nan for d, m in zip(diff.T, n_d)])
    se = np.array([np.nanstd(d, ddof=1) / np.sqrt(m) if m > 1 else np.nan for d, m in zip(diff.T, n_d)])
    sd = np.array([np.nanstd(c, ddof=1) if (~np.isnan(c)).sum() > 1 else np.nan for c in x.T])
    panel_sd = np.sqrt(np.nanmean(sd ** 2)) if np.isfinite(sd).any() else np.nan
    halo = np.full(n_j, np.nan)
    for j in range(n_j):
        rest = np.delete(halo_raw, j)
        if np.isfinite(rest).any():
            halo[j] = halo_raw[j] - np.nanmean(rest)
    return {"severity": sev, "severity_se": se,
            "spread": sd / panel_sd if panel_sd > 0 else np.full(n_j, np.nan),
            "loo_spearman": np.array([_spearman(x[:, j], others[:, j]) for j in range(n_j)]), "halo": halo}


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
        return np.nan
    return float(stats.spearmanr(a[ok], b[ok]).statistic)


def _halo(scores, rubric, judge, project, criterion, value, tot, j_labels) -> np.ndarray:
    """Each judge's mean pairwise correlation between criteria across their projects."""
    crit = rubric.criterion_ids
    df = scores[scores[criterion].astype(str).isin(crit)]
    # only the complete (judge, project) sets that made a total
    keys = set(zip(tot["judge"], tot["project"]))
    df = df[[(a, b) in keys for a, b in zip(df[judge], df[project])]]
    group_cols = [project] + (["round"] if "round" in df.columns else [])
    out = np.full(len(j_labels), np.nan)
    for j, name in enumerate(j_labels):
        mine = df[df[judge] == name]
        wide = mine.pivot_table(index=group_cols, columns=criterion, values=value, aggfunc="first")
        if len(wide) < 3 or wide.shape[1] < 2:
            continue
        corr = wide.astype(float).corr().to_numpy()
        upper = corr[np.triu_indices_from(corr, 1)]
        if np.isfinite(upper).any():
            out[j] = float(np.nanmean(upper))
    return out


def _top(tot: pd.DataFrame, unit_key: list[str], rubric: Rubric, k: int) -> list:
    """The k best units under the rubric's rule (evalkit.aggregate's rule), ties by unit."""
    score = rule_aggregate(tot, unit_key, "total", rubric.rule.method, rubric.rule.trim)
    order = np.lexsort((np.arange(len(score)), -score.to_numpy(float)))
    return list(score.index[order[:k]])


@validate_params({"scores": Frame(), "judge": Column("scores"), "value": Column("scores"),
                  "threshold": Interval(Real, 0, None, closed="neither")})
def outliers(scores: pd.DataFrame, *, judge: str = "judge", value: str = "total",
             threshold: float = 3.5) -> pd.DataFrame:
    """Robust outlier check of one project's totals (the live form asks "confirm?").

    robust z = 0.6745 (x - median) / MAD (Iglewicz & Hoaglin 1993, modified z-score);
    when MAD = 0 (more than half the judges agree exactly) the mean absolute deviation
    is used instead, z = (x - median) / (1.253314 * MeanAD); when both are 0 every z
    is 0. ``is_outlier`` is |z| > threshold.

    Returns a frame with columns judge, <value>, robust_z, is_outlier and ``scale``
    (which deviation was used: "mad", "meanad" or "none").

    Example
    -------
    >>> outliers(pd.DataFrame({"judge": list("ABCDE"), "total": [81, 79, 80, 82, 45]}))  # doctest: +SKIP
    """
    x = pd.to_numeric(scores[value], errors="coerce").to_numpy(float)
    ok = x[~np.isnan(x)]
    z = np.zeros_like(x)
    scale = "none"
    if len(ok):
        med = np.median(ok)
        dev = np.abs(ok - med)
        mad = np.median(dev)
        if mad > 0:
            z, scale = 0.6745 * (x - med) / mad, "mad"
        elif dev.mean() > 0:
            z, scale = (x - med) / (1.253314 * dev.mean()), "meanad"
    z = np.where(np.isnan(x), np.nan, z)
    out = pd.DataFrame({judge: scores[judge].to_numpy(), value: x, "robust_z": z,
                        "is_outlier": np.abs(np.nan_to_num(z)) > threshold, "scale": scale})
    return out
