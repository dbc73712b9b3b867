"""Reliability: no acknowledged score lost when the writer is killed (SIGKILL at
random moments), 8 processes writing at once, tampering caught by `evalkit
verify`, backups (command, automatic on lock) and restore, and `evalkit replay`."""
import json
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import time

import pytest

import evalkit as ek
from evalkit.allocate import allocate
from evalkit.cli import main as cli
from evalkit.errors import StoreError, TamperError
from evalkit.decision.replay import replay
from evalkit.store import event_hash, restore_file, verify_file

CRASH_TRIALS = 50
WRITERS, PER_WRITER = 8, 500


@pytest.fixture
def contest(demo_copy):
    return ek.load_contest(demo_copy(scores=False))


def _pairs(contest):
    """Every non-conflicted (judge, project, criterion) key."""
    return [(j, p, c) for j in contest.judge_ids for p in contest.project_ids if not contest.is_conflicted(j, p)
            for c in contest.rubric.criterion_ids]


def _integrity(path):
    raw = sqlite3.connect(path)
    try:
        return raw.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        raw.close()


# --- crash safety ----------------------------------------------------------

def _crash_child(path, contest, wfd, seed):
    """Record scores for ever; after each record() returns, write its event down."""
    rng = random.Random(seed)
    keys = _pairs(contest)
    store = ek.Store(path, contest)
    while True:
        j, p, c = rng.choice(keys)
        value = rng.randint(0, 5)
        ev = store.record(j, p, c, value, reason="crash test")
        os.write(wfd, (json.dumps([ev["seq"], j, p, c, value]) + "\n").encode())


def test_sigkill_at_random_moments_loses_no_acknowledged_score(contest):
    path = str(contest.dir / "evalkit.db")
    rng = random.Random(20260516)
    acked = {}  # seq -> (judge, project, criterion, score)
    for trial in range(CRASH_TRIALS):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns into pytest
            try:
                os.close(rfd)
                _crash_child(path, contest, wfd, trial)
            finally:
                os._exit(0)
        os.close(wfd)
        time.sleep(rng.uniform(0.02, 0.30))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(rfd, "rb") as pipe:
            lines = pipe.read().decode().splitlines()
        for line in lines:
            seq, j, p, c, v = json.loads(line)
            acked[seq] = (j, p, c, float(v))
        # after every kill: the file opens, is sound, verifies, and holds every acknowledged event
        assert _integrity(path) == "ok"
        with ek.Store(path, contest) as store:
            assert store.verify()["ok"], store.verify()
            hist = store.history()
        stored = {r.seq: (r.judge, r.project, r.criterion, r.score) for r in hist.itertuples(index=False)}
        lost = {seq: ev for seq, ev in acked.items() if stored.get(seq) != ev}
        assert not lost, f"trial {trial}: acknowledged events lost or changed: {lost}"
    # the runs were long enough to be killed mid-stream: many events acknowledged
    assert len(acked) > CRASH_TRIALS
    print(f"{CRASH_TRIALS} SIGKILL trials, {len(acked)} acknowledged events, all present")
    with ek.Store(path, contest) as store:
        # the current table agrees with the newest acknowledged value of each key
        # (or a newer one the child committed but could not acknowledge before the kill)
        current = store.scores().set_index(["judge", "project", "criterion"])["score"]
        hist = store.history()
        newest = hist[hist["kind"] == "score"].groupby(["judge", "project", "criterion"])["seq"].max()
        for seq, (j, p, c, v) in acked.items():
            if newest[(j, p, c)] == seq:
                assert current[(j, p, c)] == v


# --- concurrency -------------------------------------------------------------

def _writer(path, contest, judge, round_ids, n, queue):
    try:
        store = ek.Store(path, contest)
        keys = [(p, c, r) for r in round_ids for (j, p, c) in _pairs(contest) if j == judge][:n]
        for p, c, r in keys:
            store.record(judge, p, c, 1, round=r)
        queue.put((judge, len(keys), None))
    except BaseException as exc:  # reported to the parent: any error fails the test
        queue.put((judge, -1, repr(exc)))


def test_eight_processes_writing_at_once_lose_and_duplicate_nothing(demo_copy):
    folder = demo_copy(scores=False)
    # eight judges and four rounds: 500 distinct keys per judge
    with open(folder / "judges.csv", "a", encoding="utf-8") as f:
        f.write("J8,周敏,,\n")
    text = (folder / "contest.yaml").read_text(encoding="utf-8")
    text = text[:text.index("rounds:")] + "rounds: [r1, r2, r3, r4]\n"
    (folder / "contest.yaml").write_text(text, encoding="utf-8")
    contest = ek.load_contest(folder)
    path = str(folder / "evalkit.db")
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    judges = contest.judge_ids
    assert len(judges) == WRITERS
    procs = [ctx.Process(target=_writer, args=(path, contest, j, ["r1", "r2", "r3", "r4"], PER_WRITER, queue))
             for j in judges]
    for p in procs:
        p.start()
    results = sorted(queue.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(30)
    assert results == [(j, PER_WRITER, None) for j in sorted(judges)]
    with ek.Store(path, contest) as store:
        df = store.scores()
        hist = store.history()
        assert store.verify()["ok"]
    assert len(df) == WRITERS * PER_WRITER
    assert not df.duplicated(["judge", "project", "criterion", "round"]).any()
    assert df.groupby("judge").size().to_dict() == {j: PER_WRITER for j in judges}
    assert len(hist) == WRITERS * PER_WRITER and list(hist["seq"]) == list(range(1, WRITERS * PER_WRITER + 1))
    assert _integrity(path) == "ok"


# --- tamper evidence ------------------------------------------------------------

def _filled(contest, n=6):
    store = contest.open_store()
    for c in contest.rubric.criterion_ids[:n]:
        store.record("J1", "P01", c, 5)
    store.close()
    return str(contest.dir / "evalkit.db")


def _attack(path, *sql):
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER events_no_update")
    raw.execute("DROP TRIGGER events_no_delete")
    for statement in sql:
        if callable(statement):
            statement(raw)
        else:
            raw.execute(statement)
    raw.commit()
    raw.close()


def _forge_insert_at_3(raw):
    """Renumber events 3.. up by one and insert a forged event 3 that links
    correctly to event 2 (what an attacker who read evalkit's code would do)."""
    raw.execute("UPDATE events SET seq = seq + 1000 WHERE seq >= 3")
    raw.execute("UPDATE events SET seq = seq - 999 WHERE seq >= 1000")
    prev = raw.execute("SELECT hash FROM events WHERE seq = 2").fetchone()[0]
    ev = dict(seq=3, ts="2026-05-16T09:00:00+00:00", kind="score", judge="J2", project="P01", criterion="need",
              round="final", score=15.0, entered_by="judge:J2", reason=None)
    raw.execute("INSERT INTO events (seq, ts, kind, judge, project, criterion, round, score, entered_by, reason, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                list(ev.values()) + [prev, event_hash(prev, ev)])


def _rehash_3(raw):
    """Edit event 3 and recompute its own hash (but not its successors' links)."""
    row = raw.execute("SELECT seq, ts, kind, judge, project, criterion, round, score, entered_by, reason, prev_hash "
                      "FROM events WHERE seq = 3").fetchone()
    ev = dict(zip(("seq", "ts", "kind", "judge", "project", "criterion", "round", "score", "entered_by", "reason"),
                  row[:10]))
    ev["score"] = 0.0
    raw.execute("UPDATE events SET score = 0, hash = ? WHERE seq = 3", (event_hash(row[10], ev),))


@pytest.mark.parametrize("attack, first_bad, word", [
    (("UPDATE events SET score = 9 WHERE seq = 3",), 3, "edited"),
    ((_rehash_3,), 3, "edited"),
    (("DELETE FROM events WHERE seq = 3",), 3, "deleted"),
    (("DELETE FROM events WHERE seq = 6",), 6, "deleted"),
    (("DELETE FROM events WHERE seq = 3", "UPDATE events SET seq = seq - 1 WHERE seq > 3"), 3, "deleted"),
    ((_forge_insert_at_3,), 3, "inserted"),
    (("INSERT INTO events (seq, ts, kind, judge, project, criterion, round, score, entered_by, reason, prev_hash, hash) SELECT 7, ts, kind, judge, project, criterion, round, 1, entered_by, reason, hash, "
      # a forged hash that always differs from event 6's ('f' + its tail would equal it 1 time in 16)
      "(CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END) || substr(hash, 2) FROM events WHERE seq = 6",),
     7, "inserted"),
    (("DELETE FROM events WHERE seq = 6", "DELETE FROM meta WHERE key = 'head'"), 5, "removed"),
], ids=["edit", "edit-rehash", "delete", "delete-last", "delete-renumber", "insert-forged", "insert-at-end",
        "delete-last-and-head"])
def test_verify_command_names_the_first_tampered_event(contest, capsys, attack, first_bad, word):
    path = _filled(contest)
    assert cli(["verify", path]) == 0
    assert "6 events" in capsys.readouterr().out
    _attack(path, *attack)
    assert cli(["verify", path]) == 1
    err = capsys.readouterr().err
    assert f"first bad event {first_bad}:" in err and word in err
    # the store API and replay refuse the tampered record as well
    with ek.Store(path, contest) as store:
        assert not store.verify()["ok"] and store.verify()["first_bad"] == first_bad
        with pytest.raises(TamperError):
            store.check_integrity()
    with pytest.raises(TamperError, match=word):
        replay(path, contest)


def test_verify_refuses_a_file_that_is_no_store(tmp_path, capsys):
    junk = tmp_path / "evalkit.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert cli(["verify", str(junk)]) == 1
    assert "error" in capsys.readouterr().err
    with pytest.raises(StoreError):
        verify_file(tmp_path / "missing.db")


# --- backups ----------------------------------------------------------------------

def test_backup_command_and_restore(contest, tmp_path, capsys):
    path = _filled(contest)
    out = tmp_path / "copy.db"
    assert cli(["backup", path, "--out", str(out)]) == 0
    assert "6 events" in capsys.readouterr().out
    # the default destination is backups/ beside the store
    assert cli(["backup", path]) == 0 and len(list((contest.dir / "backups").glob("evalkit-*.db"))) == 1
    with ek.Store(path, contest) as store:
        before = store.scores()
        store.record("J1", "P01", "need", 1, reason="after the backup")
    # restoring onto an existing store needs --force and keeps the old file aside
    assert cli(["restore", str(out), path]) == 1
    assert cli(["restore", str(out), path, "--force"]) == 0
    aside = [p for p in contest.dir.glob("evalkit-before-restore-*.db")]
    assert len(aside) == 1 and verify_file(aside[0])["events"] == 7
    with ek.Store(path, contest) as store:
        assert store.verify()["ok"] and store.last_seq == 6
        assert store.scores().equals(before)
        store.record("J2", "P02", "need", 3)  # the restored store takes new scores
        assert store.verify()["ok"]
    # a restore into a new file
    fresh = tmp_path / "new.db"
    assert restore_file(out, fresh) is None
    with ek.Store(fresh, contest) as store:
        assert store.scores().equals(before) and store.verify()["ok"]


def test_restore_refuses_a_tampered_backup(contest, tmp_path):
    path = _filled(contest)
    copy = tmp_path / "copy.db"
    cli(["backup", path, "--out", str(copy)])
    _attack(str(copy), "UPDATE events SET score = 0 WHERE seq = 2")
    with pytest.raises(TamperError):
        restore_file(copy, tmp_path / "restored.db")
    assert not (tmp_path / "restored.db").exists()


def test_lock_writes_an_automatic_backup_that_restores(contest, tmp_path):
    path = _filled(contest)
    with ek.Store(path, contest) as store:
        before = store.scores()
        ev = store.lock()
    backups = list((contest.dir / "backups").glob("*.db"))
    assert [b.name for b in backups] == [f"evalkit-final-locked-{ev['seq']}.db"]
    check = verify_file(backups[0])
    assert check["ok"] and check["events"] == 7 and check["integrity"] == "ok"
    restore_file(backups[0], tmp_path / "r.db")
    with ek.Store(tmp_path / "r.db", contest) as store:
        assert store.is_locked() and store.scores().equals(before)


# --- replay -------------------------------------------------------------------------

def test_replay_recomputes_the_contest_rule_and_its_digest_moves_with_a_score(demo_copy, capsys):
    folder = demo_copy()
    contest = ek.load_contest(folder)
    path = str(folder / "evalkit.db")
    with contest.open_store() as store:
        store.import_scores(folder / "scores.csv")
    first = replay(path)
    # the same numbers as ranking and allocating the validated scores.csv directly
    direct = ek.rank(contest.scores, contest.rubric, method=contest.rubric.rule.method).projects
    assert first.method == "trimmed" and first.rule == "optimal" and first.events == 1200
    assert list(first.ranking["project"]) == list(direct.index)
    assert first.ranking["score"].tolist() == pytest.approx(direct["score"].tolist(), abs=1e-9)
    table = direct.reset_index().merge(contest.projects[["id", "requested"]], left_on="project", right_on="id")
    alloc = allocate(table[["project", "score", "requested", "excluded"]], contest.budget, rule="optimal")
    assert first.allocation["amount"].tolist() == alloc.table["amount"].tolist()
    assert first.allocation["amount"].sum() <= contest.budget
    # stable: the same log gives the same digest, here and through the command
    assert replay(path).digest == first.digest
    assert cli(["replay", path, "--digest-only"]) == 0
    assert capsys.readouterr().out.strip() == f"digest sha256: {first.digest}"
    # one corrected score changes the digest; correcting it back restores it
    top = first.ranking["project"].iloc[0]
    old = contest.scores.query("judge == 'J1' and project == @top and criterion == 'need'")["score"].iloc[0]
    with contest.open_store() as store:
        store.record("J1", top, "need", 0, reason="replay test")
    changed = replay(path)
    assert changed.digest != first.digest and changed.events == 1201
    with contest.open_store() as store:
        store.record("J1", top, "need", old, reason="back")
        assert replay(path).digest == first.digest
        # a setting in the store chooses the allocation rule
        store.setting("allocation_rule", "greedy")
        greedy = replay(path)
        assert greedy.rule == "greedy" and greedy.allocation["amount"].sum() <= contest.budget
        # a full allocation setting (as the allocation tab would record it) wins
        store.setting("allocation", {"rule": "optimal", "budget": 100000})
    small = replay(path)
    assert small.rule == "optimal" and 0 < small.allocation["amount"].sum() <= 100000
    assert small.digest not in (first.digest, greedy.digest)
