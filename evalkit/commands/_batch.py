"""What the batch commands (rank, agreement, allocate, compare) share: reading a
contest folder, a research folder or a long CSV as a list of contests, and printing a
frame as a readable table or as JSON."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..display import format_score
from ..errors import DataError

#: columns on the rubric's total scale, shown with the rule's decimals (四舍五入)
SCORE_COLUMNS = ("score", "ci_low", "ci_high")


@dataclass
class Batch:
    id: str
    scores: pd.DataFrame
    rubric: object = None
    projects: pd.DataFrame | None = None     # project, requested, ... (index-free)
    budget: float | None = None


def add_input_arguments(p) -> None:
    p.add_argument("path", help="a contest folder, a folder of many contests (read_contests) or a long CSV "
                                "/ 大赛目录、多场大赛目录或长表 CSV")
    p.add_argument("--rubric", help="rubric YAML for a long CSV of criterion scores / 评分标准文件")
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout / 输出 JSON")


def load(args) -> list[Batch]:
    """Contests from ``args.path``: a contest folder (contest.yaml), a folder or file
    that ``evalkit.io.read_contests`` reads (a ``contest`` column splits it)."""
    from ..rubric import load_rubric
    path = Path(args.path)
    rubric = load_rubric(args.rubric) if getattr(args, "rubric", None) else None
    if path.is_dir() and (path / "contest.yaml").exists():
        from ..contest import load_contest
        c = load_contest(path)
        projects = c.projects.rename(columns={"id": "project"})
        return [Batch(c.id, c.scores, rubric or c.rubric, projects, c.budget)]
    from ..io.contests import read_contests
    if path.is_file() and path.suffix == ".csv":
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        if "contest" not in head:                # one contest in a plain long CSV
            df = pd.read_csv(path, dtype={"judge": str, "project": str, "criterion": str}, encoding="utf-8-sig")
            _require_rubric(df, rubric, path)
            return [Batch(path.stem, df, rubric)]
    cs = read_contests(path)
    rubric = rubric or cs.rubric
    _require_rubric(cs.scores, rubric, path)
    budgets = (cs.contests.set_index("contest")["budget"] if cs.contests is not None and "budget" in cs.contests
               else pd.Series(dtype=float))
    out = []
    for cid, g in cs.scores.groupby("contest", sort=True):
        proj = None
        if cs.projects is not None:
            proj = cs.projects[cs.projects["contest"] == cid].drop(columns="contest")
        b = budgets.get(cid)
        out.append(Batch(str(cid), g.drop(columns="contest"), rubric, proj,
                         None if b is None or pd.isna(b) else float(b)))
    return out


def _require_rubric(df, rubric, path) -> None:
    if "criterion" in df.columns and rubric is None:
        raise DataError("criterion scores need a rubric: pass --rubric", where=str(path),
                        key="--rubric", expected="a rubric YAML file", found=None,
                        zh="按指标的评分需要评分细则：请用 --rubric 指定")



def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if x is pd.NA:
        return None
    if hasattr(x, "item"):
        return _clean(x.item())
    return x


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def shown(frame: pd.DataFrame, decimals: int) -> pd.DataFrame:
    """``frame`` as the text table prints it: the score columns as the text every page
    shows (:func:`evalkit.display.format_score`, the rule's decimals)."""
    out = frame.copy()
    for c in SCORE_COLUMNS:
        if c in out:
            out[c] = [format_score(v, decimals) for v in out[c]]
    return out


def emit(args, frames: dict[str, pd.DataFrame], title: str, extra: dict | None = None, *,
         decimals: dict[str, int] | None = None) -> None:
    """Print {contest id: frame}: JSON (``--json``) or one readable table per contest.

    With ``decimals`` ({contest id: the rule's decimals}) the readable table shows the
    score columns as every page does; the JSON keeps the unrounded values and carries
    ``decimals`` so a program can show them the same way."""
    if args.json:
        out = {"command": title, "contests": {cid: records(f) for cid, f in frames.items()}}
        if decimals:
            out["decimals"] = dict(decimals)
        if extra:
            out.update(extra)
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return
    for cid, f in frames.items():
        if decimals and cid in decimals:
            f = shown(f, decimals[cid])
        print(f"== {cid} ==  {title}")
        print(f.to_string(index=False, float_format=lambda v: f"{v:.3f}") if len(f) else "(empty)")
        print()
