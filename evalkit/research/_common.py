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
