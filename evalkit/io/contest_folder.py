"""Create a contest folder from a rubric and project and judge lists (the Setup tab's
"new contest"): written to a temporary folder, validated by :func:`load_contest`,
then moved into place, so a bad list leaves nothing half written."""
from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from ..contest import RUBRICS_DIR, Contest, load_contest
from ..errors import ContestError
from ..text import term

__all__ = ["create_contest"]


def _frame(data, what: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    text = str(data).strip()
    if not text:
        raise ContestError(f"the {what} list is empty", where=what, expected="CSV text with a header row",
                           found="nothing", zh=f"{term(what)}名单为空")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ContestError(f"the {what} list is not CSV", where=what, expected="CSV text with a header row",
                           found=str(exc).splitlines()[0],
                           zh=f"{term(what)}名单不是 CSV 格式（须有标题行）") from None


def create_contest(folder, *, name, rubric, budget, projects, judges, date: str = "", currency: str = "CNY",
                   name_en: str | None = None) -> Contest:
    """Write ``folder`` (contest.yaml, projects.csv, judges.csv) and return the loaded
    contest. ``rubric``: a shipped rubric's file name (rubrics/) or a path (copied
    in). ``projects``/``judges``: CSV text (pasted) or DataFrames with the columns of
    contest folders (see evalkit.contest).

    >>> create_contest("data/my-contest", name="某街道公益创投大赛", rubric="gongyi-chuangtou.yaml",
    ...                budget=200000, projects=projects_csv, judges=judges_csv)   # doctest: +SKIP
    """
    folder = Path(folder)
    if folder.exists():
        raise ContestError("the folder exists already", where=str(folder), expected="a new folder name",
                           found="an existing folder", zh="该大赛目录已存在，请换一个名称")
    rubric_path = Path(rubric)
    shipped = (RUBRICS_DIR / rubric_path.name).is_file() and not rubric_path.is_file()
    if not shipped and not rubric_path.is_file():
        raise ContestError(f"no rubric '{rubric}'", where="rubric", expected="a rubric file or a shipped rubric name",
                           found=str(rubric), zh=f"找不到评分细则 '{rubric_path.name}'")
    meta = {"name": {"zh": str(name), "en": str(name_en or name)}, "date": str(date),
            "rubric": rubric_path.name, "budget": float(budget), "currency": currency}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        (tmp / "contest.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), "utf-8")
        if not shipped:
            shutil.copy(rubric_path, tmp / rubric_path.name)
        _frame(projects, "projects").to_csv(tmp / "projects.csv", index=False)
        _frame(judges, "judges").to_csv(tmp / "judges.csv", index=False)
        load_contest(tmp)
        tmp.rename(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return load_contest(folder)
