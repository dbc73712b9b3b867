"""The Export tab: the publication files (evalkit.report.publish_decision: Excel,
HTML, PDF) of the store's decision — the scores and the settings the Allocation
tab saved — in the public version (no judge named) or the internal one, blank score
sheets to print (评分表), and a backup of the store. Every action needs the
secretary's rights on the store. Each publication goes into a folder of its own
(time and version), so an earlier one is never overwritten; the page names files,
not the server's paths, and warns when projects are not fully scored."""
from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from ..access import require_secretary
from ..errors import DataError, EvalkitError
from .common import error_text, on_language, status
from .messages import t


class ExportTab:
    """Widgets: ``publish_button`` (public version), ``internal_button`` (with the
    judges' names), ``backup_button``, ``status``. ``written`` holds the last
    {format: path}, ``decision`` the Decision published; ``backup_path`` the last
    backup."""

    def __init__(self, state, out_dir=None):
        self.state = state
        self.out_dir = out_dir or state.store.path.parent / "publication"
        self.written, self.backup_path, self.decision = {}, None, None
        lang = state.lang
        self.publish_button = w.Button(description=t("publish_public", lang), button_style="primary",
                                       layout=w.Layout(width="auto"))
        self.internal_button = w.Button(description=t("publish_internal", lang), layout=w.Layout(width="auto"))
        self.backup_button = w.Button(description=t("backup", lang), layout=w.Layout(width="auto"))
        self.sheets_button = w.Button(description=t("scoresheets", lang), layout=w.Layout(width="auto"))
        self.sheets_button.on_click(lambda _: self.scoresheets())
        self.status = w.HTML()
        self.publish_button.on_click(lambda _: self.publish(version="public"))
        self.internal_button.on_click(lambda _: self.publish(version="internal"))
        self.backup_button.on_click(lambda _: self.backup())
        self.widget = w.VBox([w.HBox([self.publish_button, self.internal_button, self.sheets_button,
                                      self.backup_button]), self.status])
        self.widget.add_class("evalkit-export")
        on_language(state, self._relabel)

    BUTTONS = {"publish_button": "publish_public", "internal_button": "publish_internal", "backup_button": "backup",
               "sheets_button": "scoresheets"}

    def _relabel(self, state) -> None:
        for name, key in self.BUTTONS.items():
            getattr(self, name).description = t(key, state.lang)

    def publish(self, formats=("xlsx", "html", "pdf"), version: str = "public") -> dict:
        """Write the files of the store's decision for the round now running."""
        from ..decision import allocation_settings, decide
        from ..report import publish_decision
        state, lang = self.state, self.state.lang
        try:
            require_secretary(state.store, "publishing the decision")
            d = decide(state.contest, state.round_scores(), allocation_settings(state.store), round=state.current()[1])
            folder = self.out_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{version}"
            self.written = publish_decision(d, folder, formats, version=version, history=state.store.history())
        except DataError as exc:
            status(self.status, t("no_ranking", lang) if exc.key == "scores" else
                   t("error", lang, text=error_text(exc, lang)), error=exc.key != "scores")
            return {}
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return {}
        self.decision = d
        text = t("published", lang, files=", ".join(p.name for p in self.written.values()), folder=folder.name)
        if d.waiting:
            text += " · " + t("unscored_warning", lang, n=len(d.waiting), projects="、".join(d.waiting))
        status(self.status, text, error=bool(d.waiting))
        return self.written

    def scoresheets(self) -> dict:
        """Blank score sheets (评分表) for every judge, xlsx and an A4 PDF to print."""
        from ..report import write_scoresheets
        state, lang = self.state, self.state.lang
        try:
            require_secretary(state.store, "printing score sheets")
            folder = self.out_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-scoresheets"
            written = write_scoresheets(state.contest, folder)
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return {}
        status(self.status, t("scoresheets_done", lang, files=", ".join(p.name for p in written.values()),
                              folder=folder.name))
        return written

    def backup(self):
        """A copy of the store in its backup folder (None and a message when refused)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        store = self.state.store
        try:
            require_secretary(store, "backing up the store")
            self.backup_path = store.backup(store.backup_dir / f"{store.path.stem}-{stamp}.db")
        except EvalkitError as exc:
            status(self.status, t("error", self.state.lang, text=error_text(exc, self.state.lang)), error=True)
            return None
        status(self.status, t("backup_done", self.state.lang, path=self.backup_path.name))
        return self.backup_path


def export_tab(state) -> ExportTab:
    return ExportTab(state)
