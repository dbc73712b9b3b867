"""Make the multi-contest research data set reproducibly: python data/make_research.py

Five streets x five years (2021-2025) of synthetic contests on the
gongyi-chuangtou rubric, recurring judges with planted severities, requested and
awarded amounts and the funded projects' monthly evaluations and end-of-year
ratings. The generator is evalkit.simulate.contests.simulate_contests (built on
evalkit.simulate.panel); its truth is written to research-multi/truth/.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from evalkit.simulate.contests import simulate_contests  # noqa: E402

OUT = HERE / "research-multi"
SEVERE = {"JR03": 1.2, "JR11": 1.0, "JR07": -1.0}   # two harsh judges, one lenient (quality SDs)
SEED = 20260516


def main() -> None:
    cs, truth = simulate_contests(5, 5, first_year=2021, severe=SEVERE, link=0.8, seed=SEED)
    (OUT / "truth").mkdir(parents=True, exist_ok=True)
    # gzip CSV keeps the set small and readable by any tool; mtime=0 keeps the bytes reproducible
    cs.scores.to_csv(OUT / "scores.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    cs.outcomes.to_csv(OUT / "outcomes.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    cs.projects.to_csv(OUT / "projects.csv", index=False)
    cs.contests.to_csv(OUT / "contests.csv", index=False)
    truth.projects.round(6).to_csv(OUT / "truth" / "projects.csv", index=False)
    truth.judges.round(6).to_csv(OUT / "truth" / "judges.csv", index=False)
    (OUT / "truth" / "params.json").write_text(json.dumps(truth.params, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    print(cs)


if __name__ == "__main__":
    main()
