"""Linear models of judge effects on the totals.

additive: ``total_jp = q_p + b_j + e`` (q_p absorbs the grand mean), least squares
over whatever design there is, with sum_j b_j = 0 so q_p is the total an average
judge of the panel would give. Solved through the judges' Schur complement
(J x J) — the same algebra as the normal equations of the two-way layout without
interaction (Searle, *Linear Models for Unbalanced Data*, 1987, ch. 4) — so it stays
quick for hundreds of projects. SEs from sigma^2 times the constrained inverse.

affine: ``total_jp = a_j + s_j q_p + e``: judges differ in leniency and in spread.
Alternating least squares from the additive fit; each judge's slope is shrunk
towards 1 by empirical Bayes (slopes are noisy when a judge sees few projects);
identified by mean(a) = 0 and mean(s) = 1, so again q_p reads as an average judge's
total. SEs are conditional on the judge parameters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Context, Fit, codes, judge_frame, project_frame, t_interval


@dataclass
class TwoWay:
    q: np.ndarray          # project effects (on the totals' scale)
    b: np.ndarray          # judge effects (leniency, points)
    q_var: np.ndarray      # Var(q)/sigma^2
    b_var: np.ndarray      # Var(b)/sigma^2
    rss: float
    logdet: float          # log|S + ridge I| (for REML); NaN without ridge


def incidence(jc, pc, nj, np_, w=None):
    """P x J counts (or sums of ``w``) of the design."""
    out = np.zeros((np_, nj))
    np.add.at(out, (pc, jc), 1.0 if w is None else w)
    return out


def two_way(jc, pc, y, nj, np_, ridge: float | None = None, with_var: bool = True) -> TwoWay:
    """Least squares for y = q_p + b_j + e; ``ridge`` = sigma^2/tau^2 adds a normal
    prior on b (random judge effects, Henderson's mixed-model equations); without
    it the judge effects sum to zero (Moore-Penrose inverse of the Schur complement,
    whose null space is the constant vector on a connected design)."""
    n_p = np.bincount(pc, minlength=np_).astype(float)
    n_j = np.bincount(jc, minlength=nj).astype(float)
    N = incidence(jc, pc, nj, np_)
    yp = np.bincount(pc, weights=y, minlength=np_)
    yj = np.bincount(jc, weights=y, minlength=nj)
    B = N / n_p[:, None]                          # D_p^-1 N
    S = np.diag(n_j) - N.T @ B                    # Schur complement on the judges
    r = yj - B.T @ yp
    if ridge is None:
        ones = np.full((nj, nj), 1.0 / nj)
        Sinv = np.linalg.inv(S + ones) - ones     # Moore-Penrose inverse (null space = 1)
        logdet = np.nan
    else:
        Sr = S + ridge * np.eye(nj)
        L = np.linalg.cholesky(Sr)
        Linv = np.linalg.inv(L)
        Sinv = Linv.T @ Linv
        logdet = 2 * np.log(np.diag(L)).sum()
    b = Sinv @ r
    q = (yp - N @ b) / n_p
    rss = float(y @ y - q @ yp - b @ yj)
    q_var = 1 / n_p + np.einsum("pj,jk,pk->p", B, Sinv, B) if with_var else None
    return TwoWay(q, b, q_var, np.diag(Sinv).copy(), max(rss, 0.0), logdet)


def residual_fit(jc, resid, sigma2, nj):
    """Per-judge mean squared standardised residual (1 = as the model expects)."""
    n = np.bincount(jc, minlength=nj)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(jc, weights=resid ** 2 / sigma2, minlength=nj) / n


def fit_additive(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Additive judge bias removed by least squares (fixed effects, sum-to-zero)."""
    jc, jid, pc, pid = codes(totals)
    y = totals["total"].to_numpy(float)
    nj, np_ = len(jid), len(pid)
    fit = two_way(jc, pc, y, nj, np_)
    df = len(y) - np_ - nj + 1
    notes = []
    if df <= 0:
        notes.append("误差自由度为 0，无法估计标准误 (no residual degrees of freedom: SEs unavailable)")
    sigma2 = fit.rss / df if df > 0 else np.nan
    se = np.sqrt(sigma2 * fit.q_var)
    n_p = np.bincount(pc, minlength=np_)
    proj = project_frame(pid, fit.q, se, n_p, t_interval(fit.q, se, np.full(np_, df), ctx.level))
    resid = y - fit.q[pc] - fit.b[jc]
    ms = residual_fit(jc, resid, sigma2, nj)
    judges = judge_frame(jid, -fit.b, np.sqrt(sigma2 * fit.b_var), 1.0, ms, ms,
                         n_projects=np.bincount(jc, minlength=nj))
    return Fit(proj, judges, notes)


def _slopes(jc, pc, y, q, nj, shrink: bool):
    """Per-judge regression of totals on q: intercepts a, slopes s (shrunk to 1)."""
    n = np.bincount(jc, minlength=nj).astype(float)
    qm = np.bincount(jc, weights=q[pc], minlength=nj) / n
    ym = np.bincount(jc, weights=y, minlength=nj) / n
    dq = q[pc] - qm[jc]
    sqq = np.bincount(jc, weights=dq * dq, minlength=nj)
    sqy = np.bincount(jc, weights=dq * (y - ym[jc]), minlength=nj)
    ok = (n >= 3) & (sqq > 0)
    s = np.where(ok, sqy / np.where(ok, sqq, 1), 1.0)
    if shrink and ok.sum() >= 3:
        resid = y - ym[jc] - s[jc] * dq
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = np.bincount(jc, weights=resid ** 2, minlength=nj) / np.maximum(n - 2, 1)
            v = np.where(ok, s2 / np.where(ok, sqq, 1), np.inf)       # sampling variance of each slope
        tau2 = max(0.0, np.var(s[ok], ddof=1) - np.mean(v[ok]))      # method of moments
        w = np.where(ok, tau2 / (tau2 + v), 0.0)
        s = 1.0 + w * (s - 1.0)
    a = ym - s * qm
    return a, s


def fit_affine(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Judges differ in leniency a_j and spread s_j: total = a_j + s_j q_p + e."""
    jc, jid, pc, pid = codes(totals)
    y = totals["total"].to_numpy(float)
    nj, np_ = len(jid), len(pid)
    max_iter = int(ctx.options.get("max_iter", 200))
    tol = float(ctx.options.get("tol", 1e-6))
    shrink = bool(ctx.options.get("shrink", True))
    q = two_way(jc, pc, y, nj, np_, with_var=False).q
    scale = max(np.std(y), 1e-12)
    notes = []
    for it in range(max_iter):
        a, s = _slopes(jc, pc, y, q, nj, shrink)
        num = np.bincount(pc, weights=s[jc] * (y - a[jc]), minlength=np_)
        den = np.bincount(pc, weights=s[jc] ** 2, minlength=np_)
        q_new = num / den
        # identification: mean(s) = 1, mean(a) = 0 (q on an average judge's scale)
        d, c = s.mean(), a.mean()
        q_new = c + d * q_new
        done = np.max(np.abs(q_new - q)) < tol * scale
        q = q_new
        if done:
            break
    else:
        notes.append(f"affine: 交替最小二乘 {max_iter} 次未收敛 (alternating least squares did not converge "
                     f"in {max_iter} iterations)")
    a, s = _slopes(jc, pc, y, q, nj, shrink)
    resid = y - a[jc] - s[jc] * q[pc]
    df = len(y) - np_ - 2 * nj + 2
    sigma2 = float(resid @ resid) / df if df > 0 else np.nan
    den = np.bincount(pc, weights=s[jc] ** 2, minlength=np_)
    se = np.sqrt(sigma2 / den)
    n_p = np.bincount(pc, minlength=np_)
    proj = project_frame(pid, q, se, n_p, t_interval(q, se, np.full(np_, max(df, 0)), ctx.level))
    n_j = np.bincount(jc, minlength=nj)
    qbar = q.mean()
    ms = residual_fit(jc, resid, sigma2, nj)
    judges = judge_frame(jid, qbar - (a + s * qbar), np.sqrt(sigma2 / n_j), s, ms, ms, n_projects=n_j)
    notes.append("affine: 标准误以评委参数为已知 (SEs are conditional on the judges' estimated parameters)")
    return Fit(proj, judges, notes)
