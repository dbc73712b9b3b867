"""The secretary's progress board on the Live tab: projects pitched x judges, each
judge's progress, check-in status (未签到 / 在线 / 离线 since hh:mm, from the venue
server's presence file) and when they were last reminded, with one click to remind a
judge who is missing sheets (or every judge missing the project on stage). The
reminder is a store event (secretary rights checked by the store); the venue server
pushes it to the judge's phone (evalkit.live.remind)."""
from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from ..errors import EvalkitError
from ..live.progress import check_in, progress, read_presence
from ..live.remind import last_reminded, missing_judges, remind_missing
from .common import error_text, esc, project_label, status
from .messages import t


def _hhmm(ts) -> str:
    """A UTC ISO time as the laptop's local hh:mm."""
    return datetime.fromisoformat(ts).astimezone().strftime("%H:%M") if ts else ""


class ProgressBoard:
    """Widgets: ``html`` (the board), ``buttons`` (one remind button per judge missing
    sheets, then "remind all missing" for the project on stage), ``widget``."""

    def __init__(self, state, status_widget: w.HTML):
        self.state, self.contest, self.status = state, state.contest, status_widget
        self.html = w.HTML()
        self.buttons = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.buttons.add_class("evalkit-remind-buttons")
        self.widget = w.VBox([self.html, self.buttons])
        self._judge_buttons: dict[str, w.Button] = {}   # made once per judge, shown when needed
        self.all_button = w.Button(button_style="info", layout=w.Layout(width="auto"))
        self.all_button.add_class("evalkit-remind-all")
        self.all_button.on_click(lambda _: self.remind_all())
        self._missing: dict[str, list[str]] = {}
        self._stage = self._round = None

    def _button(self, judge: str) -> w.Button:
        if judge not in self._judge_buttons:
            b = self._judge_buttons[judge] = w.Button(layout=w.Layout(width="auto"))
            b.add_class("evalkit-remind")
            b.add_class(f"evalkit-remind-{judge}")
            b.on_click(lambda _, j=judge: self.remind(j))
        return self._judge_buttons[judge]

    def redraw(self, lang: str, scores, round_id: str, stage: str | None) -> None:
        contest, store = self.contest, self.state.store
        self._stage, self._round = stage, round_id
        board, judges = progress(scores, contest, store.pitched(round_id))
        here = read_presence(store.path)
        reminded = last_reminded(store, round_id)
        names = dict(zip(contest.judges["id"], contest.judges["name"]))
        head = []
        for j, r in judges.iterrows():
            state, since = check_in(here.get(j))
            seen = t(f"checkin.{state}", lang, time=_hhmm(since))
            note = (f'<br><small class="evalkit-reminded">{esc(t("reminded_at", lang, time=_hhmm(reminded[j])))}</small>'
                    if j in reminded else "")
            head.append(f'<th data-judge="{esc(j)}" data-checkin="{state}"><span class="evalkit-dot evalkit-'
                        f'{"on" if state == "online" else "off"}" title="{esc(seen)}">●</span> {esc(names[j])}'
                        f'<br><small>{esc(t("progress_judge", lang, done=r.done, owed=r.owed))}</small>'
                        f'<br><small class="evalkit-checkin">{esc(seen)}</small>{note}</th>')
        body = "".join(
            f'<tr data-project="{esc(p)}"><td>{esc(project_label(contest, p, lang))}</td>'
            + "".join(f'<td class="evalkit-state-{esc(s)}" data-judge="{esc(j)}">{esc(t("state." + s, lang))}</td>'
                      for j, s in row.items()) + "</tr>"
            for p, row in board.iterrows())
        self.html.value = (f'<div class="evalkit-progress-board"><b>{esc(t("progress", lang))}</b>'
                           f'<table><tr><th></th>{"".join(head)}</tr>{body}</table></div>')
        locked = store.is_locked(round_id)
        self._missing = {} if locked else {j: list(r.missing) for j, r in judges.iterrows() if r.missing}
        shown = []
        for j, missing in self._missing.items():
            b = self._button(j)
            b.description = t("remind_judge", lang, name=names[j], n=len(missing))
            shown.append(b)
        if stage and not locked and stage in board.index and missing_judges(scores, contest, stage, round_id):
            self.all_button.description = t("remind_all", lang, project=stage)
            shown.append(self.all_button)
        self.buttons.children = shown

    def _done(self, judges) -> None:
        lang = self.state.lang
        names = dict(zip(self.contest.judges["id"], self.contest.judges["name"]))
        status(self.status, t("reminded", lang, names="、".join(names[j] for j in judges)))
        self.state.refresh()

    def remind(self, judge: str) -> None:
        """Remind ``judge`` of every sheet still missing in the round (one event each)."""
        try:
            for p in self._missing.get(judge, []):
                self.state.store.remind(judge, p, round=self._round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc, self.state.lang)), error=True)
            return
        self._done([judge])

    def remind_all(self) -> None:
        """Remind every judge still missing the sheet of the project on stage."""
        if not self._stage:
            return
        try:
            judges = remind_missing(self.state.store, self.state.round_scores(), self._stage, self._round)
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc, self.state.lang)), error=True)
            return
        self._done(judges)
