"""Old import path of :mod:`evalkit.decision.replay` (moved there); kept for a release."""
from .decision.replay import *  # noqa: F401,F403  moved
from .decision.replay import __all__  # noqa: F401
