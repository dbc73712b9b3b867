"""Many-facet Rasch rating-scale model (Linacre 1989, *Many-Facet Rasch Measurement*)
on criterion-level scores, fitted by joint maximum likelihood (JMLE).

    log P(X = k) / P(X = k-1) = theta_p - delta_j - beta_c - tau_k

theta_p project ability, delta_j judge severity, beta_c criterion difficulty, tau_k
the Andrich thresholds shared by all criteria (rating-scale model). Identified by
mean(delta) = mean(beta) = sum(tau) = 0, so theta is measured against an average
judge on an average criterion.

Categories. Criteria are scored on their own ranges, often with decimals, while the
rating-scale model needs one ordered set of categories. Each score is binned to
``categories`` (default 11) equally spaced points of its criterion's range:
``k = round((x - min) / (max - min) * (categories - 1))`` — for a 0..10 scale of whole
points that is the score itself; for 0..15 with one decimal, steps of 1.5 points.
Categories nobody used are collapsed (the observed ones renumbered in order), as
the thresholds of empty categories are not estimable.

Estimation: Newton-Raphson steps on each facet's likelihood equations (observed =
expected raw score), all facets together, each step clipped to 1 logit; the
usual adjustment for extreme raw scores (0.3 score points, as in Facets/Winsteps)
keeps perfect and zero scores finite. SEs are 1/sqrt(information); infit and
outfit are the information-weighted and unweighted mean squares of the
standardised residuals (Wright & Masters 1982). JMLE logits carry a known bias of
order 1/(observations per element); rankings are unaffected.

The display score is the total an average judge would be expected to give:
sum_c weight_c * E[bin value | theta, beta_c], on the rubric's 0..100 scale; its SE by
the delta method, its interval by mapping the logit interval.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import csr_matrix

from ..errors import DataError
from .base import Context, Fit, judge_frame, project_frame

EXTREME = 0.3


def category_probs(eta: np.ndarray, cumtau: np.ndarray):
    """P(X = k | eta) for k = 0..m-1 under the rating-scale model, with E and Var.

    p_k is proportional to exp(k*eta - cumtau_k) = prod_{h<=k} exp(eta - tau_h): one
    exp per observation and a cumulative product, instead of an exp per cell (the
    fit's hot loop); eta is clipped so the products stay inside float range."""
    m = len(cumtau)
    k = np.arange(m, dtype=float)
    limit = 250.0 / max(m - 1, 1)
    r = np.exp(np.clip(eta, -limit, limit))
    step = np.exp(-np.diff(cumtau))
    p = np.empty((len(eta), m))
    p[:, 0] = 1.0
    np.cumprod(np.broadcast_to(r[:, None], (len(eta), m - 1)) * step, axis=1, out=p[:, 1:])
    p /= p.sum(axis=1, keepdims=True)
    e = p @ k
    v = p @ (k * k) - e * e
    return p, e, np.maximum(v, 1e-12)


def _extreme_adjusted(codes_, x, n_el, m):
    """Raw scores with perfect and zero scores pulled in by 0.3 points (Facets,
    Winsteps) so that their measures stay finite."""
    n = np.bincount(codes_, minlength=n_el)
    raw = np.bincount(codes_, weights=x, minlength=n_el)
    return np.clip(raw, EXTREME, n * (m - 1) - EXTREME)


def jmle(pc, jc, cc, x, n_p, n_j, n_c, m, *, max_iter=100, tol=1e-4):
    """Joint maximum likelihood for the rating-scale MFRM by full Newton-Raphson.

    The log-likelihood is concave (an exponential family in theta, delta, beta,
    tau), so Newton steps on the joint information matrix — sizes P + J + C + m - 1,
    a few hundred — converge in a handful of iterations, where the usual
    facet-by-facet JMLE alternation needs dozens (the spread of the measures and of
    the thresholds trade off slowly). Identification constraints enter as a
    bordered system. Returns estimates, expected scores and variances."""
    x_int = x.astype(int)
    counts = np.bincount(x_int, minlength=m).astype(float)
    upper = np.tril(np.ones((m, m)))[:, 1:]       # p @ upper = P(X >= k) for k = 1..m-1
    observed_ge = counts @ upper
    sizes = (n_p, n_j, n_c, m - 1)
    off = np.concatenate([[0], np.cumsum(sizes)])
    dim = off[-1]
    raw = [_extreme_adjusted(pc, x, n_p, m), _extreme_adjusted(jc, x, n_j, m), _extreme_adjusted(cc, x, n_c, m)]
    # start: thresholds from adjacent category frequencies, projects from their mean score
    tau = np.log(np.maximum(counts[:-1], 0.5) / np.maximum(counts[1:], 0.5))
    tau -= tau.mean()
    mean = raw[0] / np.bincount(pc, minlength=n_p) / (m - 1)
    theta = np.log(mean / (1 - mean))
    delta, beta = np.zeros(n_j), np.zeros(n_c)
    # constraint rows: sum(delta) = sum(beta) = sum(tau) = 0
    border = np.zeros((3, dim))
    for r, f in enumerate((1, 2, 3)):
        border[r, off[f]:off[f + 1]] = 1.0
    k = np.arange(m, dtype=float)
    onehot = [csr_matrix((np.ones(len(x)), (c, np.arange(len(x)))), shape=(n, len(x)))
              for c, n in zip((pc, jc, cc), sizes)]
    converged = False
    for it in range(1, max_iter + 1):
        cumtau = np.concatenate([[0.0], np.cumsum(tau)])
        p, e, v = category_probs(theta[pc] - delta[jc] - beta[cc], cumtau)
        ge = p @ upper                                   # P(X >= h)
        cx = (p * (k - e[:, None])) @ upper              # Cov(X, 1[X >= h])
        grad = np.concatenate([
            raw[0] - np.bincount(pc, weights=e, minlength=n_p),
            -(raw[1] - np.bincount(jc, weights=e, minlength=n_j)),
            -(raw[2] - np.bincount(cc, weights=e, minlength=n_c)),
            ge.sum(0) - observed_ge])
        info = np.zeros((dim, dim))
        sign = (1.0, -1.0, -1.0)                         # d eta / d (theta, delta, beta)
        codes_ = (pc, jc, cc)
        for a in range(3):
            for b in range(a, 3):
                if a == b:
                    block = np.diag(np.bincount(codes_[a], weights=v, minlength=sizes[a]))
                else:
                    flat = np.bincount(codes_[a] * sizes[b] + codes_[b], weights=v, minlength=sizes[a] * sizes[b])
                    block = sign[a] * sign[b] * flat.reshape(sizes[a], sizes[b])
                info[off[a]:off[a + 1], off[b]:off[b + 1]] = block
                info[off[b]:off[b + 1], off[a]:off[a + 1]] = block.T
            # eta-tau: the sufficient statistic of tau_h is -1[X >= h]
            tb = -sign[a] * (onehot[a] @ cx)
            info[off[a]:off[a + 1], off[3]:] = tb
            info[off[3]:, off[a]:off[a + 1]] = tb.T
        hi = np.maximum.outer(np.arange(m - 1), np.arange(m - 1))
        info[off[3]:, off[3]:] = ge.sum(0)[hi] - ge.T @ ge
        kkt = np.block([[info, border.T], [border, np.zeros((3, 3))]])
        step = np.linalg.solve(kkt, np.concatenate([grad, np.zeros(3)]))[:dim]
        biggest = np.abs(step).max()
        if biggest > 2.0:                                # damp wild early steps
            step *= 2.0 / biggest
        theta += step[:off[1]]
        delta += step[off[1]:off[2]]
        beta += step[off[2]:off[3]]
        tau += step[off[3]:]
        if biggest < tol:
            converged = True
            break
    cumtau = np.concatenate([[0.0], np.cumsum(tau)])
    p, e, v = category_probs(theta[pc] - delta[jc] - beta[cc], cumtau)
    return dict(theta=theta, delta=delta, beta=beta, tau=tau, cumtau=cumtau, e=e, v=v,
                iterations=it, converged=converged)


def bin_scores(crit: pd.DataFrame, rubric, categories: int):
    """Scores -> equally spaced categories of each criterion's range, then the
    observed categories renumbered 0..m-1; returns codes and each code's value as a
    fraction of the range."""
    lo = crit["criterion"].map({c.id: c.min for c in rubric.criteria}).to_numpy(float)
    hi = crit["criterion"].map({c.id: c.max for c in rubric.criteria}).to_numpy(float)
    k = np.rint((crit["score"].to_numpy(float) - lo) / (hi - lo) * (categories - 1)).astype(int)
    used, x = np.unique(k, return_inverse=True)
    return x.astype(float), used / (categories - 1)


def fit_mfrm(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Many-facet Rasch rating-scale model by JMLE (see the module docstring)."""
    rubric = ctx.rubric
    categories = int(ctx.options.get("categories", 11))
    # only complete score sheets (those with a total) enter, as for the other methods
    crit = ctx.criteria
    sheets = pd.MultiIndex.from_frame(totals[["judge", "project"]])
    crit = crit[pd.MultiIndex.from_frame(crit[["judge", "project"]]).isin(sheets)]
    x, grid = bin_scores(crit, rubric, int(categories))
    m = len(grid)
    if m < 2:
        raise DataError("every score falls in one category: the Rasch model has nothing to fit", where=ctx.where,
                        key="score", expected="at least two distinct categories", found=m,
                        zh="所有分数落在同一档，Rasch 模型无法拟合")
    pc, pid = pd.factorize(crit["project"], sort=True)
    jc, jid = pd.factorize(crit["judge"], sort=True)
    cids = [c.id for c in rubric.criteria]
    cc = pd.Categorical(crit["criterion"], categories=cids).codes
    est = jmle(pc, jc, cc, x, len(pid), len(jid), len(cids), m,
               max_iter=int(ctx.options.get("max_iter", 100)), tol=float(ctx.options.get("tol", 1e-4)))
    notes = [f"mfrm: 评分按各准则满分等距分为 {categories} 档，实际使用 {m} 档 (scores binned to {categories} equally "
             f"spaced categories of each criterion's range, {m} used); JMLE {est['iterations']} iterations"]
    if not est["converged"]:
        notes.append("mfrm: 未收敛 (JMLE did not converge; estimates may be rough)")
    e, v = est["e"], est["v"]
    info_p = np.bincount(pc, weights=v, minlength=len(pid))
    info_j = np.bincount(jc, weights=v, minlength=len(jid))
    theta_se, delta_se = 1 / np.sqrt(info_p), 1 / np.sqrt(info_j)
    z2 = (x - e) ** 2 / v
    n_j = np.bincount(jc, minlength=len(jid))
    outfit = np.bincount(jc, weights=z2, minlength=len(jid)) / n_j
    infit = np.bincount(jc, weights=(x - e) ** 2, minlength=len(jid)) / info_j

    # display: expected total of an average judge (delta = 0)
    w = np.array([c.weight for c in rubric.criteria])

    def expected_total(theta):
        eta = (theta[:, None] - est["beta"][None, :]).ravel()
        p, ek, _ = category_probs(eta, est["cumtau"])
        frac = (p @ grid).reshape(len(theta), len(cids))
        slope = (p @ (grid * np.arange(m)) - (p @ grid) * ek).reshape(len(theta), len(cids))
        return frac @ w, slope @ w

    theta = est["theta"]
    score, dscore = expected_total(theta)
    zq = stats.norm.ppf(0.5 + ctx.level / 2)
    lo, _ = expected_total(theta - zq * theta_se)
    hi, _ = expected_total(theta + zq * theta_se)
    n_judges = totals.groupby("project")["judge"].nunique().reindex(pid).to_numpy()
    proj = project_frame(pid.astype(str), score, dscore * theta_se, n_judges, (lo, hi),
                         logit=theta, logit_se=theta_se)
    n_proj = totals.groupby("judge")["project"].nunique().reindex(jid).to_numpy()
    judges = judge_frame(jid.astype(str), est["delta"], delta_se, 1.0, infit, outfit, n_projects=n_proj)
    difficulty = ", ".join(f"{c} {b:+.2f}" for c, b in zip(cids, est["beta"]))
    notes.append(f"mfrm: 准则难度 criterion difficulty (logits): {difficulty}")
    return Fit(proj, judges, notes)
