"""Small helpers shared by the agreement statistics."""
from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import DataError

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


def check_confidence(confidence: float, where: str) -> None:
    if not 0 < confidence < 1:
        raise DataError("confidence must be between 0 and 1 / 置信水平须在 0 与 1 之间", where=where,
                        key="confidence", expected="0 < confidence < 1", found=confidence)


def check_choice(value, choices, *, where: str, key: str) -> None:
    if value not in choices:
        raise DataError(f"unknown {key} '{value}'", where=where, key=key,
                        expected="one of " + ", ".join(map(repr, choices)), found=value)
