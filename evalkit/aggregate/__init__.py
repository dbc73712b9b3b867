"""Aggregation: the contest's rules and the calibrations of judge effects.

``rank(scores, rubric, method=...)`` returns a :class:`Ranking`; ``compare`` puts
several methods side by side; ``METHODS`` lists the methods and their options.
:mod:`evalkit.aggregate.ready` ranks while the sheets come in (the projects with
enough complete sheets; the decision record and the live board use it);
:mod:`evalkit.aggregate.bootstrap` is the one judge bootstrap (rank stability,
robustness of a fund split). The judge-project design graph is :mod:`evalkit.design`.

=========  ==========================================================  ==========
method     what it does                                                design
=========  ==========================================================  ==========
sum        sum of the judges' totals                                   any
mean       mean of the judges' totals                                  any
trimmed    mean after dropping the k highest and k lowest (default)   >= 2k+1 judges
median     median of the totals                                        any
zscore     per-judge z-scores, mapped back to the total scale          any
rank       per-judge percentile ranks (ties averaged), mapped back     any
additive   total = q_p + b_j + e, least squares, SEs from the fit      connected
affine     total = a_j + s_j q_p + e (leniency and spread)             connected
mfrm       many-facet Rasch rating-scale model on criterion scores     connected
bayes      hierarchical normal, judge effects partially pooled (REML)  any
=========  ==========================================================  ==========

Example
-------
>>> import evalkit as ek
>>> sim = ek.simulate.panel(20, 6, seed=1)
>>> r = ek.rank(sim.scores, sim.rubric, method="additive")
>>> list(r.projects.columns[:5])
['score', 'se', 'ci_low', 'ci_high', 'rank']
"""
from .compare import compare
from .ranking import Ranking, rank
from .registry import METHODS

__all__ = ["rank", "Ranking", "compare", "METHODS"]
