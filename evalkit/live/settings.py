"""The contest as it runs: the loaded contest with the store's amendments and under
the settings the store records.

The secretary's workbench (evalkit.ui.state), the venue server, replay and the CLI
show the running contest, never the files' contest alone: judges added, withdrawn or
renamed and conflicts declared on the day (evalkit.live.amend, "amend" events) and
the rule (method, trim, decimals) the Allocation tab or ``evalkit settings`` set
(evalkit.decision.allocation_settings). One function computes it, so every page
shows the same panel and rule.
"""
from __future__ import annotations


def running_contest(contest, store):
    """``contest`` (the files) with the store's amendments, under the store's decision
    settings (method, trim, decimals). Raises the settings' EvalkitError when a
    recorded setting cannot be read (the caller decides whether to fall back to
    ``contest`` and how to say so)."""
    from ..decision import allocation_settings, ruled_contest  # the decision stack loads on first use
    from ..store.amendments import apply_amendments, decode
    amended = apply_amendments(contest, [decode(r) for r in store.amendment_events()])
    return ruled_contest(amended, allocation_settings(store))
