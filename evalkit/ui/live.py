"""The secretary's Live tab: the project now pitching with one-click advance, the
judge x criterion entry grid (saved at once, acknowledged per cell), who has not
scored, confirmation of out-of-line totals, corrections with a reason, lock/unlock."""
from __future__ import annotations

import ipywidgets as w

from ..errors import EvalkitError
from ..roadshow import out_of_line, pending
from .common import criterion_columns, error_text, esc, parse_number, project_label, status
from .entry_grid import EntryGrid, ack_key
from .messages import t


class LiveTab:
    """Widgets: ``project`` (dropdown), ``next_button``, ``now``, ``grid``, ``reason``,
    ``confirm_box`` (``confirm_text``, ``confirm_button``, ``cancel_button``),
    ``pending``, ``lock_button``, ``status``, ``widget``."""

    def __init__(self, state):
        self.state = state
        self.contest = state.contest
        self.project_id = None
        self._drawing = False
        self._asking = None  # (judge, criterion, value) waiting for confirmation
        self.project = w.Dropdown(layout=w.Layout(width="420px"))
        self.next_button = w.Button(layout=w.Layout(width="auto"))
        self.next_button.add_class("evalkit-next")
        self.now = w.HTML()
        self.grid = EntryGrid(on_entry=self._entry, layout="grid")
        self.grid.add_class("evalkit-secretary-grid")
        self.reason = w.Text(layout=w.Layout(width="420px"))
        self.reason.add_class("evalkit-reason")
        self.confirm_text = w.HTML()
        self.confirm_button = w.Button(button_style="warning")
        self.confirm_button.add_class("evalkit-confirm")
        self.cancel_button = w.Button()
        self.confirm_box = w.HBox([self.confirm_text, self.confirm_button, self.cancel_button],
                                  layout=w.Layout(display="none"))
        self.pending = w.HTML()
        self.lock_button = w.Button(layout=w.Layout(width="auto"))
        self.lock_button.add_class("evalkit-lock")
        self.status = w.HTML()
        self.next_button.on_click(lambda _: self.advance())
        self.project.observe(self._picked, names="value")
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self._ask(None))
        self.lock_button.on_click(lambda _: self.toggle_lock())
        self.widget = w.VBox([w.HBox([self.project, self.next_button, self.lock_button]), self.now, self.grid,
                              w.HBox([w.Label(), self.reason]), self.confirm_box, self.status, self.pending])
        self.widget.add_class("evalkit-live")
        state.on_change(self.redraw)
        self.redraw(state)

    # --- drawing --------------------------------------------------------------
    def redraw(self, state) -> None:
        lang, contest = state.lang, self.contest
        project, round_id = state.current()
        self.round = round_id
        if project != self.project_id:
            self.grid.acks = {}
            self._ask(None)
        self.project_id = project
        self._drawing = True  # changing options/value below is not the secretary picking
        try:
            self.project.options = [(project_label(contest, p, lang), p) for p in contest.project_ids]
            self.project.value = project
        finally:
            self._drawing = False
        self.next_button.description = t("next", lang)
        self.reason.placeholder = t("reason", lang)
        self.confirm_button.description = t("confirm", lang)
        self.cancel_button.description = t("cancel", lang)
        locked = state.store.is_locked(round_id)
        self.lock_button.description = t("unlock" if locked else "lock", lang)
        self.now.value = (f'<div class="evalkit-now" data-project="{esc(project or "")}">{esc(t("now", lang))}：'
                          f'{esc(project_label(contest, project, lang))}</div>' if project else
                          f'<div class="evalkit-now">{esc(t("none_now", lang))}</div>')
        names = dict(zip(contest.judges["id"], contest.judges["name"]))
        with self.grid.hold_sync():  # one message: the page redraws once, consistently
            self.grid.context = project or ""
            self.grid.cols = criterion_columns(contest.rubric, lang)
            self.grid.rows = [dict(id=j, label=names[j], disabled=bool(project) and contest.is_conflicted(j, project),
                                   note=t("conflict", lang) if project and contest.is_conflicted(j, project) else "")
                              for j in contest.judge_ids] if project else []
            self.grid.locked = locked
            scores = state.round_scores()
            here = scores[scores["project"] == project]
            self.grid.values = {ack_key(j, c): float(s) for j, c, s in zip(here["judge"], here["criterion"], here["score"])}
        if project:
            owe = pending(scores, contest, project)
            items = "、".join(t("pending_item", lang, name=r.name, scored=r.scored, of=r.of)
                             for r in owe.itertuples())
            text = f'{t("pending", lang)}：{items}' if len(owe) else t("pending_none", lang)
            self.pending.value = f'<div class="evalkit-pending" data-count="{len(owe)}">{esc(text)}</div>'

    # --- actions --------------------------------------------------------------
    def advance(self) -> None:
        """Make the next project in the list the one pitching (judges and screen follow)."""
        ids = self.contest.project_ids
        now = self.state.current()[0]
        nxt = ids[0] if now is None else ids[min(ids.index(now) + 1, len(ids) - 1)]
        self._set_current(nxt)

    def _picked(self, change) -> None:
        if not self._drawing and change["new"] and change["new"] != self.project_id:
            self._set_current(change["new"])

    def _set_current(self, project) -> None:
        try:
            self.state.store.set_current(project, round=self.round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc)), error=True)
        self.state.refresh()

    def toggle_lock(self) -> None:
        store = self.state.store
        try:
            if store.is_locked(self.round):
                store.unlock(self.round, reason=self.reason.value or None)
            else:
                store.lock(self.round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc)), error=True)
        self.state.refresh()

    def _ask(self, pending_entry) -> None:
        self._asking = pending_entry
        self.confirm_box.layout.display = None if pending_entry else "none"
        if pending_entry is None:
            self.confirm_text.value = ""

    def _entry(self, judge, criterion, text):
        lang = self.state.lang
        if str(text).strip() == "":
            return "", ""
        value = parse_number(text)
        if value is None:
            return "error", t("not_number", lang)
        old = self.grid.values.get(ack_key(judge, criterion))
        if old == value:
            return "ok", t("saved", lang)
        if old is not None and not self.reason.value.strip():
            return "error", t("needs_reason", lang)
        z = out_of_line(self.state.round_scores(), self.contest, judge, self.project_id, criterion, value)
        if z is not None:
            name = self.contest.judges.set_index("id").loc[judge, "name"]
            msg = t("confirm_outlier", lang, judge=name, z=z, value=value)
            self._ask((judge, criterion, value))
            self.confirm_text.value = f'<span class="evalkit-confirm-text">{esc(msg)}</span>'
            return "confirm", msg
        return self._record(judge, criterion, value)

    def _record(self, judge, criterion, value):
        lang = self.state.lang
        old = self.grid.values.get(ack_key(judge, criterion))
        try:
            self.state.store.record(judge, self.project_id, criterion, value, round=self.round,
                                    reason=(self.reason.value.strip() or None) if old is not None else None)
        except EvalkitError as exc:
            return "error", error_text(exc)
        self.state.refresh()
        return "ok", t("saved_value", lang, value=value)

    def confirm(self) -> None:
        """Save the out-of-line entry the secretary confirmed."""
        if self._asking is None:
            return
        judge, criterion, value = self._asking
        self._ask(None)
        state, text = self._record(judge, criterion, value)
        self.grid.set_ack(judge, criterion, state, text)


def live_tab(state) -> LiveTab:
    return LiveTab(state)
