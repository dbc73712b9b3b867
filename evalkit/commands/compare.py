"""evalkit compare PATH [--methods a,b,c] [--boot N] [--json] — rank every contest by
several methods side by side; with --boot, each project's chance of staying in the top
band under resampled panels (bootstrap over judges, with a progress bar)."""
from __future__ import annotations

import pandas as pd

from ._batch import add_input_arguments, emit, load


def register(sub):
    p = sub.add_parser("compare", help="rankings by several methods side by side / 多种方法排名对比")
    add_input_arguments(p)
    p.add_argument("--methods", default="trimmed,mean,zscore,additive", help="comma-separated methods")
    p.add_argument("--boot", type=int, default=0, help="bootstrap replicates over judges (rank stability)")
    p.add_argument("--top", type=int, default=3, help="top band for --boot (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..aggregate import compare
    from ..research import rank_stability
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    frames = {}
    batches = load(args)
    for b in batches:
        side = compare(b.scores, b.rubric, methods=methods)
        table = (side[[f"rank_{m}" for m in methods] + ["moves"]]
                 .rename(columns={**{f"rank_{m}": m for m in methods}, "moves": "max_shift"})
                 .rename_axis("project").reset_index())
        if args.boot:
            rs = rank_stability(b.scores, b.rubric, method=methods[0], bands=(args.top,), n_boot=args.boot,
                                seed=args.seed, progress=not args.json)
            top = rs[rs["band"] == (f"1-{args.top}" if args.top > 1 else "1")].set_index("project")["probability"]
            table[f"p_top{args.top}"] = table["project"].map(top)
        frames[b.id] = table.sort_values(methods[0], kind="mergesort")
    emit(args, frames, "compare ranks: " + ", ".join(methods))
    return 0
