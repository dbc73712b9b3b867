"""Typed errors of the monitoring part (located like every evalkit error)."""
from __future__ import annotations

from ..errors import EvalkitError


class MonitorError(EvalkitError):
    """Monitoring data (contracts, tranches, indicator plan, schedule, monthly
    scores, evaluations) is malformed or inconsistent, or an action is refused."""


class IndicatorError(MonitorError):
    """An indicator row is invalid, e.g. a missed target without an explanation."""
