"""The secretary's export tab (placeholder until built)."""
import ipywidgets as w


class _Tab:
    def __init__(self, state):
        self.widget = w.HTML("…")


def export_tab(state):
    return _Tab(state)
