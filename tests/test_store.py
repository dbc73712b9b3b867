"""The SQLite event store: round trip, corrections as new events, locked rounds,
validation at the door with nothing written, import with a dry run, several
processes writing at once, the hash chain and access rights."""
import multiprocessing as mp
import sqlite3

import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import AccessError, RoundLockedError, ScoreError
from conftest import DATA


@pytest.fixture
def store(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as s:
        yield s


def test_round_trip_and_history(store):
    store.record("J1", "P01", "need", 12.5)
    store.record("J2", "P01", "need", 9)
    df = store.scores()
    assert list(df.columns) == ["judge", "project", "criterion", "score", "round", "panel"]
    assert df.set_index("judge")["score"].to_dict() == {"J1": 12.5, "J2": 9.0}
    assert (df["round"] == "final").all()
    # a second Store on the same file sees the same
    again = ek.Store(store.path, store.contest)
    pd.testing.assert_frame_equal(again.scores(), df)
    again.close()


def test_corrections_are_new_events_and_need_a_reason(store):
    store.record("J1", "P01", "need", 12.5)
    with pytest.raises(ScoreError, match="needs a reason"):
        store.record("J1", "P01", "need", 13)
    store.record("J1", "P01", "need", 13, reason="misheard")
    store.record("J1", "P01", "need", 13)  # the same value again is no correction
    h = store.history(judge="J1")
    assert list(h["score"]) == [12.5, 13, 13] and h["reason"].iloc[1] == "misheard"
    assert store.scores()["score"].tolist() == [13]
    store.retract("J1", "P01", "need", reason="judge left")
    assert store.scores().empty and len(store.history()) == 4


def test_rejected_event_writes_nothing(store):
    for args in [("J9", "P01", "need", 1), ("J1", "P01", "need", 16), ("J1", "P01", "need", 1.25),
                 ("J3", "P03", "need", 5), ("J1", "P01", "nope", 1)]:
        with pytest.raises(ScoreError):
            store.record(*args)
    assert store.history().empty


def test_locked_round_refuses_and_unlock_reopens(store):
    store.record("J1", "P01", "need", 10)
    store.lock()
    assert store.is_locked()
    with pytest.raises(RoundLockedError):
        store.record("J1", "P02", "need", 10)
    with pytest.raises(RoundLockedError):
        store.record("J1", "P01", "need", 11, reason="late fix")
    assert len(list(store.backup_dir.glob("*.db"))) == 1  # automatic backup on lock
    store.unlock()
    store.record("J1", "P02", "need", 10)
    assert [k for k in store.history()["kind"]] == ["score", "lock", "unlock", "score"]


def test_import_dry_run_then_all_or_nothing(store):
    report = store.import_scores(DATA / "demo-huaihe" / "scores.csv", dry_run=True)
    assert (report["action"] == "add").all() and len(report) == 150 * 8
    assert store.history().empty  # a dry run writes nothing
    store.import_scores(DATA / "demo-huaihe" / "scores.csv")
    assert len(store.scores()) == 1200
    bad = store.scores().iloc[:3][["judge", "project", "criterion", "score"]].copy()
    bad.loc[bad.index[2], "score"] = 99
    with pytest.raises(ScoreError):
        store.import_scores(bad, reason="x")
    assert len(store.history()) == 1200


def _writer(path, contest_dir, judge, n, queue):
    contest = ek.load_contest(contest_dir)
    s = ek.Store(path, contest)
    crits = contest.rubric.criterion_ids
    projects = [p for p in contest.project_ids if not contest.is_conflicted(judge, p)]
    done = 0
    for i in range(n):
        s.record(judge, projects[i // len(crits)], crits[i % len(crits)], 1)
        done += 1
    queue.put((judge, done))


def test_two_processes_writing_at_once_lose_nothing(store):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(store.path, store.contest.dir, j, 120, q)) for j in ("J1", "J2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(q.get(timeout=5) for _ in procs) == [("J1", 120), ("J2", 120)]
    df = store.scores()
    assert len(df) == 240 and df.groupby("judge").size().to_dict() == {"J1": 120, "J2": 120}
    assert store.verify()["ok"]


def test_hash_chain_detects_edit_outside_evalkit(store):
    for c in ("need", "design", "innovation"):
        store.record("J1", "P01", c, 5)
    assert store.verify() == {"ok": True, "events": 3, "first_bad": None, "problem": ""}
    raw = sqlite3.connect(store.path)
    raw.execute("DROP TRIGGER events_no_update")
    raw.execute("UPDATE events SET score = 9 WHERE seq = 2")
    raw.commit()
    raw.close()
    result = store.verify()
    assert not result["ok"] and result["first_bad"] == 2 and "edited" in result["problem"]


def test_events_cannot_be_updated_through_sqlite(store):
    store.record("J1", "P01", "need", 5)
    raw = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM events")
    raw.close()


def test_pin_and_judge_tokens(store):
    store.set_pin("246813")
    tokens = store.judge_tokens()
    assert set(tokens) == set(store.contest.judge_ids) and len(set(tokens.values())) == 7
    judge_store = ek.Store(store.path, store.contest)  # no PIN: a judge's page
    with pytest.raises(AccessError):
        judge_store.lock()
    with pytest.raises(AccessError):
        judge_store.record("J1", "P01", "need", 3)
    with pytest.raises(AccessError):
        ek.Store(store.path, store.contest, pin="000000")
    store.set_current("P01")  # judges score what has pitched
    session = judge_store.judge_session(tokens["J2"])
    session.record("P01", "need", 7)
    session.record("P01", "need", 8)  # a judge may correct their own score until the lock
    assert session.scores()["score"].tolist() == [8]
    with pytest.raises(AccessError):
        judge_store.judge_session("guess")
    judge_store.close()
