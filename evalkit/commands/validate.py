"""evalkit validate PATH — a rubric file or a contest folder: OK, or the list of errors (exit 1)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import EvalkitError


def register(sub):
    p = sub.add_parser("validate", help="check a rubric file or a contest folder / 校验评分标准或大赛目录")
    p.add_argument("path")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..contest import load_contest
    from ..rubric import load_rubric
    path = Path(args.path)
    try:
        if path.is_dir():
            contest = load_contest(path)
            print(f"OK  {path}: {contest.name.zh} — {len(contest.projects)} projects, {len(contest.judges)} judges, "
                  f"{len(contest.scores)} scores")
        else:
            rubric = load_rubric(path)
            print(f"OK  {path}: {rubric.title.zh} — {len(rubric.criteria)} criteria")
    except EvalkitError as exc:
        print(f"{len(exc.errors)} error(s) in {path}:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e._format()}", file=sys.stderr)
        return 1
    return 0
