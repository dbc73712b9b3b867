"""Old import path of the judge assignment, now in :mod:`evalkit.design`; kept for a release."""
from .design import *  # noqa: F401,F403  moved
from .design import __all__  # noqa: F401
