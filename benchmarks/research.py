"""Research analyses at scale: 1,000 contests (about 5 million criterion scores) on one machine.

    python benchmarks/research.py                 # 1,000 contests
    python benchmarks/research.py --contests 100  # a quicker run

Prints one table: each analysis's wall time in evalkit, beside a peer doing the same
job where one exists (pingouin's ICC for the variance components of the decision
study; scipy's sparse least squares (lsqr) for the joint judge-severity model).
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import evalkit as ek  # noqa: E402
from evalkit.research import (counterfactual, decision_study, judge_effects, predictive_validity,  # noqa: E402
                              rank_stability, simulate_contests)
from evalkit.research._common import judge_totals  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def peer_icc(cs, ids):
    import pingouin as pg
    t = judge_totals(cs.scores, cs.rubric)
    for cid, g in t[t["contest"].isin(ids)].groupby("contest"):
        pg.intraclass_corr(g, targets="project", raters="judge", ratings="total")


def peer_lsqr(cs):
    from scipy import sparse
    from scipy.sparse.linalg import lsqr
    t = judge_totals(cs.scores, cs.rubric)
    jc, _ = pd.factorize(t["judge"])
    pc, _ = pd.factorize(t["contest"] + "|" + t["project"])
    n = len(t)
    X = sparse.hstack([sparse.csr_matrix((np.ones(n), (np.arange(n), pc))),
                       sparse.csr_matrix((np.ones(n), (np.arange(n), jc)))]).tocsr()
    return lsqr(X, t["total"].to_numpy(), atol=1e-10, btol=1e-10)[0]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--contests", type=int, default=1000)
    ap.add_argument("--boot", type=int, default=100, help="bootstrap replicates (validity, rank stability)")
    args = ap.parse_args(argv)
    # streets x years = contests exactly: the largest divisor not above the square root
    n_streets = max(d for d in range(1, int(math.isqrt(args.contests)) + 1) if args.contests % d == 0)
    n_years = args.contests // n_streets
    rows = []

    def add(name, secs, peer="", peer_secs=np.nan, note=""):
        rows.append({"analysis": name, "evalkit_s": secs, "peer": peer, "peer_s": peer_secs, "note": note})
        print(f"  {name}: {secs:.1f} s", file=sys.stderr, flush=True)

    (cs, truth), s = timed(lambda: simulate_contests(
        n_streets, n_years, n_projects=(15, 30), n_judges=(20, 30), pool=max(40, 4 * n_streets), regulars=8,
        seed=1, progress=True))
    n = len(cs.scores)
    add("simulate_contests", s, note=f"{len(cs.contests)} contests, {n:,} scores")
    with tempfile.TemporaryDirectory() as d:
        for name in ("scores", "projects", "outcomes", "contests"):
            getattr(cs, name).to_parquet(Path(d) / f"{name}.parquet")
        cs2, s = timed(lambda: ek.io.read_contests(d))
        add("read_contests (Parquet)", s, note=f"{len(cs2.scores):,} rows validated")
    je, s = timed(lambda: judge_effects(cs.scores, cs.rubric, contests=cs.contests))
    _, ps = timed(lambda: peer_lsqr(cs))
    add("judge_effects", s, "scipy lsqr (overall fit only)", ps, f"{(je.period == 'all').sum()} judges, per year too")
    ids = cs.contests["contest"]
    _, s = timed(lambda: [decision_study(g.drop(columns="contest"), cs.rubric)
                          for _, g in cs.scores.groupby("contest")])
    _, ps = timed(lambda: peer_icc(cs, ids))
    add("decision_study (every contest)", s, "pingouin.intraclass_corr", ps, "p x j x c and 8 criteria each")
    _, s = timed(lambda: predictive_validity(cs.scores, cs.outcomes, cs.rubric, methods=("trimmed", "mean"),
                                             n_boot=args.boot, seed=1))
    add("predictive_validity (trimmed, mean)", s, note=f"{args.boot} cluster-bootstrap replicates")
    _, s = timed(lambda: predictive_validity(cs.scores, cs.outcomes, cs.rubric, methods=("additive",),
                                             n_boot=args.boot, seed=1, progress=True))
    add("predictive_validity (additive)", s, note="ek.rank once a contest")
    _, s = timed(lambda: counterfactual(cs.scores, cs.projects, cs.rubric, methods=("trimmed", "mean"),
                                        rules=("greedy",), contests=cs.contests, progress=True))
    add("counterfactual (2 methods x greedy)", s, note="ek.allocate once a contest and method")
    _, s = timed(lambda: rank_stability(cs.scores, cs.rubric, n_boot=args.boot, contest="contest", seed=1,
                                        progress=True))
    add("rank_stability (trimmed)", s, note=f"{args.boot} judge resamples a contest")
    table = pd.DataFrame(rows)
    print(f"\n{len(cs.contests)} contests, {n:,} criterion scores\n")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}", na_rep="-"))


if __name__ == "__main__":
    main()
