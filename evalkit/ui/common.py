"""Pieces every page shares: where the contest and store are (from the environment
`evalkit serve` sets, else a temporary demo store), the rubric's columns for the
entry grid, number parsing, the language switch and the page's CSS."""
from __future__ import annotations

import atexit
import html
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as w

from ..numbers import parse_number  # noqa: F401  (one reading of typed numbers, re-exported)
from ..resources import demo_contest
from .messages import key_word, t

DEMO = demo_contest()  # the shipped demo contest, in a checkout or a wheel

PAGE_CSS = """
<style>
.evalkit-page { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; }
.evalkit-page .widget-html-content { font-size: 18px; line-height: 1.4; }
.evalkit-screen .widget-html-content { font-size: 30px; }
.evalkit-now { font-size: 26px; font-weight: bold; padding: 6px 0; }
.evalkit-status { font-size: 16px; min-height: 1.4em; }
.evalkit-status-error { color: #c0392b; }
.evalkit-pending { font-size: 16px; }
.evalkit-board table, .evalkit-leaderboard table { border-collapse: collapse; font-size: 18px; }
.evalkit-board td, .evalkit-board th, .evalkit-leaderboard td, .evalkit-leaderboard th
   { padding: 4px 12px; border-bottom: 1px solid #ddd; text-align: left; }
.evalkit-dropped { text-decoration: line-through; color: #999; }
.evalkit-moved-up { background: #e8f7e8; }
.evalkit-moved-down { background: #fdeaea; }
.evalkit-judge-page { max-width: 460px; }
.evalkit-screen { font-size: 28px; }
.evalkit-screen .evalkit-now { font-size: 44px; }
.evalkit-screen-scores { display: flex; flex-wrap: wrap; gap: 18px; margin: 16px 0; }
.evalkit-screen-score { border: 2px solid #1f6feb; border-radius: 8px; padding: 8px 16px; min-width: 140px; }
.evalkit-screen-total { font-size: 48px; font-weight: bold; }
.evalkit-screen-score.evalkit-dropped { border-color: #bbb; }
.evalkit-screen-result { font-size: 56px; font-weight: bold; color: #c0392b; }
.evalkit-screen .evalkit-leaderboard table { font-size: 24px; }
.evalkit-progress-board table { border-collapse: collapse; font-size: 14px; margin: 6px 0; }
.evalkit-progress-board td, .evalkit-progress-board th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: center; }
.evalkit-progress-board td:first-child { text-align: left; }
.evalkit-state-complete { color: #2e7d32; } .evalkit-state-missing { color: #c0392b; font-weight: bold; }
.evalkit-state-partial { color: #b45309; } .evalkit-state-conflict { color: #999; }
.evalkit-dot.evalkit-on { color: #2e7d32; } .evalkit-dot.evalkit-off { color: #bbb; }
.celltag_evalkit-hide { display: none; }
</style>
"""


def contest_path() -> Path:
    return Path(os.environ.get("EVALKIT_CONTEST") or DEMO)


def open_from_env(*, demo_scores: bool = True):
    """(contest, store) for a page. Served pages share EVALKIT_STORE (set by
    `evalkit serve`); otherwise a temporary store so a notebook run never writes into
    the contest folder. A temporary demo store gets the folder's scores.csv and the
    first project as the one pitching, so every view has something to show."""
    from ..contest import load_contest
    contest = load_contest(contest_path())
    pin = os.environ.get("EVALKIT_PIN") or None
    if os.environ.get("EVALKIT_STORE"):
        return contest, contest.open_store(os.environ["EVALKIT_STORE"], pin=pin)
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-"))
    atexit.register(shutil.rmtree, tmp, True)
    store = contest.open_store(tmp / "evalkit.db")
    if demo_scores and len(contest.scores):
        store.import_scores(contest.scores)
    store.set_current(contest.project_ids[0])
    return contest, store


def query_token() -> str | None:
    """The judge token from the page's URL (voila puts the query string in the
    kernel's QUERY_STRING environment variable)."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("token")
    return values[0] if values else None


def criterion_columns(rubric, lang: str) -> list[dict]:
    """The entry grid's columns: one per criterion with its scale and descriptors."""
    cols = []
    for c in rubric.criteria:
        hint = "\n".join(f"{d.low:g}–{d.high:g}: {d.text.get(lang)}" for d in c.descriptors)
        if c.help is not None:
            hint = c.help.get(lang) + ("\n" + hint if hint else "")
        cols.append(dict(id=c.id, label=c.label.get(lang), min=c.min, max=c.max, step=c.step, hint=hint))
    return cols


def error_text(exc, lang: str = "zh") -> str:
    """An error as a page shows it: in the page's language, without its location."""
    text = getattr(exc, "text", None)
    return text(lang) if callable(text) else (getattr(exc, "message", None) or str(exc))


_FOLDERS = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s,:]*[/\\]")   # the folders of a path: a page names the file only


def errors_html(exc, lang: str = "zh") -> str:
    """Every error of ``exc`` (its ``.errors``, or a list of errors) with its place (file name, line or
    sheet and cell, key; no server folder) and its text in the page's language."""
    def item(e):
        place = ", ".join(p for p in (_FOLDERS.sub("", e.where or ""), key_word(e.key, lang)) if p)
        return f"<li>{esc(place + ': ' if place else '')}{esc(e.text(lang))}</li>"
    errors = exc if isinstance(exc, list) else getattr(exc, "errors", [exc])
    items = "".join(item(e) for e in errors)
    return f'<ul class="evalkit-validation-errors">{items}</ul>'


def result_text(result, lang: str = "zh") -> str:
    """An entry's answer (evalkit.live.entry.EntryResult) in the page's language."""
    return t(result.key, lang, **result.params_in(lang)) if result.key else ""


def esc(x) -> str:
    return html.escape(str(x))


def project_label(contest, project: str | None, lang: str) -> str:
    if project is None:
        return ""
    row = contest.projects.loc[contest.projects["id"] == project].iloc[0]
    name = row["name_en"] if lang == "en" else row["name"]
    return f"{project} {name}"


def lang_button(state) -> w.Button:
    """A button that switches the page between Chinese and English."""
    b = w.Button(description=t("lang.switch", state.lang), layout=w.Layout(width="auto", align_self="flex-end"))
    b.add_class("evalkit-lang")

    def click(_):
        state.set_lang("en" if state.lang == "zh" else "zh")
    b.on_click(click)
    state.on_change(lambda s: setattr(b, "description", t("lang.switch", s.lang)))
    return b


def status(widget: w.HTML, text: str, error: bool = False) -> None:
    cls = "evalkit-status evalkit-status-error" if error else "evalkit-status"
    widget.value = f'<div class="{cls}">{esc(text)}</div>'


def on_language(state, fn) -> None:
    """Call ``fn(state)`` when the page's language changes (not on every store change:
    the tabs that compute on request redraw only then)."""
    seen = [state.lang]

    def follow(s):
        if s.lang != seen[0]:
            seen[0] = s.lang
            fn(s)
    state.on_change(follow)
