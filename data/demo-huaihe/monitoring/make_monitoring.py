"""Make demo-huaihe's monitoring year reproducibly: python data/demo-huaihe/monitoring/make_monitoring.py

Synthetic, with the truth kept in truth.csv. The funded projects are the demo's
roadshow result: the trimmed mean ranking funded greedily from the 260,000 yuan
fund (14 projects, 10 organisations). Each project has a latent quality in 0..1
that drives its evaluation sheets and indicator actuals; each organisation has a
monthly level that drives its ten-point monthly items. Built in on purpose:

* 平安社区服务社 scores under 6 in 2026-09, -10, -11: it must exit (2026-11) and
  has no rows after; its mid-term and final tranches are withheld;
* 红星文化促进会 is under 6 in the last two months (2027-04, -05): a warning;
* 星语康复中心 has no scores for 2027-01 between two months under 6: the rule
  waits on the data (pending);
* 新市民服务中心 has one item missing in 2026-08 (an incomplete month: missing);
* P07 fails its mid-term evaluation (不合格: the mid-term tranche is withheld)
  and passes the final; P16 fails the final (its organisation may not apply next
  year).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

import evalkit as ek  # noqa: E402
from evalkit.monitor.periods import month_range  # noqa: E402

SEED = 2026
START, END = "2026-06", "2027-05"
MID_DUE, FINAL_DUE = "2026-11", "2027-04"
EVALUATORS = [("E1", "周敏", 0.02), ("E2", "陈立", -0.03), ("E3", "黄晓燕", 0.0)]  # id, name, leniency
EXIT_ORG, WARN_ORG, GAP_ORG, PARTIAL_ORG = "平安社区服务社", "红星文化促进会", "星语康复中心", "新市民服务中心"
EXIT_MONTHS = ("2026-09", "2026-10", "2026-11")
WARN_MONTHS = ("2027-04", "2027-05")
GAP_MONTH, GAP_BELOW = "2027-01", ("2026-12", "2027-02")
PARTIAL_MONTH = "2026-08"
# project quality (0..1) at the mid-term and final evaluation: designed grades
DESIGNED = {"P03": (0.93, 0.95), "P12": (0.91, 0.93), "P07": (0.5, 0.68), "P16": (0.62, 0.5)}
EXPLANATIONS = ["场地维修，活动推迟两周", "服务对象流动性大，参与人数少于预期", "台风天气取消两场活动",
                "志愿者骨干离职，活动频次下降", "疫情防控期间暂停入户"]


def write(name, header, rows):
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def funded(contest):
    ranking = ek.rank(contest.scores, contest.rubric, method="trimmed")
    alloc = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget, rule="greedy")
    t = alloc.table[alloc.table["funded"]]
    return dict(zip(t["project"], t["amount"]))


def main():
    rng = np.random.default_rng(SEED)
    contest = ek.load_contest(HERE.parent)
    amounts = funded(contest)
    projects = contest.projects.set_index("id").loc[list(amounts)]
    eval_rubric = ek.load_rubric(ROOT / "rubrics" / "xiangmu-pinggu.yaml")
    star_rubric = ek.load_rubric(ROOT / "rubrics" / "shehui-zuzhi-xingji.yaml")
    scheme = ek.load_rubric(HERE / "shifen-yuedu.yaml")
    truth = []

    # --- settings, contracts, tranches, schedule, indicator plan -------------------------
    (HERE / "monitoring.yaml").write_text(
        "# Demo monitoring year of demo-huaihe (synthetic; made by make_monitoring.py, truth in truth.csv)\n"
        f"year: {START[:4]}\nmonths: {{start: {START}, end: {END}}}\nexit_rule: {{threshold: 6.0, run: 3}}\n"
        "monthly_rubric: shifen-yuedu.yaml\nevaluation_rubric: xiangmu-pinggu.yaml\n"
        "star_rubric: shehui-zuzhi-xingji.yaml\nevaluators:\n"
        + "".join(f"  - {{id: {e}, name: {n}}}\n" for e, n, _ in EVALUATORS), encoding="utf-8")
    write("contracts.csv", ["project", "amount", "start", "end"],
          [(p, f"{amounts[p]:.0f}", START, END) for p in amounts])
    tranches = []
    for p in amounts:
        split = (30, 40, 30) if amounts[p] >= 25000 else (40, 40, 20)
        tranches += [(p, "1", split[0], "signing", ""), (p, "2", split[1], "mid", "合格"),
                     (p, "3", split[2], "final", "合格")]
    write("tranches.csv", ["project", "tranche", "percent", "after", "min_grade"], tranches)
    write("schedule.csv", ["project", "evaluation", "due"],
          [(p, ev, due) for p in amounts for ev, due in (("mid", MID_DUE), ("final", FINAL_DUE))])
    plan = []
    for p in amounts:
        people = int(round(amounts[p] / 50, -1))
        sessions = int(round(amounts[p] / 1000))
        plan += [(p, "served", "output", "服务人次", "people served", "人次", people, people // 2),
                 (p, "sessions", "output", "活动场次", "sessions held", "场", sessions, sessions // 2),
                 (p, "satisfaction", "outcome", "服务对象满意率", "satisfaction rate", "%", 90, "")]
    write("indicators.csv", ["project", "indicator", "kind", "label", "label_en", "unit", "target", "mid_target"], plan)

    # --- project quality -> evaluation sheets and indicator actuals ---------------------
    quality = {p: DESIGNED.get(p, tuple(np.clip(rng.normal(0.78, 0.07, 2), 0.62, 0.92))) for p in amounts}
    sheets, actuals = [], []
    for p in amounts:
        org = projects.loc[p, "organisation"]
        for k, ev in enumerate(("mid", "final")):
            if org == EXIT_ORG:
                continue  # it left before its mid-term evaluation
            q = quality[p][k]
            truth.append(("quality", f"{p}:{ev}", round(float(q), 4)))
            for e, _, lenient in EVALUATORS:
                for c in eval_rubric.criteria:
                    f = np.clip(q + lenient + rng.normal(0, 0.03), 0, 1)
                    sheets.append((e, p, ev, c.id, f"{round(f * c.max, 1):g}"))
            for pl in plan:
                if pl[0] != p or (ev == "mid" and pl[7] == ""):
                    continue
                target = pl[6] if ev == "final" else pl[7]
                share = np.clip(q / 0.75 + rng.normal(0, 0.05), 0.3, 1.3) if pl[2] == "satisfaction" else \
                    np.clip(q / 0.7 + rng.normal(0, 0.08), 0.3, 1.4)
                actual = min(100, round(target * share)) if pl[2] == "satisfaction" else round(target * share)
                why = "" if actual >= target else EXPLANATIONS[int(rng.integers(len(EXPLANATIONS)))]
                actuals.append((p, ev, pl[1], actual, why))
    write("evaluations.csv", ["evaluator", "project", "evaluation", "criterion", "score"], sheets)
    write("actuals.csv", ["project", "evaluation", "indicator", "actual", "explanation"], actuals)

    # --- monthly ten-point items per organisation ----------------------------------------
    orgs = sorted(set(projects["organisation"]))
    months = month_range(START, END)
    monthly = []
    for org in orgs:
        level = float(np.clip(rng.normal(0.8, 0.06), 0.68, 0.95))
        truth.append(("org_level", org, round(level, 4)))
        for m in months:
            if org == EXIT_ORG and m > EXIT_MONTHS[-1]:
                break  # it has left
            if org == GAP_ORG and m == GAP_MONTH:
                continue  # nothing entered this month
            below = ((org == EXIT_ORG and m in EXIT_MONTHS) or (org == WARN_ORG and m in WARN_MONTHS)
                     or (org == GAP_ORG and m in GAP_BELOW))
            target = rng.uniform(0.42, 0.56) if below else rng.uniform(max(level - 0.08, 0.66), min(level + 0.06, 1))
            for c in scheme.criteria:
                if org == PARTIAL_ORG and m == PARTIAL_MONTH and c.id == "records":
                    continue  # one item not entered: the month is incomplete
                monthly.append((org, m, c.id, f"{round(float(np.clip(target + rng.normal(0, 0.04), 0, 1)) * c.max, 1):g}"))
    write("monthly.csv", ["organisation", "period", "item", "score"], monthly)

    # --- year-end star sheets ---------------------------------------------------------------
    stars = []
    for org in orgs:
        if org == EXIT_ORG:
            continue
        level = next(v for k, i, v in truth if k == "org_level" and i == org)
        for e, _, lenient in EVALUATORS:
            for c in star_rubric.criteria:
                f = np.clip(level + lenient + rng.normal(0, 0.04), 0, 1)
                stars.append((e, org, c.id, int(round(f * c.max))))
    write("stars.csv", ["evaluator", "organisation", "criterion", "score"], stars)

    truth += [("exit", EXIT_ORG, EXIT_MONTHS[-1]), ("warning", WARN_ORG, WARN_MONTHS[-1]),
              ("pending", GAP_ORG, GAP_MONTH), ("incomplete", PARTIAL_ORG, PARTIAL_MONTH),
              ("mid_fail", "P07", "不合格"), ("final_fail", "P16", "不合格")]
    write("truth.csv", ["kind", "id", "value"], truth)

    # the designed outcomes hold
    mon = ek.monitor.load_monitoring(contest)
    w = mon.watch()
    assert w.loc[EXIT_ORG, "exit_period"] == EXIT_MONTHS[-1], w.loc[EXIT_ORG]
    assert w.loc[WARN_ORG, "warning"] and not w.loc[WARN_ORG, "exit"], w.loc[WARN_ORG]
    assert w.loc[GAP_ORG, "pending"] and w.loc[GAP_ORG, "missing"] == [GAP_MONTH], w.loc[GAP_ORG]
    assert w.loc[PARTIAL_ORG, "missing"] == [PARTIAL_MONTH], w.loc[PARTIAL_ORG]
    assert int(w["exit"].sum()) == 1 and int(w["warning"].sum()) == 1, w
    ev = mon.evaluate()
    assert ev.result("P07", "mid")["grade"] == "不合格" and ev.result("P07", "final")["grade"] != "不合格"
    assert ev.result("P16", "final")["grade"] == "不合格"
    assert (ev.table["grade"] == "不合格").sum() == 2, ev.table
    print(f"{len(amounts)} contracts, {len(orgs)} organisations, {len(monthly)} monthly items, "
          f"{len(sheets)} evaluation scores, {len(actuals)} indicator actuals, {len(stars)} star scores")


if __name__ == "__main__":
    main()
