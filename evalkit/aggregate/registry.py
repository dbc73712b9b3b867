"""The methods ``rank`` knows, with the options each accepts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import rules


@dataclass(frozen=True)
class Method:
    name: str
    fit: Callable
    options: tuple[str, ...] = ()
    needs_connected: bool = False    # a disconnected design is an error, not a note
    criterion_level: bool = False    # models criterion-level scores (needs a rubric)
    family: str = "rule"             # rule | standardise | model


def _methods() -> dict[str, Method]:
    from . import bayes, linear, rasch, standardise
    return {m.name: m for m in (
        Method("sum", rules.fit_sum),
        Method("mean", rules.fit_mean),
        Method("trimmed", rules.fit_trimmed, ("trim",)),
        Method("median", rules.fit_median),
        Method("zscore", standardise.fit_zscore, family="standardise"),
        Method("rank", standardise.fit_rank, family="standardise"),
        Method("additive", linear.fit_additive, needs_connected=True, family="model"),
        Method("affine", linear.fit_affine, ("max_iter", "tol", "shrink"), needs_connected=True, family="model"),
        Method("mfrm", rasch.fit_mfrm, ("categories", "max_iter", "tol"), needs_connected=True,
               criterion_level=True, family="model"),
        Method("bayes", bayes.fit_bayes, family="model"),
    )}


METHODS: dict[str, Method] = _methods()
