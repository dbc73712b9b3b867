"""The big screen: the project now pitching, each judge's total as it arrives
(anonymised 评委1, 评委2 …), the totals the rule drops struck through, the final
score, then the leaderboard. Follows the store (AppState.follow)."""
from __future__ import annotations

import ipywidgets as w

from ..display import format_score
from ..live.board import project_board
from .common import PAGE_CSS, esc, lang_button, project_label
from .leaderboard import Leaderboard
from .messages import rule_text, t


def board_html(contest, board, lang: str) -> str:
    """The current project's scores: one box per judge who scored; conflicted and
    not-yet-scored judges are not shown (nobody learns who is missing)."""
    boxes = []
    for r in board.rows[board.rows["complete"]].itertuples():
        cls = "evalkit-screen-score" + (" evalkit-dropped" if r.dropped else "")
        boxes.append(f'<div class="{cls}" data-alias="{esc(r.alias)}"><div>{esc(r.alias)}</div>'
                     f'<div class="evalkit-screen-total">{format_score(r.total, contest.rubric.rule.decimals)}</div></div>')
    result = format_score(board.result, contest.rubric.rule.decimals)
    return (f'<div class="evalkit-board"><div class="evalkit-screen-scores">{"".join(boxes)}</div>'
            f'<div>{esc(t("result", lang))}（{esc(rule_text(contest.rubric, lang))}）：'
            f'<span class="evalkit-screen-result" data-kept="{board.kept}">{result}</span></div></div>')


class Screen:
    """Widgets: ``now`` (project), ``board`` (scores and result), ``leaderboard``."""

    def __init__(self, state, *, limit: int = 10):
        self.state = state
        self.now = w.HTML()
        self.board = w.HTML()
        self.last_board = None
        state.on_change(self.redraw)
        self.leaderboard = Leaderboard(state, calibrated_method=None, limit=limit)
        self.widget = w.VBox([w.HTML(PAGE_CSS), lang_button(state), self.now, self.board, self.leaderboard.html])
        self.widget.add_class("evalkit-page")
        self.widget.add_class("evalkit-screen")
        self.redraw(state)

    def redraw(self, state) -> None:
        contest, lang = state.contest, state.lang
        project, _ = state.current()
        if project is None:
            self.now.value = f'<div class="evalkit-now">{esc(t("none_now", lang))}</div>'
            self.board.value = ""
            return
        self.now.value = (f'<div class="evalkit-now" data-project="{esc(project)}">{esc(t("now", lang))}'
                          f'{esc(project_label(contest, project, lang))}</div>')
        self.last_board = project_board(state.round_scores(), contest, project, lang=lang)
        self.board.value = board_html(contest, self.last_board, lang)


def screen(state, **kwargs) -> Screen:
    return Screen(state, **kwargs)
