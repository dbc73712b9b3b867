"""Small helpers shared by the agreement statistics."""
from __future__ import annotations

import numpy as np
from scipy import stats


NAN = float("nan")


def normal_ci(value: float, se: float, confidence: float) -> tuple[float, float]:
    """Wald interval value +- z * se."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    return value - z * se, value + z * se


def percentile_ci(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    samples = samples[np.isfinite(samples)]
    if len(samples) == 0:
        return NAN, NAN
    lo, hi = np.quantile(samples, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return float(lo), float(hi)

