"""Reading a contest's long scores CSV (judge, project, criterion, score[, round]):
decoded like every CSV (Chinese encodings), each row validated against the contest,
with the row's line named in any error."""
from __future__ import annotations

import pandas as pd

from ..errors import ScoreError, raise_all
from ..scores import check_scores
from .csvtext import read_csv_text


def read_scores_csv(path, contest) -> pd.DataFrame:
    """Read and validate a long scores CSV against a contest (an evalkit Contest);
    adds round and panel. Every problem is raised at once (ScoreError, ``.errors``)."""
    df, problems = read_scores_csv_with_problems(path, contest)
    raise_all(problems)
    return df


def read_scores_csv_with_problems(path, contest) -> tuple[pd.DataFrame, list[ScoreError]]:
    """(the valid scores of a long scores CSV, with round and panel; every problem,
    each naming its row): what the Import tab checks. A file that cannot be read as
    a score table (no such file, bad encoding, missing columns) raises."""
    raw = read_csv_text(path, ScoreError, required=("judge", "project", "criterion", "score"))
    lines = list(raw.attrs["lines"])
    if "round" not in raw.columns:
        raw["round"] = contest.default_round
    raw["round"] = raw["round"].fillna(contest.default_round)
    known_rounds = {r.id for r in contest.rounds}
    problems = [ScoreError(f"unknown round '{r}'", where=f"{path} row {lines[i]}", key="round",
                           expected="one of " + ", ".join(sorted(known_rounds)), found=r, zh=f"未知评审轮次「{r}」")
                for i, r in enumerate(raw["round"]) if r not in known_rounds]
    known = raw["round"].isin(known_rounds).to_numpy()
    df, errors = check_scores(raw[known], contest.rubric, contest, file=str(path),
                              rows=[n for n, k in zip(lines, known) if k])
    problems = sorted(problems + errors, key=lambda e: int(e.where.rsplit(" ", 1)[1]))
    df = df[["judge", "project", "criterion", "score", "round"]].reset_index(drop=True)
    return contest.with_panels(df), problems
