"""Old import path of :mod:`evalkit.io.contest_folder` (moved there); kept for a release."""
from .io.contest_folder import *  # noqa: F401,F403  moved
from .io.contest_folder import __all__  # noqa: F401
