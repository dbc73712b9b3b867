"""evalkit rank PATH [--method M] [--json] — rank every contest's projects."""
from __future__ import annotations

from ._batch import add_input_arguments, emit, load

COLUMNS = ["project", "score", "se", "ci_low", "ci_high", "rank", "n_judges", "excluded"]


def register(sub):
    p = sub.add_parser("rank", help="rank projects by a rule or calibration method / 排名")
    add_input_arguments(p)
    p.add_argument("--method", default=None, help="sum, mean, trimmed, median, zscore, rank, additive, affine, "
                                                  "mfrm, bayes (default: the rubric's rule, else trimmed)")
    p.set_defaults(func=run)


def ranking_table(batch, method):
    from ..aggregate import rank
    r = rank(batch.scores, batch.rubric, method=method)
    return r.projects.reset_index()[COLUMNS], r.notes, r.decimals


def default_method(batch) -> str:
    return batch.rubric.rule.method if batch.rubric is not None else "trimmed"


def run(args) -> int:
    frames, notes, decimals = {}, {}, {}
    for b in load(args):
        method = args.method or default_method(b)
        frames[b.id], notes[b.id], decimals[b.id] = ranking_table(b, method)
    emit(args, frames, "rank", {"notes": notes}, decimals=decimals)
    if not args.json:
        for cid, lines in notes.items():
            for line in lines:
                print(f"{cid}: note: {line}")
    return 0
