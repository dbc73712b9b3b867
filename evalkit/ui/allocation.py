"""The Allocation tab: the decision's settings as controls — the contest rule
(method, trim, decimals) and the allocation (budget, rule, threshold, category
shares, cap per organisation, smallest partial share, tie-break) — saved to the
store as a setting event (evalkit.decision.set_allocation) when the secretary
allocates, so the 公示, ``evalkit report``, ``evalkit replay`` and the screen use
the same; the allocation table with reasons and a chart; the probability of
funding (judges resampled, evalkit.robustness) on request."""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..decision import ALLOCATION_RULES, CONTEST_RULES, MAX_DECIMALS, SETTING_LABELS, allocation_settings, decide
from ..display import format_score
from ..errors import DataError, EvalkitError
from .common import error_text, on_language, status
from .consistency import figure_png
from .messages import t

RULES = ALLOCATION_RULES   # mes needs per-judge utilities
#: setting -> (widget attribute, the widget's value for None)
CONTROLS = {"method": ("method", None), "trim": ("trim", None), "decimals": ("decimals", None),
            "budget": ("budget", None), "rule": ("rule", None), "threshold": ("threshold", 0),
            "category_min_share": ("category_min", 0), "category_max_share": ("category_max", 1),
            "org_cap": ("org_cap", 0), "min_fraction": ("min_fraction", 0), "tie_break": ("tie_break", "")}


class AllocationTab:
    """Widgets: ``method``, ``trim``, ``decimals``, ``budget``, ``rule``, ``threshold``,
    ``category_min``, ``category_max``, ``org_cap``, ``min_fraction``, ``tie_break``,
    ``allocate_button``, ``probability_button``, ``table``, ``chart``, ``status``.
    ``decision`` / ``allocation`` / ``robust`` hold the last results."""

    def __init__(self, state):
        self.state = state
        lang = state.lang
        self.decision = self.allocation = self.robust = None
        style = {"description_width": "180px"}

        def label(key):
            return SETTING_LABELS[key].get(lang)
        n_judges = len(state.contest.judges)
        self.method = w.Dropdown(options=[(t(f"method.{m}", lang), m) for m in CONTEST_RULES], description=label("method"),
                                 style=style, layout=w.Layout(width="520px"))  # the rule's name in full
        self.trim = w.BoundedIntText(min=0, max=max(0, (n_judges - 1) // 2), description=label("trim"), style=style)
        self.decimals = w.BoundedIntText(min=0, max=MAX_DECIMALS, description=label("decimals"), style=style)
        self.budget = w.FloatText(description=label("budget"), style=style)
        self.rule = w.Dropdown(options=[(t(f"alloc.{r}", lang), r) for r in RULES], description=label("rule"),
                               style=style, layout=w.Layout(width="520px"))
        self.threshold = w.FloatText(value=0, description=label("threshold"), style=style)
        self.category_min = w.BoundedFloatText(value=0, min=0, max=1, step=0.05, description=label("category_min_share"),
                                               style=style)
        self.category_max = w.BoundedFloatText(value=1, min=0, max=1, step=0.05, description=label("category_max_share"),
                                               style=style)
        self.org_cap = w.FloatText(value=0, description=label("org_cap"), style=style)
        self.min_fraction = w.BoundedFloatText(value=0, min=0, max=1, step=0.05, description=label("min_fraction"),
                                               style=style)
        self.tie_break = w.Text(description=label("tie_break"), placeholder="P03, P12, …", style=style)
        # a change of the contest rule after the first score is an amendment: the store asks for a reason
        self.reason = w.Text(placeholder=t("alloc.reason", lang), layout=w.Layout(width="520px"))
        self.reason.add_class("evalkit-allocation-reason")
        self.allocate_button = w.Button(description=t("allocate", lang), button_style="primary")
        self.probability_button = w.Button(description=t("probability", lang), layout=w.Layout(width="auto"))
        self.table, self.status = w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
        self.allocate_button.on_click(lambda _: self.run(save=True))
        self.probability_button.on_click(lambda _: self.run(probability=True, save=True))
        controls = [getattr(self, name) for name, _ in CONTROLS.values()]
        self.widget = w.VBox(controls + [self.reason, w.HBox([self.allocate_button, self.probability_button]), self.status,
                                         self.table, self.chart])
        self.widget.add_class("evalkit-allocation")
        self._shown = {}
        on_language(state, self._relabel)
        try:
            self.load()
        except EvalkitError as exc:          # a setting event the store cannot read: say so, show the rest
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return
        self.run()

    def _relabel(self, state) -> None:
        """The controls' labels and the last table in the page's language (values kept)."""
        lang = state.lang
        for key, (name, _) in CONTROLS.items():
            getattr(self, name).description = SETTING_LABELS[key].get(lang)
        for box, prefix in ((self.method, "method"), (self.rule, "alloc")):
            value, box.options = box.value, [(t(f"{prefix}.{code}", lang), code) for _, code in box.options]
            box.value = value
        self.allocate_button.description = t("allocate", lang)
        self.probability_button.description = t("probability", lang)
        self.reason.placeholder = t("alloc.reason", lang)
        if self.decision is not None:
            self.run()

    def load(self) -> None:
        """Show the store's settings in the controls (a per-category or per-organisation
        table set elsewhere shows as no limit here and is kept unless changed)."""
        settings = allocation_settings(self.state.store)
        self._shown = {}
        for key, (name, empty) in CONTROLS.items():
            value = settings[key]
            if value is None or isinstance(value, dict):
                value = empty
            elif isinstance(value, list):
                value = ", ".join(value)
            getattr(self, name).value = value
            self._shown[key] = getattr(self, name).value

    def changes(self) -> dict:
        """The settings whose control differs from what the store held when shown."""
        return {key: getattr(self, name).value for key, (name, _) in CONTROLS.items()
                if getattr(self, name).value != self._shown.get(key, self)}

    def options(self) -> dict:
        """The store's settings as ``ek.allocate`` keyword arguments."""
        from ..decision import allocation_options
        return allocation_options(allocation_settings(self.state.store))

    def save(self) -> dict:
        """Record the changed controls as the store's settings (one event; nothing
        when nothing changed), with the reason box's reason. Raises SettingError (a
        rule change after the first score without a reason: the controls keep the
        change for a second try) / AccessError."""
        changed = self.changes()
        if changed:
            self.state.store.set_allocation(reason=self.reason.value.strip() or None, **changed)
            self.reason.value = ""
            self.load()
        return changed

    def run(self, probability: bool = False, save: bool = False) -> None:
        from ..report.charts import fund_split
        state, lang = self.state, self.state.lang
        try:
            if save:
                self.save()
            scores = state.round_scores()
            d = decide(state.contest, scores, allocation_settings(state.store), round=state.current()[1])
        except DataError as exc:
            if exc.key == "scores":          # nothing rankable yet: not an error during the show
                status(self.status, t("no_ranking", lang))
                return
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return
        except EvalkitError as exc:
            status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
            return
        self.decision, self.allocation = d, d.allocation
        table = d.allocation.table.copy()
        if probability:
            from ..allocate.robustness import robustness
            try:
                opts = self.options()
                budget, rule = opts.pop("budget"), opts.pop("rule")
                ready = d.scores[d.scores["project"].isin(d.ranking.projects.index)]
                projects = d.contest.projects[d.contest.projects["id"].isin(d.ranking.projects.index)]
                self.robust = robustness(ready, d.contest.rubric, method=d.settings["method"], budget=budget, rule=rule,
                                         projects=projects, n_boot=60, seed=1, **opts)
            except EvalkitError as exc:
                status(self.status, t("error", lang, text=error_text(exc, lang)), error=True)
                return
            table["p_funded"] = table["project"].map(self.robust.projects["p_funded"])
        status(self.status, t("waiting_projects", lang, n=len(d.waiting)) if d.waiting else "")
        self.table.value = f'<div class="evalkit-allocation-table">{self._table_html(d, table, lang)}</div>'
        self.chart.value = figure_png(fund_split(d.contest, d.allocation, lang))

    @staticmethod
    def _table_html(d, table, lang) -> str:
        """The allocation in words: project numbers with their titles, scores as the
        rule rounds them, money with thousands separators, shares as percentages."""
        reason = "reason_en" if lang == "en" else "reason_zh"
        name_col = "name_en" if lang == "en" else "name"
        names = dict(zip(d.contest.projects["id"], d.contest.projects[name_col].fillna("")))
        decimals = d.contest.rubric.rule.decimals
        money = lambda x: f"{float(x):,.0f}" if float(x).is_integer() else f"{float(x):,.2f}"  # noqa: E731
        percent = lambda x: "—" if x != x else f"{float(x):.0%}"  # noqa: E731
        cols = {"rank": table["rank"],
                "project": [f"{p} {names.get(p, '')}".strip() for p in table["project"]],
                "score": [format_score(x, decimals) for x in table["score"]],
                "requested": [money(x) for x in table["requested"]],
                "amount": [money(x) for x in table["amount"]],
                "fraction": [percent(x) for x in table["fraction"]]}
        if "p_funded" in table:
            cols["p_funded"] = [percent(x) for x in table["p_funded"]]
        shown = pd.DataFrame({t(f"col.{c}", lang): v for c, v in cols.items()})
        shown[t("why", lang)] = table[reason].to_numpy()
        return shown.to_html(index=False, escape=True)


def allocation_tab(state) -> AllocationTab:
    return AllocationTab(state)
