"""The Allocation tab: budget, rule, threshold and category limits as controls; the
allocation table with reasons and a chart; the probability of funding (judges
resampled, evalkit.robustness) on request."""
from __future__ import annotations

import ipywidgets as w

from ..errors import EvalkitError
from ..roadshow import live_ranking
from .common import error_text, status
from .consistency import figure_png
from .messages import t

RULES = ("optimal", "greedy", "greedy_stop", "greedy_density", "proportional")  # mes needs per-judge utilities


class AllocationTab:
    """Widgets: ``budget``, ``rule``, ``threshold``, ``category_min``, ``category_max``,
    ``min_fraction``, ``allocate_button``, ``probability_button``, ``table``, ``chart``,
    ``status``. ``allocation`` / ``robust`` hold the last results."""

    def __init__(self, state):
        self.state = state
        lang = state.lang
        self.allocation = self.robust = None
        style = {"description_width": "180px"}
        self.budget = w.FloatText(value=state.contest.budget, description=t("budget", lang), style=style)
        self.rule = w.Dropdown(options=RULES, value="optimal", description=t("rule", lang), style=style)
        self.threshold = w.FloatText(value=0, description=t("threshold", lang), style=style)
        self.category_min = w.BoundedFloatText(value=0, min=0, max=1, step=0.05, description=t("category_min", lang),
                                               style=style)
        self.category_max = w.BoundedFloatText(value=1, min=0, max=1, step=0.05, description=t("category_max", lang),
                                               style=style)
        self.min_fraction = w.BoundedFloatText(value=0, min=0, max=1, step=0.05, description=t("min_fraction", lang),
                                               style=style)
        self.allocate_button = w.Button(description=t("allocate", lang), button_style="primary")
        self.probability_button = w.Button(description=t("probability", lang), layout=w.Layout(width="auto"))
        self.table, self.status = w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
        self.allocate_button.on_click(lambda _: self.run())
        self.probability_button.on_click(lambda _: self.run(probability=True))
        controls = [self.budget, self.rule, self.threshold, self.category_min, self.category_max, self.min_fraction]
        self.widget = w.VBox(controls + [w.HBox([self.allocate_button, self.probability_button]), self.status,
                                         self.table, self.chart])
        self.widget.add_class("evalkit-allocation")
        self.run()

    def options(self) -> dict:
        """The controls as ``ek.allocate`` keyword arguments (0 / 1 mean no limit)."""
        opts = dict(budget=self.budget.value, rule=self.rule.value, category="category", organisation="organisation")
        if self.threshold.value > 0:
            opts["threshold"] = self.threshold.value
        if self.category_min.value > 0:
            opts["category_min_share"] = self.category_min.value
        if self.category_max.value < 1:
            opts["category_max_share"] = self.category_max.value
        if self.min_fraction.value > 0:
            opts["min_fraction"] = self.min_fraction.value
        return opts

    def run(self, probability: bool = False) -> None:
        from ..allocate import allocate
        from ..report.charts import fund_split
        state, lang = self.state, self.state.lang
        contest, scores = state.contest, state.round_scores()
        ranking, waiting, _ = live_ranking(scores, contest)
        if ranking is None:
            status(self.status, t("no_ranking", lang))
            return
        try:
            opts = self.options()
            frame = ranking.projects.join(contest.projects.set_index("id"))
            self.allocation = allocate(frame, **opts)
            table = self.allocation.table.copy()
            if probability:
                from ..robustness import robustness
                ready = scores[scores["project"].isin(ranking.projects.index)]
                budget, rule = opts.pop("budget"), opts.pop("rule")
                self.robust = robustness(ready, contest.rubric, method=contest.rubric.rule.method, budget=budget,
                                         rule=rule, projects=contest.projects[contest.projects["id"].isin(
                                             ranking.projects.index)], n=60, seed=1, **opts)
                table["p_funded"] = table["project"].map(self.robust.projects["p_funded"])
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc)), error=True)
            return
        status(self.status, t("waiting_projects", lang, n=len(waiting)) if waiting else "")
        reason = "reason_en" if lang == "en" else "reason_zh"
        cols = ["rank", "project", "score", "requested", "amount", "fraction"] + (["p_funded"] if probability else []) + [reason]
        heads = {c: t("why" if c == reason else c, lang) for c in cols}
        shown = table[cols].round(3).rename(columns=heads)
        self.table.value = f'<div class="evalkit-allocation-table">{shown.to_html(index=False, escape=True)}</div>'
        self.chart.value = figure_png(fund_split(contest, self.allocation))


def allocation_tab(state) -> AllocationTab:
    return AllocationTab(state)
