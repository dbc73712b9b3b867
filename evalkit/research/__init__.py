"""Research on many contests and their outcomes.

Each analysis takes long frames with column-name arguments and returns a tidy frame:

* :func:`judge_effects` -- recurring judges' severity across contests; :func:`judge_stability` -- its
  stability over years;
* :func:`predictive_validity` -- do roadshow scores predict later outcomes (per aggregation method);
* :func:`counterfactual` -- which funding decisions other aggregation / allocation rules change;
* :func:`rank_stability` -- bootstrap over judges: the chance each project's rank falls in each band;
* :func:`decision_study` -- G-theory: how many judges give a reliability of 0.8.
* :func:`simulate_contests` -- many contests with known truth (the generator lives in :mod:`evalkit.simulate`).
"""
from .counterfactual import counterfactual
from .decision import decision_study
from .judges import judge_effects, judge_stability
from .stability import rank_stability
from ..simulate.contests import simulate_contests
from .validity import predictive_validity

__all__ = ["judge_effects", "judge_stability", "predictive_validity", "counterfactual", "rank_stability", "decision_study",
           "simulate_contests"]
