"""The Setup tab: open a contest folder and show its validation (every error with
its file and row); create a new contest from a rubric and pasted lists, only inside
the workspace (evalkit.access.workspace_bases: the open contest's parent folder and
EVALKIT_WORKSPACE). Both actions need the secretary's rights on the store."""
from __future__ import annotations

from pathlib import Path

import ipywidgets as w

from ..access import contest_folder_under, require_secretary, workspace_bases
from ..contest import RUBRICS_DIR
from ..errors import EvalkitError
from .amend import RunningContest
from .common import errors_html, esc, status
from .messages import t


def validation_html(path, *, scores=None, lang: str = "zh") -> tuple[bool, str]:
    """(ok, HTML): the contest's summary, or every error found. ``scores``: the live
    store's table when the folder is the contest running now (its completeness is the
    store's, not the folder's scores.csv)."""
    from ..contest import load_contest
    try:
        contest = load_contest(path)
    except EvalkitError as exc:
        return False, errors_html(exc, lang)
    note = f'<p class="evalkit-live-source">{esc(t("from_store", lang))}</p>' if scores is not None else ""
    return True, f'<pre class="evalkit-validation-ok">✓ {esc(contest.summary(scores, lang=lang))}</pre>{note}'


class SetupTab:
    """Widgets: ``folder``, ``open_button``, ``report``; ``running`` (the running
    contest's judges, conflicts and PIN: evalkit.ui.amend.RunningContest); new contest: ``new_folder``,
    ``name``, ``rubric``, ``budget``, ``projects``, ``judges``, ``create_button``,
    ``create_status``."""

    def __init__(self, state):
        self.state = state
        lang = state.lang
        style = {"description_width": "120px"}
        wide = w.Layout(width="640px")
        self.folder = w.Text(value=str(state.contest.dir), description=t("contest_folder", lang), style=style,
                             layout=wide)
        self.open_button = w.Button(description=t("open", lang))
        self.report = w.HTML()
        self.open_button.on_click(lambda _: self.validate())
        self.new_folder = w.Text(description=t("new_folder", lang), style=style, layout=wide)
        self.name = w.Text(description=t("name", lang), style=style, layout=wide)
        rubrics = sorted(p.name for p in RUBRICS_DIR.glob("*.yaml"))
        self.rubric = w.Dropdown(options=rubrics, description=t("rubric", lang), style=style)
        self.budget = w.FloatText(value=100000, description=t("budget", lang), style=style)
        self.projects = w.Textarea(placeholder="id,name,organisation,category,requested,min_amount",
                                   layout=w.Layout(width="640px", height="120px"))
        self.judges = w.Textarea(placeholder="id,name,panel,conflicts", layout=w.Layout(width="640px", height="100px"))
        self.create_button = w.Button(description=t("create", lang), button_style="primary")
        self.create_status = w.HTML()
        self.create_button.on_click(lambda _: self.create())
        self.running = RunningContest(state)
        self.widget = w.VBox([
            w.HBox([self.folder, self.open_button]), self.report, self.running.widget, w.HTML(f"<h3>{esc(t('create', lang))}</h3>"),
            self.new_folder, self.name, self.rubric, self.budget,
            w.HTML(esc(t("projects_csv", lang))), self.projects, w.HTML(esc(t("judges_csv", lang))), self.judges,
            self.create_button, self.create_status])
        self.widget.add_class("evalkit-setup")
        self._lang = lang
        state.on_change(self._relabel)
        self.validate()

    def _relabel(self, state) -> None:
        """Follow the page's language switch (labels, and the summary in that language)."""
        if state.lang == self._lang:
            return
        lang = self._lang = state.lang
        for box, key in ((self.folder, "contest_folder"), (self.open_button, "open"), (self.new_folder, "new_folder"),
                         (self.name, "name"), (self.rubric, "rubric"), (self.budget, "budget"),
                         (self.create_button, "create")):
            box.description = t(key, lang)
        heads = [c for c in self.widget.children if isinstance(c, w.HTML) and c not in (self.report, self.create_status)]
        for box, key in zip(heads, ("create", "projects_csv", "judges_csv")):
            box.value = f"<h3>{esc(t(key, lang))}</h3>" if key == "create" else esc(t(key, lang))
        self.validate()

    def validate(self) -> bool:
        try:
            require_secretary(self.state.store, "opening a contest folder")
        except EvalkitError as exc:
            self.report.value = errors_html(exc, self.state.lang)
            return False
        live = Path(self.folder.value).expanduser().resolve() == self.state.base_contest.dir.resolve()
        ok, text = validation_html(self.folder.value, scores=self.state.scores() if live else None,
                                   lang=self.state.lang)
        self.report.value = text
        return ok

    def create(self):
        from ..io.contest_folder import create_contest
        lang = self.state.lang
        try:
            require_secretary(self.state.store, "creating a contest")
            folder = contest_folder_under(self.new_folder.value, workspace_bases(self.state.base_contest))
            contest = create_contest(folder, name=self.name.value.strip(), rubric=self.rubric.value,
                                     budget=self.budget.value, projects=self.projects.value, judges=self.judges.value)
        except EvalkitError as exc:
            self.create_status.value = errors_html(exc, lang)
            return None
        status(self.create_status, t("created", lang, path=contest.dir) + " — " + t("serve_hint", lang, path=contest.dir))
        self.folder.value = str(contest.dir)
        self.validate()
        return contest


def setup_tab(state) -> SetupTab:
    return SetupTab(state)
