"""The small result object every agreement statistic (except icc) returns."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class AgreementResult:
    """A coefficient with its uncertainty.

    ``float(result)`` is the coefficient. ``se``, ``ci_low`` and ``ci_high`` are NaN
    where the literature defines none. Statistic-specific values (``z``, ``pval``,
    ``per_category``, ``chi2``, ``df`` ...) live in ``extra`` and read as attributes.
    """

    value: float
    se: float
    ci_low: float
    ci_high: float
    n_units: int
    n_raters: int
    method: str
    extra: dict = field(default_factory=dict)

    def __float__(self) -> float:
        return float(self.value)

    def __getattr__(self, name):
        # only reached when normal lookup fails: expose the extras as attributes
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__} ({self.__dict__.get('method')}) has no attribute '{name}'")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.extra))

    def __repr__(self) -> str:
        def fmt(x):
            return "nan" if isinstance(x, float) and math.isnan(x) else f"{x:.4f}"
        parts = [f"value={fmt(self.value)}"]
        if not math.isnan(self.se):
            parts.append(f"se={fmt(self.se)}")
        if not (math.isnan(self.ci_low) and math.isnan(self.ci_high)):
            parts.append(f"95% CI [{fmt(self.ci_low)}, {fmt(self.ci_high)}]")
        parts.append(f"n_units={self.n_units}, n_raters={self.n_raters}")
        for key, val in self.extra.items():
            if isinstance(val, (pd.Series, pd.DataFrame)):
                parts.append(f"{key}=<{type(val).__name__} of {len(val)}>")
            elif isinstance(val, float):
                parts.append(f"{key}={val:.6g}")
            elif isinstance(val, (str, int)):
                parts.append(f"{key}={val!r}")
        return f"<{self.method}: " + ", ".join(parts) + ">"
