"""evalkit rank | agreement | allocate | compare on a contest folder, a long CSV and many contests."""
import json

import pandas as pd
import pytest

import evalkit as ek
from evalkit.cli import main
from conftest import DATA, RUBRICS

HUAIHE = str(DATA / "demo-huaihe")


def _json(capsys, argv):
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_folder_matches_library(capsys):
    out = _json(capsys, ["rank", HUAIHE, "--method", "additive"])
    rows = out["contests"]["demo-huaihe"]
    c = ek.load_contest(HUAIHE)
    want = ek.rank(c.scores, c.rubric, method="additive").projects
    assert [r["project"] for r in rows] == list(want.index)
    assert rows[0]["score"] == pytest.approx(want["score"].iloc[0])
    assert main(["rank", HUAIHE]) == 0
    text = capsys.readouterr().out
    assert "== demo-huaihe ==" in text and "P03" in text


def test_long_csv_needs_a_rubric_then_works(capsys, tmp_path):
    assert main(["rank", str(DATA / "demo-huaihe" / "scores.csv")]) == 1
    assert "--rubric" in capsys.readouterr().err
    out = _json(capsys, ["rank", str(DATA / "demo-huaihe" / "scores.csv"), "--rubric",
                         str(RUBRICS / "gongyi-chuangtou.yaml")])
    assert len(out["contests"]["scores"]) == 22
    # a CSV of totals needs no rubric
    t = ek.totals(ek.load_contest(HUAIHE).scores, ek.load_rubric(RUBRICS / "gongyi-chuangtou.yaml"))
    t.rename(columns={"total": "score"}).to_csv(tmp_path / "totals.csv", index=False)
    out = _json(capsys, ["rank", str(tmp_path / "totals.csv"), "--method", "mean"])
    assert out["contests"]["totals"][0]["project"] == t.groupby("project")["total"].mean().idxmax()


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    cs, _ = ek.research.simulate_contests(2, 1, n_projects=(15, 16), n_judges=(5, 6), seed=4)
    d = tmp_path_factory.mktemp("multi")
    cs.scores.to_csv(d / "scores.csv.gz", index=False)
    cs.projects.to_csv(d / "projects.csv", index=False)
    cs.contests.to_csv(d / "contests.csv", index=False)
    return d, cs


def test_many_contests_allocate_and_agreement(capsys, multi):
    d, cs = multi
    out = _json(capsys, ["allocate", str(d), "--rule", "greedy"])
    assert set(out["contests"]) == set(cs.contests["contest"])
    for cid, rows in out["contests"].items():
        budget = cs.contests.set_index("contest").loc[cid, "budget"]
        assert out["totals"][cid]["budget"] == budget
        assert sum(r["amount"] for r in rows) <= budget
        # greedy by the rubric's rule reproduces the simulator's awards
        awarded = cs.projects[cs.projects["contest"] == cid].set_index("project")["awarded"]
        assert {r["project"]: r["amount"] for r in rows} == awarded.astype(int).to_dict()
    out = _json(capsys, ["agreement", str(d)])
    cid = cs.contests["contest"].iloc[0]
    assert [r["type"] for r in out["contests"][cid]] == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    ds = {r["decision"]: r for r in out["decision_study"][cid]}
    icc = {r["type"]: r["icc"] for r in out["contests"][cid]}
    # complete panel: E rho^2 at the panel size is ICC3k (Brennan 2001 sec. 4.5)
    assert ds["relative"]["coefficient"] == pytest.approx(icc["ICC3k"], abs=0.01)


def test_allocate_errors_and_compare_with_bootstrap(capsys, tmp_path):
    csv = tmp_path / "s.csv"
    pd.read_csv(DATA / "demo-huaihe" / "scores.csv").to_csv(csv, index=False)
    assert main(["allocate", str(csv), "--rubric", str(RUBRICS / "gongyi-chuangtou.yaml")]) == 1
    assert "requested" in capsys.readouterr().err
    out = _json(capsys, ["compare", HUAIHE, "--methods", "trimmed,mean", "--boot", "30", "--top", "3"])
    rows = out["contests"]["demo-huaihe"]
    assert {"trimmed", "mean", "max_shift", "p_top3"} <= set(rows[0])
    assert all(0 <= r["p_top3"] <= 1 for r in rows)
    assert all(r["max_shift"] == abs(r["trimmed"] - r["mean"]) for r in rows)
