"""Reading the score workbooks secretaries keep in Excel.

Two layouts, found per sheet:

- wide: one sheet per judge, projects as rows, criteria as columns. The judge is
  the sheet's name (judge id or name) or a cell above the header such as
  ``评委：王建国``. Headers may sit under merged title or group cells, span two
  rows, and carry the maximum in brackets (``创新性（15分）``); they are matched to
  the rubric's labels (Chinese or English) or ids. Projects are matched by id or name.
- long: columns judge, project, criterion, score (Chinese or English headers:
  评委, 项目, 指标, 分数 ...), optional round.

Sheets with neither layout (instructions, 公示, summaries, an audit log with an
event column) are ignored and listed in ``attrs["ignored_sheets"]``. Every problem
is reported by sheet and cell (``评委3!D7: 18 is above the maximum 15 of Innovation``).
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import DataError, ScoreError, raise_all
from ..numbers import read_number
from ..scores import check_entry
from ..text import term

PROJECT_ID_HEADERS = {"项目编号", "编号", "项目id", "项目代码", "projectid", "project", "id", "code", "项目序号"}
PROJECT_NAME_HEADERS = {"项目名称", "项目", "名称", "项目名", "projectname", "name", "title"}
IGNORED_HEADERS = {"序号", "no", "no.", "#", "总分", "合计", "总计", "小计", "total", "sum", "得分", "平均分", "备注", "说明",
                   "remarks", "remark", "note", "notes", "comment", "comments", "评语", "机构", "申报机构", "申报单位",
                   "组织", "机构名称", "organisation", "organization", "类别", "类型", "领域", "category", "签名",
                   "评委签名", "排名", "rank", "项目名称(英文)", "nameen", "name_en"}
LONG_HEADERS = {
    "judge": {"judge", "评委", "评委编号", "评委姓名", "评审", "评审专家", "专家", "rater"},
    "project": PROJECT_ID_HEADERS | PROJECT_NAME_HEADERS,
    "criterion": {"criterion", "指标", "评分指标", "评审指标", "评分项目", "评分项", "item"},
    "score": {"score", "分数", "评分", "分值", "value", "rating"},
    "round": {"round", "轮次", "环节"},
}
EVENT_HEADERS = {"kind", "事件", "event", "hash", "哈希"}   # an audit log, not scores
SUMMARY_WORDS = ("汇总", "合计", "统计", "明细", "公示", "说明", "summary", "total", "readme", "instructions")
SUMMARY_ROWS = {"平均", "平均分", "合计", "总计", "小计", "average", "mean", "total", "签名", "评委签名"}
HEADER_SCAN_ROWS = 15
#: a score workbook unpacks to well under a megabyte; past this it is no score sheet (or
#: a zip bomb) and is refused before openpyxl unpacks it into the secretary's kernel
MAX_UNPACKED_BYTES = 200_000_000


def norm(text) -> str:
    """Header/label normal form: NFKC, bracketed notes (max points) and blanks removed, lower case."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[(\[【][^)\]】]*[)\]】]", "", s)
    return re.sub(r"\s+", "", s).strip(":：").lower()


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


class _Sheet:
    """A sheet's cells with merged ranges filled with their top-left value."""

    def __init__(self, ws):
        self.title = ws.title
        self.ws = ws
        self.nrows, self.ncols = ws.max_row, ws.max_column
        self.fill = {}
        for rng in ws.merged_cells.ranges:
            v = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.fill[(r, c)] = v

    def value(self, r, c):
        if (r, c) in self.fill:
            return self.fill[(r, c)]
        return self.ws.cell(r, c).value

    def text(self, r, c) -> str:
        v = self.value(r, c)
        return "" if v is None else str(v).strip()

    def where(self, r, c) -> str:
        from openpyxl.utils import get_column_letter
        return f"{self.title}!{get_column_letter(c)}{r}"


class _Lookup:
    """Names to ids for the contest's items, projects and judges."""

    def __init__(self, contest):
        r = contest.rubric
        self.items = {}
        for it in list(r.criteria) + list(r.veto_items) + list(r.bonus_items):
            for key in (it.id, it.label.zh, it.label.en):
                if key:
                    self.items.setdefault(norm(key), it.id)
        p = contest.projects
        self.projects = {}
        for col in ("id", "name", "name_en"):
            for pid, v in zip(p["id"], p[col]):
                if isinstance(v, str) and v:
                    self.projects.setdefault(norm(v), pid)
        j = contest.judges
        self.judges = {}
        for col in ("id", "name"):
            for jid, v in zip(j["id"], j[col]):
                if isinstance(v, str) and v:
                    self.judges.setdefault(norm(v), jid)


def _header(sheet: _Sheet, look: _Lookup):
    """(layout, header row, {column: role}) for the first row that reads as a header,
    or (None, None, None). Roles: item id, 'project_id', 'project_name', long column
    names, or ('unknown', text)."""
    for r in range(1, min(sheet.nrows, HEADER_SCAN_ROWS) + 1):
        heads = {}
        for c in range(1, sheet.ncols + 1):
            t = sheet.text(r, c)
            if not t and r > 1:                     # a two-row header: the group cell above
                t = sheet.text(r - 1, c)
            if t:
                heads[c] = norm(t)
        names = set(heads.values())
        if names & EVENT_HEADERS:
            return None, None, None
        long_roles = {}
        for role, aliases in LONG_HEADERS.items():
            col = next((c for c, h in heads.items() if h in aliases and c not in long_roles.values()), None)
            if col is not None:
                long_roles[role] = col
        if {"judge", "project", "criterion", "score"} <= set(long_roles):
            return "long", r, {c: role for role, c in long_roles.items()}
        items = {c: look.items[h] for c, h in heads.items() if h in look.items}
        pid = next((c for c, h in heads.items() if h in PROJECT_ID_HEADERS and c not in items), None)
        pname = next((c for c, h in heads.items() if h in PROJECT_NAME_HEADERS and c not in items and c != pid), None)
        if items and (pid or pname):
            roles = dict(items)
            if pid:
                roles[pid] = "project_id"
            if pname:
                roles[pname] = "project_name"
            for c, h in heads.items():
                if c not in roles and h not in IGNORED_HEADERS:
                    roles[c] = ("unknown", sheet.text(r, c) or sheet.text(r - 1, c))
            return "wide", r, roles
    return None, None, None


def _sheet_judge(sheet: _Sheet, header_row: int, look: _Lookup):
    if norm(sheet.title) in look.judges:
        return look.judges[norm(sheet.title)]
    pattern = re.compile(r"(?:评委|评委姓名|评审专家|专家|judge)\s*[:：·]?\s*(\S+)", re.I)
    for r in range(1, header_row):
        for c in range(1, sheet.ncols + 1):
            t = sheet.text(r, c)
            if not t:
                continue
            if norm(t) in ("评委", "评委姓名", "judge", "评审专家") and norm(sheet.text(r, c + 1)) in look.judges:
                return look.judges[norm(sheet.text(r, c + 1))]
            for m in pattern.finditer(t):
                if norm(m.group(1)) in look.judges:
                    return look.judges[norm(m.group(1))]
    return None


class _Reader:
    def __init__(self, contest, round_id):
        self.contest = contest
        self.look = _Lookup(contest)
        self.round = round_id
        self.rows: list[tuple] = []          # judge, project, criterion, score, round, cell
        self.seen: dict = {}
        self.errors: list[ScoreError] = []
        self.ignored: list[str] = []

    def error(self, message, zh, where, *, expected=None, found=None):
        self.errors.append(ScoreError(message, where=where, expected=expected, found=found, zh=zh))

    def score_cell(self, sheet, r, c, judge, project, item, round_id):
        cell = sheet.ws.cell(r, c)
        where = sheet.where(r, c)
        if _is_formula(cell):
            self.error(f"a formula is not accepted, enter the value ({cell.value})",
                       f"不接受公式，请直接填写分数（{cell.value}）", where,
                       expected="a number", found=str(cell.value))
            return
        v = cell.value
        if v is None or (isinstance(v, str) and not v.strip()):
            return
        if isinstance(v, str):  # typed as text: read it as every entry box does
            reading = read_number(v)
            if not reading.ok:
                if reading.problem == "ambiguous":
                    self.error(f"'{cell.value}' is ambiguous: use a decimal point (1,000 is one thousand or 1.000?)",
                               f"「{cell.value}」数值不明确（1,000 可能是一千，也可能是 1.000），请用小数点",
                               where, expected="a number", found=cell.value)
                else:
                    self.error(f"'{cell.value}' is not a number", f"「{cell.value}」不是数字", where,
                               expected="a number", found=cell.value)
                return
            v = reading.value
        try:
            value = check_entry(self.contest, judge, project, item, v, where)
        except ScoreError as exc:
            self.errors.append(exc)
            return
        key = (judge, project, item, round_id)
        if key in self.seen:
            self.error(f"duplicate score for ({judge}, {project}, {item}), first at {self.seen[key]}",
                       f"重复评分（{judge}、{project}、{item}），首次出现在 {self.seen[key]}", where, expected="one score per judge, project and criterion", found=value)
            return
        self.seen[key] = where
        self.rows.append((judge, project, item, value, round_id, where))

    def project_of(self, sheet, r, roles, filled):
        """The project id of row r, None for a blank/summary/footer row, or False (error recorded)."""
        for role in ("project_id", "project_name"):
            col = next((c for c, x in roles.items() if x == role), None)
            if col is None:
                continue
            t = sheet.text(r, col)
            if t:
                if norm(t) in self.look.projects:
                    return self.look.projects[norm(t)]
                if norm(t) in SUMMARY_ROWS or not filled:
                    return None         # a summary row or a footer note (签名, 日期) without scores
                self.error(f"unknown project '{t}'", f"未知项目「{t}」（不在 projects.csv 中）", sheet.where(r, col),
                           expected="a project id or name from projects.csv", found=t)
                return False
        return None

    def wide(self, sheet, header_row, roles):
        judge = _sheet_judge(sheet, header_row, self.look)
        if judge is None:
            self.error(f"unknown judge sheet '{sheet.title}': name the sheet by a judge's id or name, "
                       f"or put 评委：<name> above the header",
                       f"无法识别工作表「{sheet.title}」的评委：请以评委编号或姓名命名工作表，或在表头上方写“评委：姓名”",
                       sheet.title,
                       expected="one of " + ", ".join(self.contest.judge_ids), found=sheet.title)
            return
        for c, role in roles.items():
            if isinstance(role, tuple):
                self.error(f"unknown criterion header '{role[1]}'", f"未知评分指标表头「{role[1]}」",
                           sheet.where(header_row, c),
                           expected="a criterion of the rubric: " + ", ".join(self.contest.rubric.criterion_ids),
                           found=role[1])
        item_cols = [(c, role) for c, role in roles.items() if isinstance(role, str) and
                     role not in ("project_id", "project_name")]
        for r in range(header_row + 1, sheet.nrows + 1):
            filled = any(sheet.value(r, c) not in (None, "") for c, _ in item_cols)
            project = self.project_of(sheet, r, roles, filled)
            if project is False:
                continue
            if project is None:
                if filled and not any(norm(sheet.text(r, c)) in SUMMARY_ROWS for c in roles):
                    self.error("scores without a project", "此行有分数但没有项目", sheet.where(r, 1), expected="a project",
                               found="nothing")
                continue
            for c, item in item_cols:
                self.score_cell(sheet, r, c, judge, project, item, self.round)

    def long(self, sheet, header_row, roles):
        col = {role: c for c, role in roles.items()}
        known_rounds = {x.id for x in self.contest.rounds}
        for r in range(header_row + 1, sheet.nrows + 1):
            texts = {k: sheet.text(r, c) for k, c in col.items()}
            if not any(texts.values()):
                continue
            ok = True
            ids = {}
            for role, table in (("judge", self.look.judges), ("project", self.look.projects),
                                ("criterion", self.look.items)):
                t = texts[role]
                if norm(t) in table:
                    ids[role] = table[norm(t)]
                else:
                    self.error(f"unknown {role} '{t}'" if t else f"{role} is empty",
                               f"未知{term(role)}「{t}」" if t else f"{term(role)}为空",
                               sheet.where(r, col[role]), expected=f"a {role} of the contest", found=t or "nothing")
                    ok = False
            round_id = texts.get("round") or self.round
            if round_id not in known_rounds:
                self.error(f"unknown round '{round_id}'", f"未知评审轮次「{round_id}」", sheet.where(r, col["round"]),
                           expected="one of " + ", ".join(sorted(known_rounds)), found=round_id)
                ok = False
            if ok:
                self.score_cell(sheet, r, col["score"], ids["judge"], ids["project"], ids["criterion"], round_id)


def read_score_workbook(path, contest, partial: bool = False, *, sheets=None, round: str | None = None) -> pd.DataFrame:
    """Read a score workbook (.xlsx) into a long score table for ``contest``.

    Returns columns judge, project, criterion, score, round (ids, scores as float),
    ready for ``store.import_scores(frame)``. ``attrs["cells"]`` gives each row's
    source cell, ``attrs["ignored_sheets"]`` the sheets that hold no scores and
    ``attrs["skipped"]`` (partial mode) a frame of where/message for every cell
    left out.

    Every problem is reported with its sheet and cell: above the maximum, below the
    minimum, too many decimals, text, a formula (values only: a formula's cached
    result may be stale), unknown criterion header, unknown project, unknown judge
    sheet, duplicate, conflict of interest. With ``partial=False`` (default) any
    problem raises one ScoreError listing all (``.errors``) and nothing is returned;
    with ``partial=True`` the valid scores are returned and the rest listed.

    ``sheets``: names of the sheets to read (default all); ``round``: the round of
    wide sheets (default the contest's first).

    Example
    -------
    >>> df = ek.io.read_score_workbook("评分汇总.xlsx", contest)     # doctest: +SKIP
    >>> with contest.open_store() as store: store.import_scores(df)  # doctest: +SKIP
    """
    df, problems = read_workbook_with_problems(path, contest, sheets=sheets, round=round)
    if not partial:
        raise_all(problems)
    df.attrs["skipped"] = pd.DataFrame({"where": [e.where for e in problems], "message": [e.message for e in problems]})
    return df


def _refuse_oversized(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_BYTES (the sizes
    its zip directory declares: zipfile never unpacks past them)."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return                      # not a zip: openpyxl's refusal below says so
    if unpacked > MAX_UNPACKED_BYTES:
        mb, limit = unpacked // 1_000_000, MAX_UNPACKED_BYTES // 1_000_000
        raise DataError(f"the workbook unpacks to {mb} MB, far more than a score workbook", where=str(path),
                        expected=f"at most {limit} MB unpacked", found=f"{mb} MB",
                        zh=f"该工作簿解压后有 {mb} MB，远超评分表的大小（上限 {limit} MB），不予读取")


def read_workbook_with_problems(path, contest, *, sheets=None, round: str | None = None
                                ) -> tuple[pd.DataFrame, list[ScoreError]]:
    """The valid scores of a score workbook and the list of its problems (each a
    ScoreError naming its sheet and cell, with its text in Chinese and English); what
    :func:`read_score_workbook` does with ``partial=True``, for callers that show the
    problems themselves (evalkit.live.paper). A file that is no readable workbook, or
    holds no score sheet, raises DataError."""
    from openpyxl import load_workbook
    path = Path(path)
    if not path.is_file():
        raise DataError("no such workbook", where=str(path), expected="an .xlsx file", found="nothing",
                        zh="找不到该 Excel 工作簿")
    _refuse_oversized(path)
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:   # openpyxl raises several unrelated types for a bad file
        raise DataError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})", where=str(path),
                        expected="an .xlsx file", found=path.suffix,
                        zh="无法读取该 Excel 工作簿：请上传以 Excel 保存的 .xlsx 文件") from None
    names = wb.sheetnames if sheets is None else list(sheets)
    missing = [s for s in names if s not in wb.sheetnames]
    if missing:
        raise DataError(f"no such sheet: {', '.join(missing)}", where=str(path), key="sheets",
                        expected=", ".join(wb.sheetnames), found=missing,
                        zh=f"工作簿中没有工作表「{'」「'.join(missing)}」（现有：{'、'.join(wb.sheetnames)}）")
    known_rounds = [x.id for x in contest.rounds]
    if round is not None and round not in known_rounds:
        raise DataError(f"unknown round '{round}'", key="round", expected="one of " + ", ".join(known_rounds),
                        found=round, zh=f"未知评审轮次「{round}」（可选：{'、'.join(known_rounds)}）")
    reader = _Reader(contest, round or contest.default_round)
    for name in names:
        sheet = _Sheet(wb[name])
        layout, header_row, roles = _header(sheet, reader.look)
        if layout is None:
            reader.ignored.append(name)
        elif layout == "wide" and any(w in norm(name) for w in SUMMARY_WORDS) \
                and _sheet_judge(sheet, header_row, reader.look) is None:
            reader.ignored.append(name)
        else:
            getattr(reader, layout)(sheet, header_row, roles)
    df = pd.DataFrame([r[:5] for r in reader.rows], columns=["judge", "project", "criterion", "score", "round"])
    df["score"] = df["score"].astype(float)
    df.attrs["cells"] = [r[5] for r in reader.rows]
    df.attrs["ignored_sheets"] = reader.ignored
    if not reader.rows and not reader.errors:
        raise DataError("the workbook holds no score sheet", where=str(path),
                        expected="a sheet per judge (projects x criteria) or a long sheet", found=names,
                        zh="工作簿中没有评分表：应为每位评委一张表（项目 × 评分项），或一张“评委、项目、指标、分数”长表")
    return df, reader.errors
