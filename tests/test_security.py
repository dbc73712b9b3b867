"""Access: judge links bound to random tokens, a judge's session records only
for its judge (never a conflicted project, never a locked round) and sees only
its own scores before the lock; every secretary action needs the PIN."""
import base64
import sqlite3

import pytest

import evalkit as ek
from evalkit.errors import AccessError, RoundLockedError, ScoreError
from evalkit.store import JudgeSession

PIN = "246813"


@pytest.fixture
def secretary(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as s:
        s.set_pin(PIN)
        for project in contest.project_ids:  # every project has pitched: judges may score each
            s.set_current(project)
        yield s


@pytest.fixture
def tokens(secretary):
    return secretary.judge_tokens()


@pytest.fixture
def page(secretary):
    """A store opened without the PIN, as a judge's page kernel opens it."""
    with ek.Store(secretary.path, secretary.contest) as s:
        yield s


def test_tokens_are_random_long_and_stored_only_as_hashes(secretary, tokens):
    assert set(tokens) == set(secretary.contest.judge_ids)
    assert len(set(tokens.values())) == len(tokens)
    for t in tokens.values():
        raw = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
        assert len(raw) * 8 >= 128  # at least 128 random bits (secrets.token_urlsafe)
    dump = "\n".join(sqlite3.connect(secretary.path).iterdump())
    assert not any(t in dump for t in tokens.values())  # only salted hashes are kept
    # issuing again keeps the links; renewing replaces every one and ends the old ones
    assert secretary.judge_tokens() == {}
    renewed = secretary.judge_tokens(renew=True)
    assert set(renewed) == set(tokens) and not set(renewed.values()) & set(tokens.values())
    with pytest.raises(AccessError):
        secretary.judge_session(tokens["J1"])


def test_a_token_opens_only_its_own_judge(page, tokens):
    for judge, token in tokens.items():
        session = page.judge_session(token)
        assert isinstance(session, JudgeSession) and session.judge == judge
    for bad in ["", None, "guess", tokens["J1"][:-1], tokens["J1"] + "x", tokens["J1"].upper(), 12345]:
        with pytest.raises(AccessError):
            page.judge_session(bad)


def test_a_session_records_only_for_its_judge(page, tokens):
    session = page.judge_session(tokens["J2"])
    ev = session.record("P01", "need", 7)
    assert ev["judge"] == "J2" and ev["entered_by"] == "judge:J2"
    # no way to name another judge through the session
    with pytest.raises(TypeError):
        session.record("P01", "need", 7, judge="J1")
    # and without the PIN the store itself refuses to record for a judge
    with pytest.raises(AccessError):
        page.record("J1", "P01", "need", 3)
    history = page.history()
    assert history.loc[history["kind"] == "score", "judge"].tolist() == ["J2"]


def test_a_revoked_link_stops_working_in_an_open_page(secretary, page, tokens):
    session = page.judge_session(tokens["J4"])
    session.record("P01", "need", 5)
    secretary.judge_tokens(renew=True)
    with pytest.raises(AccessError):
        session.record("P02", "need", 5)
    for read in (session.scores, session.visible_scores):
        with pytest.raises(AccessError):
            read()


def test_a_session_refuses_a_conflicted_project(page, tokens):
    contest = page.contest
    assert contest.is_conflicted("J3", "P03")
    session = page.judge_session(tokens["J3"])
    # the one check every entry path uses (scores.check_entry): ScoreError, one message
    with pytest.raises(ScoreError, match="judge 'J3' has a conflict of interest with project 'P03'"):
        session.record("P03", "need", 5)
    org_conflicts = [p for p in contest.project_ids if contest.is_conflicted("J3", p) and p != "P03"]
    for p in org_conflicts:  # conflicts by organisation count too
        with pytest.raises(ScoreError, match="conflict of interest"):
            session.record(p, "need", 5)
    # set_pin, the pitches and the judges' links: nothing written by the refused records
    assert page.last_seq == 1 + len(contest.project_ids) + len(contest.judge_ids)


def test_a_session_refuses_a_locked_round(secretary, page, tokens):
    session = page.judge_session(tokens["J1"])
    session.record("P01", "need", 5)
    secretary.lock()
    seq = page.last_seq
    with pytest.raises(RoundLockedError):
        session.record("P02", "need", 5)
    with pytest.raises(RoundLockedError):
        session.record("P01", "need", 6, reason="changed my mind")
    assert page.last_seq == seq
    secretary.unlock(reason="late arrival")
    session.record("P02", "need", 5)


def test_other_judges_scores_stay_hidden_until_the_lock(secretary, page, tokens):
    j1, j2 = page.judge_session(tokens["J1"]), page.judge_session(tokens["J2"])
    j1.record("P01", "need", 11)
    j2.record("P01", "need", 4)
    secretary.record("J5", "P02", "need", 9)  # a paper sheet typed in by the secretary
    for session, own in ((j1, ["J1", 11.0]), (j2, ["J2", 4.0])):
        assert session.scores()[["judge", "score"]].values.tolist() == [own]
        assert session.visible_scores()[["judge", "score"]].values.tolist() == [own]
    assert page.visible_scores("J7").empty
    secretary.lock()
    assert sorted(j2.visible_scores()["judge"]) == ["J1", "J2", "J5"]
    assert j2.scores()["judge"].tolist() == ["J2"]  # the page's own-score read stays its own
    secretary.unlock(reason="reopened")
    assert j2.visible_scores()["judge"].tolist() == ["J2"]


def test_every_secretary_action_needs_the_pin(secretary, page, tokens):
    secretary.record("J1", "P01", "need", 5)
    actions = {
        "lock": lambda: page.lock(),
        "unlock": lambda: page.unlock(),
        "retract": lambda: page.retract("J1", "P01", "need", reason="x"),
        "correction": lambda: page.record("J1", "P01", "need", 6, reason="x"),
        "record for a judge": lambda: page.record("J2", "P01", "need", 6),
        "setting": lambda: page.setting("allocation_rule", "greedy"),
        "set current": lambda: page.set_current("P02"),
        "change PIN": lambda: page.set_pin("135790"),
        "judge links": lambda: page.judge_tokens(),
        "import": lambda: page.import_scores(secretary.scores()[["judge", "project", "criterion", "score"]]
                                             .assign(project="P02")),
    }
    seq = secretary.last_seq
    for name, action in actions.items():
        with pytest.raises(AccessError):
            action()
    assert page.last_seq == seq, "a refused action wrote an event"
    # a wrong PIN is refused at the door; the right one grants the actions
    for wrong in ["000000", "", "2468130", " 246813", "24681"]:
        with pytest.raises(AccessError):
            ek.Store(secretary.path, secretary.contest, pin=wrong)
    with ek.Store(secretary.path, secretary.contest, pin=PIN) as s:
        s.setting("allocation_rule", "greedy")
        s.lock()
        assert s.is_locked()


def test_a_judge_may_correct_only_their_own_score(secretary, page, tokens):
    secretary.record("J1", "P01", "need", 5)
    session = page.judge_session(tokens["J2"])
    session.record("P01", "need", 5)
    session.record("P01", "need", 6)  # own correction, allowed until the lock
    cur = secretary.scores().set_index("judge")["score"].to_dict()
    assert cur == {"J1": 5.0, "J2": 6.0}


def test_pin_needs_six_digits(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as s:
        for bad in ["", "12", None, "12345", "abcdef", "12345a", "123 456", "１２３４５６", 123456]:
            with pytest.raises(AccessError, match="at least 6 digits") as err:
                s.set_pin(bad)
            assert err.value.expected == "at least 6 digits 0-9" and err.value.key == "pin"
            assert str(bad) not in str(err.value.found) or bad in ("", None)  # the refused PIN is not echoed
        assert not s.has_pin and s.last_seq == 0
        s.set_pin("123456")
        assert s.has_pin


def _mode(path) -> int:
    import os
    import stat
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_store_and_its_backups_are_the_secretarys_files_only(demo_copy, tmp_path):
    # the store holds the PIN's and the tokens' hashes (a six-digit PIN's hash is the PIN
    # to anyone who can read it) and, before the lock, scores no judge may see
    import os
    contest = ek.load_contest(demo_copy(scores=False))
    umask = os.umask(0o022)            # the usual umask: files made without a mode are readable by all
    try:
        _check_store_files(contest, tmp_path)
    finally:
        os.umask(umask)


def _check_store_files(contest, tmp_path):
    import os
    from evalkit.store import backup_file, restore_file
    with contest.open_store() as store:
        store.set_pin(PIN)
    with contest.open_store(pin=PIN) as store:
        store.set_current("P01")
        store.record("J1", "P01", contest.rubric.criterion_ids[0], 1)
        sides = [store.path.with_name(store.path.name + s) for s in ("-wal", "-shm")]
        assert [_mode(p) for p in [store.path, *sides] if p.exists()] == [0o600] * (1 + sum(p.exists() for p in sides))
        assert any(p.exists() for p in sides)                          # WAL: the side files are there, 0600 too
        store.lock()
        locked = list(store.backup_dir.glob("*.db"))
        assert locked and all(_mode(p) == 0o600 for p in locked)       # the backup written at the lock
        assert _mode(store.backup(tmp_path / "copy.db")) == 0o600
    assert _mode(backup_file(contest.dir / "evalkit.db", tmp_path / "cli-backup.db")) == 0o600
    restore_file(tmp_path / "copy.db", tmp_path / "restored.db")
    assert _mode(tmp_path / "restored.db") == 0o600
    # a store an older evalkit left readable by all is the secretary's again when opened
    os.chmod(contest.dir / "evalkit.db", 0o644)
    with contest.open_store(pin=PIN):
        assert _mode(contest.dir / "evalkit.db") == 0o600
