"""The Consistency tab: agreement so far with its interval, per-judge diagnostics as
a table and a chart, and plain-language alerts (the core's flags)."""
from __future__ import annotations

import io

import ipywidgets as w
import pandas as pd

from ..agreement import describe_flags
from ..display import format_score
from ..errors import EvalkitError
from .common import error_text, esc, on_language
from .messages import t


def figure_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)
    return buf.getvalue()


def agreement_summary(scores, rubric, *, n_boot: int = 200, seed: int = 0) -> dict:
    """Krippendorff's alpha (interval) on judges' totals with a bootstrap interval."""
    from ..agreement import krippendorff_alpha
    from ..scores import totals
    tot = totals(scores, rubric)
    res = krippendorff_alpha(tot, "interval", units="project", raters="judge", values="total", n_boot=n_boot,
                             seed=seed)
    return dict(alpha=float(res), low=res.ci_low, high=res.ci_high, projects=res.n_units, judges=res.n_raters)


class ConsistencyTab:
    """Widgets: ``summary`` (alpha and interval), ``alerts``, ``table``, ``chart``
    (PNG), ``refresh_button``. ``diagnostics`` holds the last per-judge frame
    (:func:`evalkit.agreement.judges`: severity positive = harsh, as the note under
    the table and the chart's axis say)."""

    #: the diagnostics shown, in this order, each under its column label (messages "col.<name>")
    COLUMNS = ["judge", "n_projects", "mean_total", "severity", "severity_z", "spread", "loo_spearman", "halo",
               "top_k_changes"]

    def __init__(self, state):
        self.state = state
        self.diagnostics = None
        self.summary, self.alerts, self.table = w.HTML(), w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="720px"))
        self.refresh_button = w.Button(description=t("refresh", state.lang))
        on_language(state, self._relabel)
        self.refresh_button.on_click(lambda _: self.redraw(self.state))
        self.widget = w.VBox([self.refresh_button, self.summary, self.alerts, self.table, self.chart])
        self.widget.add_class("evalkit-consistency")
        self.redraw(state)

    def _relabel(self, state) -> None:
        self.refresh_button.description = t("refresh", state.lang)
        self.redraw(state)

    def redraw(self, state) -> None:
        from ..agreement import judges
        from ..report.charts import judge_severity
        lang, scores, rubric = state.lang, state.round_scores(), state.contest.rubric
        try:
            s = agreement_summary(scores, rubric)
            diag = judges(scores, rubric)
        except EvalkitError as exc:
            self.summary.value = f'<p class="evalkit-status-error">{esc(error_text(exc, lang))}</p>'
            return
        self.diagnostics = diag
        self.summary.value = '<p class="evalkit-alpha">' + t(
            "alpha_summary", lang, label=esc(t("alpha", lang)), alpha=format_score(s["alpha"], 2, missing="—"),
            low=format_score(s["low"], 2, missing="—"), high=format_score(s["high"], 2, missing="—"), projects=s["projects"],
            judges=s["judges"]) + "</p>"
        names = dict(zip(state.contest.judges["id"], state.contest.judges["name"]))
        texts = describe_flags(diag, lang)
        sep = ": " if lang == "en" else "："
        flags = [f'<li>{esc(names.get(j, j))}{sep}{esc(f)}</li>' for j, f in zip(diag["judge"], texts) if f]
        self.alerts.value = (f'<ul class="evalkit-alerts">{"".join(flags)}</ul>' if flags else
                             f'<p>{esc(t("no_alerts", lang))}</p>')
        self.table.value = (self._table_html(diag, names, texts, lang)
                            + f'<p class="evalkit-note">{esc(t("severity_note", lang))}</p>')
        self.chart.value = figure_png(judge_severity(diag.assign(label=diag["judge"].map(names)), lang))

    def _table_html(self, diag, names, texts, lang) -> str:
        """The diagnostics with the judges' names, column labels in words and numbers
        rounded for reading (two decimals; whole counts as they are)."""
        dec = self.state.contest.rubric.rule.decimals
        k = int(diag["top_k"].iloc[0]) if len(diag) else 0
        shown = pd.DataFrame({
            t("col.judge", lang): diag["judge"].map(names).fillna(diag["judge"]),
            t("col.n_projects", lang): diag["n_projects"],
            t("col.mean_total", lang): [format_score(x, dec) for x in diag["mean_total"]],
            **{t(f"col.{c}", lang): [format_score(x, 2, missing="—") for x in diag[c]]
               for c in ("severity", "severity_z", "spread", "loo_spearman", "halo")},
            t("col.top_k_changes", lang, k=k): diag["top_k_changes"],
            t("col.alerts", lang): texts.replace("", "—"),
        })
        return shown.to_html(index=False, classes="evalkit-diagnostics", escape=True)


def consistency_tab(state) -> ConsistencyTab:
    return ConsistencyTab(state)
