"""The service-centre secretary's monitoring page (notebooks/monitor.ipynb): the
month's entry grid per organisation with the exit watch, evaluation entry, the
tranche decisions, the portfolio with the monthly chart, and next year's
eligibility. Widgets only: every rule is in :mod:`evalkit.monitor`.

    from evalkit.ui.monitor import monitor_page
    page = monitor_page()      # contest from EVALKIT_CONTEST, store from EVALKIT_STORE
    page.widget
"""
from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
from pathlib import Path

import ipywidgets as w
import pandas as pd

from ..display import format_score
from ..errors import EvalkitError
from ..numbers import read_number
from ..access import PinGuard
from .common import PAGE_CSS, contest_path, error_text, esc, status

WORDS: dict[str, tuple[str, str]] = {
    "title": ("项目监管 · {name}", "Monitoring · {name}"),
    "lang": ("English", "中文"),
    "tab.monthly": ("月评分", "Monthly"), "tab.evaluation": ("评估", "Evaluations"),
    "tab.tranches": ("资金拨付", "Tranches"), "tab.portfolio": ("项目总览", "Portfolio"),
    "tab.next": ("下一年度", "Next year"),
    "organisation": ("机构", "Organisation"), "month": ("月份", "Month"), "reason": ("更正理由", "Reason"),
    "save": ("保存", "Save"), "saved": ("已保存 {n} 项 ✓", "Saved {n} item(s) ✓"),
    "not_number": ("“{item}”不是数字", "'{item}' is not a number"),
    "evaluator": ("评估人", "Evaluator"), "project": ("项目", "Project"), "evaluation": ("评估", "Evaluation"),
    "mid": ("中期评估", "Mid-term"), "final": ("结项评估", "Final"),
    "status": ("状态", "Status"), "run_below": ("连续低于", "Run below"), "last_score": ("最近得分", "Last score"),
    "missing": ("缺少月份", "Missing months"), "total": ("总分", "Total"), "grade": ("等级", "Grade"),
    "below_target": ("未达标指标", "Indicators below target"), "tranche": ("批次", "Tranche"),
    "amount": ("金额", "Amount"), "decision": ("决定", "Decision"), "released": ("已拨付", "Released"),
    "withheld": ("暂缓", "Withheld"), "pending": ("待定", "Pending"), "stars": ("星级", "Stars"),
    "eligible": ("可申报", "May apply"), "rule": ("依据", "Rule"), "adjustment": ("加分", "Points"),
    "pin": ("秘书密码", "Secretary PIN"), "pin_enter": ("确定", "Enter"),
    "pin_needed": ("录入与更正需要秘书密码", "Entering and correcting needs the secretary's PIN"),
    "pin_ok": ("已验证秘书密码 ✓", "PIN accepted ✓"),
    "yes": ("是", "yes"), "no": ("否", "no"), "mid_grade": ("中期", "Mid-term"), "final_grade": ("结项", "Final"),
}
TABS = ("monthly", "evaluation", "tranches", "portfolio", "next")
ROW_CLASS = {"exit": "evalkit-exit", "warning": "evalkit-warning", "pending": "evalkit-pending-data"}
CSS = """<style>
.evalkit-monitor table { border-collapse: collapse; font-size: 15px; }
.evalkit-monitor td, .evalkit-monitor th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.evalkit-exit { background: #fdeaea; } .evalkit-warning { background: #fff4e0; }
.evalkit-pending-data { background: #eef2f7; }
</style>"""


def _w(key, lang, **fields) -> str:
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**fields)


def html_table(frame: pd.DataFrame, columns: dict, *, row_class=None) -> str:
    """A plain HTML table of ``frame``'s ``columns`` ({column: header}); ``row_class``
    gives each row's CSS class (the exit watch's colours)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in columns.values())
    body = []
    for i, (_, r) in enumerate(frame.iterrows()):
        cls = row_class(r) if row_class else ""
        cells = "".join(f"<td>{esc(_cell(r[c]))}</td>" for c in columns)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _cell(x) -> str:
    if isinstance(x, list):
        return "、".join(map(str, x))
    if x is None or (isinstance(x, float) and x != x):
        return ""
    if isinstance(x, float):
        return format_score(x, 2).rstrip("0").rstrip(".")
    return str(x)


class MonitorPage:
    """The page over a :class:`evalkit.monitor.records.MonitorLog`. Widgets:
    ``tabs``, the monthly grid (``org``, ``month``, ``items`` {item id: Text},
    ``reason``, ``save_month``), the evaluation grid (``evaluator``, ``project``,
    ``evaluation``, ``criteria``, ``save_evaluation``), and the tables
    (``watch_table``, ``evaluation_table``, ``tranche_table``, ``portfolio_table``,
    ``next_table``), ``chart`` (the monthly chart as a PNG Image)."""

    def __init__(self, log, lang: str = "zh"):
        self.log, self.lang = log, lang
        m = log.monitoring
        months = m.month_scores()["period"].tolist() or [m.start]
        self.title = w.HTML()
        self.lang_button = w.Button(layout=w.Layout(width="auto"))
        self.lang_button.on_click(lambda _: self.set_lang("en" if self.lang == "zh" else "zh"))
        # monthly grid
        self.org = w.Dropdown(options=m.organisations)
        from ..monitor.periods import month_range
        self.month = w.Dropdown(options=month_range(m.start, m.end), value=max(months))
        self.items = {c.id: w.Text(layout=w.Layout(width="90px")) for c in m.monthly_rubric.criteria}
        self.item_labels = {c.id: w.HTML() for c in m.monthly_rubric.criteria}
        self.reason = w.Text()
        self.save_month = w.Button(button_style="primary")
        self.save_month.on_click(lambda _: self.save_monthly())
        self.month_status, self.watch_table = w.HTML(), w.HTML()
        self.org.observe(lambda _: self._fill_month(), names="value")
        self.month.observe(lambda _: self._fill_month(), names="value")
        # evaluation grid
        self.evaluator = w.Dropdown(options=list(m.evaluators["id"]))
        self.project = w.Dropdown(options=list(m.contracts["project"]))
        self.evaluation = w.Dropdown(options=["mid", "final"])
        self.criteria = {c.id: w.Text(layout=w.Layout(width="90px")) for c in m.evaluation_rubric.criteria}
        self.criterion_labels = {c.id: w.HTML() for c in m.evaluation_rubric.criteria}
        self.eval_reason = w.Text()
        self.save_evaluation = w.Button(button_style="primary")
        self.save_evaluation.on_click(lambda _: self.save_sheet())
        self.eval_status, self.evaluation_table = w.HTML(), w.HTML()
        for x in (self.evaluator, self.project, self.evaluation):
            x.observe(lambda _: self._fill_sheet(), names="value")
        self.tranche_table, self.portfolio_table, self.next_table = w.HTML(), w.HTML(), w.HTML()
        # the store's PIN, when it has one and the page was opened without it
        self.pin, self.pin_button, self.pin_status = w.Password(), w.Button(), w.HTML()
        self.pin_button.on_click(lambda _: self.unlock_with_pin(self.pin.value))
        self.pin_box = w.HBox([self.pin, self.pin_button, self.pin_status],
                              layout=w.Layout(display="flex" if log.store.has_pin and not log.store._secretary
                                              else "none"))
        self.chart = w.Image(format="png")
        grid = lambda inputs, labels: w.GridBox(  # noqa: E731
            [x for k in inputs for x in (labels[k], inputs[k])],
            layout=w.Layout(grid_template_columns="repeat(4, auto)", grid_gap="4px 12px"))
        self.tabs = w.Tab(children=[
            w.VBox([w.HBox([self.org, self.month]), grid(self.items, self.item_labels),
                    w.HBox([self.reason, self.save_month]), self.month_status, self.watch_table]),
            w.VBox([w.HBox([self.evaluator, self.project, self.evaluation]), grid(self.criteria, self.criterion_labels),
                    w.HBox([self.eval_reason, self.save_evaluation]), self.eval_status, self.evaluation_table]),
            w.VBox([self.tranche_table]), w.VBox([self.portfolio_table, self.chart]), w.VBox([self.next_table])])
        self.widget = w.VBox([w.HTML(PAGE_CSS + CSS), w.HBox([self.title, self.lang_button]), self.pin_box,
                              self.tabs])
        self.widget.add_class("evalkit-page")
        self.widget.add_class("evalkit-monitor")
        self.set_lang(lang)

    # --- language and redraw ----------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        self.lang = lang
        m = self.log.monitoring
        self.title.value = f"<h2>{esc(_w('title', lang, name=m.contest.name.get(lang)))}</h2>"
        self.lang_button.description = _w("lang", lang)
        for i, key in enumerate(TABS):
            self.tabs.set_title(i, _w(f"tab.{key}", lang))
        for x, key in ((self.org, "organisation"), (self.month, "month"), (self.evaluator, "evaluator"),
                       (self.project, "project"), (self.evaluation, "evaluation")):
            x.description = _w(key, lang)
        self.evaluation.options = [(_w(e, lang), e) for e in ("mid", "final")]
        for rubric, labels in ((m.monthly_rubric, self.item_labels), (m.evaluation_rubric, self.criterion_labels)):
            for c in rubric.criteria:
                labels[c.id].value = f"{esc(c.label.get(lang))} (0–{c.max:g})"
        self.reason.placeholder = self.eval_reason.placeholder = _w("reason", lang)
        self.pin.placeholder, self.pin_button.description = _w("pin", lang), _w("pin_enter", lang)
        if self.pin_box.layout.display != "none" and not self.pin_status.value:
            status(self.pin_status, _w("pin_needed", lang))
        self.save_month.description = self.save_evaluation.description = _w("save", lang)
        self.refresh()

    def refresh(self) -> None:
        """Recompute every table from the store's record."""
        lang = self.lang
        self.current = cur = self.log.current()
        self.watch = watch = cur.watch()
        self.watch_table.value = html_table(
            watch.reset_index().assign(status_text=watch[f"status_{lang}"].to_numpy()),
            {"organisation": _w("organisation", lang), "status_text": _w("status", lang),
             "run_below": _w("run_below", lang), "last_score": _w("last_score", lang), "last_period": _w("month", lang),
             "missing": _w("missing", lang)}, row_class=lambda r: ROW_CLASS.get(r["status"], ""))
        ev = cur.evaluate()
        g = "grade" if lang == "zh" else "grade_en"
        self.evaluation_table.value = html_table(
            ev.table.assign(evaluation=[_w(e, lang) for e in ev.table["evaluation"]]),
            {"project": _w("project", lang), "evaluation": _w("evaluation", lang), "total": _w("total", lang),
             g: _w("grade", lang), "below_target": _w("below_target", lang)})
        decisions = cur.tranche_decisions(ev, watch)
        self.tranche_table.value = html_table(
            decisions.assign(decision=[_w(d, lang) for d in decisions["decision"]]),
            {"project": _w("project", lang), "organisation": _w("organisation", lang), "tranche": _w("tranche", lang),
             "amount": _w("amount", lang), "decision": _w("decision", lang), f"reason_{lang}": _w("rule", lang)},
            row_class=lambda r: "evalkit-exit" if r["decision"] == _w("withheld", lang) else "")
        port = cur.portfolio(ev, watch)
        self.portfolio_table.value = html_table(
            port, {"project": _w("project", lang), "organisation": _w("organisation", lang),
                   "amount": _w("amount", lang), "released": _w("released", lang), "withheld": _w("withheld", lang),
                   "pending": _w("pending", lang), "mid_grade": _w("mid_grade", lang),
                   "final_grade": _w("final_grade", lang), f"status_{lang}": _w("status", lang),
                   "stars": _w("stars", lang)}, row_class=lambda r: ROW_CLASS.get(r["status"], ""))
        ny = cur.next_year(evaluation=ev, watch=watch).reset_index()
        self.next_table.value = html_table(
            ny.assign(eligible=[_w("yes" if e else "no", lang) for e in ny["eligible"]]),
            {"organisation": _w("organisation", lang), "eligible": _w("eligible", lang),
             f"rule_{lang}": _w("rule", lang), "adjustment": _w("adjustment", lang)},
            row_class=lambda r: "evalkit-exit" if r["eligible"] == _w("no", lang) else "")
        self._draw_chart()
        self._fill_month()
        self._fill_sheet()

    def _draw_chart(self) -> None:
        from ..monitor.charts import monthly_chart
        fig = monthly_chart(self.current.month_scores(), self.current.threshold, watch=self.watch, lang=self.lang)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        self.chart.value = buf.getvalue()

    def _fill_month(self) -> None:
        cur = self.log.monthly()
        mine = cur[(cur["organisation"] == self.org.value) & (cur["period"] == self.month.value)]
        have = dict(zip(mine["item"], mine["score"]))
        for item, box in self.items.items():
            box.value = f"{have[item]:g}" if item in have else ""

    def _fill_sheet(self) -> None:
        cur = self.log.evaluations()
        mine = cur[(cur["evaluator"] == self.evaluator.value) & (cur["project"] == self.project.value)
                   & (cur["evaluation"] == self.evaluation.value)]
        have = dict(zip(mine["criterion"], mine["score"]))
        for c, box in self.criteria.items():
            box.value = f"{have[c]:g}" if c in have else ""

    def unlock_with_pin(self, pin: str) -> bool:
        """Reopen the store with the secretary's PIN; False (and a message) when wrong."""
        try:
            # the same back-off as the roadshow workbench's PIN box (evalkit.access)
            store = PinGuard(self.log.store.path).open(self.log.monitoring.contest, pin)
        except EvalkitError as exc:
            status(self.pin_status, error_text(exc, self.lang), error=True)
            return False
        self.log.store.close()
        self.log.store = store
        self.pin.value = ""
        status(self.pin_status, _w("pin_ok", self.lang))
        return True

    # --- saving ---------------------------------------------------------------------------
    def _read(self, boxes) -> dict:
        values = {}
        for key, box in boxes.items():
            r = read_number(box.value)
            if r.problem == "empty":
                continue
            if not r.ok:
                raise ValueError(_w("not_number", self.lang, item=key))
            values[key] = r.value
        return values

    def _save(self, write, n: int, status_widget) -> bool:
        """Run one all-or-nothing write; a refusal is shown and nothing is saved."""
        try:
            write()
        except EvalkitError as exc:
            status(status_widget, error_text(exc, self.lang), error=True)
            return False
        status(status_widget, _w("saved", self.lang, n=n))
        self.refresh()
        return True

    def save_monthly(self) -> bool:
        """Save the grid's item scores for the organisation and month."""
        try:
            values = self._read(self.items)
        except ValueError as exc:
            status(self.month_status, str(exc), error=True)
            return False
        org, month, reason = self.org.value, self.month.value, self.reason.value.strip() or None
        ok = self._save(lambda: self.log.record_month(org, month, values, reason=reason), len(values),
                        self.month_status)
        if ok:
            self.reason.value = ""
        return ok

    def save_sheet(self) -> bool:
        """Save the evaluator's scores for the project and evaluation."""
        try:
            values = self._read(self.criteria)
        except ValueError as exc:
            status(self.eval_status, str(exc), error=True)
            return False
        e, p, ev, reason = self.evaluator.value, self.project.value, self.evaluation.value, \
            self.eval_reason.value.strip() or None
        return self._save(lambda: self.log.record_sheet(e, p, ev, values, reason=reason), len(values),
                          self.eval_status)


def monitor_page(lang: str = "zh") -> MonitorPage:
    """The page on the contest of EVALKIT_CONTEST (else demo-huaihe) and the store of
    EVALKIT_STORE; without one, a temporary store holding the folder's monitoring
    data, so a notebook run never writes into the contest folder."""
    from ..contest import load_contest
    from ..monitor import load_monitoring
    from ..monitor.records import MonitorLog
    contest = load_contest(contest_path())
    mon = load_monitoring(contest)
    pin = os.environ.get("EVALKIT_PIN") or None
    if os.environ.get("EVALKIT_STORE"):
        return MonitorPage(MonitorLog(contest.open_store(os.environ["EVALKIT_STORE"], pin=pin), mon), lang)
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-monitor-"))
    atexit.register(shutil.rmtree, tmp, True)
    log = MonitorLog(contest.open_store(tmp / "evalkit.db"), mon)
    log.import_folder()
    return MonitorPage(log, lang)
