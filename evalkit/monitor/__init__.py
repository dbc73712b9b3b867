"""Post-award monitoring (ek.monitor): the second half of the workbench.

One module per concern:

=============  =====================================================================
data           the contest folder's ``monitoring/`` part: ``load_monitoring``
monthly        the ten-point monthly scheme as a rubric; item rows and month totals
exit_rule      ``exit_watch``: under 6 for three months in a row -> exit
evaluations    mid-term / final evaluations on an indicator rubric: ``evaluate``
indicators     target, actual, share achieved, met; explanation when missed
tranches       tranche amounts in fen; released / withheld / pending with reasons
stars          year-end star ratings: ``star_ratings``
nextyear       next year's eligibility and adjustments: ``next_year``, ``check_applicants``
portfolio      every funded project on one row
records        monitoring events in the contest's store (append-only, hashed)
outcomes       the year as research outcomes (final grades for predictive_validity)
export         Excel and PDF exports with the 公示's typography
charts         the months per organisation with the threshold line
=============  =====================================================================

    import evalkit as ek
    mon = ek.monitor.load_monitoring("data/demo-huaihe")
    ek.monitor.exit_watch(mon.month_scores())
"""
from .data import Monitoring, load_monitoring, screen_applicants
from .errors import IndicatorError, MonitorError
from .evaluations import Evaluation, evaluate, spot_check
from .exit_rule import exit_watch
from .export import export_monitoring, monitoring_tables
from .indicators import IndicatorRow, indicator_table
from .monthly import month_totals
from .nextyear import check_applicants, next_year
from .portfolio import portfolio
from .stars import star_ratings
from .tranches import decide_tranches, money_summary, read_tranches, split_amount

__all__ = ["exit_watch", "MonitorError", "IndicatorError", "Monitoring", "load_monitoring", "Evaluation", "evaluate",
           "IndicatorRow", "indicator_table", "month_totals", "next_year", "check_applicants", "portfolio",
           "star_ratings", "decide_tranches", "money_summary", "read_tranches", "split_amount", "export_monitoring",
           "monitoring_tables", "spot_check", "screen_applicants"]
