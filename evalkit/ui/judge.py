"""The judge's phone page: the project now pitching, one input per criterion with its
descriptors, submit; corrections until the round is locked; only the judge's own
scores; a conflicted project (回避) accepts nothing."""
from __future__ import annotations

import ipywidgets as w

from ..errors import EvalkitError
from ..live.entry import Desk
from .common import PAGE_CSS, criterion_columns, esc, lang_button, project_label, result_text, status
from .entry_grid import EntryGrid, ack_key
from .messages import t


class JudgePage:
    """Widgets: ``header``, ``grid`` (form layout, one row: this judge), ``status``,
    ``widget`` (the whole page). ``judge`` is None when the link is not valid."""

    def __init__(self, state, token: str | None):
        self.state = state
        self.contest = state.contest
        self.session = None
        self.judge = None
        self.project = None
        self.header = w.HTML()
        self.status = w.HTML()
        self.grid = EntryGrid(on_entry=self._entry, on_submit=self._submit, layout="form")
        self.grid.add_class("evalkit-judge-grid")
        try:
            self.session = state.store.judge_session(token)
            self.judge = self.session.judge
        except EvalkitError:
            pass
        children = [w.HTML(PAGE_CSS), lang_button(state), self.header]
        if self.session is not None:
            children += [self.grid, self.status]
        self.widget = w.VBox(children)
        self.widget.add_class("evalkit-page")
        self.widget.add_class("evalkit-judge-page")
        state.on_change(self.redraw)
        self.redraw(state)

    # --- drawing --------------------------------------------------------------
    def redraw(self, state) -> None:
        lang = state.lang
        if self.session is None:
            self.header.value = f'<div class="evalkit-now evalkit-bad-link">{esc(t("bad_link", lang))}</div>'
            return
        name = self.contest.judges.set_index("id").loc[self.judge, "name"]
        project, round_id = state.current()
        moved = project != self.project
        self.project, self.round = project, round_id
        conflicted = bool(project) and self.session.is_conflicted(project)
        with self.grid.hold_sync():  # one message: the page redraws once, consistently
            self.grid.context = project or ""
            self.grid.cols = criterion_columns(self.contest.rubric, lang)
            self.grid.rows = ([dict(id=self.judge, label=name, disabled=conflicted or not project, note="")]
                              if project else [])
            self.grid.banner = t("conflict_long", lang) if conflicted else ""
            self.grid.locked = state.store.is_locked(round_id)
            self.grid.submit_label = t("submit", lang)
            mine = self.session.scores()
            mine = mine[(mine["project"] == project) & (mine["round"] == round_id)]
            self.grid.values = {ack_key(self.judge, c): float(s) for c, s in zip(mine["criterion"], mine["score"])}
        if moved:
            self.grid.acks = {}
            status(self.status, "")
        if self.grid.locked:
            status(self.status, t("locked", lang))
        # the header last: when it names the project, the grid below is ready for it
        now = (f'{t("now", lang)}{esc(project_label(self.contest, project, lang))}' if project
               else t("waiting", lang))
        self.header.value = (f'<div class="evalkit-judge-name">{esc(t("judge_hello", lang, name=name))}</div>'
                             f'<div class="evalkit-now" data-project="{esc(project or "")}">{now}</div>')

    # --- actions --------------------------------------------------------------
    def _save(self, criterion: str, text, *, required: bool = False):
        """The judge's desk decides (evalkit.live.entry.Desk); a saved or unchanged
        value reads "saved" on the phone (the box shows the value)."""
        if self.project is None:
            return None, ("error", t("waiting", self.state.lang))
        result = Desk(self.state.store, self.state.contest, session=self.session).enter(
            self.judge, self.project, criterion, text, round=self.round, required=required)
        lang = self.state.lang
        return result, (result.state, t("saved", lang) if result.state == "ok" else result_text(result, lang))

    def _entry(self, row, col, text):
        return self._save(col, text)[1]

    def _submit(self, values: dict) -> None:
        """Save every criterion; the page says submitted only when all are saved."""
        lang = self.state.lang
        results = {}
        for c in self.contest.rubric.criterion_ids:
            result, (state, text) = self._save(c, values.get(ack_key(self.judge, c), ""), required=True)
            self.grid.set_ack(self.judge, c, state, text)
            results[c] = (result, state, text)
        errors = [text for _, state, text in results.values() if state != "ok"]
        if any(result is None or result.value is None for result, _, _ in results.values()):
            errors.insert(0, t("incomplete", lang))
        status(self.status, errors[0] if errors else t("submitted", lang), error=bool(errors))
        self.state.refresh()


def judge_page(state, token: str | None):
    """The judge's page for ``token`` (a per-judge link)."""
    return JudgePage(state, token)
