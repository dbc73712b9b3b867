"""Inter-rater statistics and per-judge diagnostics.

Every statistic takes a long DataFrame and the names of its columns (pingouin style)
and, except :func:`icc` (a tidy frame of the six Shrout & Fleiss forms; the mean squares
or variance components behind it from :func:`variance_components`), returns an
:class:`AgreementResult` whose ``float()`` is the coefficient. Arguments are checked by
``evalkit._params`` (a ParameterError names the function and the argument).
"""
from ._result import AgreementResult
from .concordance import kendall_w
from .icc import icc, variance_components
from .flags import describe_flags
from .judges import judges, outliers
from .kappa import brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac
from .krippendorff import krippendorff_alpha

__all__ = ["AgreementResult", "icc", "krippendorff_alpha", "fleiss_kappa", "cohen_kappa", "kendall_w", "gwet_ac",
           "brennan_prediger", "judges", "outliers", "describe_flags", "variance_components"]
