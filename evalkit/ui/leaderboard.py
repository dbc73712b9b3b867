"""The live leaderboard: the contest's own rule with a calibrated model (additive
judge effects) beside it; changes of place highlighted; ties and vetoes shown."""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..display import format_score
from ..live.ranking import live_ranking, place_changes
from .common import PAGE_CSS, esc
from .messages import rule_text, t


def leaderboard_html(contest, ranking, lang: str, *, changes=None, calibrated=None, waiting=(), limit=None,
                     note: str = "") -> str:
    """One HTML table: rank, project, score (contest rule), judges, and, when given,
    the calibrated model's score and rank. Rows carry data-project for tests."""
    if ranking is None:
        body = f'<p class="evalkit-no-ranking">{esc(note or t("no_ranking", lang))}</p>'
        return f'<div class="evalkit-leaderboard">{body}</div>'
    names = dict(zip(contest.projects["id"], contest.projects["name_en" if lang == "en" else "name"]))
    proj = ranking.projects
    cal = calibrated.projects if calibrated is not None else None
    head = [t("rank", lang), t("project", lang), t("score_by_rule", lang), t("judges_n", lang)]
    if cal is not None:
        head += [t("calibrated", lang), t("rank", lang)]
    rows = []
    cal_score = cal["score"].to_dict() if cal is not None else {}
    cal_rank = cal["rank"].to_dict() if cal is not None else {}
    for i, r in enumerate(proj.itertuples()):
        if limit is not None and i >= limit:
            break
        pid = r.Index
        moved = int(changes.get(pid, 0)) if changes is not None else 0
        cls = "evalkit-moved-up" if moved > 0 else ("evalkit-moved-down" if moved < 0 else "")
        mark = (t("change_up", lang, n=moved) if moved > 0 else t("change_down", lang, n=-moved)) if moved else ""
        rank = "" if pd.isna(r.rank) else str(r.rank)
        if bool(getattr(r, "tied", False)):
            rank += f' <span class="evalkit-tied">{t("tied", lang)}</span>'
        if getattr(r, "excluded", ""):
            rank = f'<span class="evalkit-excluded">{t("excluded", lang)}</span>'
        cells = [rank, f"{esc(pid)} {esc(names.get(pid, ''))}",
                 f'<span class="evalkit-lb-score">{format_score(r.score, ranking.decimals)}</span> {mark}', str(int(r.n_judges))]
        if cal is not None:
            cells += ([format_score(cal_score[pid], calibrated.decimals), str(cal_rank[pid])] if pid in cal_score else ["", ""])
        rows.append(f'<tr class="{cls}" data-project="{esc(pid)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    foot = f'<p>{esc(t("waiting_projects", lang, n=len(waiting)))}</p>' if waiting else ""
    if note:
        foot += f'<p class="evalkit-note">{esc(note)}</p>'
    table = ("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>")
    return (f'<div class="evalkit-leaderboard"><div>{esc(t("leaderboard", lang))} · {esc(rule_text(contest.rubric, lang))}'
            f"</div>{table}{foot}</div>")


class Leaderboard:
    """Widgets: ``html`` (the table), ``widget``. ``ranking``/``calibrated`` hold the
    last results (tests read them)."""

    def __init__(self, state, *, calibrated_method: str | None = "additive", limit=None):
        self.state = state
        self.calibrated_method = calibrated_method
        self.limit = limit
        self.ranking = self.calibrated = None
        self._previous = None
        self.html = w.HTML()
        self.widget = w.VBox([w.HTML(PAGE_CSS), self.html])
        self.widget.add_class("evalkit-page")
        state.on_change(self.redraw)
        self.redraw(state)

    def redraw(self, state) -> None:
        contest, scores = state.contest, state.round_scores()
        ranking, waiting, _ = live_ranking(scores, contest)
        if ranking is not None and (self.ranking is None or
                                    not ranking.projects["rank"].equals(self.ranking.projects["rank"])):
            self._previous = self.ranking.projects if self.ranking is not None else None
        self.ranking = ranking
        changes = place_changes(ranking.projects, self._previous) if ranking is not None else None
        note = ""
        if self.calibrated_method:
            self.calibrated, _, note = live_ranking(scores, contest, self.calibrated_method)
        self.html.value = leaderboard_html(contest, ranking, state.lang, changes=changes, calibrated=self.calibrated,
                                           waiting=waiting, limit=self.limit, note=note)


def leaderboard(state, **kwargs) -> Leaderboard:
    return Leaderboard(state, **kwargs)
