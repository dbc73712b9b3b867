"""Inter-rater statistics and per-judge diagnostics.

Every statistic takes a long DataFrame and the names of its columns (pingouin style)
and, except :func:`icc` (a tidy frame of the six Shrout & Fleiss forms), returns an
:class:`AgreementResult` whose ``float()`` is the coefficient.
"""
from ._result import AgreementResult
from .concordance import kendall_w
from .icc import icc, variance_components
from .judges import judges, outliers
from .kappa import brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac
from .krippendorff import krippendorff_alpha

__all__ = ["AgreementResult", "icc", "krippendorff_alpha", "fleiss_kappa", "cohen_kappa", "kendall_w", "gwet_ac",
           "brennan_prediger", "judges", "outliers", "variance_components"]
