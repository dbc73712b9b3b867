"""The Export tab: the publication files (evalkit.report.publish: Excel, HTML, PDF)
from the store's scores, and a backup of the store."""
from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from ..errors import EvalkitError
from ..roadshow import live_ranking
from .common import error_text, status
from .messages import t


class ExportTab:
    """Widgets: ``publish_button``, ``backup_button``, ``status``. ``written`` holds
    the last {format: path}; ``backup_path`` the last backup."""

    def __init__(self, state, out_dir=None):
        self.state = state
        self.out_dir = out_dir or state.store.path.parent / "publication"
        self.written, self.backup_path = {}, None
        lang = state.lang
        self.publish_button = w.Button(description=t("publish", lang), button_style="primary",
                                       layout=w.Layout(width="auto"))
        self.backup_button = w.Button(description=t("backup", lang), layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.publish_button.on_click(lambda _: self.publish())
        self.backup_button.on_click(lambda _: self.backup())
        self.widget = w.VBox([w.HBox([self.publish_button, self.backup_button]), self.status])
        self.widget.add_class("evalkit-export")

    def publish(self, formats=("xlsx", "html", "pdf")) -> dict:
        from .. import report
        from ..allocate import allocate
        state, lang = self.state, self.state.lang
        contest, scores = state.contest, state.round_scores()
        ranking, _, _ = live_ranking(scores, contest)
        if ranking is None:
            status(self.status, t("no_ranking", lang))
            return {}
        try:
            alloc = allocate(ranking.projects.join(contest.projects.set_index("id")), contest.budget)
            self.written = report.publish(contest, ranking, alloc, self.out_dir, formats, scores=scores,
                                          history=state.store.history())
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc)), error=True)
            return {}
        status(self.status, t("published", lang, files=", ".join(str(p) for p in self.written.values())))
        return self.written

    def backup(self):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        store = self.state.store
        self.backup_path = store.backup(store.backup_dir / f"{store.path.stem}-{stamp}.db")
        status(self.status, t("backup_done", self.state.lang, path=self.backup_path))
        return self.backup_path


def export_tab(state) -> ExportTab:
    return ExportTab(state)
