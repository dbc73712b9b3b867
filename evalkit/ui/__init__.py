"""The live roadshow workbench (ipywidgets + anywidget): the secretary's tabs, the
judges' phone page and the big screen, all over the store and the core.

    import evalkit.ui as ui
    ui.roadshow().widget      # secretary (notebooks/roadshow.ipynb)
    ui.judge().widget         # a judge's phone (notebooks/judge.ipynb?token=...)
    ui.screen().widget        # the projector (notebooks/screen.ipynb)
"""
from .app import judge, roadshow, screen
from .state import AppState

__all__ = ["roadshow", "judge", "screen", "AppState"]
