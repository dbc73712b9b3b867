"""Reading a contest's long scores CSV (judge, project, criterion, score[, round]):
decoded like every CSV (Chinese encodings), each row validated against the contest,
with the row's line named in any error."""
from __future__ import annotations

import pandas as pd

from ..errors import ScoreError
from ..scores import validate_scores
from .csvtext import read_csv_text


def read_scores_csv(path, contest) -> pd.DataFrame:
    """Read and validate a long scores CSV against a contest (an evalkit Contest);
    adds round and panel."""
    raw = read_csv_text(path, ScoreError, required=("judge", "project", "criterion", "score"))
    lines = raw.attrs["lines"]
    if "round" not in raw.columns:
        raw["round"] = contest.default_round
    raw["round"] = raw["round"].fillna(contest.default_round)
    known_rounds = {r.id for r in contest.rounds}
    for i, r in enumerate(raw["round"]):
        if r not in known_rounds:
            raise ScoreError(f"unknown round '{r}'", where=f"{path} row {lines[i]}", key="round",
                             expected="one of " + ", ".join(sorted(known_rounds)), found=r,
                             zh=f"未知评审轮次「{r}」")
    df = validate_scores(raw, contest.rubric, contest, file=str(path), rows=lines)
    df = df[["judge", "project", "criterion", "score", "round"]].reset_index(drop=True)
    return contest.with_panels(df)
