"""evalkit import FILE --contest DIR [--dry-run] — import paper-sheet scores (a score
workbook .xlsx or a long scores CSV) into the store: checked first, every problem
listed by sheet and cell (or row), then written in one transaction."""
from __future__ import annotations

import sys


def register(sub):
    p = sub.add_parser("import", help="import a score workbook (.xlsx) or a long scores CSV into the contest's store "
                                      "/ 导入评分")
    p.add_argument("scores", help="the .xlsx workbook or .csv file")
    p.add_argument("--contest", required=True)
    p.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    p.add_argument("--only-valid", action="store_true",
                   help="import the valid scores of a file with problems (the rest stays out)")
    p.add_argument("--round", default=None, help="the round of a workbook's per-judge sheets (default: the first)")
    p.add_argument("--reason", default=None, help="needed when recorded scores change")
    p.add_argument("--pin", default=None, help="the secretary's PIN, when the store has one")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..contest import load_contest
    from ..live.paper import action_counts, check_score_file, import_checked
    contest = load_contest(args.contest)
    with contest.open_store(pin=args.pin) as store:
        check = check_score_file(store, args.scores, round=args.round)
        for e in check.problems:
            print(f"  {e.where}: {e.text('zh')} / {e.text('en')}", file=sys.stderr)
        report = check.plan if args.dry_run else import_checked(store, check, reason=args.reason,
                                                                only_valid=args.only_valid)
    counts = action_counts(report)
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb}: {counts['add']} new, {counts['change']} changed, {counts['same']} unchanged")
    if check.problems:
        print(f"{len(check.problems)} problem(s), not imported / {len(check.problems)} 处问题未导入")
    changed = report[report["action"] == "change"] if len(report) else report
    if len(changed):
        print(changed.to_string(index=False))
    return 1 if check.problems and not args.only_valid else 0
