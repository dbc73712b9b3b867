"""The secretary's Live tab: the project now pitching with one-click advance, the
judge x criterion entry grid (saved at once, acknowledged per cell), who has not
scored, confirmation of out-of-line totals, corrections with a reason (the box
empties after each), the round's corrections (evalkit.audit), lock/unlock. What an
entry, a confirmation or a retraction does is decided by evalkit.live.entry.Desk;
this tab only shows its answers."""
from __future__ import annotations

import time
from datetime import datetime

import ipywidgets as w

from ..access import require_secretary
from ..audit import CHANGE_LABELS, change_log, corrections
from ..display import format_score
from ..errors import EvalkitError
from ..live.board import pending
from ..live.entry import Desk
from ..live.progress import presence_path
from .common import criterion_columns, error_text, esc, project_label, result_text, status
from .entry_grid import EntryGrid, ack_key
from .messages import t
from .progress_board import ProgressBoard

AUDIT_ROWS = 12  # corrections shown, newest first


LOCK_CONFIRM_SECONDS = 15.0


class LiveTab:
    """Widgets: ``project`` (dropdown), ``next_button``, ``now``, ``grid``, ``reason``,
    ``confirm_box`` (``confirm_text``, ``confirm_button``, ``cancel_button``),
    ``pending``, ``lock_button``, ``status``, ``audit`` (the round's corrections),
    ``board`` (the progress board with check-in and remind buttons; ``progress`` is its
    HTML), ``widget``."""

    def __init__(self, state):
        self.state = state
        self.contest = state.contest
        self.project_id = None
        self._drawing = False
        self._asking = None  # the OutOfLine entry waiting for confirmation
        self.project = w.Dropdown(layout=w.Layout(width="420px"))
        self.next_button = w.Button(layout=w.Layout(width="auto"))
        self.next_button.add_class("evalkit-next")
        self.stage_button = w.Button(layout=w.Layout(width="auto", display="none"))
        self.stage_button.add_class("evalkit-put-on-stage")
        self._pinned = None      # a project the secretary looks at or corrects without moving the room
        self._stage = None       # the project on stage at the last redraw
        self._lock_armed = 0.0   # when the lock button was first clicked (a second click locks)
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
        self.audit = w.HTML()
        self.board = ProgressBoard(state, self.status)
        self.progress = self.board.html
        # one cell's tools: its history, and a retraction (with the reason box's reason)
        self.cell_judge = w.Dropdown(layout=w.Layout(width="220px"), style={"description_width": "initial"})
        self.cell_criterion = w.Dropdown(layout=w.Layout(width="280px"), style={"description_width": "initial"})
        self.retract_button = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.retract_button.add_class("evalkit-retract")
        self.cell_history = w.HTML()
        self.retract_button.on_click(lambda _: self.retract())
        for box in (self.cell_judge, self.cell_criterion):
            box.observe(lambda _: None if self._drawing else self._draw_cell(self.state.lang), names="value")
        self.next_button.on_click(lambda _: self.advance())
        self.stage_button.on_click(lambda _: self._set_current(self.project_id))
        self.project.observe(self._picked, names="value")
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.lock_button.on_click(lambda _: self.toggle_lock())
        # the lock stands apart from the buttons used all day, and asks to be clicked twice
        self.widget = w.VBox([w.HBox([self.project, self.stage_button, self.next_button]), self.now, self.grid,
                              w.HBox([w.Label(), self.reason]), self.confirm_box, self.status, self.pending,
                              w.HBox([self.cell_judge, self.cell_criterion, self.retract_button]), self.cell_history,
                              self.board.widget, w.HBox([self.lock_button], layout=w.Layout(margin="18px 0 0 0")),
                              self.audit])
        self.widget.add_class("evalkit-live")
        state.on_change(self.redraw)
        self._presence_stamp = None
        state.watch(self._presence_changed)
        self.redraw(state)

    def _presence_changed(self) -> bool:
        try:
            stamp = presence_path(self.state.store.path).stat().st_mtime_ns
        except OSError:
            stamp = None
        changed, self._presence_stamp = stamp != self._presence_stamp, stamp
        return changed

    # --- drawing --------------------------------------------------------------
    def redraw(self, state) -> None:
        lang, contest = state.lang, self.contest
        stage, round_id = state.current()
        self.round = round_id
        if stage != self._stage:       # the room moved on: the grid follows the stage again
            self._stage, self._pinned = stage, None
        project = self._pinned or stage
        if project != self.project_id:
            self._ask(None)
            self.grid.acks = {}
        self.project_id = project
        self._drawing = True  # changing options/value below is not the secretary picking
        try:
            self.project.options = [(project_label(contest, p, lang), p) for p in contest.project_ids]
            self.project.value = project
        finally:
            self._drawing = False
        self.next_button.description = t("next", lang)
        self.stage_button.description = t("put_on_stage", lang)
        self.stage_button.layout.display = None if project != stage else "none"
        self.reason.placeholder = t("reason", lang)
        self.confirm_button.description = t("confirm", lang)
        self.cancel_button.description = t("cancel", lang)
        locked = state.store.is_locked(round_id)
        armed = not locked and time.monotonic() - self._lock_armed < LOCK_CONFIRM_SECONDS
        self.lock_button.description = t("unlock" if locked else ("lock_confirm" if armed else "lock"), lang)
        self.lock_button.button_style = "danger" if armed else ""
        self.now.value = (f'<div class="evalkit-now" data-project="{esc(stage or "")}">{esc(t("now", lang))}'
                          f'{esc(project_label(contest, stage, lang))}</div>' if stage else
                          f'<div class="evalkit-now">{esc(t("none_now", lang))}</div>')
        if project != stage:
            self.now.value += (f'<div class="evalkit-editing" data-project="{esc(project)}">'
                               f'{esc(t("editing", lang, project=project_label(contest, project, lang)))}</div>')
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
            values = {ack_key(j, c): float(s) for j, c, s in zip(here["judge"], here["criterion"], here["score"])}
            # a text kept in its box (refused, or waiting for confirmation) gives way when
            # that score is saved from elsewhere (e.g. the judge's phone) in the meantime
            stale = {k for k, a in self.grid.acks.items() if "show" in a and values.get(k) != self.grid.values.get(k)}
            if self._asking is not None and ack_key(self._asking.judge, self._asking.criterion) in stale:
                self._ask(None)
            if stale:
                self.grid.acks = {k: a for k, a in self.grid.acks.items() if k not in stale}
            self.grid.values = values
        if project:
            owe = pending(scores, contest, project)
            items = "、".join(t("pending_item", lang, name=r.name, scored=r.scored, of=r.of)
                             for r in owe.itertuples())
            text = f'{t("pending", lang)}：{items}' if len(owe) else t("pending_none", lang)
            self.pending.value = f'<div class="evalkit-pending" data-count="{len(owe)}">{esc(text)}</div>'
        self.audit.value = self._audit_html(lang, round_id)
        self._drawing = True
        try:
            self.cell_judge.options = [(names[j], j) for j in contest.judge_ids]
            self.cell_criterion.options = [(contest.rubric.label(c, lang), c) for c in contest.rubric.criterion_ids]
        finally:
            self._drawing = False
        self.retract_button.description = t("retract", lang)
        self.cell_judge.description, self.cell_criterion.description = t("cell_judge", lang), t("cell_criterion", lang)
        self._draw_cell(lang)
        self.board.redraw(lang, scores, round_id, stage)

    def _draw_cell(self, lang) -> None:
        """The chosen cell's history on the project shown: who changed what, from what to what, why."""
        judge, criterion = self.cell_judge.value, self.cell_criterion.value
        if not (self.project_id and judge and criterion):
            self.cell_history.value = ""
            return
        log = change_log(self.state.store, judge=judge, project=self.project_id)
        log = log[(log["criterion"] == criterion) & (log["round"] == self.round)]
        dec = self.contest.rubric.rule.decimals
        rows = "".join(f'<tr data-seq="{int(r.seq)}"><td>{esc(str(r.ts)[11:19])}</td>'
                       f'<td>{esc(CHANGE_LABELS[r.change].get(lang) if r.change in CHANGE_LABELS else r.change)}</td>'
                       f'<td>{esc(format_score(r.old, dec, missing="–"))}</td><td>{esc(format_score(r.new, dec, missing="–"))}</td>'
                       f'<td>{esc(r.entered_by or "")}</td><td>{esc(r.reason or "")}</td></tr>'
                       for r in log.itertuples())
        self.cell_history.value = (f'<div class="evalkit-cell-history" data-count="{len(log)}"><b>{esc(t("history", lang))}</b>'
                                   + (f"<table>{rows}</table>" if rows else f'<p>{esc(t("history_none", lang))}</p>')
                                   + "</div>")

    def retract(self) -> None:
        """Withdraw the chosen cell's score on the project shown (a new event with the
        reason box's reason; the old value stays in the history)."""
        lang = self.state.lang
        result = self._desk().retract(self.cell_judge.value, self.project_id, self.cell_criterion.value,
                                      round=self.round, reason=self.reason.value)
        if result.state == "error":
            status(self.status, t("error", lang, text=result_text(result, lang)), error=True)
            return
        self.reason.value = ""  # a reason is for one action only
        status(self.status, result_text(result, lang))
        self.state.refresh()

    def _who(self, entered_by, names, lang) -> str:
        by = str(entered_by or "")
        if by.startswith("judge:"):
            return names.get(by[6:], by[6:])
        return t(f"by.{by}", lang) if by in ("secretary", "import") else by

    def _audit_html(self, lang, round_id) -> str:
        """The round's corrections, newest first: when, by whom, which score, from what
        to what, and why (evalkit.audit.change_log)."""
        log = corrections(self.state.store)
        log = log[log["round"] == round_id].head(AUDIT_ROWS)
        title = f'<div class="evalkit-audit-title">{esc(t("audit", lang))}</div>'
        if not len(log):
            return f'<div class="evalkit-audit" data-count="0">{title}<p>{esc(t("audit_none", lang))}</p></div>'
        contest, rubric = self.contest, self.contest.rubric
        names = dict(zip(contest.judges["id"], contest.judges["name"]))
        head = "".join(f"<th>{esc(t('audit.' + k, lang))}</th>"
                       for k in ("time", "by", "project", "judge", "criterion", "change", "old", "new", "reason"))
        rows = []
        for r in log.itertuples():
            when = datetime.fromisoformat(r.ts).astimezone().strftime("%H:%M:%S") if r.ts else ""
            cells = [when, self._who(r.entered_by, names, lang), r.project, names.get(r.judge, r.judge),
                     rubric.label(r.criterion, lang), CHANGE_LABELS[r.change].get(lang),
                     "" if r.old != r.old else f"{r.old:g}", "" if r.new != r.new else f"{r.new:g}", r.reason or ""]
            rows.append(f'<tr data-seq="{int(r.seq)}">' + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        return (f'<div class="evalkit-audit" data-count="{len(log)}">{title}<table><tr>{head}</tr>'
                + "".join(rows) + "</table></div>")

    # --- actions --------------------------------------------------------------
    def advance(self) -> None:
        """Make the next project in the list the one pitching (judges and screen follow)."""
        ids = self.contest.project_ids
        now = self.state.current()[0]
        nxt = ids[0] if now is None else ids[min(ids.index(now) + 1, len(ids) - 1)]
        self._set_current(nxt)

    def _picked(self, change) -> None:
        """Picking a project in the list shows it here for a look or a correction; the
        room (screen, phones) stays on the project on stage until "put on stage"."""
        if not self._drawing and change["new"] and change["new"] != self.project_id:
            self._pinned = None if change["new"] == self._stage else change["new"]
            self.redraw(self.state)

    def _set_current(self, project) -> None:
        try:
            self.state.store.set_current(project, round=self.round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc, self.state.lang)), error=True)
        self.state.refresh()

    def toggle_lock(self) -> None:
        """Unlock at once (with the reason box); lock only on a second click within
        LOCK_CONFIRM_SECONDS: the lock ends every correction of the round."""
        store = self.state.store
        try:
            if store.is_locked(self.round):
                store.unlock(self.round, reason=self.reason.value.strip() or None)
                self.reason.value = ""  # a reason is for one action only
            elif time.monotonic() - self._lock_armed >= LOCK_CONFIRM_SECONDS:
                require_secretary(store, "locking a round")  # a page without the PIN is refused at once
                self._lock_armed = time.monotonic()
                self.redraw(self.state)
                return
            else:
                self._lock_armed = 0.0
                store.lock(self.round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc, self.state.lang)), error=True)
        self.state.refresh()

    def _ask(self, entry) -> None:
        """Show (or, with None, hide and empty) the confirmation of an out-of-line entry.
        A cell whose confirmation is dropped goes back to its saved value."""
        previous, self._asking = self._asking, entry
        if previous is not None and (entry is None or (previous.judge, previous.criterion)
                                     != (entry.judge, entry.criterion)):
            if self.grid.acks.get(ack_key(previous.judge, previous.criterion), {}).get("state") == "confirm":
                self.grid.reset_cell(previous.judge, previous.criterion)
        self.confirm_box.layout.display = None if entry else "none"
        if entry is None:
            self.confirm_text.value = ""

    def _desk(self) -> Desk:
        """The secretary's desk on the store and the running contest (both can change)."""
        return Desk(self.state.store, self.state.contest)

    def _answered(self, result) -> tuple[str, str]:
        """Show an entry's answer (the prompt for a value out of line); after a
        recorded correction the reason box empties: the next one needs its own."""
        text = result_text(result, self.state.lang)
        if result.state == "confirm":
            self._ask(result.far)
            self.confirm_text.value = f'<span class="evalkit-confirm-text">{esc(text)}</span>'
        if result.recorded:
            if result.event.get("reason"):
                self.reason.value = ""
            self.state.refresh()
        return result.state, text

    def _entry(self, judge, criterion, text):
        result = self._desk().enter(judge, self.project_id, criterion, text, round=self.round,
                                    reason=self.reason.value, scores=self.state.round_scores())
        if (result.state == "ok" and self._asking is not None
                and (self._asking.judge, self._asking.criterion) == (judge, criterion)):
            self._ask(None)  # the cell was re-typed to a value in line: nothing left to confirm
        return self._answered(result)

    def confirm(self) -> None:
        """Save the out-of-line entry the secretary confirmed."""
        if self._asking is None:
            return
        far = self._asking
        self._asking = None
        self._ask(None)
        state, text = self._answered(self._desk().confirm(far, round=self.round, reason=self.reason.value))
        self.grid.set_ack(far.judge, far.criterion, state, text,
                          show=f"{far.value:g}" if state == "error" else None)

    def cancel(self) -> None:
        """Drop the out-of-line entry: nothing saved, the prompt gone, the cell back
        to its saved value."""
        self._ask(None)


def live_tab(state) -> LiveTab:
    return LiveTab(state)
