"""The Import tab: scores that came in on paper, typed into the blank score sheets
(the Export tab prints them) or into a long CSV. Choosing a file checks it at once
(evalkit.live.paper.check_score_file): what would be added, changed or left as it
is, and every problem by its sheet and cell, in the page's language. Importing
writes the checked scores (evalkit.live.paper.import_checked); the store decides
whether a reason is needed, also for a score a phone sent after the check."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import ipywidgets as w

from ..access import require_secretary
from ..errors import EvalkitError, ScoreError
from ..live.paper import SUFFIXES, action_counts, check_score_file, import_checked
from .common import error_text, errors_html, esc, on_language, status
from .messages import t

MAX_BYTES = 5_000_000   # a score workbook is a few dozen kB; refuse what cannot be one
_UNSAFE = re.compile(r"[^\w.\-]+")


class ImportTab:
    """Widgets: ``upload`` (FileUpload), ``round`` (the round of per-judge sheets),
    ``report`` (the check: counts, changes, problems), ``only_valid``, ``reason``,
    ``import_button``, ``status``. ``check`` is the last ImportCheck (None before a
    file, and after it was imported)."""

    def __init__(self, state):
        self.state = state
        self.check = None
        self._file: tuple[str, bytes] | None = None
        self.title = w.HTML()
        self.upload = w.FileUpload(accept=",".join(SUFFIXES), multiple=False)
        self.round = w.Dropdown(layout=w.Layout(width="260px"))
        self.report = w.HTML()
        self.only_valid = w.Checkbox(value=False, indent=False)
        self.reason = w.Text(layout=w.Layout(width="520px"))
        self.import_button = w.Button(button_style="primary", disabled=True,
                                      layout=w.Layout(width="auto", min_width="200px", align_self="flex-start"))
        self.status = w.HTML()
        self.upload.add_class("evalkit-upload")
        self.import_button.add_class("evalkit-import-button")
        self.only_valid.add_class("evalkit-only-valid")
        self.report.add_class("evalkit-import-report")
        self.upload.observe(self._uploaded, names="value")
        self.round.observe(lambda _: self._recheck(), names="value")
        self.import_button.on_click(lambda _: self.run_import())
        self.widget = w.VBox([self.title, w.HBox([self.upload, self.round]), self.report, self.only_valid,
                              self.reason, self.import_button, self.status])
        self.widget.add_class("evalkit-import")
        self._relabel(state)
        on_language(state, self._relabel)

    def _relabel(self, state) -> None:
        lang, contest = state.lang, state.contest
        self.title.value = f"<h3>{esc(t('import.title', lang))}</h3><p>{esc(t('import.note', lang))}</p>"
        self.upload.description = t("import.choose", lang)
        self.round.description = t("import.round", lang)
        options = [(r.label.get(lang), r.id) for r in contest.rounds]
        if list(self.round.options) != options:
            keep = self.round.value or state.current()[1]
            self.round.options = options
            self.round.value = keep if keep in [r.id for r in contest.rounds] else options[0][1]
        self.only_valid.description = t("import.only_valid", lang)
        self.reason.placeholder = t("import.reason", lang)
        self._draw()

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        self.choose(f["name"], bytes(f["content"]))

    def choose(self, name: str, content: bytes):
        """Check a chosen file (its name and bytes, as the upload gives them); returns the
        ImportCheck, or None when the file is refused (the message is shown)."""
        self._file = (name, content)
        return self._recheck()

    def _recheck(self):
        if self._file is None:
            return None
        name, content = self._file
        lang = self.state.lang
        self.check = None
        status(self.status, "")
        try:
            require_secretary(self.state.store, "importing scores")
            if len(content) > MAX_BYTES:
                raise_too_big(name, len(content))
            with tempfile.TemporaryDirectory(prefix="evalkit-import-") as folder:
                # the file keeps its own name (the page names it, never the folder); only safe characters
                path = Path(folder) / (_UNSAFE.sub("_", Path(name).name) or "scores")
                path.write_bytes(content)
                self.check = check_score_file(self.state.store, path, round=self.round.value)
            self.check.file = Path(name).name
        except EvalkitError as exc:
            self.report.value = errors_html(exc, lang)
            self.import_button.disabled = True
            return None
        self._draw()
        return self.check

    def run_import(self):
        """Import the checked file; returns what was done (a plan frame) or None."""
        lang = self.state.lang
        if self.check is None:
            status(self.status, t("import.none", lang), error=True)
            return None
        try:
            require_secretary(self.state.store, "importing scores")
            done = import_checked(self.state.store, self.check, reason=self.reason.value.strip() or None,
                                  only_valid=self.only_valid.value)
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return None
        counts, name = action_counts(done), self.check.file
        self.check, self._file = None, None
        self.upload.value = ()          # the button counts chosen files; the next sheet starts from none
        self.reason.value = ""
        self.only_valid.value = False
        self._draw()
        status(self.status, t("import.done", lang, file=name, **counts))
        self.state.refresh(force=True)
        return done

    def _draw(self) -> None:
        lang, check = self.state.lang, self.check
        self.import_button.description = t("import.button", lang, n=0 if check is None else len(check.scores))
        if check is None:
            self.import_button.disabled = True
            if self._file is None:
                self.report.value = f'<p class="evalkit-import-empty">{esc(t("import.empty", lang))}</p>'
            return
        c = check.counts
        parts = [f'<p class="evalkit-import-file"><b>{esc(check.file)}</b>: '
                 f'{esc(t("import.counts", lang, **c))}</p>']
        if c["change"]:
            parts.append(self._changes_html(check, lang))
        if check.problems:
            parts.append(f'<p class="evalkit-status-error">{esc(t("import.problems", lang, n=len(check.problems)))}</p>')
            parts.append(errors_html(check.problems, lang))
        self.report.value = "".join(parts)
        self.import_button.disabled = not len(check.scores)

    def _changes_html(self, check, lang) -> str:
        contest = self.state.contest
        names = dict(zip(contest.judges["id"], contest.judges["name"]))
        labels = {c.id: c.label.get(lang) for c in contest.rubric.criteria}
        head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("cell_judge", "col.project", "cell_criterion",
                                                                  "import.old", "import.new"))
        rows = "".join(f"<tr><td>{esc(names.get(r.judge, r.judge))}</td><td>{esc(r.project)}</td>"
                       f"<td>{esc(labels.get(r.criterion, r.criterion))}</td><td>{r.old:g}</td><td>{r.new:g}</td></tr>"
                       for r in check.plan[check.plan["action"] == "change"].itertuples(index=False))
        return (f'<p>{esc(t("import.changes", lang))}</p>'
                f'<table class="evalkit-import-changes"><tr>{head}</tr>{rows}</table>')


def raise_too_big(name: str, size: int):
    raise ScoreError(f"'{Path(name).name}' is too large for a score file ({size // 1000} kB)", key="file",
                     expected=f"at most {MAX_BYTES // 1000} kB", found=f"{size // 1000} kB",
                     zh=f"「{Path(name).name}」太大，不像评分文件（{size // 1000} kB，上限 {MAX_BYTES // 1000} kB）")


def import_tab(state) -> ImportTab:
    return ImportTab(state)
