"""evalkit report CONTEST --out DIR — publish the results: 公示 table, judge sheets,
charts and audit log as xlsx, HTML and PDF (and blank 评分表 with --scoresheets)."""
from __future__ import annotations

from pathlib import Path


def register(sub):
    p = sub.add_parser("report", help="write the results as xlsx, HTML and PDF / 生成公示与评审报告")
    p.add_argument("contest", help="contest folder")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--formats", default="xlsx,html,pdf", help="comma-separated: xlsx,html,pdf (default all)")
    p.add_argument("--method", default=None, help="aggregation method (default the rubric's rule)")
    p.add_argument("--rule", default="optimal", help="allocation rule (default optimal)")
    p.add_argument("--no-allocation", action="store_true", help="rank only, no fund split")
    p.add_argument("--round", default=None, help="the round to report (default the contest's first)")
    p.add_argument("--anonymise", action="store_true", help="show judges as 评委1, 评委2, ...")
    p.add_argument("--scoresheets", action="store_true", help="also write blank score sheets (评分表)")
    p.add_argument("--source", choices=("auto", "store", "csv"), default="auto",
                   help="scores from the store (evalkit.db), scores.csv, or the store when it holds scores (auto)")
    p.set_defaults(func=run)


def contest_scores(contest, source: str = "auto"):
    """The scores to report: the store's current view, or scores.csv."""
    db = Path(contest.dir) / "evalkit.db"
    if source == "csv" or (source == "auto" and not db.exists()):
        return contest.scores
    with contest.open_store() as store:
        scores = store.scores()
    return scores if len(scores) or source == "store" else contest.scores


def run(args) -> int:
    from ..aggregate import rank
    from ..allocate import allocate
    from ..contest import load_contest
    from ..report import publish
    contest = load_contest(args.contest)
    scores = contest_scores(contest, args.source)
    round_id = args.round or contest.default_round
    if "round" in scores:
        scores = scores[scores["round"] == round_id]
    ranking = rank(scores, contest.rubric, method=args.method or contest.rubric.rule.method)
    allocation = None
    if not args.no_allocation:
        allocation = allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget,
                              rule=args.rule, category="category")
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    written = publish(contest, ranking, allocation, args.out, formats=formats, scores=scores,
                      anonymise=args.anonymise, scoresheets=args.scoresheets, stem=f"{contest.id}-{round_id}-report")
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0
