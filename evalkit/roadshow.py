"""Old import path of the live roadshow's logic, now in :mod:`evalkit.live`
(board, outliers, ranking, table). Kept as re-exports for a release."""
from __future__ import annotations

from .live.board import Board, alias, min_judges, pending, project_board  # noqa: F401
from .live.outliers import OutOfLine, out_of_line  # noqa: F401
from .live.ranking import live_ranking, place_changes  # noqa: F401
from .live.table import LiveTable  # noqa: F401
