"""Refusals carry a Chinese text: ``exc.text("zh")`` is a Chinese sentence naming the
problem (no file path), ``exc.text("en")`` is English only; the CLI prints both."""
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.cli import main
from evalkit.decision import decide
from evalkit.decision.record import check_settings
from evalkit.errors import ContestError, DataError, EvalkitError, RubricError, StoreError, TamperError
from evalkit.io.contest_folder import create_contest
from evalkit.monitor.export import export_monitoring
from evalkit.monitor.grades import grade_rank
from evalkit.monitor.indicators import read_plan
from evalkit.monitor.monthly import check_items, check_scheme
from evalkit.monitor.tranches import to_fen
from evalkit.report import build_report, publish, write_scoresheets
from evalkit.store import restore_file
from conftest import DATA, RUBRICS

CJK = re.compile(r"[\u4e00-\u9fff]")
PROJECTS = "id,name,organisation,category,requested,min_amount\nA1,长者食堂,甲社工站,敬老孝老,20000,10000\n"
JUDGES = "id,name,panel,conflicts\nK1,张三,,\n"


def assert_texts(exc: EvalkitError, phrase: str, *, quotes_en: bool = False, root=None):
    """``phrase`` in the Chinese text, which is Chinese, not the English one and names no
    path; no CJK in the English text. ``quotes_en``: the Chinese text may quote an
    English event description."""
    zh, en = exc.text("zh"), exc.text("en")
    assert exc.zh, f"no Chinese text: {en}"
    assert phrase in zh, zh
    assert CJK.search(zh) and zh != en, zh
    if not quotes_en:
        assert en not in zh, zh
    assert not CJK.search(en), en
    if root is not None:
        assert str(root) not in zh, zh


@pytest.fixture(scope="module")
def mon():
    return ek.monitor.load_monitoring(DATA / "demo-huaihe")


@pytest.fixture(scope="module")
def xinan():
    contest = ek.load_contest(DATA / "demo-xinan")
    return contest, ek.rank(contest.scores, contest.rubric, method=contest.rubric.rule.method)


def _monthly(org="A"):
    return pd.DataFrame({"organisation": [org] * 3, "period": ["2026-01", "2026-02", "2026-03"],
                         "score": [5.5, 5.0, 5.9]})


# --- monitor ------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, phrase", [
    (dict(threshold="six"), "分数线"),
    (dict(run=0), "连续月数"),
    (dict(organisations=["B"]), "起始月份"),
])
def test_exit_watch_arguments(kwargs, phrase):
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(_monthly(), **kwargs)
    assert_texts(e.value, phrase)


def test_exit_watch_rows():
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(_monthly(org=" "))
    assert_texts(e.value, "机构名称为空")
    bad = _monthly().assign(score=["5", "lots", "6"])
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(bad)
    assert_texts(e.value, "分数 'lots' 不是数字")


def test_monitoring_export_format_and_grades(mon, tmp_path):
    with pytest.raises(DataError) as e:
        export_monitoring(mon, tmp_path, formats=("docx",))
    assert_texts(e.value, "未知的导出格式：docx")
    assert not list(tmp_path.iterdir())
    with pytest.raises(RubricError) as e:
        grade_rank(mon.star_rubric, "six stars")
    assert_texts(e.value, "'six stars' 不是评分细则")


def test_barred_applicant(mon):
    ny = mon.next_year()
    fail_org = mon.contracts.set_index("project").loc["P16", "organisation"]
    ny = ny.rename(index={fail_org: "Org B"})        # an ASCII name: the English text is then ASCII only
    apps = pd.DataFrame({"id": ["N1"], "organisation": ["Org B"]})
    with pytest.raises(ContestError) as e:
        ek.monitor.check_applicants(apps, ny)
    assert_texts(e.value, "Org B 不能申报：")
    assert ny.loc["Org B", "rule_zh"] in e.value.text("zh") and ny.loc["Org B", "rule_en"] in e.value.text("en")


# --- store files --------------------------------------------------------------------

def _store_file(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        for c in contest.rubric.criterion_ids[:3]:
            store.record("J1", "P01", c, 5)
    return contest, contest.dir / "evalkit.db"


def test_restore_refusals(demo_copy, tmp_path):
    contest, path = _store_file(demo_copy)
    with pytest.raises(StoreError) as e:
        restore_file(tmp_path / "missing.db", tmp_path / "new.db")
    assert_texts(e.value, "找不到评分存储文件", root=tmp_path)
    with pytest.raises(StoreError) as e:
        restore_file(path, path)
    assert_texts(e.value, "评分存储文件已存在", root=tmp_path)
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER events_no_update")
    raw.execute("UPDATE events SET score = 1 WHERE seq = 2")
    raw.commit()
    raw.close()
    with pytest.raises(TamperError) as e:
        restore_file(path, tmp_path / "new.db")
    assert_texts(e.value, "备份校验失败", quotes_en=True, root=tmp_path)
    assert "edited" in e.value.text("zh") and not (tmp_path / "new.db").exists()
    with ek.Store(path, contest) as store, pytest.raises(TamperError) as e:
        store.check_integrity()
    assert_texts(e.value, "评分记录校验失败：", quotes_en=True, root=tmp_path)


# --- report -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, phrase", [
    (dict(version="secret"), "未知的报告版本 'secret'"),
    (dict(anonymise=True, version="internal"), "公示版"),
    (dict(round="semi"), "轮次 'semi' 没有评分"),
])
def test_report_arguments(xinan, kwargs, phrase):
    with pytest.raises(DataError) as e:
        build_report(*xinan, **kwargs)
    assert_texts(e.value, phrase)


def test_report_scores(xinan, tmp_path):
    contest, ranking = xinan
    with pytest.raises(DataError) as e:
        build_report(contest, ranking, scores=contest.scores.iloc[:0])
    assert_texts(e.value, "没有评分")
    two = pd.concat([contest.scores, contest.scores.assign(round="semi")], ignore_index=True)
    with pytest.raises(DataError) as e:
        build_report(contest, ranking, scores=two)
    assert_texts(e.value, "评分涉及多个轮次")
    with pytest.raises(DataError) as e:
        publish(contest, ranking, None, tmp_path, formats=("docx",))
    assert_texts(e.value, "未知的报告格式：docx")
    with pytest.raises(DataError) as e:
        write_scoresheets(contest, tmp_path, judges=["X9"])
    assert_texts(e.value, "未知的评委：X9")


# --- contest folder -----------------------------------------------------------------

def test_create_contest_refusals(tmp_path):
    args = dict(name="测试大赛", rubric="gongyi-chuangtou.yaml", budget=30000, projects=PROJECTS, judges=JUDGES)
    with pytest.raises(ContestError) as e:
        create_contest(tmp_path / "a", **{**args, "projects": "  "})
    assert_texts(e.value, "项目名单为空")
    with pytest.raises(ContestError) as e:
        create_contest(tmp_path / "a", **{**args, "rubric": str(tmp_path / "no-such.yaml")})
    assert_texts(e.value, "找不到评分细则 'no-such.yaml'", root=tmp_path)
    create_contest(tmp_path / "a", **args)
    with pytest.raises(ContestError) as e:
        create_contest(tmp_path / "a", **args)
    assert_texts(e.value, "大赛目录已存在", root=tmp_path)


# --- decision -----------------------------------------------------------------------

def test_decide_without_complete_sheets(demo_copy):
    contest = ek.load_contest(demo_copy())
    with pytest.raises(DataError) as e:
        decide(contest, contest.scores.iloc[:0])
    assert_texts(e.value, "尚无可排名的项目", root=contest.dir)


# --- the CLI prints the Chinese text first, then the English one ---------------------

def test_cli_prints_both(capsys, tmp_path, demo_copy):
    csv = tmp_path / "s.csv"
    pd.read_csv(DATA / "demo-huaihe" / "scores.csv").to_csv(csv, index=False)
    assert main(["allocate", str(csv), "--rubric", str(RUBRICS / "gongyi-chuangtou.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.index("资金分配需要各项目的申请金额") < err.index("allocation needs each project's requested amount")
    assert main(["rank", str(csv)]) == 1
    err = capsys.readouterr().err
    assert "请用 --rubric 指定" in err and "criterion scores need a rubric: pass --rubric" in err
    assert "/ 准则" not in err
    folder = demo_copy()
    assert main(["report", str(folder), "--source", "store", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "没有评分存储" in err and "no score store" in err and "no score store /" not in err


# --- analyses: aggregate, agreement, allocate, simulate, research -------------------

def _long(grid, contest=None):
    """A judge x project total table (one row per project, one column per judge)."""
    grid = np.asarray(grid, float)
    n, k = grid.shape
    df = pd.DataFrame({"project": np.repeat([f"P{i}" for i in range(n)], k),
                       "judge": np.tile([f"J{j}" for j in range(k)], n), "score": grid.ravel()})
    return df.assign(contest=contest) if contest else df


GRID = _long([[1, 2, 2], [3, 3, 4], [5, 4, 5], [2, 2, 1]])
WORDY = GRID.assign(score=GRID["score"].astype(object).where(GRID.index != 2, "x"))
FUND = pd.DataFrame({"project": ["P1", "P2", "P3"], "score": [90.0, 80.0, 70.0],
                     "requested": [50_000, 40_000, 30_000]})
AGREE = dict(targets="project", raters="judge", ratings="score")
MULTI = _long([[1, 2, 3], [3, 2, 4], [5, 4, 5]], "C1")


@pytest.mark.parametrize("call, phrase", [
    (lambda: ek.rank(WORDY, method="mean"), "分数缺失或不是数字"),
    (lambda: ek.rank(_long([[1, 2], [3, 4]]), method="trimmed", trim=1), "每个项目至少需要 3 位评委评分"),
    (lambda: ek.rank(pd.concat([GRID, GRID.iloc[[0]]]), method="mean"), "评委 J0、项目 P0 出现两次"),
    (lambda: ek.agreement.icc(pd.concat([GRID, GRID.iloc[[0]]]), **AGREE), "同一评委对同一对象有重复评分"),
    (lambda: ek.agreement.icc(_long([[1], [2], [3]]), **AGREE), "至少需要 2 位评委"),
    (lambda: ek.agreement.icc(_long([[2, 2], [2, 2]]), **AGREE), "所有评分相同"),
    (lambda: ek.agreement.kendall_w(GRID.iloc[1:], items="project", raters="judge", ratings="score"),
     "每位评委对所有对象评分"),
    (lambda: ek.agreement.krippendorff_alpha(GRID.assign(score=GRID["score"] - 3), "ratio", units="project",
                                             raters="judge", values="score"), "比率尺度的评分须为非负数"),
    (lambda: ek.allocate(FUND, 60_000, rule="proportional", fixed_in=["P1", "P2"]), "超出资金总额 60,000"),
    (lambda: ek.allocate(FUND, 60_000, rule="greedy", fixed_in=["P1", "P2"]), "固定入选的项目 P2 超出了限额"),
    (lambda: ek.allocate(FUND, 60_000, rule="mes", scores=GRID.drop(columns="score")), "评分表缺少列：score"),
    (lambda: ek.allocate(FUND, 60_000, bogus=1), "未知的分配选项：bogus"),
    (lambda: ek.allocate(FUND, 60_000).explain("P9"), "没有这个项目：P9"),
    (lambda: ek.simulate.panel(0), "n_projects 应为不小于 1 的整数"),
    (lambda: ek.simulate.panel(design="random"), "未知的评审设计 'random'"),
    (lambda: ek.simulate.panel(design="incomplete"), "需要参数 per_judge"),
    (lambda: ek.research.rank_stability(_long([[1], [2], [3]], "C1"), n_boot=5, seed=1), "至少需要两位评委"),
    (lambda: ek.research.decision_study(WORDY), "'score' 列的评分须为数字"),
    (lambda: ek.research.counterfactual(MULTI, FUND.drop(columns="score").assign(contest="C1"),
                                        budget={"C2": 1000}), "缺少资金总额：C1"),
    (lambda: ek.research.predictive_validity(MULTI, pd.DataFrame({"contest": ["C1"], "project": ["X"],
                                                                  "outcome": ["o"], "value": [1.0]}), n_boot=5),
     "没有项目同时有评分与后续评估结果"),
])
def test_analysis_refusals(call, phrase):
    with pytest.raises(EvalkitError) as e:
        call()
    assert_texts(e.value, phrase)


def test_shipped_rubric_refusal():
    from evalkit.resources import rubric_dir, rubric_path
    with pytest.raises(EvalkitError) as e:
        rubric_path("no-such")
    assert_texts(e.value, "没有随包评分细则 'no-such'", root=rubric_dir())


# --- agreement, allocation, design, research files, store and settings --------------

def _file(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


PB_NO_BUDGET = "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;100\nVOTES\nvoter_id;vote\nv1;1\n"
PB_UNKNOWN = PB_NO_BUDGET.replace("vote_type", "budget;100\nvote_type").replace("v1;1", "v1;7")
SPLIT = pd.DataFrame({"judge": ["J1", "J1", "J2", "J2"], "project": ["P1", "P2", "P3", "P4"],
                      "score": [1.0, 2.0, 3.0, 4.0]})


@pytest.mark.parametrize("call, phrase", [
    (lambda t, s: ek.agreement.cohen_kappa([1, 2, 3], [1, 2]), "两位评委的评分须一一对应：a 有 3 个评分，b 有 2 个"),
    (lambda t, s: ek.agreement.fleiss_kappa(GRID, subjects="project", raters="judge", ratings="score",
                                            categories=[1, 2]), "不在给定类别（1、2）中"),
    (lambda t, s: ek.agreement.gwet_ac(_long([[1, 1], [1, 1]]), subjects="project", raters="judge",
                                       ratings="score"), "AC1 至少需要两个类别"),
    (lambda t, s: ek.allocate(FUND, 60_000, fixed_in=["P1"], fixed_out=["P1"]), "项目不能同时固定入选和固定落选：P1"),
    (lambda t, s: ek.allocate(FUND.assign(excluded=[True, False, False]), 60_000, fixed_in=["P1"]),
     "被否决的项目不能固定入选：P1"),
    (lambda t, s: ek.allocate(FUND, 60_000, tie_break=["P9"]), "同分优先顺序 tie_break 中有未知项目：P9"),
    (lambda t, s: ek.allocate(FUND, 60_000, org_cap=1000), "需要指定机构列"),
    (lambda t, s: ek.allocate(FUND, 60_000.125), "最多两位小数"),
    (lambda t, s: ek.assign(3, 2, per_project=3), "每个项目需要 3 位评委，但只有 2 位"),
    (lambda t, s: ek.assign(["P1", "P1"], 3), "项目编号重复：P1"),
    (lambda t, s: ek.assign(4, 3, per_project=2, conflicts=[("J1", "P1"), ("J2", "P1")]),
     "回避后可用评委不足 2 位：P1（可用 1 位）"),
    (lambda t, s: ek.rank(SPLIT, method="additive"), "评委 J2 与其他评委没有共同评审的项目"),
    (lambda t, s: ek.io.read_contests(_file(t, "scores.csv", "contest,judge,project\nC1,J1,P1\n")),
     "scores.csv 缺少列：'score'（分数）"),
    (lambda t, s: ek.io.read_contests(_file(t, "scores.csv", "contest,judge,project,score\nC1,J1,P1,x\n")),
     "scores.csv 第 2 行：'score'（分数）须为数字"),
    (lambda t, s: ek.io.read_contests(t / "missing"), "文件或文件夹 missing 不存在"),
    (lambda t, s: ek.io.read_pabulib(_file(t, "a.pb", PB_NO_BUDGET)), "META 部分缺少资金总额"),
    (lambda t, s: ek.io.read_pabulib(_file(t, "a.pb", PB_UNKNOWN)), "选票中的项目 7 不在 PROJECTS 中"),
    (lambda t, s: s().set_current("P99"), "未知项目「P99」"),
    (lambda t, s: s().record("J1", "P01", "need", 5, round="semi"), "未知轮次「semi」"),
    (lambda t, s: s().judge_for_token("no-such-link"), "评委评分链接无效"),
    (lambda t, s: s().retract("J9", "P01", "need", reason="typo"), "没有可撤回的分数"),
    (lambda t, s: s().set_pin("12"), "PIN码须至少 6 位"),
    (lambda t, s: check_settings({"budget": "lots"}, s().contest), "设置项「资金总额」（budget）的值 'lots' 无效，应为数字"),
    (lambda t, s: check_settings({"bogus": 1}, s().contest), "未知设置项：bogus"),
])
def test_more_refusals(call, phrase, tmp_path, demo_copy):
    stores = []

    def store():
        if not stores:
            stores.append(ek.load_contest(demo_copy(scores=False)).open_store())
        return stores[0]
    try:
        with pytest.raises(EvalkitError) as e:
            call(tmp_path, store)
    finally:
        for s in stores:
            s.close()
    assert_texts(e.value, phrase, root=tmp_path)


def test_wrong_pin_and_other_contest(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        store.set_pin("123456")
        path = store.path
    with pytest.raises(StoreError) as e:
        ek.Store(path, contest, pin="654321")
    assert_texts(e.value, "秘书PIN码错误")
    with pytest.raises(StoreError) as e:
        ek.Store(path, ek.load_contest(DATA / "demo-xinan"))
    assert_texts(e.value, "此评分库属于大赛")


# --- monitoring data, indicators, tranches, records, monthly scores ------------------

def _copy_with(demo_copy, name, old, new):
    """demo-huaihe with one edit in a monitoring file; returns the folder."""
    folder = demo_copy()
    f = folder / "monitoring" / name
    text = f.read_text(encoding="utf-8")
    assert old in text, old
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _monthly_rows(*rows):
    return pd.DataFrame(rows, columns=["organisation", "period", "item", "score"])


@pytest.mark.parametrize("call, phrase", [
    (lambda m, log, c: ek.monitor.load_monitoring(c("contracts.csv", "P03,28000", "P99,28000")), "未知项目 'P99'"),
    (lambda m, log, c: ek.monitor.load_monitoring(c("contracts.csv", "P03,28000", "P03,38000")),
     "协议金额（38000）高于申请金额"),
    (lambda m, log, c: ek.monitor.load_monitoring(c("contracts.csv", "2026-06,2027-05", "2026-06,2026-13")),
     "end 的值 '2026-13' 不是月份"),
    (lambda m, log, c: ek.monitor.load_monitoring(c("schedule.csv", "P03,mid,2026-11", "P03,mid,2027-11")),
     "评估月份 2027-11 不在协议期 2026-06..2027-05 内"),
    (lambda m, log, c: ek.monitor.load_monitoring(c("evaluations.csv", "E1,P03,mid", "E7,P03,mid")),
     "未知的评估员 'E7'"),
    (lambda m, log, c: read_plan(m.indicators.assign(kind="input")), "未知的指标类别 'input'"),
    (lambda m, log, c: read_plan(pd.concat([m.indicators, m.indicators.iloc[:1]], ignore_index=True)),
     "项目 P03 的指标 'served' 出现两次"),
    (lambda m, log, c: ek.monitor.IndicatorRow("P01", "final", "x", 10, 9), "未达到目标值（9 / 10），须说明原因"),
    (lambda m, log, c: ek.monitor.indicator_table(m.indicators, pd.DataFrame(
        [("P03", "final", "nope", 1)], columns=["project", "evaluation", "indicator", "actual"])),
     "指标 'nope' 不在项目 P03 的指标计划中"),
    (lambda m, log, c: ek.monitor.split_amount(100, [50, 40]), "分期拨付比例合计为 90"),
    (lambda m, log, c: to_fen(10.005), "小数多于两位"),
    (lambda m, log, c: ek.monitor.read_tranches(m.contracts, m.tranches.assign(after="later"), m.evaluation_rubric),
     "未知的拨付时点 'later'"),
    (lambda m, log, c: ek.monitor.read_tranches(m.contracts, m.tranches.assign(min_grade="so-so"),
                                                m.evaluation_rubric), "'so-so' 不是评分细则"),
    (lambda m, log, c: log.record_star("E1", "Org X", "party_building", 20), "未知机构 'Org X'"),
    (lambda m, log, c: log.record_evaluation("E9", "P03", "mid", "management", 10), "未知的评估员 'E9'"),
    (lambda m, log, c: log.record_evaluation("E1", "P03", "later", "management", 10), "未知的评估 'later'"),
    (lambda m, log, c: log.record_indicator("P03", "mid", "nope", 1), "指标 'nope' 不在项目 P03 的指标计划中"),
    (lambda m, log, c: log.retract("bogus", project="P03", criterion="x", round="mid", reason="typo"),
     "未知的记录类别 'bogus'"),
    (lambda m, log, c: log.record_monthly("助残服务中心", "2027-09", "work_plan", 1),
     "月份 2027-09 不在监管年度 2026-06..2027-05 内"),
    (lambda m, log, c: log.record_monthly("助残服务中心", "2026-06", "work_plan", "lots"), "不是数字"),
    (lambda m, log, c: check_items(_monthly_rows(("Org A", "2026-06", "work_plan", 1),
                                                 ("Org A", "2026-06", "work_plan", 2)), m.monthly_rubric),
     "Org A 2026-06 的评分项 'work_plan' 有第二个月度评分"),
    (lambda m, log, c: check_items(_monthly_rows(("", "2026-06", "work_plan", 1)), m.monthly_rubric), "机构名称为空"),
    (lambda m, log, c: check_scheme(m.evaluation_rubric), "不等于其最高分"),
])
def test_monitoring_refusals(call, phrase, mon, tmp_path, demo_copy):
    from evalkit.monitor.records import MonitorLog
    with mon.contest.open_store(tmp_path / "evalkit.db") as store, pytest.raises(EvalkitError) as e:
        call(mon, MonitorLog(store, mon), lambda *edit: _copy_with(demo_copy, *edit))
    assert_texts(e.value, phrase, root=tmp_path)


@pytest.mark.parametrize("text, phrase", [
    ("id: a\nid: b\n", "键「id」重复出现"),
    ("", "文件是空的"),
    ("id: [a\n", "不是有效的 YAML"),
    ("? [a, b]\n: c\n", "键名须是简单的名称"),
])
def test_yaml_refusals(tmp_path, text, phrase):
    # every YAML the package reads (rubrics, contests, monitoring) goes through one reader
    from evalkit._yaml import read_yaml
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as e:
        read_yaml(path, RubricError)
    assert_texts(e.value, phrase, quotes_en=True, root=tmp_path)


def test_yaml_that_is_not_utf8(tmp_path):
    from evalkit._yaml import read_yaml
    path = tmp_path / "rubric.yaml"
    path.write_bytes("id: 需求分析\n".encode("gbk"))
    with pytest.raises(RubricError) as e:
        read_yaml(path, RubricError)
    assert_texts(e.value, "不是 UTF-8", root=tmp_path)


def test_every_refusal_in_the_package_carries_a_chinese_text():
    # issue 15.5: a new raise without zh= would show English on a Chinese page
    import ast
    import importlib
    import pkgutil
    from conftest import ROOT
    for m in pkgutil.walk_packages(ek.__path__, "evalkit."):
        if not m.name.startswith(("evalkit.ui", "evalkit.live.server")):
            importlib.import_module(m.name)       # every error class the core defines

    def family(cls):
        return {cls.__name__}.union(*(family(s) for s in cls.__subclasses__()))
    names = family(EvalkitError)
    assert {"ScoreError", "MonitorError", "AllocationParameterError"} <= names
    missing = []
    for path in sorted((ROOT / "evalkit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if name in names and not any(k.arg in ("zh", None) for k in node.keywords):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not missing, missing
