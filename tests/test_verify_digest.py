"""A result anyone can verify, with no secret to keep (issue 13, items 5 and 6, store side).

The full-chain rewrite (edit a score in the SQLite file, recompute every later hash and
the head) passes a plain `evalkit verify` — the documented limit, since nothing secret
exists — but fails against the head digest published at the lock, against every
judge's receipt at or after the edited event, and against the lock-time backup; a
receipt before the edit still passes. The PIN hash and the judges' token hashes are
chained events, so a value planted in the old meta/access places is refused; stores
made before keep working and migrate at the secretary's first open; the PIN is 6+
digits under a slow hash that names its cost."""
import hashlib
import sqlite3
import time

import pytest

import evalkit as ek
from evalkit import pinhash
from evalkit.cli import main as cli
from evalkit.errors import AccessError, TamperError
from evalkit.store import ACCESS_CHAINED, CHAINED_FIELDS, PIN_HIDDEN, event_hash, verify_file

PIN = "246813"


def _raw(path, fn):
    """Edit the file as an attacker would: SQLite directly, triggers dropped."""
    raw = sqlite3.connect(path)
    try:
        raw.execute("DROP TRIGGER IF EXISTS events_no_update")
        raw.execute("DROP TRIGGER IF EXISTS events_no_delete")
        out = fn(raw)
        raw.commit()
        return out
    finally:
        raw.close()


def rewrite_from(path, seq, **changes):
    """The full-chain rewrite: change event ``seq``, recompute its hash and every later
    event's link and hash, and move the head kept in meta."""
    def attack(raw):
        cols = ", ".join(CHAINED_FIELDS)
        rows = raw.execute(f"SELECT {cols}, prev_hash FROM events WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
        prev = rows[0][-1]
        for row in rows:
            ev = dict(zip(CHAINED_FIELDS, row[:-1]))
            if ev["seq"] == seq:
                ev.update(changes)
            h = event_hash(prev, ev)
            raw.execute("UPDATE events SET score = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                        (ev["score"], prev, h, ev["seq"]))
            prev = h
        raw.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"[{rows[-1][0]}, \"{prev}\"]",))
    _raw(path, attack)


def append_forged(path, **event):
    """Append a correctly chained event and move the head (no secret is needed)."""
    def attack(raw):
        seq, prev = raw.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        ev = dict.fromkeys(CHAINED_FIELDS)
        ev.update(event, seq=seq + 1, ts="2026-05-16T12:00:00+00:00")
        h = event_hash(prev, ev)
        raw.execute(f"INSERT INTO events ({', '.join(CHAINED_FIELDS)}, prev_hash, hash) VALUES "
                    f"({', '.join('?' * (len(CHAINED_FIELDS) + 2))})", [ev[k] for k in CHAINED_FIELDS] + [prev, h])
        raw.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"[{seq + 1}, \"{h}\"]",))
    _raw(path, attack)


@pytest.fixture
def contest(demo_copy):
    return ek.load_contest(demo_copy(scores=False))


@pytest.fixture
def locked(contest):
    """A round scored from the judges' phones and locked: (path, published digest,
    [(seq, receipt), ...] in chain order)."""
    receipts = []
    with contest.open_store() as s:
        s.set_pin(PIN)
        tokens = s.judge_tokens()
        criteria = contest.rubric.criterion_ids[:3]
        for project in contest.project_ids[:4]:
            s.set_current(project)
            for judge in contest.judge_ids[:4]:
                if contest.is_conflicted(judge, project):
                    continue
                sheet = s.judge_session(tokens[judge]).submit(project, {c: 3 for c in criteria}, op=f"{judge}-{project}")
                receipts.append((sheet["events"][-1]["seq"], sheet["receipt"]))
        s.lock()
        published = s.head_digest()
        assert s.check_digest(published)["ok"]
    return str(contest.dir / "evalkit.db"), published, receipts


def _run(capsys, *argv):
    code = cli(["verify", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_untouched_file_passes_every_check_and_prints_its_head_digest(locked, contest, capsys):
    path, published, receipts = locked
    code, out, _ = _run(capsys, path)
    assert code == 0 and f"head digest checked: {published}" in out and "No secret is kept" in out
    argv = [path, "--digest", published, "--backup", str(contest.dir / "backups")]
    for _, r in receipts:
        argv += ["--receipt", r]
    code, out, err = _run(capsys, *argv)
    assert code == 0 and not err, err
    assert "是公布的记录" in out and "this file is the published record" in out and "no event follows it" in out
    assert out.count("评分表原样保存 this file holds the sheet unchanged") == len(receipts)
    assert "一致 consistent" in out


def test_full_chain_rewrite_passes_plain_verify_but_fails_the_digest_and_later_receipts(locked, contest, capsys):
    path, published, receipts = locked
    edited = receipts[len(receipts) // 2][0] - 1  # a score in the middle of the chain
    with sqlite3.connect(path) as raw:
        kind, score = raw.execute("SELECT kind, score FROM events WHERE seq = ?", (edited,)).fetchone()
    assert kind == "score"
    rewrite_from(path, edited, score=score + 2)

    # the documented limit: no secret exists, so the rewritten file verifies on its own
    check = verify_file(path)
    assert check["ok"] and check["digest"] != published
    code, out, _ = _run(capsys, path)
    assert code == 0 and f"head digest checked: {check['digest']}" in out
    with ek.Store(path, contest) as s:
        assert s.verify()["ok"] and s.head_digest() == check["digest"]
    # ... but not against what was published at the lock
    code, out, err = _run(capsys, path, "--digest", published)
    assert code == 1 and "不是公布的记录" in err and "NOT the published record" in err
    assert f"at or before event {published.split('-')[0]}" in err
    # every receipt at or after the edited event fails; one before it still passes
    before = [r for seq, r in receipts if seq < edited]
    after = [r for seq, r in receipts if seq >= edited]
    assert before and after
    for r in after:
        code, _, err = _run(capsys, path, "--receipt", r)
        assert code == 1 and "评分表不在或已被改动" in err and "does NOT hold the sheet unchanged" in err, r
    for r in before:
        code, out, _ = _run(capsys, path, "--receipt", r)
        assert code == 0 and "holds the sheet unchanged" in out, r
    # the lock-time backup still holds the original: the two disagree
    code, _, err = _run(capsys, path, "--backup", str(contest.dir / "backups"))
    assert code == 1 and "INCONSISTENT" in err
    # one failing check among passing ones fails the whole command
    code, _, _ = _run(capsys, path, "--receipt", before[0], "--receipt", after[-1])
    assert code == 1


def test_events_after_the_published_digest_are_counted_and_exact_refuses_them(locked, contest, capsys):
    path, published, _ = locked
    with contest.open_store(pin=PIN) as s:
        s.unlock(reason="a late correction")
        s.record(contest.judge_ids[0], contest.project_ids[0], contest.rubric.criterion_ids[0], 4, reason="typo")
        s.lock()
        assert s.check_digest(published) == dict(ok=True, seq=int(published.split("-")[0]), after=3,
                                                 after_kinds={"lock": 1, "score": 1, "unlock": 1}, problem="")
    code, out, _ = _run(capsys, path, "--digest", published)
    assert code == 0 and "3 events follow it (lock 1, score 1, unlock 1)" in out
    code, _, err = _run(capsys, path, "--digest", published, "--exact")
    assert code == 1 and "3 events follow the published one" in err
    # a planted PIN appended with recomputed hashes passes a plain check, and shows after the digest
    append_forged(path, kind="pin", reason=pinhash.make_pin_hash("999999"), entered_by="secretary")
    assert verify_file(path)["ok"]
    with ek.Store(path, contest, pin="999999") as s:  # the attacker's PIN works: the digest is the guard
        assert s.has_pin
    code, out, _ = _run(capsys, path, "--digest", published)
    assert code == 0 and "4 events follow it (lock 1, pin 1, score 1, unlock 1)" in out


@pytest.mark.parametrize("bad, problem", [
    ("12-abc", "is not a head digest"),
    ("x-" + "0" * 64, "is not a head digest"),
    ("9999-" + "0" * 64, "event 9999 of the digest is not in this file"),
])
def test_a_malformed_or_foreign_digest_fails(locked, capsys, bad, problem):
    path, _, _ = locked
    code, _, err = _run(capsys, path, "--digest", bad)
    assert code == 1 and problem in err


def test_a_malformed_receipt_fails(locked, capsys):
    path, published, receipts = locked
    for bad in (published, "1-xyz", "", receipts[0][1][:-1]):
        code, _, err = _run(capsys, path, "--receipt", bad)
        assert code == 1 and "is not a receipt" in err


def test_a_tampered_backup_is_named(locked, contest, capsys):
    path, _, _ = locked
    backup = next((contest.dir / "backups").glob("*.db"))
    _raw(str(backup), lambda raw: raw.execute("UPDATE events SET score = 0 WHERE seq = 20"))
    code, _, err = _run(capsys, path, "--backup", str(backup))
    assert code == 1 and "the backup does not verify" in err and "event 20 was edited" in err
    code, _, err = _run(capsys, path, "--backup", str(contest.dir / "no-such-folder"))
    assert code == 1


# --- the PIN hash and the access table are covered by the chain ------------------------

def _salt(path):
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT value FROM meta WHERE key = 'pin_salt'").fetchone()[0]


def test_a_pin_hash_planted_in_meta_is_refused(locked, contest, capsys):
    path, _, _ = locked
    _raw(path, lambda raw: raw.execute("INSERT INTO meta VALUES ('pin_hash', ?)", (pinhash.make_pin_hash("999999"),)))
    for pin in ("999999", PIN, None):
        with pytest.raises(TamperError, match="outside the hash chain") as err:
            ek.Store(path, contest, pin=pin)
        assert err.value.key == "pin_hash" and "meta" in err.value.message
    check = verify_file(path)
    assert not check["ok"] and check["first_bad"] is None and "pin_hash" in check["problem"]
    code, _, err = _run(capsys, path)
    assert code == 1 and "TAMPERED" in err and "outside the hash chain" in err


def test_a_token_hash_planted_in_the_access_table_is_refused(locked, contest):
    path, _, _ = locked
    planted = hashlib.sha256((_salt(path) + "attacker-token").encode()).hexdigest()
    _raw(path, lambda raw: raw.execute("INSERT INTO access VALUES ('J1', ?)", (planted,)))
    with pytest.raises(TamperError, match="access table") as err:
        ek.Store(path, contest).judge_session("attacker-token")
    assert err.value.key == "access"
    assert not verify_file(path)["ok"]


def test_planting_into_a_new_store_without_pin_or_links_is_refused(contest):
    with contest.open_store() as s:
        path = str(s.path)
    planted = hashlib.sha256((_salt(path) + "attacker-token").encode()).hexdigest()
    _raw(path, lambda raw: raw.execute("INSERT INTO access VALUES ('J1', ?)", (planted,)))
    with pytest.raises(TamperError):
        ek.Store(path, contest)


def test_links_and_pin_live_in_the_chain(contest):
    with contest.open_store() as s:
        s.set_pin(PIN)
        tokens = s.judge_tokens()
        s.judge_tokens(renew=True)
        path = str(s.path)
        history = s.history()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM access").fetchone()[0] == 0
        assert raw.execute("SELECT value FROM meta WHERE key = 'pin_hash'").fetchone() is None
        kinds = [k for (k,) in raw.execute("SELECT kind FROM events ORDER BY seq")]
        record = raw.execute("SELECT reason FROM events WHERE kind = 'pin'").fetchone()[0]
    assert kinds == ["pin"] + ["access"] * 2 * len(contest.judge_ids)
    # the audit log (printed in reports) does not show the PIN's hash
    assert history.loc[history["kind"] == "pin", "reason"].tolist() == [PIN_HIDDEN]
    assert record.startswith("scrypt:") and record not in history.to_string()
    with ek.Store(path, contest) as page:  # renewed links end the old ones
        with pytest.raises(AccessError):
            page.judge_for_token(tokens["J1"])


# --- the PIN: 6 digits, a slow hash naming its cost, old stores keep working -----------

def test_pin_hash_is_slow_scrypt_and_still_fast_enough():
    record = pinhash.make_pin_hash("123456")
    algorithm, params, _ = pinhash.parse_pin_hash(record)
    # OWASP 2023 (Password Storage Cheat Sheet) scrypt minimum: N=2**15 with r=8 needs p >= 3
    assert algorithm == "scrypt" and params["n"] * params["p"] >= 3 * 2 ** 15 and params["r"] >= 8
    assert pinhash.is_current(record) and pinhash.pin_matches("123456", record)
    assert not pinhash.pin_matches("123457", record)
    assert pinhash.make_pin_hash("123456") != record  # a fresh salt each time
    times = []
    for _ in range(3):
        t = time.perf_counter()
        pinhash.pin_matches("123456", record)
        times.append(time.perf_counter() - t)
    assert min(times) < 1.5, times  # slow for a search, still quick for the secretary at the door
    old = "pbkdf2_sha256:600000:" + "ab" * 16 + ":" + hashlib.pbkdf2_hmac(
        "sha256", b"123456", bytes.fromhex("ab" * 16), 600_000).hex()
    assert pinhash.pin_matches("123456", old) and not pinhash.is_current(old)


def _make_legacy(contest, pin):
    """A store as written before the PIN and tokens were chained: PBKDF2-100k PIN hash
    in meta (salted with pin_salt), token hashes in the access table, no marker."""
    with contest.open_store() as s:
        s.set_current(contest.project_ids[0])
        path = str(s.path)
    salt = _salt(path)
    tokens = {j: f"legacy-token-{j}" for j in contest.judge_ids}

    def legacy(raw):
        raw.execute("DELETE FROM meta WHERE key = ?", (ACCESS_CHAINED,))
        if pin is not None:
            h = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode("ascii"), 100_000).hex()
            raw.execute("INSERT INTO meta VALUES ('pin_hash', ?)", (h,))
        raw.executemany("INSERT INTO access VALUES (?, ?)",
                        [(j, hashlib.sha256((salt + t).encode()).hexdigest()) for j, t in tokens.items()])
    _raw(path, legacy)
    return path, tokens


def test_a_store_made_before_migrates_at_the_secretarys_first_open(contest):
    path, tokens = _make_legacy(contest, "2468")  # old stores could have 4-digit PINs
    assert verify_file(path)["ok"]
    with ek.Store(path, contest) as page:  # a judge's page: the old values are read as they are
        assert page.has_pin and page.judge_for_token(tokens["J3"]) == "J3"
        with pytest.raises(AccessError):
            page.lock()
        assert page.last_seq == 1
    with pytest.raises(AccessError):
        ek.Store(path, contest, pin="246800")
    with ek.Store(path, contest, pin="2468") as s:  # the old PBKDF2 hash verifies ...
        assert s.last_seq == 2 + len(tokens)  # ... and it and the links are chained
        s.lock()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM access").fetchone()[0] == 0
        meta = dict(raw.execute("SELECT key, value FROM meta"))
        chained = raw.execute("SELECT kind, judge, reason, entered_by FROM events WHERE kind IN ('pin', 'access')"
                              " ORDER BY seq").fetchall()
    assert "pin_hash" not in meta and meta[ACCESS_CHAINED] == "1"
    assert chained[0][0] == "pin" and pinhash.is_current(chained[0][2]) and chained[0][3] == "migration"
    assert [j for _, j, _, _ in chained[1:]] == list(contest.judge_ids)
    with ek.Store(path, contest, pin="2468") as s:  # nothing more to migrate
        seq = s.last_seq
        assert s.is_locked() and s.judge_for_token(tokens["J5"]) == "J5" and s.verify()["ok"]
    with ek.Store(path, contest) as page:
        assert page.last_seq == seq
    # after the migration the old places are closed
    _raw(path, lambda raw: raw.execute("INSERT INTO meta VALUES ('pin_hash', 'x')"))
    with pytest.raises(TamperError):
        ek.Store(path, contest, pin="2468")


def test_a_store_made_before_without_pin_migrates_at_its_first_open(contest):
    path, tokens = _make_legacy(contest, None)
    with ek.Store(path, contest) as s:  # no PIN: every open is the secretary's
        assert not s.has_pin and s.judge_for_token(tokens["J2"]) == "J2"
        assert s.last_seq == 1 + len(tokens)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM access").fetchone()[0] == 0


def test_a_chained_hash_of_older_cost_is_upgraded_on_the_next_secretary_open(contest):
    from evalkit.store import _insert_chained
    old = "pbkdf2_sha256:600000:" + "cd" * 16 + ":" + hashlib.pbkdf2_hmac(
        "sha256", PIN.encode(), bytes.fromhex("cd" * 16), 600_000).hex()
    with contest.open_store() as s:
        s._write(lambda c: _insert_chained(c, [dict(kind="pin", reason=old, entered_by="secretary")]))
        path = str(s.path)
    with ek.Store(path, contest) as page:  # a page without the PIN upgrades nothing
        assert page.has_pin and page.last_seq == 1
    with ek.Store(path, contest, pin=PIN) as s:
        assert s.last_seq == 2
    with sqlite3.connect(path) as raw:
        record = raw.execute("SELECT reason FROM events WHERE seq = 2").fetchone()[0]
    assert pinhash.is_current(record) and pinhash.pin_matches(PIN, record)
    with ek.Store(path, contest, pin=PIN) as s:
        assert s.last_seq == 2
