"""evalkit demo — the demo contest's validated summary (projects, judges, completeness, totals)."""
from __future__ import annotations

from ..resources import demo_contest

DEMO = demo_contest()  # the shipped demo contest, in a checkout or a wheel


def register(sub):
    p = sub.add_parser("demo", help="show the demo contest's validated summary / 演示大赛概况")
    p.add_argument("contest", nargs="?", default=str(DEMO))
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..contest import load_contest
    contest = load_contest(args.contest)
    print(contest.summary(lang=args.lang))
    return 0
