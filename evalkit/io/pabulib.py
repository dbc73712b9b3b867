"""Reading pabulib .pb files (participatory-budgeting elections, pabulib.org).

A .pb file has three ';'-separated sections, META (key;value), PROJECTS (one row
per project) and VOTES (one row per voter, the ballot in ``vote`` as comma-separated
project ids, ``points`` alongside for cumulative and scoring ballots).
Format: Faliszewski et al., "Participatory Budgeting: Data, Tools and Analysis",
IJCAI 2023, and https://pabulib.org/format.

Votes become the long (judge, project, score) frame every evalkit rule takes:
approval and choose-1 ballots score 1; cumulative and scoring ballots their points;
ordinal ballots Borda points as pabutools counts them (ballot length - position - 1,
so the last-ranked project gets 0). A ballot that names a project twice is read as
pabutools reads it: approval keeps it once, cumulative/scoring keep the last points
given, ordinal keeps the first position (an ordered set) and the length counts
distinct projects.

The VOTES section is parsed column-wise with pandas (no per-ballot Python objects),
so an 80,000-voter file reads in about a second.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..text import term

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")


@dataclass
class PabulibElection:
    """One pabulib election: ``projects`` (project, cost, name, category, selected
    where present, and the file's other columns), ``votes`` (judge, project, score),
    ``budget`` (int when whole, else float), ``meta`` (dict of str), ``vote_type``,
    ``n_voters`` (all ballots, empty ones too: pass it to rule="mes" as ``n_voters=``
    so each voter's share is budget / ballots, as pabutools counts it)."""
    projects: pd.DataFrame
    votes: pd.DataFrame
    budget: int | float
    meta: dict = field(default_factory=dict)
    path: str = ""
    n_voters: int = 0   # ballots in VOTES, empty ones included (pabutools' num_ballots)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "")

    def __repr__(self) -> str:
        return (f"PabulibElection({Path(self.path).name!r}, {len(self.projects)} projects, "
                f"{self.votes['judge'].nunique()} voters, budget {self.budget}, {self.vote_type})")


def _number(text: str, where: str, key: str) -> int | float:
    text = text.strip().replace(",", ".")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise DataError("not a number", where=where, key=key, expected="a number", found=text,
                        zh=f"{term(key)} {key} 的值 '{text}' 不是数字") from None
    return int(value) if value.denominator == 1 else float(value)


def _split_sections(text: str, path: str) -> dict[str, tuple[int, str]]:
    """Section name -> (line number of its header, its text with the header line)."""
    lines = text.splitlines()
    starts = [(i, line.strip().lower()) for i, line in enumerate(lines)
              if line.strip().lower() in SECTIONS]
    found = [name for _, name in starts]
    for name in ("meta", "projects"):
        if name not in found:
            raise DataError(f"pabulib file has no {name.upper()} section", where=path,
                            expected="META, PROJECTS and VOTES sections", found=", ".join(found) or "none",
                            zh=f"pabulib 文件 {Path(path).name} 缺少 {name.upper()} 部分")
    out = {}
    for k, (i, name) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        out[name] = (i + 2, "\n".join(lines[i + 1:end]))
    return out


def _frame(section: str) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(section), sep=";", dtype=str, keep_default_na=False,
                     skip_blank_lines=True)
    df.columns = [c.strip() for c in df.columns]
    return df


def read_pabulib(path) -> PabulibElection:
    """Read a pabulib .pb file into a :class:`PabulibElection`.

    Example::

        e = ek.io.read_pabulib("Netherlands_Assen_2024.pb")
        score = e.votes.groupby("project")["score"].sum()     # approvals per project
        ek.allocate(e.projects.assign(score=score.reindex(e.projects.project).values),
                    e.budget, rule="greedy", cost="cost")
    """
    path = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found", where=path, expected="a pabulib .pb file", found="nothing",
                        zh=f"找不到文件 {Path(path).name}") from None
    except UnicodeDecodeError as e:
        raise DataError("pabulib files are UTF-8", where=f"{path} byte {e.start}",
                        expected="UTF-8 text", found="undecodable bytes",
                        zh=f"pabulib 文件须为 UTF-8 编码：{Path(path).name} 第 {e.start} 字节无法解码") from None
    sections = _split_sections(text, path)

    meta_df = _frame(sections["meta"][1])
    meta = {str(k).strip(): str(v).strip() for k, v in zip(meta_df.iloc[:, 0], meta_df.iloc[:, 1])}
    if "budget" not in meta:
        raise DataError("META has no budget", where=path, key="budget", expected="budget;<amount>", found="missing",
                        zh="META 部分缺少资金总额（budget;<金额>）")
    budget = _number(meta["budget"], path, "budget")
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in VOTE_TYPES:
        raise DataError("unknown vote_type", where=path, key="vote_type",
                        expected=" / ".join(VOTE_TYPES), found=vote_type,
                        zh=f"未知的投票类型 vote_type：'{vote_type}'（可选 {'、'.join(VOTE_TYPES)}）")

    projects = _frame(sections["projects"][1]).rename(columns={"project_id": "project"})
    for col in ("project", "cost"):
        if col not in projects.columns:
            raise DataError("PROJECTS lacks a column", where=f"{path} line {sections['projects'][0]}",
                            key=col, expected="project_id;cost;...", found=";".join(projects.columns),
                            zh=f"PROJECTS 部分缺少 {'project_id' if col == 'project' else col} 列")
    projects["project"] = projects["project"].str.strip()
    line0 = sections["projects"][0]
    projects["cost"] = [_number(c, f"{path} line {line0 + 1 + i}", "cost")
                        for i, c in enumerate(projects["cost"])]
    if "categories" in projects.columns and "category" not in projects.columns:
        projects = projects.rename(columns={"categories": "category"})
    if "selected" in projects.columns:
        projects["selected"] = pd.to_numeric(projects["selected"], errors="coerce").fillna(0).astype(int)
    for col in ("votes", "score"):
        if col in projects.columns:
            projects[col] = pd.to_numeric(projects[col], errors="coerce")
    projects = projects.replace({"None": None, "none": None})

    votes, n_voters = _votes(sections.get("votes"), vote_type, set(projects["project"]), path)
    return PabulibElection(projects=projects.reset_index(drop=True), votes=votes, budget=budget,
                           meta=meta, path=path, n_voters=n_voters)


def _votes(section, vote_type: str, known: set, path: str) -> pd.DataFrame:
    empty = pd.DataFrame({"judge": pd.Series(dtype=str), "project": pd.Series(dtype=str),
                          "score": pd.Series(dtype=float)})
    if section is None:
        return empty, 0
    line0, body = section
    raw = _frame(body)
    if "vote" not in raw.columns or "voter_id" not in raw.columns:
        raise DataError("VOTES lacks a column", where=f"{path} line {line0}", key="vote",
                        expected="voter_id;vote;...", found=";".join(raw.columns),
                        zh="VOTES 部分须有 voter_id 和 vote 两列")
    if raw.empty:
        return empty, 0
    ballots = raw["vote"].str.split(",")
    lengths = ballots.str.len().to_numpy()
    long = pd.DataFrame({
        "judge": np.repeat(raw["voter_id"].str.strip().to_numpy(), lengths),
        "project": np.concatenate(ballots.to_numpy()),
        "pos": np.concatenate([np.arange(n) for n in lengths]) if len(lengths) else [],
        "row": np.repeat(np.arange(len(raw)), lengths),
    })
    long["project"] = long["project"].str.strip()
    if vote_type in ("cumulative", "scoring"):
        if "points" not in raw.columns:
            raise DataError("cumulative/scoring VOTES need a points column", where=f"{path} line {line0}",
                            key="points", expected="voter_id;vote;points", found=";".join(raw.columns),
                            zh=f"投票类型为 {vote_type} 时，VOTES 部分须有 points 列")
        pts = raw["points"].str.split(",")
        if not (pts.str.len().to_numpy() == lengths).all():
            bad = int(np.flatnonzero(pts.str.len().to_numpy() != lengths)[0])
            raise DataError("vote and points have different lengths", where=f"{path} line {line0 + 1 + bad}",
                            key="points", expected=f"{lengths[bad]} values", found=raw["points"].iloc[bad],
                            zh=f"第 {line0 + 1 + bad} 行：vote 有 {lengths[bad]} 个项目，points 的个数与之不符")
        long["score"] = pd.to_numeric(pd.Series(np.concatenate(pts.to_numpy())).str.strip()
                                      .str.replace(",", ".", regex=False), errors="coerce").to_numpy()
    long = long[long["project"] != ""]
    unknown = sorted(set(long["project"].unique()) - known)
    if unknown:
        first = long[long["project"].isin(unknown)].iloc[0]
        line = line0 + 1 + int(first["row"])
        raise DataError("a ballot names a project not in PROJECTS", where=f"{path} line {line}",
                        key="vote", expected="a project id from PROJECTS", found=", ".join(unknown[:5]),
                        zh=f"第 {line} 行：选票中的项目 {'、'.join(unknown[:5])} 不在 PROJECTS 中")
    if vote_type in ("cumulative", "scoring"):
        # pabutools assigns ballot[p] = points in order: the last points given count
        long = long.drop_duplicates(["row", "project"], keep="last").sort_values(["row", "pos"], kind="stable")
    else:
        # approval: a set; ordinal: an ordered set keeping the first position
        long = long.drop_duplicates(["row", "project"], keep="first")
        if vote_type == "ordinal":
            length = long.groupby("row")["project"].transform("size").to_numpy()
            rank = long.groupby("row").cumcount().to_numpy()
            long["score"] = (length - rank - 1).astype(float)
        else:
            long["score"] = 1.0
    return long[["judge", "project", "score"]].reset_index(drop=True), len(raw)
