"""Old import path of the design graph's connectivity, now in :mod:`evalkit.design`; kept for a release."""
from ..design import Connectivity, connectivity, require_connected  # noqa: F401  moved

__all__ = ["Connectivity", "connectivity", "require_connected"]
