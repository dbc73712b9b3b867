"""The contest as it runs: the loaded contest under the settings the store records.

The secretary's workbench (evalkit.ui.state), the venue server and the CLI show the
running contest, never the files' contest alone: the rule (method, trim, decimals)
the Allocation tab or ``evalkit settings`` set is in the store
(evalkit.decision.allocation_settings). One function computes it, so every page
shows the same rule; later settings of a running contest (judges, conflicts, PIN)
belong here too.
"""
from __future__ import annotations


def running_contest(contest, store):
    """``contest`` under the store's decision settings (method, trim, decimals).
    Raises the settings' EvalkitError when a recorded setting cannot be read (the
    caller decides whether to fall back to ``contest`` and how to say so)."""
    from ..decision import allocation_settings, ruled_contest  # the decision stack loads on first use
    return ruled_contest(contest, allocation_settings(store))
