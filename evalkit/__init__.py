"""evalkit — a workbench for the judging panels of community venture-philanthropy
contests (公益创投大赛): rubrics, live score capture, judge calibration, agreement,
fund allocation and publication.

    import evalkit as ek
    contest = ek.load_contest("data/demo-huaihe")
    ranking = ek.rank(contest.scores, contest.rubric, method="trimmed")
"""
from __future__ import annotations

import importlib

from .errors import (AccessError, AllocationError, ContestError, DataError, DesignError, EncodingError,
                     EvalkitError, ParameterError, RoundLockedError, RubricError, ScoreError, SettingError,
                     StoreError, TamperError)
from .rubric import Rubric, load_rubric
from .scores import totals, validate_scores
# These functions share their name with the submodule that holds them; importing
# them here (rather than lazily) keeps a later `import evalkit.allocate` from
# replacing the function with the module. assign and robustness come through their
# old paths (re-exports of evalkit.design and evalkit.allocate.robustness) for the
# same reason: those modules are loaded here, before anyone imports them by name.
from .allocate import Allocation, allocate
from .assign import assign
from .robustness import robustness

__version__ = "0.1.0"

__all__ = ["AccessError", "AllocationError", "ContestError", "DataError", "DesignError", "EncodingError",
           "EvalkitError", "ParameterError", "RoundLockedError", "RubricError", "ScoreError", "SettingError",
           "StoreError", "TamperError",
           "Rubric", "load_rubric", "totals", "validate_scores", "Allocation", "allocate", "assign", "robustness",
           "Contest", "load_contest", "Store", "rank", "Ranking", "compare", "agreement", "aggregate", "simulate",
           "io", "report", "research"]

# Heavier parts load on first use, so `import evalkit` stays quick and the core
# never pulls in widget code.
_LAZY_ATTRS = {
    "Contest": ("evalkit.contest", "Contest"),
    "load_contest": ("evalkit.contest", "load_contest"),
    "Store": ("evalkit.store", "Store"),
    "rank": ("evalkit.aggregate", "rank"),
    "Ranking": ("evalkit.aggregate", "Ranking"),
    "compare": ("evalkit.aggregate", "compare"),
}
_LAZY_MODULES = ("agreement", "aggregate", "simulate", "io", "report", "research", "store", "contest", "ui", "cli", "monitor")


def __getattr__(name):
    if name in _LAZY_ATTRS:
        module, attr = _LAZY_ATTRS[name]
        value = getattr(importlib.import_module(module), attr)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f"evalkit.{name}")
    else:
        raise AttributeError(f"module 'evalkit' has no attribute '{name}'")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY_ATTRS) | set(_LAZY_MODULES))
