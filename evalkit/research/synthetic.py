"""Old import path of :mod:`evalkit.simulate.contests` (moved there); kept for a release."""
from ..simulate.contests import *  # noqa: F401,F403  moved
from ..simulate.contests import __all__  # noqa: F401
