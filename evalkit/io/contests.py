"""Many contests at once, for research: ``read_contests(path)``.

``path`` is one long score file, or a folder holding

* ``scores``   (required): contest, judge, project, [criterion], score
* ``projects`` (optional): contest, project, [requested], [awarded], any other columns
  (category, organisation, street, year ...)
* ``outcomes`` (optional): contest, project, outcome, [period], value -- later
  evaluations, e.g. outcome "monthly" (period 1..12, ten-point scale) and "year_end"
* ``contests`` (optional): contest, [year], [street], [budget], [rubric] -- one row a contest
* ``rubric.yaml`` (optional): the rubric all contests were scored on (or a ``rubric``
  column in contests naming a file in the folder or in rubrics/)

each as ``.csv``, ``.csv.gz`` or ``.parquet``. CSV text may be UTF-8 (with or without
BOM) or GB18030. Every problem is reported as a DataError naming the file and row
(row 2 = the first data row of a CSV), what was expected and what was found.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, EvalkitError, raise_all
from ..text import TERMS, term

TABLES = ("scores", "projects", "outcomes", "contests")
SUFFIXES = (".parquet", ".csv.gz", ".csv")
REQUIRED = {"scores": ("contest", "judge", "project", "score"), "projects": ("contest", "project"),
            "outcomes": ("contest", "project", "outcome", "value"), "contests": ("contest",)}
IDS = ("contest", "judge", "project", "criterion", "outcome")
NUMBERS = {"scores": ("score",), "projects": ("requested", "awarded"), "outcomes": ("value", "period"),
           "contests": ("budget", "year")}
KEYS = {"scores": ("contest", "judge", "project", "criterion"), "projects": ("contest", "project"),
        "outcomes": ("contest", "project", "outcome", "period"), "contests": ("contest",)}
MAX_REPORTED = 20
#: column -> its name in Chinese messages
def _col_zh(c: str) -> str:
    """'requested'（申请金额）: a column as Chinese messages name it."""
    return f"'{c}'（{term(c)}）" if c in TERMS else f"'{c}'"


@dataclass
class ContestSet:
    """What :func:`read_contests` returns: long tables keyed by ``contest``."""
    scores: pd.DataFrame
    projects: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    contests: pd.DataFrame | None = None
    rubric: object = None          # evalkit.rubric.Rubric or None
    path: Path | None = None

    @property
    def contest_ids(self) -> list[str]:
        return sorted(self.scores["contest"].unique())

    def __repr__(self) -> str:
        parts = [f"{len(self.contest_ids)} contests", f"{len(self.scores):,} scores"]
        for name in ("projects", "outcomes"):
            t = getattr(self, name)
            if t is not None:
                parts.append(f"{len(t):,} {name}")
        return f"ContestSet({', '.join(parts)})"


def _read(path: Path) -> pd.DataFrame:
    file = str(path)
    name = path.name
    if path.name.endswith(".parquet"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types on a bad file
            raise DataError("cannot read the Parquet file", where=file, expected="a Parquet table",
                            found=str(exc)[:200], zh=f"无法读取 Parquet 文件 {name}") from None
        for c in IDS:
            if c in df:
                df[c] = df[c].astype("string").astype(object).where(df[c].notna(), None)
        return df
    last = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype={c: str for c in IDS}, encoding=enc, skipinitialspace=True)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.ParserError as exc:
            raise DataError("the CSV file is malformed", where=file, expected="a rectangular CSV table",
                            found=str(exc)[:200], zh=f"CSV 文件 {name} 格式有误（各行列数不一致）") from None
        except pd.errors.EmptyDataError:
            raise DataError("the file is empty", where=file, expected="a header row", found="nothing",
                            zh=f"文件 {name} 是空的（没有表头行）") from None
    raise DataError("the file is neither UTF-8 nor GBK/GB18030 text", where=file, expected="UTF-8 or GBK text",
                    found=str(last)[:120], zh=f"文件 {name} 既不是 UTF-8 也不是 GBK/GB18030 编码的文本")


def _find(folder: Path, name: str) -> Path | None:
    for suffix in SUFFIXES:
        p = folder / f"{name}{suffix}"
        if p.exists():
            return p
    return None


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    idx = np.flatnonzero(mask)[:limit] + 2
    more = "" if mask.sum() <= limit else f" … ({int(mask.sum())} rows)"
    return ", ".join(map(str, idx)) + more


def _rows_zh(mask: np.ndarray, limit: int = 5) -> str:
    """第 2、3 行 (the rows as :func:`_rows` counts them)."""
    idx = np.flatnonzero(mask)[:limit] + 2
    more = "" if mask.sum() <= limit else f" …（共 {int(mask.sum())} 行）"
    return f"第 {'、'.join(map(str, idx))} 行" + more


def _check(df: pd.DataFrame, table: str, file: str, errors: list) -> pd.DataFrame:
    name = Path(file).name
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing:
        errors.append(DataError(f"missing column(s) {', '.join(missing)}", where=file, key=missing[0],
                                expected="columns " + ", ".join(REQUIRED[table]), found=list(map(str, df.columns)),
                                zh=f"{name} 缺少列：{'、'.join(map(_col_zh, missing))}"))
        return df
    for c in IDS:
        if c in df:
            s = df[c].astype("string").str.strip()
            empty = (s.isna() | (s == "")).to_numpy()
            if empty.any() and not (c == "criterion" and table == "scores" and empty.all()):
                errors.append(DataError(f"empty {c} id", where=f"{file} row {_rows(empty)}", key=c,
                                        expected="an id", found="an empty cell",
                                        zh=f"{name} {_rows_zh(empty)}：{_col_zh(c)}编号为空"))
            df[c] = s.astype(object)
    for c in NUMBERS[table]:
        if c in df:
            num = pd.to_numeric(df[c], errors="coerce")
            bad = (num.isna() & df[c].notna()) | ~np.isfinite(num.fillna(0))
            if c in REQUIRED[table]:
                bad |= num.isna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                errors.append(DataError(f"'{c}' must be a number", where=f"{file} row {_rows(bad.to_numpy())}",
                                        key=c, expected="a number", found=df[c].iloc[i],
                                        zh=f"{name} {_rows_zh(bad.to_numpy())}：{_col_zh(c)}须为数字，"
                                           f"现为 '{df[c].iloc[i]}'"))
            neg = (num < 0).to_numpy()
            if c in ("requested", "awarded", "budget") and neg.any():
                errors.append(DataError(f"'{c}' must not be negative", where=f"{file} row {_rows(neg)}",
                                        key=c, expected=">= 0", found=float(num[neg].iloc[0]),
                                        zh=f"{name} {_rows_zh(neg)}：{_col_zh(c)}不能为负数"))
            df[c] = num
    keys = [k for k in KEYS[table] if k in df]
    dup = _duplicated(df, keys)
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        found = ", ".join(str(df[k].iloc[i]) for k in keys)
        errors.append(DataError("duplicate row", where=f"{file} row {_rows(dup)}", key=", ".join(keys),
                                expected="one row per " + ", ".join(keys), found=found,
                                zh=f"{name} {_rows_zh(dup)}：重复记录（{'、'.join(map(_col_zh, keys))}相同：{found}）"))
    if table == "projects" and {"requested", "awarded"} <= set(df):
        over = (df["awarded"] > df["requested"] + 1e-9).to_numpy()
        if over.any():
            i = int(np.flatnonzero(over)[0])
            errors.append(DataError("awarded more than requested", where=f"{file} row {_rows(over)}",
                                    key="awarded", expected=f"<= {df['requested'].iloc[i]:g}",
                                    found=float(df["awarded"].iloc[i]),
                                    zh=f"{name} {_rows_zh(over)}：资助金额 {df['awarded'].iloc[i]:g} "
                                       f"超过申请金额 {df['requested'].iloc[i]:g}"))
    return df


def _duplicated(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Rows repeating an earlier row's keys, by combining integer codes (fast on millions of rows)."""
    code = np.zeros(len(df), np.int64)
    for k in keys:
        c, u = pd.factorize(df[k], use_na_sentinel=False)
        code, _ = pd.factorize(code * (len(u) + 1) + c)
        code = code.astype(np.int64)
    return pd.Series(code).duplicated(keep="first").to_numpy()


def _unknown(df, ref, keys, file, ref_file, errors):
    """Rows of ``df`` whose keys are not in ``ref`` (e.g. scores of unknown projects)."""
    known = pd.MultiIndex.from_frame(ref[list(keys)].astype(str))
    bad = ~pd.MultiIndex.from_frame(df[list(keys)].astype(str)).isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        found = ", ".join(str(df[k].iloc[i]) for k in keys)
        errors.append(DataError(f"unknown {' / '.join(keys)} (not in {Path(ref_file).name})",
                                where=f"{file} row {_rows(bad)}", key=", ".join(keys),
                                expected=f"a row of {ref_file}", found=found,
                                zh=f"{Path(file).name} {_rows_zh(bad)}：{'、'.join(map(_col_zh, keys))}编号 {found} "
                                   f"不在 {Path(ref_file).name} 中"))


def read_contests(path) -> ContestSet:
    """Read many contests with their projects and outcomes (see the module docstring).

    Example
    -------
    >>> cs = ek.io.read_contests("data/research-multi")   # doctest: +SKIP
    >>> cs.scores.head(); cs.outcomes.head()                # doctest: +SKIP
    """
    path = Path(path)
    if path.is_dir():
        files = {t: _find(path, t) for t in TABLES}
        if files["scores"] is None:
            raise DataError("no scores table in the folder", where=str(path), key="scores",
                            expected="scores.csv, scores.csv.gz or scores.parquet",
                            found=sorted(p.name for p in path.iterdir())[:20],
                            zh="文件夹中缺少评分表（scores.csv、scores.csv.gz 或 scores.parquet）")
    elif path.exists():
        files = {"scores": path}
    else:
        raise DataError("no such file or folder", where=str(path), expected="a file or folder",
                        found="nothing", zh=f"文件或文件夹 {path.name} 不存在")
    errors: list[EvalkitError] = []
    tables = {}
    for t, f in files.items():
        if f is not None:
            tables[t] = _check(_read(f), t, str(f), errors)
    raise_all(errors)
    scores = tables["scores"]
    if "criterion" in scores and scores["criterion"].isna().all():
        scores = scores.drop(columns="criterion")
    if "projects" in tables:
        _unknown(scores, tables["projects"], ("contest", "project"), str(files["scores"]), str(files["projects"]),
                 errors)
        if "outcomes" in tables:
            _unknown(tables["outcomes"], tables["projects"], ("contest", "project"), str(files["outcomes"]),
                     str(files["projects"]), errors)
    if "contests" in tables:
        _unknown(scores, tables["contests"], ("contest",), str(files["scores"]), str(files["contests"]), errors)
    raise_all(errors)
    rubric = _rubric(path, tables.get("contests")) if path.is_dir() else None
    return ContestSet(scores.reset_index(drop=True), tables.get("projects"), tables.get("outcomes"),
                      tables.get("contests"), rubric, path)


def _rubric(folder: Path, contests: pd.DataFrame | None):
    from ..contest import RUBRICS_DIR
    from ..rubric import load_rubric
    if (folder / "rubric.yaml").exists():
        return load_rubric(folder / "rubric.yaml")
    if contests is None or "rubric" not in contests:
        return None
    names = contests["rubric"].dropna().unique()
    if len(names) != 1:
        raise DataError("contests are scored on different rubrics; read them one rubric at a time",
                        where=str(folder / "contests"), key="rubric", expected="one rubric", found=list(names),
                        zh=f"各大赛使用了不同的评分标准（{'、'.join(map(str, names))}），请按评分标准分别读取")
    name = str(names[0])
    return load_rubric(folder / name if (folder / name).exists() else RUBRICS_DIR / name)
