"""The monitoring/ folder: readers with located errors, and the demo year's designed
outcomes (exit, warning, pending gap, failed mid-term withholding a tranche, failed
final barring next year's application), star ratings, next year, the portfolio."""
import csv

import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import ContestError, ScoreError
from evalkit.monitor import IndicatorError, MonitorError
from tests.conftest import DATA

TRUTH = {(r["kind"], r["id"]): r["value"] for r in csv.DictReader(open(DATA / "demo-huaihe" / "monitoring" / "truth.csv",
                                                                       encoding="utf-8"))}


@pytest.fixture(scope="module")
def mon():
    return ek.monitor.load_monitoring(DATA / "demo-huaihe")


def test_plan_matches_the_contest(mon):
    contest = mon.contest
    assert len(mon.contracts) == 14 and mon.contracts["amount"].sum() == 259000
    orgs = contest.projects.set_index("id")["organisation"]
    assert all(orgs[p] == o for p, o in zip(mon.contracts["project"], mon.contracts["organisation"]))
    # every contract's tranches add up to it exactly
    per = mon.tranches.groupby("project")["amount"].sum()
    assert all(per[p] == a for p, a in zip(mon.contracts["project"], mon.contracts["amount"]))
    assert mon.threshold == 6.0 and mon.run == 3 and (mon.start, mon.end) == ("2026-06", "2027-05")
    assert mon.monthly_rubric.total_max == 100 and sum(c.max for c in mon.monthly_rubric.criteria) == 10


def test_designed_monthly_outcomes(mon):
    w = mon.watch()
    exit_org = next(i for k, i in TRUTH if k == "exit")
    warn_org = next(i for k, i in TRUTH if k == "warning")
    gap_org = next(i for k, i in TRUTH if k == "pending")
    partial = next(i for k, i in TRUTH if k == "incomplete")
    assert w.loc[exit_org, "exit"] and w.loc[exit_org, "exit_period"] == TRUTH[("exit", exit_org)]
    assert w.loc[warn_org, "warning"] and w.loc[warn_org, "run_below"] == 2
    assert w.loc[gap_org, "pending"] and w.loc[gap_org, "missing"] == [TRUTH[("pending", gap_org)]]
    assert w.loc[partial, "missing"] == [TRUTH[("incomplete", partial)]] and not w.loc[partial, "pending"]
    assert set(w.index) == set(mon.organisations)
    # the month totals are the sums of the items, complete months only
    t = mon.month_scores()
    items = mon.monthly.groupby(["organisation", "period"])["score"].agg(["sum", "size"])
    full = items[items["size"] == 6]
    merged = t.set_index(["organisation", "period"]).join(full, how="inner")
    assert (merged["score"] - merged["sum"]).abs().max() < 1e-9
    assert t["score"].isna().sum() == 1


def test_failed_mid_term_withholds_its_tranche_and_exit_stops_payment(mon):
    d = mon.tranche_decisions().set_index(["project", "after"])
    assert d.loc[("P07", "mid"), "decision"] == "withheld" and "不合格" in d.loc[("P07", "mid"), "reason_zh"]
    assert d.loc[("P07", "final"), "decision"] == "released"
    exit_org = next(i for k, i in TRUTH if k == "exit")
    exit_project = mon.contracts.set_index("organisation").loc[exit_org, "project"]
    assert d.loc[(exit_project, "signing"), "decision"] == "released"
    assert d.loc[(exit_project, "mid"), "decision"] == "withheld" and "退出" in d.loc[(exit_project, "mid"), "reason_zh"]
    money = mon.money()
    assert (money["released"] <= money["contract"]).all()
    assert ((money["released"] + money["withheld"] + money["pending"]) == money["contract"]).all()
    assert money.loc["P07", "withheld"] == 12000 and money.loc[exit_project, "released"] == 8400


def test_stars_next_year_and_applicants(mon):
    s = mon.star_ratings()
    assert list(s.columns[:5]) == ["total", "stars", "stars_en", "rank", "n_evaluators"]
    assert s["total"].is_monotonic_decreasing and s["rank"].tolist() == list(range(1, len(s) + 1))
    assert s["stars"].notna().all() and set(s["stars"]) <= {g.label.zh for g in mon.star_rubric.grades}
    ny = mon.next_year(bonus={"优秀": 2, "良好": 1})
    fail_org = mon.contracts.set_index("project").loc["P16", "organisation"]
    exit_org = next(i for k, i in TRUTH if k == "exit")
    assert not ny.loc[fail_org, "eligible"] and "不合格" in ny.loc[fail_org, "rule_zh"]
    assert "barred" in ny.loc[fail_org, "rule_en"]
    assert not ny.loc[exit_org, "eligible"] and "责令退出" in ny.loc[exit_org, "rule_zh"]
    assert ny["eligible"].sum() == len(ny) - 2
    best = mon.contracts.set_index("project").loc["P12", "organisation"]
    assert ny.loc[best, "prior_grade"] == "优秀" and ny.loc[best, "adjustment"] == 2
    # next year's applicants: the barred organisation is refused with the rule named
    apps = pd.DataFrame({"id": ["N1", "N2", "N3"], "organisation": [best, fail_org, "新来的协会"]})
    with pytest.raises(ContestError) as e:
        ek.monitor.check_applicants(apps, ny)
    assert e.value.where == "projects.csv row 3" and e.value.found == fail_org and "不合格" in e.value.text("zh")
    assert "barred" in e.value.text("en")
    table = ek.monitor.check_applicants(apps, ny, strict=False).set_index("id")
    assert table.loc["N1", "eligible"] and table.loc["N1", "adjustment"] == 2
    assert not table.loc["N2", "eligible"] and table.loc["N3", "eligible"] and table.loc["N3", "adjustment"] == 0


def test_star_ratings_hand_checked(mon):
    rows = []
    # A: party 20, vitality 36, influence 24 = 80 -> 四星; B: 28 + 30 + 22 = 80, tied, more party building;
    # C: two assessors 95 and 84 -> mean 89.5 -> 四星 (below 90); D: 49 -> below every band
    for org, sheets in {"A": [(20, 36, 24)], "B": [(28, 30, 22)], "C": [(30, 40, 25), (26, 34, 24)],
                        "D": [(10, 20, 19)]}.items():
        for k, sheet in enumerate(sheets):
            rows += [(f"E{k + 1}", org, c, v) for c, v in zip(("party_building", "vitality", "influence"), sheet)]
    s = ek.monitor.star_ratings(pd.DataFrame(rows, columns=["evaluator", "organisation", "criterion", "score"]),
                                mon.star_rubric)
    assert list(s.index) == ["C", "B", "A", "D"]
    assert s.loc["C", "total"] == 89.5 and s.loc["C", "stars"] == "四星" and s.loc["C", "n_evaluators"] == 2
    assert s.loc["A", "stars"] == s.loc["B", "stars"] == "四星" and s.loc["B", "rank"] < s.loc["A", "rank"]
    assert pd.isna(s.loc["D", "stars"]) and s.loc["A", "stars_en"] == "Four stars"


def test_portfolio(mon):
    p = mon.portfolio().set_index("project")
    assert len(p) == 14 and p.loc["P07", "mid_grade"] == "不合格" and p.loc["P16", "final_grade"] == "不合格"
    assert p.loc["P07", "withheld"] == 12000
    warn_org = next(i for k, i in TRUTH if k == "warning")
    assert p[p["organisation"] == warn_org]["warning"].all()
    assert (p["released"] + p["withheld"] + p["pending"] == p["amount"]).all()


# --- readers: every bad file names the file, the row, the key -------------------------------
def edit(folder, name, old, new):
    f = folder / "monitoring" / name
    text = f.read_text(encoding="utf-8")
    assert old in text, old
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


@pytest.mark.parametrize("name, old, new, error, key, row", [
    ("contracts.csv", "P03,28000", "P99,28000", MonitorError, "project", 2),
    ("contracts.csv", "P03,28000", "P03,38000", MonitorError, "amount", 2),
    ("contracts.csv", "P03,28000,2026-06,2027-05", "P03,28000,2026-06,2026-13", MonitorError, "end", 2),
    ("tranches.csv", "P03,1,30,signing", "P03,1,35,signing", MonitorError, "percent", 4),
    ("tranches.csv", "P03,2,40,mid,合格", "P03,2,40,mid,及格", MonitorError, "min_grade", 3),
    ("indicators.csv", "P03,served,output", "P03,served,input", IndicatorError, "kind", 2),
    ("schedule.csv", "P03,mid,2026-11", "P03,mid,2027-11", MonitorError, "due", 2),
    ("monthly.csv", "2026-06,work_plan", "2026-06,plan", MonitorError, "item", 2),
    ("monthly.csv", "2026-06,work_plan", "2026-6,work_plan", MonitorError, "period", 2),
    ("evaluations.csv", "E1,P03,mid,management", "E7,P03,mid,management", MonitorError, "evaluator", 2),
    ("stars.csv", "E1,", "E9,", MonitorError, "evaluator", 2),
])
def test_reader_errors_are_located(demo_copy, name, old, new, error, key, row):
    folder = demo_copy()
    f = edit(folder, name, old, new)
    with pytest.raises(error) as e:
        ek.monitor.load_monitoring(folder)
    assert e.value.key == key and e.value.where == f"{f} row {row}", (e.value.where, e.value.key)


def test_score_and_explanation_errors_are_located(demo_copy):
    folder = demo_copy()
    f = folder / "monitoring" / "evaluations.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    e1 = lines[1].split(",")
    lines[1] = ",".join(e1[:4] + ["99"])
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScoreError) as e:
        ek.monitor.load_monitoring(folder)
    assert e.value.where == f"{f} row 2" and e.value.key == "score"


def test_a_missed_target_without_explanation_is_located(demo_copy):
    folder = demo_copy()
    f = folder / "monitoring" / "actuals.csv"
    rows = list(csv.reader(open(f, encoding="utf-8")))
    i = next(k for k, r in enumerate(rows) if k and r[4])
    rows[i][4] = ""
    with open(f, "w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    with pytest.raises(IndicatorError) as e:
        ek.monitor.load_monitoring(folder)
    assert e.value.where == f"{f} row {i + 1}" and e.value.key == "explanation"


def test_no_monitoring_part(demo_copy):
    with pytest.raises(MonitorError) as e:
        ek.monitor.load_monitoring(demo_copy("demo-xinan") if (DATA / "demo-xinan").exists() else DATA)
    assert "monitoring.yaml" in e.value.expected


def test_the_demo_script_reproduces_the_files(tmp_path):
    import shutil
    import subprocess
    import sys
    dest = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", dest, ignore=shutil.ignore_patterns("evalkit.db*", "backups"))
    root = tmp_path
    shutil.copytree(DATA.parent / "evalkit", root / "evalkit")
    shutil.copytree(DATA.parent / "rubrics", root / "rubrics")
    shutil.copytree(DATA.parent / "notebooks", root / "notebooks")  # evalkit.resources finds the checkout by both
    (root / "data").mkdir()
    shutil.move(str(dest), root / "data" / "demo-huaihe")
    script = root / "data" / "demo-huaihe" / "monitoring" / "make_monitoring.py"
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True, cwd=root)
    for f in (DATA / "demo-huaihe" / "monitoring").glob("*.csv"):
        assert (root / "data" / "demo-huaihe" / "monitoring" / f.name).read_text(encoding="utf-8") == \
            f.read_text(encoding="utf-8"), f.name


def test_final_grades_as_research_outcomes(mon):
    out = mon.outcomes()
    final = mon.evaluate().table.query("evaluation == 'final'").set_index("project")
    g = out[out["outcome"] == "final_grade"].set_index("project")["value"]
    assert g["P16"] == 0 and g["P12"] == 90 and set(g.index) == set(final.index)
    t = out[out["outcome"] == "final_total"].set_index("project")["value"]
    assert t.to_dict() == pytest.approx(final["total"].to_dict())
    monthly = out[out["outcome"] == "monthly"]
    assert monthly["period"].between(1, 12).all() and len(monthly) > 100
    scores = mon.contest.scores.assign(contest=mon.contest.id)
    pv = ek.research.predictive_validity(scores, out, mon.contest.rubric, methods=("trimmed",), n_boot=0)
    row = pv.set_index("outcome").loc["final_grade"]
    assert row["n_projects"] == len(g) and -1 <= row["rho"] <= 1


def test_exports(mon, tmp_path):
    from openpyxl import load_workbook
    from evalkit.monitor.export import export_monitoring
    out = export_monitoring(mon, tmp_path)
    wb = load_workbook(out["xlsx"])
    assert wb.sheetnames == ["月评分", "退出预警", "评估结果", "指标完成", "资金拨付", "项目总览", "下一年度"]
    ws = wb["退出预警"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    exit_org = next(i for k, i in TRUTH if k == "exit")
    assert rows[exit_org][3] == TRUTH[("exit", exit_org)] and "责令退出" in rows[exit_org][1]
    money = {r[0]: r for r in wb["项目总览"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert money["P07"][5] == 12000 and wb["资金拨付"]["D3"].number_format == "#,##0.00"
    assert out["pdf"].read_bytes()[:5] == b"%PDF-" and out["pdf"].stat().st_size > 20_000


def test_screen_next_years_contest_against_last_years_results(demo_copy):
    nxt = demo_copy()  # next year's applicants: the same organisations apply again
    with pytest.raises(ContestError) as e:
        ek.monitor.screen_applicants(nxt, DATA / "demo-huaihe")
    found = {x.found for x in e.value.errors}
    assert found == {"新市民服务中心", "平安社区服务社"}
    wheres = {x.where for x in e.value.errors}
    rows = {f"{nxt / 'projects.csv'} row {i + 2}" for i, o in enumerate(ek.load_contest(nxt).projects["organisation"])
            if o in found}
    assert wheres == rows
    t = ek.monitor.screen_applicants(nxt, DATA / "demo-huaihe", strict=False, bonus={"优秀": 2})
    assert (~t["eligible"]).sum() == len(rows) and t.set_index("id").loc["P12", "adjustment"] == 2
