"""Synthetic data with known truth, from one generator (:func:`panel`):

- :mod:`evalkit.simulate.panels`: one contest's panel — true project quality,
  judge severity and scale, criterion difficulty, halo and noise (``ek.simulate.panel``);
- :mod:`evalkit.simulate.contests`: many contests over streets and years, recurring
  judges with a lasting severity, awards and later outcomes
  (``ek.research.simulate_contests``).

>>> sim = ek.simulate.panel(20, 6, seed=1)            # doctest: +SKIP
>>> cs, truth = ek.simulate.simulate_contests(3, 2, seed=1)   # doctest: +SKIP
"""
from .contests import CATEGORIES, STREETS, Truth, simulate_contests
from .panels import CENTER, SPREAD, Simulation, make_rubric, panel

__all__ = ["panel", "Simulation", "make_rubric", "CENTER", "SPREAD", "simulate_contests", "Truth", "STREETS",
           "CATEGORIES"]
