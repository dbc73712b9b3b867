"""evalkit import SCORES.csv --contest DIR [--dry-run] — import paper-sheet scores into the store."""
from __future__ import annotations


def register(sub):
    p = sub.add_parser("import", help="import a long scores CSV into the contest's store / 导入评分")
    p.add_argument("scores")
    p.add_argument("--contest", required=True)
    p.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    p.add_argument("--reason", default=None, help="needed when recorded scores change")
    p.add_argument("--pin", default=None, help="the secretary's PIN, when the store has one")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..contest import load_contest
    contest = load_contest(args.contest)
    with contest.open_store(pin=args.pin) as store:
        report = store.import_scores(args.scores, dry_run=args.dry_run, reason=args.reason)
    counts = report["action"].value_counts().reindex(["add", "change", "same"], fill_value=0)
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb}: {counts['add']} new, {counts['change']} changed, {counts['same']} unchanged")
    changed = report[report["action"] == "change"]
    if len(changed):
        print(changed.to_string(index=False))
    return 0
