"""The live entry workflow without widgets (evalkit.live.entry, issue 16 item 2): a
script or the CLI types scores against a store and gets the same answers as the
secretary's grid and the judges' phones."""
import subprocess
import sys

import pytest

import evalkit as ek
from evalkit.live.entry import Desk, read_box
from evalkit.live.settings import running_contest
from evalkit.live.sheet import read_sheet
from evalkit.ui.messages import MESSAGES, t
from conftest import ROOT


def sheet_for_total(rubric, total):
    """Criterion scores (one decimal) whose weighted total is ``total`` (weights are the maxima)."""
    s = {c.id: round(c.max * total / 100, 1) for c in rubric.criteria}
    s["need"] = round(s["need"] + total - sum(s.values()), 1)
    return s


def test_text_is_read_and_an_unchanged_value_makes_no_event(live):
    contest, store = live
    desk = Desk(store)
    r = desk.enter("J1", "P03", "need", "１２分")
    assert (r.state, r.key, r.value, r.recorded) == ("ok", "saved_value", 12.0, True)
    assert t(r.key, "zh", **r.params_in("zh")) == "已保存 12 ✓"
    r = desk.enter("J1", "P03", "innovation", "８５分")
    assert r.state == "error" and r.key == "refused" and r.value == 85.0     # read, but above the 0–10 scale
    assert "最高分 10" in r.params_in("zh")["text"] and "maximum 10" in r.params_in("en")["text"]
    assert desk.enter("J1", "P03", "innovation", "8,5").value == 8.5
    n = store.last_seq
    r = desk.enter("J1", "P03", "need", "12.0")                              # the same value again
    assert (r.state, r.key, r.recorded) == ("ok", "saved", False) and store.last_seq == n
    assert desk.enter("J1", "P03", "need", "1,000").key == "ambiguous"
    assert desk.enter("J1", "P03", "need", "八").key == "not_number"
    assert desk.enter("J1", "P03", "need", "").key == "empty"                # clearing a saved box changes nothing
    assert desk.enter("J2", "P03", "need", " ").state == ""                  # an empty box with nothing saved
    assert desk.enter("J2", "P03", "need", "", required=True).key == "fill_in"
    assert store.last_seq == n


def test_a_correction_needs_a_reason_and_records_it(live):
    contest, store = live
    desk = Desk(store)
    desk.enter("J1", "P03", "need", "12")
    n = store.last_seq
    r = desk.enter("J1", "P03", "need", "13")
    assert (r.state, r.key, r.value) == ("error", "needs_reason", 13.0) and store.last_seq == n
    assert desk.enter("J1", "P03", "need", "13", reason="   ").key == "needs_reason"
    r = desk.enter("J1", "P03", "need", "13", reason="录入错误")
    assert r.recorded and r.event["reason"] == "录入错误"
    assert store.scores(judge="J1")["score"].tolist() == [13.0]
    # a first entry keeps no reason (it is not a correction)
    assert desk.enter("J2", "P03", "need", "9", reason="stray").event["reason"] is None
    # a judge corrects their own score without one
    judge = Desk(store, session=store.judge_session(store.judge_tokens()["J4"]))
    assert judge.enter("J4", "P03", "need", "10").recorded
    assert judge.enter("J4", "P03", "need", "11").recorded


def test_an_out_of_line_value_is_asked_then_recorded_once_confirmed(live):
    contest, store = live
    for j, total in zip(("J1", "J2", "J4", "J5", "J6"), (58, 66, 75, 84, 92)):
        for c, v in sheet_for_total(contest.rubric, total).items():
            store.record(j, "P03", c, v)
    low = sheet_for_total(contest.rubric, 20)
    for c, v in low.items():
        if c != "pitch":
            store.record("J7", "P03", c, v)
    desk = Desk(store)
    n = store.last_seq
    r = desk.enter("J7", "P03", "pitch", "1")
    assert r.state == "confirm" and r.far is not None and r.far.total == pytest.approx(20) and not r.recorded
    assert store.last_seq == n                                                 # nothing written before confirming
    assert r.params["total"] == "20.00" and r.params["median"] == "75.00" and r.params["n"] == 5
    text = t(r.key, "en", **r.params_in("en"))
    assert "Roadshow presentation 1" in text and "Save 1?" in text
    assert "路演表现" in t(r.key, "zh", **r.params_in("zh"))
    done = desk.confirm(r.far)
    assert done.recorded and store.scores(judge="J7").set_index("criterion").loc["pitch", "score"] == 1.0
    assert desk.confirm(r.far).key == "saved" and store.last_seq == n + 1     # confirmed twice: one event
    # a judge's phone is never asked
    other = sheet_for_total(contest.rubric, 20)
    judge = Desk(store, session=store.judge_session(store.judge_tokens()["J3"]))
    store.set_current("P04")
    for j, total in zip(("J1", "J2", "J4", "J5"), (70, 75, 80, 85)):
        for c, v in sheet_for_total(contest.rubric, total).items():
            store.record(j, "P04", c, v)
    results = [judge.enter("J3", "P04", c, f"{v:g}") for c, v in other.items()]
    assert [r.state for r in results] == ["ok"] * len(other)


def test_a_retraction_needs_a_reason_and_keeps_the_history(live):
    contest, store = live
    desk = Desk(store)
    desk.enter("J1", "P03", "need", "12")
    r = desk.retract("J1", "P03", "need")
    assert r.state == "error" and "理由" in r.params_in("zh")["text"] and len(store.scores()) == 1
    r = desk.retract("J1", "P03", "need", reason="评委弃权此项")
    assert r.recorded and r.key == "retracted" and store.scores().empty
    assert t(r.key, "zh", **r.params_in("zh")) == "已撤回 王建国 的「需求分析」"
    assert t(r.key, "en", **r.params_in("en")) == "Retracted 王建国's Need analysis"
    assert store.history()["kind"].tolist()[-2:] == ["score", "retract"]
    # after a retraction the next value is a new entry (no reason asked)
    assert desk.enter("J1", "P03", "need", "11").recorded


def test_a_locked_round_and_a_conflicted_judge_are_refused(live):
    contest, store = live
    desk = Desk(store)
    r = desk.enter("J3", "P03", "need", "10")                                  # J3 is conflicted with P03 (回避)
    assert r.state == "error" and "回避" in r.params_in("zh")["text"] and store.scores().empty
    judge = Desk(store, session=store.judge_session(store.judge_tokens()["J3"]))
    assert judge.enter("J3", "P03", "need", "10").state == "error" and store.scores().empty
    # a judge's desk types only for its own judge
    assert judge.enter("J1", "P02", "need", "10").key == "bad_link"
    desk.enter("J1", "P03", "need", "12")
    store.lock()
    n = store.last_seq
    assert desk.enter("J2", "P03", "need", "10").key == "locked"
    assert desk.enter("J1", "P03", "need", "13", reason="late").key == "locked"
    assert desk.retract("J1", "P03", "need", reason="late").state == "error"
    assert store.last_seq == n
    assert all(k in MESSAGES for k in ("locked", "needs_reason", "refused", "fill_in", "saved", "saved_value",
                                       "confirm_out_of_line", "retracted", "empty", "not_number", "ambiguous"))


def test_the_phone_sheet_reads_boxes_as_the_desk_does():
    contest = ek.load_contest(ROOT / "data" / "demo-huaihe")
    rubric = contest.rubric
    texts = {"need": "１２分", "innovation": "11", "design": "1,000", "pitch": ""}
    values, problems = read_sheet(rubric, texts, complete=False)
    for c, text in texts.items():
        box = read_box(rubric, c, text)
        assert (c in values) == (box.problem == "") and values.get(c) == (box.value if not box.problem else None)
        assert (c in problems) == (box.problem not in ("", "empty"))
    assert values == {"need": 12.0} and read_box(rubric, "innovation", "11").problem == "scale"


def test_the_running_contest_follows_the_store_settings(live):
    contest, store = live
    assert running_contest(contest, store).rubric.rule == contest.rubric.rule
    store.set_allocation(method="mean", decimals=1)
    rule = running_contest(contest, store).rubric.rule
    assert (rule.method, rule.decimals) == ("mean", 1) and contest.rubric.rule.method != "mean"


SCRIPT = r"""
import sys
import evalkit as ek
from evalkit.live.entry import Desk
contest = ek.load_contest(sys.argv[1])
with contest.open_store(sys.argv[2]) as store:
    store.set_current("P03")
    desk = Desk(store)
    print(desk.enter("J1", "P03", "need", "１２分").state)
    print(desk.enter("J1", "P03", "need", "13").key)
    print(desk.enter("J1", "P03", "need", "13", reason="typo").state)
    print(store.scores()["score"].tolist())
print(sorted(m for m in sys.modules if m.split(".")[0] in ("ipywidgets", "anywidget", "traitlets")
             or m.startswith("evalkit.ui")))
"""


def test_a_script_enters_scores_without_any_widget(demo_copy, tmp_path):
    folder = demo_copy(scores=False)
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(folder), str(tmp_path / "script.db")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:5] == ["ok", "needs_reason", "ok", "[13.0]", "[]"]
