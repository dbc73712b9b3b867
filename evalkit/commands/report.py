"""evalkit report CONTEST --out DIR [--public | --internal] — publish the decision:
公示 table with the settings used and the result digest, judge sheets, charts and
audit log as xlsx, HTML and PDF (and blank 评分表 with --scoresheets).

The settings (contest rule, decimals, allocation) are the store's
(evalkit.decision.allocation_settings), so the files show what the Allocation tab
and ``evalkit settings`` decided and the digest ``evalkit replay`` prints."""
from __future__ import annotations

from pathlib import Path


def register(sub):
    p = sub.add_parser("report", help="write the results as xlsx, HTML and PDF / 生成公示与评审报告")
    p.add_argument("contest", help="contest folder")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--formats", default="xlsx,html,pdf", help="comma-separated: xlsx,html,pdf (default all)")
    p.add_argument("--method", default=None, help="contest rule for this report only (default: the store's setting)")
    p.add_argument("--rule", default=None, help="allocation rule for this report only (default: the store's setting)")
    p.add_argument("--no-allocation", action="store_true", help="rank only, no fund split")
    p.add_argument("--round", default=None, help="the round to report (default the contest's first)")
    version = p.add_mutually_exclusive_group()
    version.add_argument("--public", "--anonymise", dest="version", action="store_const", const="public",
                         help="the public version (default): judges as 评委1, 评委2, ..., no judge named / 公开版")
    version.add_argument("--internal", dest="version", action="store_const", const="internal",
                         help="the internal version, with the judges' names / 内部版（含评委姓名）")
    p.add_argument("--scoresheets", action="store_true", help="also write blank score sheets (评分表)")
    p.add_argument("--source", choices=("auto", "store", "csv"), default="auto",
                   help="scores from the store (evalkit.db), scores.csv, or the store when it holds scores (auto)")
    p.set_defaults(func=run, version="public")


def contest_scores(contest, source: str = "auto"):
    """The scores to report and the store's settings ({} without a store): the
    store's current view, or scores.csv."""
    from ..errors import DataError
    db = Path(contest.dir) / "evalkit.db"
    if not db.exists():
        if source == "store":
            raise DataError("no score store", where=str(db), key="--source", expected="evalkit.db",
                            found="no file", zh="没有评分存储（evalkit.db）")
        return contest.scores, {}
    with contest.open_store() as store:
        scores, settings = store.scores(), store.settings()
    if source == "csv" or (source == "auto" and not len(scores)):
        scores = contest.scores
    return scores, settings


def run(args) -> int:
    from ..contest import load_contest
    from ..decision import decide, read_settings
    from ..report import publish_decision
    contest = load_contest(args.contest)
    scores, stored = contest_scores(contest, args.source)
    settings = read_settings(stored, contest)
    settings.update({k: v for k, v in (("method", args.method), ("rule", args.rule)) if v is not None})
    d = decide(contest, scores, settings, round=args.round, with_allocation=not args.no_allocation)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    written = publish_decision(d, args.out, formats, version=args.version, scoresheets=args.scoresheets)
    for kind, path in written.items():
        print(f"{kind}: {path}")
    print(f"digest sha256: {d.digest}")
    return 0
