"""How many judges are enough: a generalizability-theory decision study.

G study (variance components, random-effects ANOVA, expected mean squares):

* single score per (judge, project) -- the p x j design:
  sigma2_pj,e = MS_pj;  sigma2_p = (MS_p - MS_pj) / n_j;  sigma2_j = (MS_j - MS_pj) / n_p
* criterion scores on a rubric -- the p x j x c design (Brennan 2001, Table 3.3):
  sigma2_pjc,e = MS_pjc; sigma2_pj = (MS_pj - MS_pjc)/n_c; sigma2_pc = (MS_pc - MS_pjc)/n_j;
  sigma2_jc = (MS_jc - MS_pjc)/n_p;
  sigma2_p = (MS_p - MS_pj - MS_pc + MS_pjc)/(n_j n_c), and alike for j and c.

D study, judges random (n'_j of them), the rubric's criteria fixed (every project is
scored on the same criteria; Shavelson & Webb 1991 ch. 6, Brennan 2001 sec. 4.4):

  universe score  sigma2_tau   = sigma2_p + sigma2_pc / n_c
  relative error  sigma2_delta = (sigma2_pj + sigma2_pjc,e / n_c) / n'_j
  absolute error  sigma2_Delta = sigma2_delta + (sigma2_j + sigma2_jc / n_c) / n'_j
  E rho^2 = sigma2_tau / (sigma2_tau + sigma2_delta)   (relative decisions: ranking)
  Phi     = sigma2_tau / (sigma2_tau + sigma2_Delta)   (absolute decisions: a cut score)

With one criterion these are the Spearman-Brown step-ups of Shrout & Fleiss's ICC3
(relative) and ICC2 (absolute). Negative component estimates are set to 0 (Brennan
2001 sec. 3.4). Incomplete designs: the p x j components by REML
(:mod:`evalkit.agreement.icc`) on the judges' totals, n'_j the harmonic mean of the
judges per project.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from numbers import Real

from .._params import Interval, ListOf, NoneOr, count, validate_params
from ..errors import DataError
from ..rubric import Rubric
from ..scores import require_columns
from ._common import SCORES

COMPONENTS = ("var_project", "var_judge", "var_residual", "var_criterion", "var_project_criterion",
              "var_judge_criterion", "var_project_judge")
COLUMNS = ["criterion", "decision", "coefficient", "judges_needed", "n_judges", "target", "design",
           *COMPONENTS]
TOTAL = "total"      # the ``criterion`` label of the rubric's composite rows


def _cube(df: pd.DataFrame, keys: list[str], value: str):
    """A complete array indexed by the factorized keys, or None if any cell is missing."""
    codes, sizes = [], []
    for k in keys:
        c, u = pd.factorize(df[k], sort=True)
        codes.append(c)
        sizes.append(len(u))
    flat = np.ravel_multi_index(codes, sizes)
    if len(df) != int(np.prod(sizes)) or len(np.unique(flat)) != len(flat):
        return None
    y = np.empty(int(np.prod(sizes)))
    y[flat] = df[value].to_numpy(float)
    return y.reshape(sizes)


def _pj_components(y: np.ndarray) -> dict:
    """p x j random-effects ANOVA components from a complete projects x judges array."""
    n_p, n_j = y.shape
    g = y.mean()
    mp, mj = y.mean(1), y.mean(0)
    ms_p = n_j * ((mp - g) ** 2).sum() / (n_p - 1)
    ms_j = n_p * ((mj - g) ** 2).sum() / (n_j - 1)
    res = y - mp[:, None] - mj[None, :] + g
    ms_e = (res ** 2).sum() / ((n_p - 1) * (n_j - 1))
    return {"var_project": (ms_p - ms_e) / n_j, "var_judge": (ms_j - ms_e) / n_p, "var_residual": ms_e}


def _pjc_components(y: np.ndarray) -> dict:
    """p x j x c random-effects ANOVA components from a complete array (Brennan 2001 Table 3.3)."""
    n_p, n_j, n_c = y.shape
    g = y.mean()
    mp, mj, mc = y.mean((1, 2)), y.mean((0, 2)), y.mean((0, 1))
    mpj, mpc, mjc = y.mean(2), y.mean(1), y.mean(0)
    ms = {
        "p": n_j * n_c * ((mp - g) ** 2).sum() / (n_p - 1),
        "j": n_p * n_c * ((mj - g) ** 2).sum() / (n_j - 1),
        "c": n_p * n_j * ((mc - g) ** 2).sum() / (n_c - 1),
        "pj": n_c * ((mpj - mp[:, None] - mj[None, :] + g) ** 2).sum() / ((n_p - 1) * (n_j - 1)),
        "pc": n_j * ((mpc - mp[:, None] - mc[None, :] + g) ** 2).sum() / ((n_p - 1) * (n_c - 1)),
        "jc": n_p * ((mjc - mj[:, None] - mc[None, :] + g) ** 2).sum() / ((n_j - 1) * (n_c - 1)),
    }
    res = (y - mpj[:, :, None] - mpc[:, None, :] - mjc[None, :, :] + mp[:, None, None] + mj[None, :, None]
           + mc[None, None, :] - g)
    ms["pjc"] = (res ** 2).sum() / ((n_p - 1) * (n_j - 1) * (n_c - 1))
    return {"var_project": (ms["p"] - ms["pj"] - ms["pc"] + ms["pjc"]) / (n_j * n_c),
            "var_judge": (ms["j"] - ms["pj"] - ms["jc"] + ms["pjc"]) / (n_p * n_c),
            "var_criterion": (ms["c"] - ms["pc"] - ms["jc"] + ms["pjc"]) / (n_p * n_j),
            "var_project_judge": (ms["pj"] - ms["pjc"]) / n_c,
            "var_project_criterion": (ms["pc"] - ms["pjc"]) / n_j,
            "var_judge_criterion": (ms["jc"] - ms["pjc"]) / n_p,
            "var_residual": ms["pjc"]}


def _reml_components(df: pd.DataFrame, judge: str, project: str, value: str) -> dict:
    """p x j components of an incomplete design by REML (the estimator of evalkit.agreement.icc)."""
    from ..agreement._data import long_ratings
    from ..agreement.icc import reml_components
    r = long_ratings(df, project, judge, value, where="decision_study")
    s_p, s_j, s_e = reml_components(r.unit, r.rater, r.value, r.n_units, r.n_raters)
    return {"var_project": s_p, "var_judge": s_j, "var_residual": s_e}


def _panel_size(df: pd.DataFrame, judge: str, project: str) -> float:
    per = df.groupby(project)[judge].nunique()
    return float(len(per) / (1.0 / per).sum())     # harmonic mean (Brennan 2001 sec. 7.1)


def _needed(target: float, universe: float, error_one: float) -> int | None:
    """Smallest n with universe / (universe + error_one / n) >= target."""
    if not universe > 0:
        return None
    if error_one <= 0:
        return 1
    return max(1, math.ceil(target / (1 - target) * error_one / universe - 1e-9))


def _rows(comp: dict, n_c: int, n_j: float, target: float, label: str, design: str, sizes=None) -> list[dict]:
    comp = {k: max(0.0, float(comp.get(k, np.nan))) if not np.isnan(comp.get(k, np.nan)) else np.nan
            for k in COMPONENTS}
    z = lambda k: 0.0 if np.isnan(comp[k]) else comp[k]  # noqa: E731
    if design == "p x j x c":
        universe = comp["var_project"] + z("var_project_criterion") / n_c
        rel_one = z("var_project_judge") + comp["var_residual"] / n_c
        abs_one = rel_one + comp["var_judge"] + z("var_judge_criterion") / n_c
    else:
        universe, rel_one = comp["var_project"], comp["var_residual"]
        abs_one = rel_one + comp["var_judge"]
    out = []
    for n in ([n_j] if sizes is None else sizes):
        for decision, one in (("relative", rel_one), ("absolute", abs_one)):
            coef = universe / (universe + one / n) if universe + one > 0 else np.nan
            out.append({"criterion": label, "decision": decision, "coefficient": coef,
                        "judges_needed": _needed(target, universe, one), "n_judges": n, "target": target,
                        "design": design, **comp})
    return out


def _components(df: pd.DataFrame, keys: list[str], value: str, judge: str, project: str):
    y = _cube(df, keys, value)
    if y is not None and min(y.shape) >= 2:
        return (_pjc_components(y) if y.ndim == 3 else _pj_components(y)), "anova"
    return _reml_components(df, judge, project, value), "reml"


@validate_params({**{k: SCORES[k] for k in ("scores", "rubric", "judge", "project", "value")},
                  "target": Interval(Real, 0, 1, closed="neither"), "n_judges": NoneOr(ListOf(count(1)))})
def decision_study(scores: pd.DataFrame, rubric: Rubric | None = None, target: float = 0.8, *,
                   judge: str = "judge", project: str = "project", criterion: str = "criterion",
                   value: str = "score", n_judges=None) -> pd.DataFrame:
    """G-theory decision study: how many judges give a reliability of ``target``.

    Parameters
    ----------
    scores : long frame. Without ``rubric``: one ``value`` per (judge, project), the
        p x j design. With ``rubric``: criterion scores (veto and bonus rows are
        ignored), each rescaled to its weighted share of the total
        (n_c * weight * (score - min) / (max - min), so the mean over criteria is the
        judge's total): the p x j x c design, criteria fixed; plus one p x j study per
        criterion on its own scale.
    target : the reliability wanted (0 < target < 1).
    n_judges : panel sizes to evaluate the coefficients at (e.g. range(1, 16)), a row
        per size; default the current panel (harmonic mean of judges per project).

    Returns a tidy frame, a row per (criterion, decision): criterion ("total" for the
    rubric composite or the single score, else a criterion id), decision
    ("relative": E rho^2, for ranking; "absolute": Phi, for a cut score), coefficient
    (at the current panel size n_judges), judges_needed (smallest panel reaching
    ``target``; NA when the projects do not differ), n_judges, target, design, and the
    variance components var_project, var_judge, var_residual (p x j x c: also
    var_criterion, var_project_criterion, var_judge_criterion, var_project_judge;
    var_residual is then sigma2_pjc,e), and estimator ("anova", or "reml" for an
    incomplete design).

    Sources: Brennan, R. L. (2001) *Generalizability Theory*, Springer, ch. 3-4;
    Shavelson, R. J. & Webb, N. M. (1991) *Generalizability Theory: A Primer*, Sage,
    ch. 6 (fixed facets); Shrout & Fleiss (1979) for the ICC equivalence.

    Example
    -------
    >>> ds = ek.research.decision_study(contest.scores, contest.rubric)      # doctest: +SKIP
    >>> ds.loc[ds.criterion == "total", ["decision", "coefficient", "judges_needed"]]  # doctest: +SKIP
    """
    where = "decision_study"
    sizes = n_judges
    rows, estimators = [], []   # a row's estimator: "anova" or "reml"

    def add(block: list, est: str) -> None:
        rows.extend(block)
        estimators.extend([est] * len(block))

    if rubric is None:
        df = _numeric(scores[[judge, project, value]], value, where)
        comp, est = _components(df, [project, judge], value, judge, project)
        add(_rows(comp, 1, _panel_size(df, judge, project), target, TOTAL, "p x j", sizes), est)
    else:
        require_columns(scores, (judge, project, criterion, value), where=where)
        df = _numeric(scores[[judge, project, criterion, value]], value, where)
        df = df[df[criterion].isin(rubric.criterion_ids)]
        if df.empty:
            raise DataError("no criterion scores", where=where, key=criterion,
                            expected="ids of rubric " + rubric.id, found="none",
                            zh=f"没有评分项分数：'{criterion}' 列中没有评分细则 {rubric.id} 的评分项")
        n_c = len(rubric.criteria)
        lo = df[criterion].map({c.id: c.min for c in rubric.criteria})
        hi = df[criterion].map({c.id: c.max for c in rubric.criteria})
        w = df[criterion].map(rubric.weights)
        df = df.assign(_share=(n_c * w * (df[value] - lo) / (hi - lo)).to_numpy())
        n_j = _panel_size(df, judge, project)
        y = _cube(df, [project, judge, criterion], "_share") if n_c > 1 else None
        if y is not None and min(y.shape) >= 2:
            add(_rows(_pjc_components(y), n_c, n_j, target, TOTAL, "p x j x c", sizes), "anova")
        else:   # incomplete: the p x j design on the judges' totals
            tot = df.groupby([judge, project], as_index=False)["_share"].mean()
            comp, est = _components(tot, [project, judge], "_share", judge, project)
            add(_rows(comp, 1, n_j, target, TOTAL, "p x j", sizes), est)
        in_cube = sorted(df[criterion].unique())
        for cid in rubric.criterion_ids:
            if y is not None and y.ndim == 3 and min(y.shape) >= 2 and cid in in_cube:
                # complete design: the criterion's slice of the cube, back on the criterion's own scale
                c = rubric.criterion(cid)
                f2 = (n_c * rubric.weights[cid] / (c.max - c.min)) ** 2
                comp = {k: v / f2 for k, v in _pj_components(y[:, :, in_cube.index(cid)]).items()}
                add(_rows(comp, 1, float(y.shape[1]), target, cid, "p x j", sizes), "anova")
                continue
            sub = df[df[criterion] == cid]
            if sub[project].nunique() < 2 or sub[judge].nunique() < 2:
                continue
            comp, est = _components(sub, [project, judge], value, judge, project)
            add(_rows(comp, 1, _panel_size(sub, judge, project), target, cid, "p x j", sizes), est)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["judges_needed"] = pd.array(out["judges_needed"], dtype="Int64")
    out["estimator"] = estimators
    return out


def _numeric(df: pd.DataFrame, value: str, where: str) -> pd.DataFrame:
    num = pd.to_numeric(df[value], errors="coerce")
    bad = num.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError("scores must be numbers", where=f"{where} row {i + 2}", key=value,
                        expected="a number", found=df[value].iloc[i],
                        zh=f"'{value}' 列的评分须为数字（实际为 {df[value].iloc[i]!r}）")
    return df.assign(**{value: num.to_numpy(float)})
