"""The decision: what a contest's result depends on and the proof of it.

- :mod:`evalkit.decision.settings`: the settings kept in the store as events
  (``set_allocation`` / ``allocation_settings``, checked by ``check_settings``);
- :mod:`evalkit.decision.record`: the one computation of ranking and allocation from
  them (``decide`` / ``decision``), with the result digest (it re-exports the settings' names);
- :mod:`evalkit.decision.replay`: the same result recomputed from the store's event
  log alone (``evalkit replay``; old path ``evalkit.replay``).

``from evalkit.decision import decision, set_allocation`` keeps working: the
record's names are re-exported here (the replay is not, so the store can import
this package without importing itself back).
"""
from .record import *  # noqa: F401,F403
from .record import __all__  # noqa: F401
