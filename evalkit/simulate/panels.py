"""Synthetic judging panels with known truth, to test which aggregation recovers it.

Model (all in units of the SD of true project quality):

    x_jpc = s_j * q_p - sev_j - d_c + h_jp + e_jpc
    score = min_c + (max_c - min_c) * clip(CENTER + SPREAD * x_jpc, 0, 1), rounded

q_p ~ N(0, 1) true quality; sev_j ~ N(0, severity_sd) judge severity (positive =
harsh); s_j = exp(N(0, scale_sd)) judge scale (how much of the quality differences
the judge passes on); d_c ~ N(0, criterion_sd) criterion difficulty; h_jp ~
N(0, halo) the judge's overall impression of a project, shared by all its criteria
(halo); e_jpc ~ N(0, noise_sd). CENTER = 0.65 and SPREAD = 0.1 place the average
score at 65% of the scale with one quality SD = 10% of it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..design import assign
from ..errors import DataError
from ..rubric import Rubric, rubric_from_dict

__all__ = ["CENTER", "SPREAD", "Simulation", "make_rubric", "panel"]

CENTER, SPREAD = 0.65, 0.10


@dataclass
class Simulation:
    scores: pd.DataFrame      # judge, project, criterion, score
    truth: pd.Series          # project -> true quality
    judges: pd.DataFrame      # index judge: severity, scale
    rubric: Rubric
    criteria: pd.Series       # criterion -> difficulty

    def oracle(self, totals: pd.DataFrame | None = None) -> pd.Series:
        """Each project's quality estimated by someone who knows every judge's true
        severity and scale: GLS of the judges' totals on the latent scale,
        q_p = sum_j s_j (xbar_jp + sev_j + dbar) / sum_j s_j^2 (clipping and rounding
        ignored). ``totals``: the judges' totals, when already computed."""
        from ..scores import totals as weighted_totals
        t = weighted_totals(self.scores, self.rubric) if totals is None else totals
        w = np.array([c.weight for c in self.rubric.criteria]) / self.rubric.total_max
        dbar = float(w @ self.criteria.reindex(self.rubric.criterion_ids).to_numpy())
        xbar = (t["total"].to_numpy() / self.rubric.total_max - CENTER) / SPREAD
        sev = self.judges["severity"].reindex(t["judge"]).to_numpy()
        s = self.judges["scale"].reindex(t["judge"]).to_numpy()
        frame = pd.DataFrame({"project": t["project"], "num": s * (xbar + sev + dbar), "den": s * s})
        g = frame.groupby("project")[["num", "den"]].sum()
        return (g["num"] / g["den"]).rename("oracle")


def make_rubric(n_criteria: int, decimals: int = 1) -> Rubric:
    """A plain rubric of ``n_criteria`` criteria scored 0..10, weights summing to 100."""
    base = [100 // n_criteria] * n_criteria
    base[0] += 100 - sum(base)
    return rubric_from_dict({
        "id": "simulated", "title": {"zh": "模拟评分标准", "en": "Simulated rubric"},
        "rule": {"method": "trimmed", "trim": 1, "decimals": 2},
        "criteria": [{"id": f"c{i + 1}", "label": {"zh": f"准则{i + 1}", "en": f"Criterion {i + 1}"},
                      "weight": w, "scale": {"min": 0, "max": 10, "decimals": decimals}}
                     for i, w in enumerate(base)]})


def _positive_int(name, x, minimum=1):
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < minimum:
        raise DataError(f"{name} must be a whole number >= {minimum}", key=name, expected=f">= {minimum}", found=x,
                        zh=f"参数 {name} 应为不小于 {minimum} 的整数（实际为 {x!r}）")
    return int(x)


def panel(n_projects: int = 20, n_judges: int = 7, n_criteria: int = 8, *, design: str = "complete",
          per_judge: int | None = None, severity_sd: float = 0.5, scale_sd: float = 0.2, noise_sd: float = 0.5,
          halo: float = 0.3, criterion_sd: float = 0.3, decimals: int | None = None, seed=None,
          rubric: Rubric | None = None, severity=None) -> Simulation:
    """Simulate one contest with known truth (see the module docstring for the model).

    design : "complete" (every judge scores every project) or "incomplete" (each
        judge sees about ``per_judge`` projects; each project gets
        round(n_judges * per_judge / n_projects) >= 2 judges, assigned by
        :func:`evalkit.design.assign`, so the design is connected).
    decimals : rounding of the scores (default: each criterion's own decimals).
    rubric : score on this rubric (its criteria's scales); default a generated one
        with ``n_criteria`` criteria on 0..10.
    severity : the judges' severities (one number per judge, in quality SDs) instead
        of N(0, severity_sd) draws; the draws are made either way, so a seed gives
        the same projects with or without it.

    Deterministic for a given ``seed``.

    Example
    -------
    >>> sim = ek.simulate.panel(200, 30, design="incomplete", per_judge=30, seed=1)  # doctest: +SKIP
    >>> ek.rank(sim.scores, sim.rubric, method="additive")                           # doctest: +SKIP
    """
    n_projects = _positive_int("n_projects", n_projects)
    n_judges = _positive_int("n_judges", n_judges)
    for name, v in (("severity_sd", severity_sd), ("scale_sd", scale_sd), ("noise_sd", noise_sd), ("halo", halo),
                    ("criterion_sd", criterion_sd)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise DataError(f"{name} must be a number >= 0", key=name, expected=">= 0", found=v,
                            zh=f"参数 {name} 应为不小于 0 的数字（实际为 {v!r}）")
    if design not in ("complete", "incomplete"):
        raise DataError(f"unknown design '{design}'", key="design", expected="complete or incomplete", found=design,
                        zh=f"未知的评审设计 '{design}'（应为 complete 或 incomplete）")
    rubric = rubric or make_rubric(_positive_int("n_criteria", n_criteria))
    rng = np.random.default_rng(seed)
    pids = [f"P{i + 1:03d}" for i in range(n_projects)]
    jids = [f"J{i + 1:02d}" for i in range(n_judges)]
    q = rng.normal(0, 1, n_projects)
    sev = rng.normal(0, severity_sd, n_judges)
    if severity is not None:
        sev = np.asarray(severity, float)
        if sev.shape != (n_judges,) or not np.isfinite(sev).all():
            raise DataError("severity must be one finite number per judge", key="severity",
                            expected=f"{n_judges} numbers", found=severity,
                            zh=f"severity（评委宽严度）须为每位评委一个有限数字，共 {n_judges} 个")
    scl = np.exp(rng.normal(0, scale_sd, n_judges))
    crit = rubric.criteria
    d = rng.normal(0, criterion_sd, len(crit))
    if design == "complete":
        pj = np.array([(p, j) for p in range(n_projects) for j in range(n_judges)])
    else:
        if per_judge is None:
            raise DataError("an incomplete design needs per_judge", key="per_judge", expected="a whole number",
                            found=None, zh="不完整设计（incomplete）需要参数 per_judge（每位评委评审的项目数）")
        per_judge = _positive_int("per_judge", per_judge)
        k = min(n_judges, max(2, int(round(n_judges * per_judge / n_projects))))
        table = assign(pids, jids, per_project=k, seed=int(rng.integers(2 ** 32))).table
        pj = np.column_stack([pd.Index(pids).get_indexer(table["project"]), pd.Index(jids).get_indexer(table["judge"])])
    p_idx, j_idx = pj[:, 0], pj[:, 1]
    h = rng.normal(0, halo, len(pj))
    n_c = len(crit)
    e = rng.normal(0, noise_sd, (len(pj), n_c))
    x = scl[j_idx, None] * q[p_idx, None] - sev[j_idx, None] - d[None, :] + h[:, None] + e
    frac = np.clip(CENTER + SPREAD * x, 0, 1)
    lo = np.array([c.min for c in crit])
    hi = np.array([c.max for c in crit])
    dec = np.array([c.decimals if decimals is None else decimals for c in crit])
    raw = lo + (hi - lo) * frac
    score = np.clip(np.round(raw * 10.0 ** dec) / 10.0 ** dec, lo, hi)
    scores = pd.DataFrame({"judge": np.repeat(np.array(jids)[j_idx], n_c),
                           "project": np.repeat(np.array(pids)[p_idx], n_c),
                           "criterion": np.tile([c.id for c in crit], len(pj)),
                           "score": score.ravel()})
    return Simulation(scores, pd.Series(q, index=pd.Index(pids, name="project"), name="quality"),
                      pd.DataFrame({"severity": sev, "scale": scl}, index=pd.Index(jids, name="judge")),
                      rubric, pd.Series(d, index=[c.id for c in crit], name="difficulty"))
