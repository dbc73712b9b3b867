"""Aggregation: the contest's rules and the calibrations of judge effects.

``rank(scores, rubric, method=...)`` returns a :class:`Ranking`; ``compare`` puts
several methods side by side; ``METHODS`` lists the methods and their options.
"""
from .compare import compare
from .ranking import Ranking, rank
from .registry import METHODS

__all__ = ["rank", "Ranking", "compare", "METHODS"]
