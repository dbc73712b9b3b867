"""Publication: the 公示 table, judge score sheets, charts and audit log as Excel,
one self-contained HTML and an A4 PDF; printable 评分表 for paper scoring.

>>> contest = ek.load_contest("data/demo-huaihe")                       # doctest: +SKIP
>>> ranking = ek.rank(contest.scores, contest.rubric, method="trimmed")  # doctest: +SKIP
>>> alloc = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), contest.budget)  # doctest: +SKIP
>>> ek.report.publish(contest, ranking, alloc, "out/")                  # doctest: +SKIP
{'xlsx': PosixPath('out/....xlsx'), 'html': ..., 'pdf': ...}

Two versions: ``version="public"`` (judges as 评委1, 评委2, …, no judge's name or
id anywhere, no per-judge flags; ``anonymise=True`` is the same) and
``"internal"`` (names). :func:`publish_decision` publishes an
:class:`evalkit.decision.Decision` — what the Export tab and ``evalkit report``
do — with the settings it used and its result digest (设置与摘要, and on the 公示).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, EvalkitError
from . import tables as T
from .public import VERSIONS, public_tables
from .record import record_table
from .scoresheet import write_scoresheets

FORMATS = ("xlsx", "html", "pdf")


@dataclass
class Report:
    """Everything a report shows, built once for every format."""
    contest: object
    scores: pd.DataFrame
    ranking: object
    allocation: object
    tables: list = field(default_factory=list)        # T.Table, in sheet order
    diagnostics: pd.DataFrame | None = None
    agreement: pd.DataFrame | None = None
    _charts: list | None = None
    _png: dict = field(default_factory=dict)
    anonymise: bool = False                            # True in the public version
    decision: object = None

    @property
    def title(self) -> str:
        return self.contest.name.zh

    @property
    def subtitle(self) -> str:
        return f"{self.contest.name.en}  ·  {self.contest.date}" if self.contest.name.en != self.contest.name.zh \
            else str(self.contest.date)

    def charts(self):
        """(key, title, Figure) for each chart, drawn on first use."""
        if self._charts is None:
            from .charts import all_charts, method_ranks
            ranks = method_ranks(self.scores, self.contest.rubric)
            self._charts = all_charts(self.contest, self.scores, self.ranking, self.allocation, self.diagnostics,
                                      self.agreement, ranks)
        return self._charts

    def chart_png(self, key: str, dpi: int = 150) -> bytes | None:
        """A chart as PNG bytes (rendered once, shared by HTML and PDF)."""
        if key not in self._png:
            found = [fig for k, _, fig in self.charts() if k == key]
            if not found:
                return None
            from .html import figure_png
            self._png[key] = figure_png(found[0], dpi=dpi)
        return self._png[key]

    def chart_title(self, key: str):
        return next((t for k, t, _ in self.charts() if k == key), None)

    def table(self, key: str):
        return [t for t in self.tables if t.key == key]


def _default_history(contest):
    db = Path(contest.dir) / "evalkit.db"
    if not db.exists():
        return None
    with contest.open_store() as store:
        return store.history()


def _version(version, anonymise: bool) -> str:
    if version is None:
        return "public" if anonymise else "internal"
    if version not in VERSIONS:
        raise DataError("unknown report version", key="version", expected=" / ".join(VERSIONS), found=version,
                        zh=f"未知的报告版本 '{version}'，应为 public（公示版）或 internal（内部版）")
    if anonymise and version != "public":
        raise DataError("anonymise=True is the public version", key="version", expected="public", found=version,
                        zh=f"匿名（anonymise=True）即公示版，不能与版本 '{version}' 同用")
    return version


def build_report(contest, ranking, allocation=None, *, scores: pd.DataFrame | None = None,
                 history: pd.DataFrame | None = None, anonymise: bool = False, round: str | None = None,
                 version: str | None = None, decision=None) -> Report:
    """Assemble the report's tables: 公示, 设置与摘要 (with a ``decision``), one per
    judge, 评分明细, 一致性, 评委诊断, 资金分配 (when an allocation is given) and 审计日志
    (the store's events; by default read from the contest's evalkit.db when it
    exists). Scores from several rounds need ``round``: the judge sheets show one
    round. ``version``: "public" (default with ``anonymise=True``) or "internal"."""
    public = _version(version, anonymise) == "public"
    scores = contest.scores if scores is None else scores
    if round is not None:
        if "round" not in scores or round not in set(scores["round"]):
            raise DataError(f"no scores in round '{round}'", key="round",
                            expected="a round present in the scores", found=round, zh=f"轮次 '{round}' 没有评分")
        scores = scores[scores["round"] == round]
    elif "round" in scores and scores["round"].nunique() > 1:
        raise DataError("the scores span several rounds; choose one", key="round",
                        expected="round=" + " or ".join(map(repr, sorted(scores["round"].unique()))),
                        found=sorted(scores["round"].unique()), zh="评分涉及多个轮次，请指定轮次")
    if scores is None or len(scores) == 0:
        raise DataError("no scores to report", where=str(getattr(contest, "dir", "contest")),
                        key="scores", expected="a non-empty long score table", found="0 rows",
                        zh="没有评分，无法生成报告")
    if history is None:
        history = _default_history(contest)
    rep = Report(contest, scores, ranking, allocation, anonymise=public, decision=decision)
    rep.agreement = T.criterion_agreement(contest, scores)
    try:
        rep.diagnostics = T.judge_diagnostics(contest, scores, public)
    except EvalkitError:
        rep.diagnostics = None      # too few complete judges: the report still goes out
    rep.tables = [T.gongshi(contest, ranking, allocation)]
    if decision is not None:
        rep.tables[0].note = f"结果摘要 result digest (SHA-256): {decision.digest}；所用设置见「设置与摘要」"
        rep.tables.append(record_table(decision, "public" if public else "internal"))
    rep.tables += T.judge_tables(contest, scores, public)
    rep.tables.append(T.breakdown(contest, scores, ranking))
    rep.tables.append(T.agreement_table(contest, scores))
    if rep.diagnostics is not None:
        rep.tables.append(T.diagnostics_table(rep.diagnostics))
    if allocation is not None:
        rep.tables.append(T.allocation_table(contest, allocation))
    rep.tables.append(T.audit_table(contest, history, public))
    if public:
        rep.tables = public_tables(rep.tables, contest)
    return rep


def publish(contest, ranking, allocation, out_dir, formats=FORMATS, *, scores: pd.DataFrame | None = None,
            history: pd.DataFrame | None = None, anonymise: bool = False, scoresheets: bool = False,
            stem: str | None = None, round: str | None = None, version: str | None = None, decision=None) -> dict:
    """Write the contest's results to ``out_dir``.

    - xlsx: sheets 公示 (rank, project, organisation, category, final score to the
      rule's decimals, amount awarded), one sheet per judge (named by the judge, or
      评委1.. with ``anonymise=True``; readable back by
      :func:`evalkit.io.read_score_workbook` in the internal version), 评分明细, 一致性,
      评委诊断, 资金分配 (with reasons) and 审计日志;
    - html: one self-contained file, charts embedded as PNG;
    - pdf: A4 with the contest's name and date on every page and page numbers.

    ``scores`` defaults to ``contest.scores``; ``history`` to the store's audit log;
    ``round`` picks one round when the scores hold several (the ranking should be
    of the same round).
    ``scoresheets=True`` also writes the blank 评分表 (xlsx and pdf). ``version``:
    "public" (no judge named; ``anonymise=True`` is the same) or "internal" (the
    default). ``decision``: the Decision the tables come from (adds 设置与摘要).
    Returns {format: path}.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise DataError("unknown report format", key="formats", expected=" / ".join(FORMATS), found=bad,
                        zh=f"未知的报告格式：{'、'.join(map(str, bad))}（可选 {' / '.join(FORMATS)}）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = build_report(contest, ranking, allocation, scores=scores, history=history, anonymise=anonymise,
                       round=round, version=version, decision=decision)
    stem = stem or f"{contest.id}-report"
    written = {}
    if "xlsx" in formats:
        from .xlsx import write_xlsx
        written["xlsx"] = out / f"{stem}.xlsx"
        write_xlsx(rep.tables, written["xlsx"], title=rep.title)
    if "html" in formats:
        from .html import write_html
        written["html"] = out / f"{stem}.html"
        write_html(rep, written["html"])
    if "pdf" in formats:
        from .pdf import write_pdf
        written["pdf"] = out / f"{stem}.pdf"
        write_pdf(rep, written["pdf"])
    if scoresheets:
        written.update(write_scoresheets(contest, out, stem=f"{contest.id}-评分表"))
    return written


def publish_decision(decision, out_dir, formats=FORMATS, *, version: str = "public",
                     history: pd.DataFrame | None = None, scoresheets: bool = False, stem: str | None = None) -> dict:
    """Publish a :class:`evalkit.decision.Decision` (``decision(contest, store)``):
    its contest rule, ranking, allocation and scores, the settings it used and its
    digest. ``version``: "public" (default; no judge named) or "internal".
    Files: ``<contest>-<round>-report`` (public) or ``...-report-internal``."""
    version = _version(version, False)
    c = decision.contest
    stem = stem or f"{c.id}-{decision.round}-report" + ("" if version == "public" else "-internal")
    return publish(c, decision.ranking, decision.allocation, out_dir, formats, scores=decision.scores,
                   history=history, scoresheets=scoresheets, stem=stem, round=decision.round, version=version,
                   decision=decision)


__all__ = ["publish", "publish_decision", "build_report", "Report", "write_scoresheets", "FORMATS", "VERSIONS"]
