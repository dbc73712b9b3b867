"""Monitoring events in the contest's store: recorded, corrected only with a reason
(and the secretary's rights), read back last-wins, covered by verify()."""
import sqlite3

import pytest

import evalkit as ek
from evalkit.errors import AccessError, ScoreError
from evalkit.monitor import IndicatorError, MonitorError
from evalkit.monitor.records import MonitorLog
from tests.conftest import DATA


@pytest.fixture(scope="module")
def monitoring():
    return ek.monitor.load_monitoring(DATA / "demo-huaihe")


@pytest.fixture
def log(monitoring, tmp_path):
    store = monitoring.contest.open_store(tmp_path / "evalkit.db")  # a fresh store outside the data folder
    yield MonitorLog(store, monitoring)
    store.close()


def test_record_read_back_and_verify(log):
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)
    log.record_monthly("红星文化促进会", "2026-06", "records", "0.5")
    log.record_evaluation("E1", "P04", "mid", "management", 15.5)
    log.record_indicator("P04", "mid", "served", 100, "场地维修")
    log.record_star("E2", "红星文化促进会", "party_building", 22)
    m = log.monthly()
    assert sorted(zip(m["item"], m["score"])) == [("records", 0.5), ("work_plan", 1.5)]
    assert set(m["organisation"]) == {"红星文化促进会"} and set(m["period"]) == {"2026-06"}
    e = log.evaluations().iloc[0]
    assert (e["evaluator"], e["project"], e["evaluation"], e["criterion"], e["score"]) == ("E1", "P04", "mid",
                                                                                           "management", 15.5)
    a = log.actuals().iloc[0]
    assert a["actual"] == 100 and a["explanation"] == "场地维修"
    assert log.stars().iloc[0]["score"] == 22
    assert log.store.verify()["ok"] and log.store.verify()["events"] == 5
    # roadshow scores are untouched by monitoring events
    assert log.store.scores().empty
    assert list(log.history()["kind"]) == ["monthly", "monthly", "evaluation", "indicator", "star"]


def test_correction_needs_a_reason_and_last_wins(log):
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)  # the same value again is no correction
    with pytest.raises(ScoreError) as e:
        log.record_monthly("红星文化促进会", "2026-06", "work_plan", 2.0)
    assert e.value.key == "reason" and "1.5 -> 2" in e.value.found
    n = log.store.last_seq
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 2.0, reason="补交计划")
    assert log.store.last_seq == n + 1
    assert log.monthly()["score"].tolist() == [2.0]
    h = log.history()
    assert h["score"].tolist() == [1.5, 1.5, 2.0] and h["reason"].iloc[-1] == "补交计划"
    # an indicator's explanation changed is a correction too
    log.record_indicator("P04", "final", "served", 300, "")
    with pytest.raises(ScoreError):
        log.record_indicator("P04", "final", "served", 200, "人手不足")
    log.record_indicator("P04", "final", "served", 200, "人手不足", reason="复核台账")
    assert log.actuals().set_index("indicator").loc["served", "explanation"] == "人手不足"
    assert log.store.verify()["ok"]


def test_corrections_need_the_secretary(log, tmp_path):
    log.store.set_pin("246810")
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)
    path, contest, mon = log.store.path, log.store.contest, log.monitoring
    other = MonitorLog(contest.open_store(path), mon)  # opened without the PIN
    try:
        with pytest.raises(AccessError):
            other.record_monthly("红星文化促进会", "2026-06", "work_plan", 2.0, reason="补交")
        with pytest.raises(AccessError):
            other.record_monthly("红星文化促进会", "2026-07", "work_plan", 2.0)
        with pytest.raises(AccessError):
            other.retract("monthly", project="红星文化促进会", criterion="work_plan", round="2026-06", reason="录错")
    finally:
        other.store.close()
    assert log.monthly()["score"].tolist() == [1.5]


def test_retraction(log):
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)
    with pytest.raises(ScoreError):
        log.retract("monthly", project="红星文化促进会", criterion="work_plan", round="2026-06")
    with pytest.raises(ScoreError):
        log.retract("monthly", project="红星文化促进会", criterion="work_plan", round="2026-07", reason="录错")
    log.retract("monthly", project="红星文化促进会", criterion="work_plan", round="2026-06", reason="录错月份")
    assert log.monthly().empty
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.0)  # after a retraction: a new value, no correction
    assert log.monthly()["score"].tolist() == [1.0] and log.store.verify()["ok"]


@pytest.mark.parametrize("call, error, key", [
    (lambda l: l.record_monthly("无名机构", "2026-06", "work_plan", 1), MonitorError, "organisation"),
    (lambda l: l.record_monthly("红星文化促进会", "2026-13", "work_plan", 1), MonitorError, "period"),
    (lambda l: l.record_monthly("红星文化促进会", "2027-06", "work_plan", 1), MonitorError, "period"),
    (lambda l: l.record_monthly("红星文化促进会", "2026-06", "party", 1), MonitorError, "item"),
    (lambda l: l.record_monthly("红星文化促进会", "2026-06", "work_plan", 2.5), MonitorError, "score"),
    (lambda l: l.record_evaluation("E9", "P04", "mid", "management", 15), MonitorError, "evaluator"),
    (lambda l: l.record_evaluation("E1", "P05", "mid", "management", 15), MonitorError, "project"),
    (lambda l: l.record_evaluation("E1", "P04", "midterm", "management", 15), MonitorError, "evaluation"),
    (lambda l: l.record_evaluation("E1", "P04", "mid", "management", 25), ScoreError, "score"),
    (lambda l: l.record_indicator("P04", "mid", "served", 1), IndicatorError, "explanation"),
    (lambda l: l.record_indicator("P04", "mid", "satisfaction", 95), IndicatorError, "evaluation"),
    (lambda l: l.record_indicator("P04", "mid", "volunteers", 5), IndicatorError, "indicator"),
    (lambda l: l.record_indicator("P04", "final", "served", "many"), IndicatorError, "actual"),
    (lambda l: l.record_star("E1", "平安", "party_building", 20), MonitorError, "organisation"),
])
def test_refused_writes_write_nothing(log, call, error, key):
    with pytest.raises(error) as e:
        call(log)
    assert e.value.key == key and str(log.store.path) in e.value.where
    assert log.store.last_seq == 0


def test_tamper_detection_covers_monitoring_events(log):
    log.record_monthly("红星文化促进会", "2026-06", "work_plan", 1.5)
    log.record_evaluation("E1", "P04", "mid", "management", 15.5)
    log.record_monthly("红星文化促进会", "2026-07", "work_plan", 1.5)
    log.store.close()
    conn = sqlite3.connect(str(log.store.path))
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET score = 20 WHERE kind = 'evaluation'")
    conn.commit()
    conn.close()
    store = log.store.contest.open_store(log.store.path)
    try:
        result = store.verify()
        assert not result["ok"] and result["first_bad"] == 2 and "edited" in result["problem"]
    finally:
        store.close()


def test_import_folder_all_at_once_and_the_rules_agree(log):
    report = log.import_folder()
    n = len(log.monitoring.monthly) + len(log.monitoring.evaluations) + len(log.monitoring.actuals) + \
        len(log.monitoring.stars)
    assert report["n"].sum() == n and set(report["action"]) == {"add"} and log.store.last_seq == n
    again = log.import_folder()
    assert set(again["action"]) == {"same"} and log.store.last_seq == n
    cur = log.current()
    pd_eq = cur.watch().drop(columns=[]).equals(log.monitoring.watch())
    assert pd_eq
    assert cur.evaluate().table[["project", "evaluation", "grade"]].equals(
        log.monitoring.evaluate().table[["project", "evaluation", "grade"]])
    assert cur.star_ratings()["stars"].equals(log.monitoring.star_ratings()["stars"])
    assert log.store.verify()["ok"]
    # a changed value in the folder needs a reason; nothing is written without one
    changed = log.monitoring.monthly.copy()
    changed.loc[0, "score"] = 0.0
    log.monitoring = log.monitoring.with_records(monthly=changed)
    with pytest.raises(ScoreError):
        log.import_folder()
    assert log.store.last_seq == n
    log.import_folder(reason="复核")
    assert log.store.last_seq == n + 1


def test_a_month_and_a_sheet_are_all_or_nothing(log):
    log.record_month("红星文化促进会", "2026-06", {"work_plan": 1.5, "records": 1})
    n = log.store.last_seq
    with pytest.raises(MonitorError):  # the second item is off the scale: nothing is written
        log.record_month("红星文化促进会", "2026-07", {"work_plan": 1.5, "records": 3})
    with pytest.raises(ScoreError):  # one item would be a correction without a reason: nothing is written
        log.record_month("红星文化促进会", "2026-06", {"office_hours": 2, "records": 0.5})
    assert log.store.last_seq == n
    log.record_month("红星文化促进会", "2026-06", {"office_hours": 2, "records": 0.5}, reason="复核")
    assert dict(zip(log.monthly()["item"], log.monthly()["score"])) == {"work_plan": 1.5, "records": 0.5,
                                                                        "office_hours": 2}
    log.record_sheet("E1", "P04", "final", {"management": 15, "outputs": 20})
    with pytest.raises(ScoreError):
        log.record_sheet("E1", "P04", "final", {"finance": 10, "outputs": 30})
    assert len(log.evaluations()) == 2 and log.store.verify()["ok"]
