"""evalkit.agreement against the peer packages, same data, starting from the long
frame a user holds (one row per rating). Prints one table.

    python benchmarks/agreement.py [--quick]

- ICC, 5,000 targets x 20 raters: evalkit.agreement.icc vs pingouin.intraclass_corr
  (both take the long frame); plus evalkit's REML path with 30% of ratings missing
  (pingouin drops every incomplete target instead).
- Krippendorff's interval alpha, 20,000 units x 50 raters, 30% missing, on a 1..10
  integer scale, a 0..100 integer scale and a 0..100 scale with one decimal:
  evalkit vs krippendorff.alpha (pivot to the raters x units matrix + alpha). The
  package builds a units x values x values array (N V^2 doubles, several times over):
  when that would not fit in half the free memory it is not run and the table says
  how much it would need.
- Fleiss' kappa, 100,000 subjects x 10 raters, 5 categories: evalkit vs statsmodels
  (pivot, aggregate_raters, fleiss_kappa).

Times are the best of ``--reps`` runs (peers: fewer when slow). Peak memory is
evalkit's, measured in a separate run under tracemalloc, with bytes per rating to
show it grows linearly with the number of ratings (a second table repeats interval
alpha at 5,000, 20,000 and 80,000 units).

BLAS is pinned to one thread: the machine is shared, and threaded BLAS on a busy
2-core box makes small solves slower.
"""
from __future__ import annotations

import argparse
import os
import sys
import tracemalloc

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from evalkit.agreement import fleiss_kappa, icc, krippendorff_alpha  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from allocate import timed as best_time  # noqa: E402  (best of n runs, shared with the allocation benchmark)


def peak_memory(func):
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def mem_available():
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) * 1024
    return 0


def long_panel(n, k, rng, *, missing=0.0, scale=(1, 10), decimals=0):
    """Ratings = unit quality + rater severity + noise on a bounded scale, long format."""
    lo, hi = scale
    span = hi - lo
    grid = (lo + span / 2 + span / 5 * rng.normal(size=(n, 1)) + span / 12 * rng.normal(size=(1, k))
            + span / 8 * rng.normal(size=(n, k)))
    grid = np.clip(np.round(grid, decimals), lo, hi)
    df = pd.DataFrame({"unit": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n),
                       "value": grid.ravel()})
    if missing:
        df = df[rng.random(len(df)) >= missing].reset_index(drop=True)
    return df


def row(task, ratings, ours_t, peer, peer_t, peer_note, agree, peak):
    speed = f"{peer_t / ours_t:.1f}x" if np.isfinite(peer_t) else "-"
    return {"task": task, "ratings": f"{ratings:,}", "evalkit s": f"{ours_t:.3f}", "peer": peer,
            "peer s": f"{peer_t:.3f}" if np.isfinite(peer_t) else peer_note, "speed-up": speed, "same value": agree,
            "evalkit peak MiB": f"{peak / 2 ** 20:.1f}", "bytes/rating": f"{peak / ratings:.0f}"}


def bench_icc(rng, reps):
    import pingouin as pg
    df = long_panel(5000, 20, rng, scale=(0, 100), decimals=1)
    ours_t, ours = best_time(lambda: icc(df, targets="unit", raters="rater", ratings="value"), reps)
    peer_t, theirs = best_time(lambda: pg.intraclass_corr(df, targets="unit", raters="rater", ratings="value"),
                               max(1, reps // 2))
    agree = np.allclose(ours["icc"].to_numpy(), theirs["ICC"].to_numpy(), atol=1e-10)
    peak = peak_memory(lambda: icc(df, targets="unit", raters="rater", ratings="value"))
    out = [row("ICC, 5000 x 20 (complete)", len(df), ours_t, "pingouin.intraclass_corr", peer_t, "", agree, peak)]
    inc = long_panel(5000, 20, rng, scale=(0, 100), decimals=1, missing=0.3)
    ours_t, _ = best_time(lambda: icc(inc, targets="unit", raters="rater", ratings="value"), reps)
    peak = peak_memory(lambda: icc(inc, targets="unit", raters="rater", ratings="value"))
    out.append(row("ICC, 5000 x 20, 30% missing (REML)", len(inc), ours_t, "pingouin", np.nan,
                   "drops incomplete targets", "-", peak))
    return out


def bench_alpha(rng, reps, scale, decimals, label):
    import krippendorff
    n, k = 20000, 50
    df = long_panel(n, k, rng, missing=0.3, scale=scale, decimals=decimals)
    ours_t, ours = best_time(lambda: krippendorff_alpha(df, "interval", units="unit", raters="rater",
                                                        values="value"), reps)
    peak = peak_memory(lambda: krippendorff_alpha(df, "interval", units="unit", raters="rater", values="value"))
    n_values = df["value"].nunique()
    one_array = n * n_values ** 2 * 8  # the package's units x values x values float64 array
    peer, note, peer_t, agree = "krippendorff.alpha", "", np.nan, "-"
    if 3 * one_array + k * n * n_values > mem_available() / 2:
        note = f"fails (needs ~{one_array / 2 ** 30:.0f} GiB)"
    else:
        def peer_run():
            wide = df.pivot(index="rater", columns="unit", values="value").to_numpy()
            return krippendorff.alpha(reliability_data=wide, level_of_measurement="interval")
        peer_t, theirs = best_time(peer_run, 1 if n_values > 20 else max(1, reps // 2))
        agree = bool(np.isclose(float(ours), float(theirs), atol=1e-9))
    return row(f"interval alpha, 20000 x 50, 30% missing, {label}", len(df), ours_t, peer, peer_t, note, agree,
               peak)


def bench_fleiss(rng, reps):
    from statsmodels.stats import inter_rater as ir
    df = long_panel(100000, 10, rng, scale=(1, 5))
    ours_t, ours = best_time(lambda: fleiss_kappa(df, subjects="unit", raters="rater", ratings="value"), reps)

    def peer_run():
        wide = df.pivot(index="unit", columns="rater", values="value").to_numpy()
        counts, _ = ir.aggregate_raters(wide)
        return ir.fleiss_kappa(counts, method="fleiss")
    peer_t, theirs = best_time(peer_run, max(1, reps // 2))
    peak = peak_memory(lambda: fleiss_kappa(df, subjects="unit", raters="rater", ratings="value"))
    return row("Fleiss' kappa, 100000 x 10, 5 categories", len(df), ours_t, "statsmodels (pivot, aggregate_raters, "
               "fleiss_kappa)", peer_t, "", bool(np.isclose(float(ours), theirs, atol=1e-12)), peak)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repetition each")
    args = parser.parse_args()
    reps = 1 if args.quick else args.reps
    rng = np.random.default_rng(2026)
    rows = bench_icc(rng, reps)
    rows.append(bench_alpha(rng, reps, (1, 10), 0, "1..10 integers"))
    rows.append(bench_alpha(rng, reps, (0, 100), 0, "0..100 integers"))
    rows.append(bench_alpha(rng, reps, (0, 100), 1, "0..100 one decimal"))
    rows.append(bench_fleiss(rng, reps))
    show(pd.DataFrame(rows))
    print()
    show(memory_scaling(rng))


def memory_scaling(rng):
    """evalkit's peak memory for interval alpha (0..100, one decimal) as the number of
    units grows: linear in the number of ratings (constant bytes per rating)."""
    out = []
    for n in (5000, 20000, 80000):
        df = long_panel(n, 50, rng, missing=0.3, scale=(0, 100), decimals=1)
        peak = peak_memory(lambda: krippendorff_alpha(df, "interval", units="unit", raters="rater", values="value"))
        out.append({"interval alpha, 50 raters, units": f"{n:,}", "ratings": f"{len(df):,}",
                    "evalkit peak MiB": f"{peak / 2 ** 20:.1f}", "bytes/rating": f"{peak / len(df):.0f}"})
    return pd.DataFrame(out)


def show(table):
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))


def _has_tabulate():
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
