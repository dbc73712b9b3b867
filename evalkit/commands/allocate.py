"""evalkit allocate PATH [--rule R] [--method M] [--budget B] [--projects CSV] [--json] —
split each contest's fund among its ranked projects."""
from __future__ import annotations

import pandas as pd

from ..errors import DataError
from ._batch import add_input_arguments, emit, load
from .rank import default_method

COLUMNS = ["project", "rank", "score", "requested", "funded", "amount", "reason_zh", "reason_en"]


def register(sub):
    p = sub.add_parser("allocate", help="split the fund among ranked projects / 资金分配")
    add_input_arguments(p)
    p.add_argument("--rule", default="optimal", help="optimal, greedy, greedy_stop, greedy_density, proportional, mes")
    p.add_argument("--method", default=None, help="aggregation method for the ranking (default: the rubric's rule)")
    p.add_argument("--budget", type=float, default=None, help="the fund (default: the contest's budget)")
    p.add_argument("--projects", default=None, help="CSV of project, requested (for a long score CSV)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..aggregate import rank
    from ..allocate import allocate
    frames, totals, decimals = {}, {}, {}
    extra_projects = pd.read_csv(args.projects, dtype={"project": str, "contest": str}) if args.projects else None
    for b in load(args):
        projects = b.projects if b.projects is not None else extra_projects
        if extra_projects is not None and "contest" in extra_projects:
            projects = extra_projects[extra_projects["contest"] == b.id]
        if projects is None or "requested" not in projects:
            raise DataError("allocation needs each project's requested amount", where=args.path,
                            key="requested", expected="projects.csv or --projects with project, requested",
                            found=None, zh="资金分配需要各项目的申请金额（projects.csv 或 --projects 的 requested 列）")
        budget = args.budget if args.budget is not None else b.budget
        if budget is None:
            raise DataError("no budget: pass --budget", where=args.path, key="--budget",
                            expected="a number", found=None, zh="缺少资金总额：请用 --budget 指定")
        r = rank(b.scores, b.rubric, method=args.method or default_method(b))
        table = r.projects.join(projects.set_index(projects["project"].astype(str))[["requested"]], how="left")
        a = allocate(table.reset_index(), budget, rule=args.rule)
        frames[b.id] = a.table[COLUMNS]
        decimals[b.id] = r.decimals
        totals[b.id] = {"budget": a.budget, "total": a.total, "leftover": a.leftover, "status": a.status}
    emit(args, frames, f"allocate ({args.rule})", {"totals": totals}, decimals=decimals)
    if not args.json:
        for cid, t in totals.items():
            print(f"{cid}: 资金 budget {t['budget']:,}  已分配 allocated {t['total']:,}  结余 leftover {t['leftover']:,}")
    return 0
