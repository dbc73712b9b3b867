"""Old import path of :mod:`evalkit.allocate.robustness` (moved there); kept for a release."""
from .allocate.robustness import *  # noqa: F401,F403  moved
from .allocate.robustness import __all__  # noqa: F401
