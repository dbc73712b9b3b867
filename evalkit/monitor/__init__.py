"""Post-award monitoring (ek.monitor): monthly scores and the exit rule,
evaluations on indicator rubrics, indicator rows, tranches, star ratings and the
link to next year's contest."""
from .errors import IndicatorError, MonitorError
from .exit_rule import exit_watch

__all__ = ["exit_watch", "MonitorError", "IndicatorError"]
