"""Old import path of :mod:`evalkit.report.plotting` (moved there); kept for a release."""
from .report.plotting import *  # noqa: F401,F403  moved
from .report.plotting import __all__  # noqa: F401
