"""Partial pooling of judge effects: a hierarchical normal model.

``total_jp = q_p + b_j + e``, ``b_j ~ N(0, tau^2)``, ``e ~ N(0, sigma^2)``, flat
prior on q_p. The variance components are estimated by REML (empirical Bayes) —
the profiled restricted likelihood of the mixed model (Harville 1977, JASA 72:320;
Henderson's mixed-model equations) maximised over gamma = tau^2/sigma^2 — and then
the posterior of (q, b) given them is exact (conjugate normal): posterior means
are the BLUPs, posterior SDs sqrt(sigma^2 * diag(C^-1)). With few judges the judge
effects are shrunk towards 0 in proportion to how little each judge has seen.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from .base import Context, Fit, codes, judge_frame, normal_interval, project_frame
from .linear import residual_fit, two_way


def reml_gamma(jc, pc, y, nj, np_) -> float:
    """gamma = tau^2/sigma^2 maximising the restricted likelihood:
    -2 l_R = (N - P) log RSS(gamma) + J log gamma + log|S + I/gamma| + const."""
    n = len(y)

    def objective(log_gamma):
        g = np.exp(log_gamma)
        f = two_way(jc, pc, y, nj, np_, ridge=1.0 / g, with_var=False)
        return (n - np_) * np.log(max(f.rss, 1e-300)) + nj * log_gamma + f.logdet

    res = minimize_scalar(objective, bounds=(np.log(1e-6), np.log(1e4)), method="bounded",
                          options={"xatol": 1e-4})
    return float(np.exp(res.x))


def fit_bayes(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Empirical-Bayes posterior means and SDs of project scores and judge effects."""
    jc, jid, pc, pid = codes(totals)
    y = totals["total"].to_numpy(float)
    nj, np_ = len(jid), len(pid)
    notes = []
    if nj < 2:
        gamma = 1e-6
        notes.append("bayes: 只有一位评委，无法估计评委差异 (a single judge: no judge variance to estimate)")
    else:
        gamma = reml_gamma(jc, pc, y, nj, np_)
    fit = two_way(jc, pc, y, nj, np_, ridge=1.0 / gamma)
    df = len(y) - np_
    sigma2 = fit.rss / df if df > 0 else np.nan
    tau = np.sqrt(gamma * sigma2)
    notes.append(f"bayes: 评委效应标准差 tau = {tau:.3g}，误差标准差 sigma = {np.sqrt(sigma2):.3g} "
                 f"(REML variance components: judge SD {tau:.3g}, residual SD {np.sqrt(sigma2):.3g})")
    se = np.sqrt(sigma2 * fit.q_var)
    n_p = np.bincount(pc, minlength=np_)
    proj = project_frame(pid, fit.q, se, n_p, normal_interval(fit.q, se, ctx.level))
    resid = y - fit.q[pc] - fit.b[jc]
    ms = residual_fit(jc, resid, sigma2, nj)
    judges = judge_frame(jid, -fit.b, np.sqrt(sigma2 * fit.b_var), 1.0, ms, ms,
                         n_projects=np.bincount(jc, minlength=nj))
    return Fit(proj, judges, notes)
