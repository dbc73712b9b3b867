"""The Setup tab's "running contest" section: the judges (add, withdraw, rename),
conflicts of interest (declare, lift) and the secretary's PIN of the contest now
running. Every button calls :mod:`evalkit.live.amend`; the store decides whether
a reason is needed (after the first score) and its refusal is shown in the page's
language. A judge added while `evalkit serve` runs gets a link at once."""
from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as w

from ..errors import EvalkitError
from ..live import amend
from .common import esc, status
from .messages import t

VENUE = "EVALKIT_VENUE"  # the venue server's base URL, set by `evalkit serve` for the secretary's page


class RunningContest:
    """Widgets: ``judges_table``, ``reason``, ``new_id``, ``new_name``, ``add_button``,
    ``judge``, ``withdraw_button``, ``new_name_for``, ``rename_button``,
    ``conflict_judge``, ``conflict_project``, ``declare_button``, ``lift_button``,
    ``pin``, ``pin_button``, ``status``."""

    def __init__(self, state):
        self.state = state
        style = {"description_width": "90px"}
        self.title = w.HTML()
        self.note = w.HTML()
        self.judges_table = w.HTML()
        self.reason = w.Text(style=style, layout=w.Layout(width="520px"))
        self.new_id = w.Text(style=style, layout=w.Layout(width="200px"))
        self.new_name = w.Text(style=style, layout=w.Layout(width="240px"))
        self.add_button = w.Button()
        self.judge = w.Dropdown(style=style)
        self.withdraw_button = w.Button(button_style="warning")
        self.new_name_for = w.Text(style=style, layout=w.Layout(width="240px"))
        self.rename_button = w.Button()
        self.conflict_judge = w.Dropdown(style=style)
        self.conflict_project = w.Dropdown(style=style, layout=w.Layout(width="420px"))
        self.declare_button = w.Button()
        self.lift_button = w.Button()
        self.pin = w.Password(style=style)
        self.pin_button = w.Button()
        self.status = w.HTML()
        self.add_button.on_click(lambda _: self._do("judge_add", amend.add_judge, self.new_id.value,
                                                    self.new_name.value))
        self.withdraw_button.on_click(lambda _: self._do("judge_withdraw", amend.withdraw_judge, self.judge.value))
        self.rename_button.on_click(lambda _: self._do("judge_rename", amend.amend_judge, self.judge.value,
                                                       name=self.new_name_for.value))
        self.declare_button.on_click(lambda _: self._do("conflict_declare", amend.declare_conflict,
                                                        self.conflict_judge.value, self.conflict_project.value))
        self.lift_button.on_click(lambda _: self._do("conflict_lift", amend.lift_conflict,
                                                     self.conflict_judge.value, self.conflict_project.value))
        self.pin_button.on_click(lambda _: self._do("pin", amend.change_pin, self.pin.value))
        self.widget = w.VBox([self.title, self.note, self.judges_table, self.reason,
                              w.HBox([self.new_id, self.new_name, self.add_button]),
                              w.HBox([self.judge, self.withdraw_button, self.new_name_for, self.rename_button]),
                              w.HBox([self.conflict_judge, self.conflict_project, self.declare_button,
                                      self.lift_button]),
                              w.HBox([self.pin, self.pin_button]), self.status])
        self.widget.add_class("evalkit-running-contest")
        state.on_change(lambda s: self.draw())
        self.draw()

    def draw(self) -> None:
        """Labels in the page's language; the running contest's judges and conflicts."""
        lang, contest, store = self.state.lang, self.state.contest, self.state.store
        self.title.value = f"<h3>{esc(t('amend.title', lang))}</h3>"
        self.note.value = f'<p class="evalkit-amend-note">{esc(t("amend.started" if store.scoring_started() else "amend.free", lang))}</p>'
        for box, key in ((self.reason, "amend.reason"), (self.new_id, "amend.judge_id"),
                         (self.new_name, "amend.judge_name"), (self.judge, "amend.judge"),
                         (self.new_name_for, "amend.rename"), (self.conflict_judge, "amend.judge"),
                         (self.conflict_project, "amend.project"), (self.pin, "amend.pin")):
            box.description = t(key, lang)
        for button, key in ((self.add_button, "amend.add"), (self.withdraw_button, "amend.withdraw"),
                            (self.rename_button, "amend.rename_button"), (self.declare_button, "amend.declare"),
                            (self.lift_button, "amend.lift"), (self.pin_button, "amend.pin_button")):
            button.description = t(key, lang)
        names = dict(zip(contest.judges["id"], contest.judges["name"]))
        judges = [(f"{names[j]} ({j})", j) for j in contest.judge_ids]
        for box in (self.judge, self.conflict_judge):
            if list(box.options) != judges:
                keep = box.value
                box.options = judges
                box.value = keep if keep in contest.judge_ids else (judges[0][1] if judges else None)
        projects = [(f"{p} {n}", p) for p, n in zip(contest.projects["id"], contest.projects["name"])]
        if list(self.conflict_project.options) != projects:
            self.conflict_project.options = projects
        self.judges_table.value = self._table(contest, lang)

    def _table(self, contest, lang) -> str:
        head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("amend.col_id", "amend.col_name", "amend.col_panel",
                                                                  "amend.col_conflicts"))
        rows = []
        for j, name, panel in zip(contest.judges["id"], contest.judges["name"], contest.judges["panel"]):
            conflicts = ", ".join(p for p in contest.project_ids if contest.is_conflicted(j, p))
            rows.append(f'<tr data-judge="{esc(j)}"><td>{esc(j)}</td><td>{esc(name)}</td>'
                        f'<td>{esc(panel if isinstance(panel, str) else "")}</td><td>{esc(conflicts)}</td></tr>')
        gone = sorted(set(self.state.base_contest.judge_ids) - set(contest.judge_ids))
        tail = f'<p class="evalkit-withdrawn">{esc(t("amend.withdrawn", lang, judges=", ".join(gone)))}</p>' if gone else ""
        return f'<table class="evalkit-running-judges"><tr>{head}</tr>{"".join(rows)}</table>{tail}'

    def _do(self, action: str, fn, *args, **kwargs) -> bool:
        """Run one amendment; True when recorded. The store's refusal is shown as it is."""
        lang = self.state.lang
        try:
            fn(self.state.store, *args, reason=self.reason.value or None, **kwargs)
            link = self._link(args[0]) if action == "judge_add" else ""
        except EvalkitError as exc:
            status(self.status, exc.text(lang), error=True)
            return False
        self.reason.value = ""
        if action == "pin":
            self.pin.value = ""
        status(self.status, t("amend.done", lang, action=amend.ACTIONS[action].get(lang)) + (f" — {link}" if link else ""))
        self.state.refresh(force=True)
        return True

    def _link(self, judge: str) -> str:
        """The new judge's link text (kept with the printed ones and on the QR sheet when serving)."""
        from ..commands.serve import LINKS_FILE, SHEET_FILE, judge_links, urls, write_sheet
        lang, store = self.state.lang, self.state.store
        folder = Path(self.state.base_contest.dir)
        if not (folder / LINKS_FILE).exists() and not os.environ.get(VENUE):
            return ""  # not served: links are made by `evalkit serve`
        tokens = judge_links(store, folder)
        base = os.environ.get(VENUE)
        if not base:
            return ""
        links = urls(base, None, tokens)
        write_sheet(store.contest, links, folder / SHEET_FILE)
        return t("amend.link", lang, judge=judge, url=links["judges"][judge.strip()])
