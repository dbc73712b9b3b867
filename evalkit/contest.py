"""A contest folder: contest.yaml, projects.csv, judges.csv and optional scores.csv.

contest.yaml::

    name: {zh: 淮河街道公益创投大赛, en: Huaihe Street venture-philanthropy contest}
    date: 2026-05-16
    rubric: gongyi-chuangtou.yaml   # relative to the folder, else looked up in rubrics/
    budget: 260000
    currency: CNY
    rounds: [{id: final, label: {zh: 决赛, en: Final}}]

projects.csv: id, name, organisation, category, requested, min_amount (name_en optional).
judges.csv: id, name, panel, conflicts (project ids or organisation names, ';'-separated).
scores.csv: judge, project, criterion, score[, round].
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._yaml import TEXT, Located, bilingual, dotted, read_yaml, unknown_keys
from .errors import ContestError, raise_all
from .io.csvtext import read_csv_text
from .io.scores import read_scores_csv  # noqa: F401  (its old home; used by load_contest)
from .resources import rubric_dir
from .rubric import Rubric, load_rubric
from .scores import completeness, totals
from .text import Text

PROJECT_COLUMNS = ("id", "name", "organisation", "category", "requested", "min_amount")
JUDGE_COLUMNS = ("id", "name", "panel", "conflicts")
RUBRICS_DIR = rubric_dir()  # the shipped rubrics, in a checkout or a wheel
# Every key contest.yaml may hold (notation of evalkit._yaml); others are refused.
SCHEMA = {"name": TEXT, "date": None, "rubric": None, "budget": None, "currency": None,
          "rounds": [{"id": None, "label": TEXT}]}


@dataclass(frozen=True)
class Round:
    id: str
    label: Text


@dataclass
class Contest:
    """A loaded, validated contest. ``scores`` is the long score table from
    scores.csv (with a ``panel`` column from judges.csv); live scores live in the
    store (:meth:`open_store`)."""
    dir: Path
    name: Text
    date: str
    rubric: Rubric
    projects: pd.DataFrame
    judges: pd.DataFrame
    scores: pd.DataFrame
    budget: float
    currency: str = "CNY"
    rounds: tuple[Round, ...] = (Round("final", Text("决赛", "Final")),)
    _conflicts: dict = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.dir.name

    @property
    def default_round(self) -> str:
        return self.rounds[0].id

    @property
    def project_ids(self) -> list[str]:
        return list(self.projects["id"])

    @property
    def judge_ids(self) -> list[str]:
        return list(self.judges["id"])

    def judge_panels(self) -> dict[str, str]:
        return dict(zip(self.judges["id"], self.judges["panel"]))

    def is_conflicted(self, judge: str, project: str) -> bool:
        """True when the judge must not score the project (回避): the project's id or
        its organisation is listed in the judge's conflicts."""
        marks = self._conflicts.get(judge)
        if not marks:
            return False
        org = self._organisations().get(project)
        return project in marks or (org is not None and org in marks)

    def _organisations(self) -> dict:
        # project -> organisation, kept while the projects frame is the same object: the
        # live pages ask this for every judge on every push
        cached = self.__dict__.get("_org_cache")
        if cached is None or cached[0] is not self.projects:
            cached = (self.projects, dict(zip(self.projects["id"], self.projects["organisation"])))
            self.__dict__["_org_cache"] = cached
        return cached[1]

    def conflicted_pairs(self) -> list[tuple[str, str]]:
        return [(j, p) for j in self.judge_ids for p in self.project_ids if self.is_conflicted(j, p)]

    def open_store(self, path=None, **kwargs):
        """The contest's SQLite score store (default ``evalkit.db`` in the folder): the
        earlier spelling of :func:`evalkit.store.open_store`, kept for callers of earlier
        issues. The store depends on the contest model, not the reverse: this method is
        the model's only reference to it and loads it only when called."""
        from .store import open_store
        return open_store(self, path, **kwargs)

    def completeness(self, scores: pd.DataFrame | None = None) -> pd.DataFrame:
        return completeness(self.scores if scores is None else scores, self.rubric, self.judge_ids,
                            self.project_ids, conflicts=self.is_conflicted)

    def with_panels(self, scores: pd.DataFrame) -> pd.DataFrame:
        """Add each judge's panel to a long score table (what rank() uses for panels)."""
        out = scores.copy()
        out["panel"] = out["judge"].map(self.judge_panels())
        return out

    def summary(self, scores: pd.DataFrame | None = None, lang: str = "zh") -> str:
        """A short text summary: projects, judges, completeness, judges' totals."""
        scores = self.scores if scores is None else scores
        comp = self.completeness(scores)
        need = comp[comp["state"] != "conflict"]
        done = int((need["state"] == "complete").sum())
        zh = lang == "zh"
        lines = [
            f"{self.name.get(lang)}  ({self.date})",
            (f"评分标准: {self.rubric.title.zh}  规则: {self.rubric.rule.text('zh')}" if zh else
             f"Rubric: {self.rubric.title.en}  rule: {self.rubric.rule.text('en')}"),
            (f"项目 {len(self.projects)} 个, 评委 {len(self.judges)} 位, 资金 {self.budget:,.0f} {self.currency}" if zh else
             f"{len(self.projects)} projects, {len(self.judges)} judges, fund {self.budget:,.0f} {self.currency}"),
            (f"评分完成度: {done}/{len(need)} 个评委×项目 (回避 {len(comp) - len(need)} 个)" if zh else
             f"Completeness: {done}/{len(need)} judge x project pairs (conflicts {len(comp) - len(need)})"),
        ]
        t = totals(scores, self.rubric)
        if len(t):
            table = t.pivot_table(index="project", columns="judge", values="total").reindex(self.project_ids)
            lines.append("评委总分 (judges' totals):" if zh else "Judges' totals:")
            lines.append(table.round(1).to_string(na_rep="-"))
        return "\n".join(lines)


def _resolve_rubric(value: str, folder: Path) -> Path:
    candidates = [folder / value]
    if os.environ.get("EVALKIT_RUBRICS"):
        candidates.append(Path(os.environ["EVALKIT_RUBRICS"]) / Path(value).name)
    candidates.append(RUBRICS_DIR / Path(value).name)
    for c in candidates:
        if c.is_file():
            return c
    return candidates[0]


def _label(value, doc: Located, path: tuple) -> Text:
    """A contest text (name, round label): plain text or {zh: ..., en: ...}."""
    text, _ = bilingual(value if isinstance(value, (dict, list)) else str(value))
    if text is None:
        raise ContestError("expected a text, or zh and en texts", where=doc.where(path), key=dotted(path),
                           expected="{zh: ..., en: ...}", found=repr(value), zh="应为文字，或中英文文字 {zh: …, en: …}")
    return text


def _number(value, where, key, error_cls=ContestError, *, positive=False, allow_zero=True) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        x = float(str(value).replace(",", "")) if value is not None else math.nan
    except ValueError:
        raise error_cls(f"'{value}' is not a number", where=where, key=key, expected="a number", found=value) from None
    if not math.isfinite(x):
        raise error_cls(f"{key} is missing or not finite", where=where, key=key, expected="a number", found=value)
    if positive and (x < 0 or (x == 0 and not allow_zero)):
        raise error_cls(f"{key} must be {'positive' if not allow_zero else 'zero or more'}", where=where, key=key,
                        expected="> 0" if not allow_zero else ">= 0", found=x)
    return x


def load_contest(path) -> Contest:
    """Load and cross-check a contest folder.

    Every error names the file and row: unknown judge, project or criterion; a score
    outside its scale or with too many decimals; duplicates; a conflicted judge
    scoring; requested < min_amount; budget <= 0. CSV files may be UTF-8 (with or
    without BOM) or GBK/GB18030.

    Example
    -------
    >>> contest = ek.load_contest("data/demo-huaihe")     # doctest: +SKIP
    >>> len(contest.projects), contest.budget               # doctest: +SKIP
    (22, 260000.0)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ContestError("not a contest folder", where=str(folder), expected="a folder with contest.yaml",
                           found="no such folder", zh="不是大赛目录（缺少 contest.yaml）")
    doc = read_yaml(folder / "contest.yaml", ContestError)
    meta = doc.data
    if not isinstance(meta, dict):
        raise ContestError("contest.yaml must be a mapping", where=doc.file, expected="a mapping",
                           found=type(meta).__name__, zh="contest.yaml 须为键值映射")
    errors: list[ContestError] = unknown_keys(doc, meta, SCHEMA, ContestError)

    def need(key):
        if meta.get(key) is None:
            errors.append(ContestError(f"'{key}' is missing", where=doc.file, key=key, expected=f"a value for {key}",
                                       found="nothing", zh=f"缺少 '{key}'"))
        return meta.get(key)

    name_raw, rubric_ref, budget_raw = need("name"), need("rubric"), need("budget")
    raise_all(errors)
    name = _label(name_raw, doc, ("name",))
    budget = _number(budget_raw, doc.where(("budget",)), "budget")
    if budget <= 0:
        raise ContestError(f"budget {budget:g} must be positive", where=doc.where(("budget",)), key="budget",
                           expected="> 0", found=budget, zh=f"资金总额 {budget:g} 必须大于 0")
    rounds_raw = meta.get("rounds") or [{"id": "final", "label": {"zh": "决赛", "en": "Final"}}]
    if not isinstance(rounds_raw, list):
        raise ContestError("rounds must be a list", where=doc.where(("rounds",)), key="rounds",
                           expected="[{id: ..., label: ...}, ...]", found=repr(rounds_raw), zh="rounds（评审轮次）须为列表")
    rounds = []
    for i, r in enumerate(rounds_raw):
        if isinstance(r, str):
            rounds.append(Round(r, Text(r, r)))
        elif isinstance(r, dict) and r.get("id"):
            rounds.append(Round(str(r["id"]), _label(r.get("label") or r["id"], doc, ("rounds", i, "label"))))
        else:
            raise ContestError("a round needs an id", where=doc.where(("rounds", i)), key=f"rounds[{i}]",
                               expected="{id: ..., label: ...}", found=repr(r), zh="每个评审轮次需要编号 id")
    rubric = load_rubric(_resolve_rubric(str(rubric_ref), folder))

    projects = _load_projects(folder / "projects.csv")
    judges = _load_judges(folder / "judges.csv", projects, rubric)
    contest = Contest(dir=folder, name=name, date=str(meta.get("date", "")), rubric=rubric, projects=projects,
                      judges=judges, scores=pd.DataFrame(columns=["judge", "project", "criterion", "score", "round"]),
                      budget=budget, currency=str(meta.get("currency", "CNY")), rounds=tuple(rounds))
    contest._conflicts = {j: set(c) for j, c in zip(judges["id"], judges["conflicts"])}
    scores_file = folder / "scores.csv"
    if scores_file.exists():
        contest.scores = read_scores_csv(scores_file, contest)
    return contest


def _load_projects(path: Path) -> pd.DataFrame:
    df = read_csv_text(path, ContestError, required=("id", "name", "requested"))
    lines = df.attrs["lines"]
    errors = []
    for col in ("organisation", "category", "min_amount", "name_en"):
        if col not in df.columns:
            df[col] = None
    req, mins = [], []
    for i, row in enumerate(df.itertuples(index=False)):
        where = f"{path} row {lines[i]}"
        if not row.id:
            errors.append(ContestError("project id is empty", where=where, key="id", expected="an id", found="nothing", zh="项目编号为空"))
        try:
            r = _number(row.requested, where, "requested", positive=True, allow_zero=False)
            m = _number(row.min_amount, where, "min_amount", positive=True) if row.min_amount is not None else r
            if m > r:
                errors.append(ContestError(f"min_amount {m:g} is above requested {r:g}", where=where, key="min_amount",
                                           expected=f"<= requested ({r:g})", found=m, zh=f"最低资助额 {m:g} 高于申请金额 {r:g}"))
        except ContestError as exc:
            errors.append(exc)
            r = m = math.nan
        req.append(r)
        mins.append(m)
    dup = df["id"].duplicated()
    for i in dup[dup].index:
        errors.append(ContestError(f"project id '{df['id'][i]}' appears twice", where=f"{path} row {lines[i]}",
                                   key="id", expected="unique ids", found=df["id"][i], zh=f"项目编号 '{df['id'][i]}' 出现两次"))
    raise_all(errors)
    df["requested"] = req
    df["min_amount"] = mins
    df["name_en"] = df["name_en"].fillna(df["name"])
    return df[["id", "name", "name_en", "organisation", "category", "requested", "min_amount"]
              + [c for c in df.columns if c not in PROJECT_COLUMNS + ("name_en",)]].reset_index(drop=True)


def _load_judges(path: Path, projects: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    df = read_csv_text(path, ContestError, required=("id", "name"))
    lines = df.attrs["lines"]
    for col in ("panel", "conflicts"):
        if col not in df.columns:
            df[col] = None
    panels = [p.id for p in rubric.panels]
    known = set(projects["id"]) | set(projects["organisation"].dropna())
    errors, conflicts = [], []
    for i, row in enumerate(df.itertuples(index=False)):
        where = f"{path} row {lines[i]}"
        if not row.id:
            errors.append(ContestError("judge id is empty", where=where, key="id", expected="an id", found="nothing", zh="评委编号为空"))
        if panels and row.panel not in panels:
            errors.append(ContestError(f"unknown panel '{row.panel}'", where=where, key="panel",
                                       expected="one of " + ", ".join(panels), found=row.panel, zh=f"未知的评审组 '{row.panel}'"))
        marks = [m.strip() for m in (row.conflicts or "").replace("；", ";").split(";") if m.strip()]
        for m in marks:
            if m not in known:
                errors.append(ContestError(f"conflict '{m}' is neither a project id nor an organisation", where=where,
                                           key="conflicts", expected="project ids or organisation names", found=m, zh=f"回避项 '{m}' 既不是项目编号也不是机构名称"))
        conflicts.append(tuple(marks))
    dup = df["id"].duplicated()
    for i in dup[dup].index:
        errors.append(ContestError(f"judge id '{df['id'][i]}' appears twice", where=f"{path} row {lines[i]}", key="id",
                                   expected="unique ids", found=df["id"][i], zh=f"评委编号 '{df['id'][i]}' 出现两次"))
    raise_all(errors)
    df["conflicts"] = conflicts
    if not panels:
        df["panel"] = df["panel"].fillna("all")
    return df[["id", "name", "panel", "conflicts"] + [c for c in df.columns if c not in JUDGE_COLUMNS]].reset_index(drop=True)
