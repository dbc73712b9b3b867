"""The SQLite event store: one file per contest, the single source of truth for
live scores.

Every score is an append-only event (sequence, UTC time, kind, judge, project,
criterion, round, score, entered_by, reason). The current score table is the last
score-or-retraction event per (judge, project, criterion, round). Round locks,
the project now pitching and settings are events too. Nothing is updated or
deleted in place (SQLite triggers refuse it), and each event carries a SHA-256
hash over its content and the previous event's hash, so an edit made outside
evalkit is detected by :meth:`Store.verify`.

Durability: WAL journal with ``synchronous=FULL``; :meth:`record` returns only
after its transaction is committed. Several processes may write at once (each
served notebook page runs its own kernel): writes take SQLite's write lock with
``BEGIN IMMEDIATE`` under a busy timeout, and retry while the file is busy.

Access: a judge's page works through :class:`JudgeSession` (bound to the judge's
random token; records only for that judge; reads only what
:meth:`Store.visible_scores` allows: the judge's own scores, and everyone's once
the round is locked). The secretary's actions need the PIN once one is set.
The newest event's sequence and hash are also kept in ``meta`` (``head``), so a
deleted or appended last event is caught as well.

The PIN hash and the judges' token hashes are events of the chain too ("pin" with the
PIN's hash record, see :mod:`evalkit.pinhash`; "access" with a judge's token hash in
``reason``): the checks read them from the chain only, so a value written into the file
any other way is refused (TamperError), and one appended with recomputed hashes shows
after the published head digest (``evalkit verify --digest``). Stores made before this
(PIN hash in ``meta``, tokens in the ``access`` table) keep working: those values are
read as they are until the first open by the secretary (with the PIN, or any open of a
store without one), which chains them, upgrades an old PIN hash and empties the old
places (meta key ``access_chained`` marks a migrated or new store).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import pinhash
from .errors import AccessError, RoundLockedError, ScoreError, StoreError, TamperError
from .scores import check_entry, check_score

if TYPE_CHECKING:  # pragma: no cover
    from .contest import Contest

SCHEMA_VERSION = "1"
GENESIS = "0" * 64
SCORE_KINDS = ("score", "retract")
TOKEN_BYTES = 24  # 192 random bits per judge link (secrets.token_urlsafe)
EVENT_FIELDS = ("seq", "ts", "kind", "judge", "project", "criterion", "round", "score", "entered_by", "reason")
# ``op``: the id a page made for the message that wrote the event (a repeated or late
# delivery of the same message is recognised and recorded once). Hashed when present,
# so stores written before it existed verify unchanged.
CHAINED_FIELDS = EVENT_FIELDS + ("op",)
RECEIPT_HEX = 16  # 64 bits of the sheet's last event hash on the judge's receipt: no search can match it
ACCESS_KINDS = ("pin", "access")  # events that carry the PIN hash and the judges' token hashes
ACCESS_CHAINED = "access_chained"  # meta key: the PIN and token hashes live in the chain only
PIN_HIDDEN = "（PIN哈希不显示 PIN hash not shown）"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    judge TEXT, project TEXT, criterion TEXT, round TEXT,
    score REAL,
    entered_by TEXT, reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    op TEXT
);
CREATE INDEX IF NOT EXISTS events_key ON events (judge, project, criterion, round, seq);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, seq);
CREATE TABLE IF NOT EXISTS access (judge TEXT PRIMARY KEY, token_hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"""


def event_hash(prev_hash: str, event: dict) -> str:
    """SHA-256 over the previous hash and the event's canonical JSON (``op`` included
    when the event has one)."""
    fields = [event.get(k) for k in EVENT_FIELDS]
    if event.get("op") is not None:
        fields.append(event["op"])
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _insert_chained(c, events: list[dict]) -> list[dict]:
    """Append events (inside the caller's write transaction): number them, chain
    their hashes, and move the head kept in meta."""
    last = c.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = last if last else (0, GENESIS)
    rows = []
    for ev in events:
        seq += 1
        ev.update(seq=seq, ts=_now())
        for k in CHAINED_FIELDS:  # a field an event does not name is NULL
            ev.setdefault(k, None)
        ev["hash"] = event_hash(prev, ev)
        rows.append([ev[k] for k in CHAINED_FIELDS] + [prev, ev["hash"]])
        prev = ev["hash"]
    c.executemany(f"INSERT INTO events ({', '.join(CHAINED_FIELDS)}, prev_hash, hash) VALUES "
                  f"({', '.join('?' * (len(CHAINED_FIELDS) + 2))})", rows)
    c.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (json.dumps([seq, prev]),))
    return events


def verify_chain(rows, head=None) -> dict:
    """Walk the hash chain (rows: CHAINED_FIELDS + prev_hash, hash, by seq).

    Names the first bad event: "edited" (its content no longer matches its hash, or
    its successor still links to its original hash), "deleted" (a sequence gap,
    renumbered successors, or the head kept in meta pointing past the last event),
    "inserted" (an event whose successor links past it, or one after the head).
    The chain alone cannot catch an attacker who rewrites every later hash and the
    head (no secret is kept): the head digest published at the lock, the judges'
    receipts and the lock-time backups anchor it (:func:`check_digest_rows`,
    :func:`check_receipt_log`, :func:`check_backup_file`; ``evalkit verify``).
    """
    def bad(seq, problem):
        return dict(ok=False, events=len(rows), first_bad=seq, problem=problem)

    head_seq = head[0] if head else None
    prev, prev_link, expected_seq = GENESIS, None, 1
    for row in rows:
        ev = dict(zip(CHAINED_FIELDS, row[:len(CHAINED_FIELDS)]))
        prev_hash, h, seq = row[-2], row[-1], ev["seq"]
        if seq != expected_seq:
            return bad(expected_seq, f"event {expected_seq} was deleted (the sequence jumps to {seq})")
        if head_seq is not None and seq > head_seq:
            return bad(seq, f"event {seq} was inserted after the last recorded event {head_seq}")
        if prev_hash != prev:
            if prev_link is not None and prev_hash == prev_link:
                return bad(seq - 1, f"event {seq - 1} was inserted (event {seq} links past it)")
            if seq > 1 and event_hash(prev_hash, ev) == h:
                return bad(seq - 1, f"event {seq - 1} was edited (event {seq} links to its original hash)")
            if event_hash(prev_hash, dict(ev, seq=seq + 1)) == h:
                return bad(seq, f"event {seq} was deleted (later events were renumbered)")
            return bad(seq, f"event {seq} was edited (it does not link to event {seq - 1})")
        if event_hash(prev, ev) != h:
            return bad(seq, f"event {seq} was edited")
        prev_link, prev, expected_seq = prev_hash, h, expected_seq + 1
    if head is None and rows:
        return bad(expected_seq - 1, f"the record of the last event ({expected_seq - 1}) was removed from the store")
    if head is not None:
        if head_seq > expected_seq - 1:
            return bad(expected_seq, f"event {expected_seq} was deleted (the store recorded {head_seq} events)")
        if head[1] != prev:
            return bad(head_seq, f"event {head_seq} was edited (it differs from the recorded last event)")
    return dict(ok=True, events=len(rows), first_bad=None, problem="")


def _copy(source: sqlite3.Connection, dest) -> Path:
    """SQLite online backup of an open connection into ``dest`` (made or overwritten)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(dest))
    try:
        source.backup(target)
    finally:
        target.close()
    return dest


def _open_existing(path, *, readonly: bool) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise StoreError("no such store file", where=str(path), expected="an evalkit.db file", found="nothing")
    mode = "ro" if readonly else "rw"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None)


def _read_file(path, fn):
    """``fn(conn)`` on a read-only connection to an existing store file."""
    try:
        conn = _open_existing(path, readonly=True)
        try:
            return fn(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the store: {exc}", where=str(path), expected="an evalkit SQLite store",
                         found=str(exc)) from None


def _log(conn) -> tuple[list[tuple], dict, str]:
    integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check").fetchall())
    cols = {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    chained = ", ".join(k if k in cols else f"NULL AS {k}" for k in CHAINED_FIELDS)
    rows = conn.execute(f"SELECT {chained}, prev_hash, hash FROM events ORDER BY seq").fetchall()
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    return rows, meta, integrity


def read_log(path) -> tuple[list[tuple], dict, str]:
    """(event rows: CHAINED_FIELDS + prev_hash, hash by seq; the meta table; SQLite's
    integrity_check answer) of a store file, through a read-only connection."""
    return _read_file(path, _log)


def access_outside_chain(meta: dict, access_judges, chained: bool) -> str:
    """What a store whose PIN and token hashes live in the chain (``chained``) holds in
    the old unchained places — a value planted by editing the file ('' when nothing)."""
    if not chained:
        return ""
    found = []
    if meta.get("pin_hash") is not None:
        found.append("a PIN hash in meta ('pin_hash')")
    if access_judges:
        found.append("judge token hashes in the access table (" + ", ".join(sorted(map(str, access_judges))) + ")")
    return ("written outside the hash chain: " + " and ".join(found)) if found else ""


def digest_code(seq: int, hash_: str) -> str:
    """A head digest: an event's position and full hash, ``'SEQ-HASH'``."""
    return f"{int(seq)}-{hash_}"


def _position(code, digits: int) -> tuple[int, str] | None:
    """(seq, lower-case hex) of a ``'SEQ-HEX'`` code with ``digits`` hex digits, else None."""
    try:
        seq_text, hex_ = str(code).strip().split("-")
        seq = int(seq_text)
    except ValueError:
        return None
    hex_ = hex_.lower()
    if seq < 0 or len(hex_) != digits or any(ch not in "0123456789abcdef" for ch in hex_):
        return None
    return seq, hex_


def receipt_code(seq: int, hash_: str) -> str:
    """A judge's receipt for a sheet: the chain position and the first hex digits of
    the hash of the sheet's last event, e.g. ``'412-3f9ac21b77d0a5e4'``."""
    return f"{int(seq)}-{hash_[:RECEIPT_HEX]}"


def check_receipt_rows(code: str, hash_at) -> dict:
    """Check ``code`` against a store; ``hash_at(seq)`` returns rows with the hash at seq."""
    pos = _position(code, RECEIPT_HEX)
    if pos is None:
        return dict(ok=False, seq=None, problem=f"'{code}' is not a receipt (expected NUMBER-{'x' * RECEIPT_HEX})")
    seq, digits = pos
    rows = hash_at(seq)
    if not rows:
        return dict(ok=False, seq=seq, problem=f"event {seq} of the receipt is not in this store")
    if not rows[0][0].startswith(digits):
        return dict(ok=False, seq=seq, problem=f"event {seq} differs from the one the receipt was given for")
    return dict(ok=True, seq=seq, problem="")


def _prefix_problem(rows, seq: int, hash_: str) -> str:
    """'' when events 1..seq of ``rows`` form an unbroken chain ending in ``hash_``."""
    check = verify_chain([r for r in rows if r[0] <= seq], [seq, hash_])
    return check["problem"]


def check_digest_rows(digest: str, rows) -> dict:
    """Whether a store's events (``rows``, read_log's shape) are the published record the
    head digest ``digest`` names: event SEQ has that hash and the chain up to it is
    unbroken, so every event up to SEQ is as published.

    Events after SEQ do not fail the check (a round may be unlocked and corrected after
    its lock was published): they are new since the publication, counted in ``after``
    and by kind in ``after_kinds`` for the reader to judge. Returns {"ok", "seq",
    "after", "after_kinds", "problem"}."""
    out = dict(ok=False, seq=None, after=None, after_kinds={}, problem="")
    pos = _position(digest, 64)
    if pos is None:
        return dict(out, problem=f"'{digest}' is not a head digest (expected NUMBER-{'x' * 8}… with 64 hex digits)")
    seq, hash_ = pos
    out["seq"] = seq
    at = [r for r in rows if r[0] == seq]
    if seq == 0:
        problem = "" if hash_ == GENESIS else "a digest at position 0 names the empty store"
    elif not at:
        problem = f"event {seq} of the digest is not in this file (it has {len(rows)} events)"
    elif at[0][-1] != hash_:
        problem = (f"event {seq} differs from the published one (hash {at[0][-1][:12]}… instead of {hash_[:12]}…): "
                   f"the file was changed at or before event {seq}")
    else:
        problem = _prefix_problem(rows, seq, hash_)
    if problem:
        return dict(out, problem=problem)
    later = [r[CHAINED_FIELDS.index("kind")] for r in rows if r[0] > seq]
    kinds: dict[str, int] = {}
    for kind in later:
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(out, ok=True, after=len(later), after_kinds=kinds)


def check_receipt_log(code: str, rows) -> dict:
    """A judge's receipt against a store's events (``rows``, read_log's shape): the
    event at its position has the receipt's hash digits and the chain up to it is
    unbroken, so that sheet and everything before it are unchanged. Returns
    check_receipt_rows' dict plus "sheet" ({judge, project, round} of that event, or None)."""
    by_seq = {r[0]: r for r in rows}
    result = check_receipt_rows(code, lambda seq: [(by_seq[seq][-1],)] if seq in by_seq else [])
    row = by_seq.get(result["seq"])
    result["sheet"] = None
    if row is not None:
        ev = dict(zip(CHAINED_FIELDS, row))
        if ev["kind"] in SCORE_KINDS:
            result["sheet"] = dict(judge=ev["judge"], project=ev["project"], round=ev["round"])
        if result["ok"]:
            problem = _prefix_problem(rows, result["seq"], row[-1])
            if problem:
                result.update(ok=False, problem=problem)
    return result


def verify_file(path) -> dict:
    """Check a store file without a contest: SQLite's integrity check, the hash chain,
    and that no PIN or token hash sits outside the chain. Returns verify()'s dict plus
    "integrity" ("ok" when the file is sound) and "digest" (the head digest checked:
    the last event's position and hash).

    With no secret kept, this cannot catch a rewrite of an event and of every later
    hash and the head; the published head digest (:func:`check_digest_rows`), the
    judges' receipts (:func:`check_receipt_log`) and the lock-time backups
    (:func:`check_backup_file`) do."""
    def read(conn):
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        judges = [r[0] for r in conn.execute("SELECT judge FROM access")] if "access" in tables else []
        return _log(conn), judges
    (rows, meta, integrity), access_judges = _read_file(path, read)
    result = verify_chain(rows, json.loads(meta["head"]) if meta.get("head") else None)
    result["integrity"] = integrity
    result["digest"] = digest_code(rows[-1][0], rows[-1][-1]) if rows else digest_code(0, GENESIS)
    if integrity != "ok" and result["ok"]:
        result.update(ok=False, problem=f"SQLite integrity check: {integrity}")
    chained = ACCESS_CHAINED in meta or any(r[CHAINED_FIELDS.index("kind")] in ACCESS_KINDS for r in rows)
    planted = access_outside_chain(meta, access_judges, chained)
    if planted and result["ok"]:
        result.update(ok=False, problem=planted)
    return result


def check_backup_file(backup, rows) -> dict:
    """Whether a backup (e.g. the one written at a lock) agrees with a store's events
    (``rows``): the backup verifies on its own and the store holds the backup's last
    event with the same hash after an unbroken chain, i.e. the store extends the
    backup unchanged. Returns {"ok", "digest" (the backup's head), "after", "problem"}."""
    own = verify_file(backup)
    if not own["ok"]:
        return dict(ok=False, digest=own["digest"], after=None, problem=f"the backup does not verify: {own['problem']}")
    check = check_digest_rows(own["digest"], rows)
    return dict(ok=check["ok"], digest=own["digest"], after=check["after"], problem=check["problem"])


def backup_file(source, dest) -> Path:
    """Copy a store file with SQLite's online backup API (safe while pages write)."""
    try:
        conn = _open_existing(source, readonly=True)
        try:
            return _copy(conn, dest)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot back up the store: {exc}", where=str(source), expected="an evalkit SQLite store",
                         found=str(exc)) from None


def restore_file(backup, dest, *, force: bool = False) -> Path | None:
    """Restore a backup into ``dest`` (online backup API, so a WAL store is replaced
    cleanly). The backup must verify. An existing ``dest`` needs ``force``; it is
    first copied aside (returned path) so a restore never loses data."""
    check = verify_file(backup)
    if not check["ok"]:
        raise TamperError(f"the backup does not verify: {check['problem']}", where=str(backup),
                          expected="a sound backup with an unbroken hash chain", found=check["problem"])
    dest = Path(dest)
    aside = None
    if dest.exists():
        if not force:
            raise StoreError("the store file exists; restoring would replace it", where=str(dest),
                             expected="a new path, or --force", found="an existing store")
        aside = backup_file(dest, dest.with_name(f"{dest.stem}-before-restore-{_stamp()}.db"))
    try:
        src = _open_existing(backup, readonly=True)
        try:
            target = sqlite3.connect(str(dest), timeout=30)
            try:
                src.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot restore: {exc}", where=str(dest), expected="a writable store path",
                         found=str(exc)) from None
    return aside


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class Store:
    """A contest's score store.

    >>> store = ek.Store("evalkit.db", contest)          # doctest: +SKIP
    >>> store.record("J1", "P01", "need", 12.5)           # doctest: +SKIP
    >>> store.scores()                                     # doctest: +SKIP

    ``pin``: when the store has a secretary PIN (:meth:`set_pin`), the secretary's
    actions (lock, unlock, corrections of recorded scores, settings) need a Store
    opened with that PIN. Judges record through :meth:`judge_session`.
    """

    def __init__(self, path, contest: "Contest", *, pin: str | None = None, timeout: float = 30.0,
                 backup_dir=None):
        self.path = Path(path)
        self.contest = contest
        self.timeout = timeout
        self.backup_dir = Path(backup_dir) if backup_dir else self.path.parent / "backups"
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            # switching to WAL needs a moment alone with the file: retried like a write
            self._write(lambda c: c.execute("PRAGMA journal_mode=WAL"), script=True)
            self._conn.execute("PRAGMA synchronous=FULL")
            self._write(lambda c: c.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;"), script=True)
            self._write(self._migrate)
            self._init_meta()
        except (sqlite3.Error, StoreError) as exc:
            if getattr(self, "_conn", None) is not None:
                self._conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the store: {exc}", where=str(self.path), expected="an evalkit SQLite store",
                             found=str(exc)) from None
        # the contest is fixed for the store's life: look-ups at the door stay cheap
        self._judges = frozenset(contest.judge_ids)
        self._projects = frozenset(contest.project_ids)
        self._rounds = tuple(r.id for r in contest.rounds)
        try:
            self._secretary = self._check_pin(pin)
        except BaseException:  # a wrong PIN or a tampered file: no connection is left open
            self._conn.close()
            raise

    # --- connection helpers -----------------------------------------------
    def close(self):
        with self._lock:
            self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _write(self, fn, *, script=False):
        """Run ``fn(conn)`` in one IMMEDIATE transaction, retrying while busy."""
        delay = 0.01
        deadline = time.monotonic() + self.timeout
        while True:
            with self._lock:
                try:
                    if script:
                        return fn(self._conn)
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        result = fn(self._conn)
                        self._conn.execute("COMMIT")
                        return result
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    busy = isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))
                    if not busy:
                        raise StoreError(f"the store refused the write: {exc}", where=str(self.path),
                                         expected="a writable evalkit store", found=str(exc)) from None
                    if time.monotonic() > deadline:
                        raise StoreError("the store stayed busy", where=str(self.path), expected="a free store",
                                         found=str(exc)) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    @staticmethod
    def _migrate(c):
        # stores made before message ids existed gain the column (old events keep op NULL)
        if "op" not in {r[1] for r in c.execute("PRAGMA table_info(events)")}:
            c.execute("ALTER TABLE events ADD COLUMN op TEXT")
        c.execute("CREATE INDEX IF NOT EXISTS events_op ON events (op) WHERE op IS NOT NULL")

    def _read(self, sql, params=()):
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the store: {exc}", where=str(self.path),
                                 expected="a readable evalkit store", found=str(exc)) from None

    def _init_meta(self):
        def init(c):
            have = dict(c.execute("SELECT key, value FROM meta").fetchall())
            if not have:
                c.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema", SCHEMA_VERSION), ("contest", self.contest.id), ("created", _now()),
                    ("pin_salt", secrets.token_hex(16)), (ACCESS_CHAINED, "1")])
            elif have.get("contest") not in (None, self.contest.id):
                raise StoreError(f"this store belongs to contest '{have['contest']}'", where=str(self.path),
                                 expected=f"contest '{self.contest.id}'", found=have.get("contest"))
        self._write(init)

    def _meta(self, key, default=None):
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    # --- access -------------------------------------------------------------
    def _access_state(self, c=None) -> tuple[str | None, dict[str, str], bool]:
        """(the PIN's hash record or None, {judge: token hash}, legacy) as the checks use
        them: from the chain's newest "pin" event and each judge's newest "access" event.
        ``legacy``: a store made before these were chained and not yet opened by the
        secretary — its meta ``pin_hash`` and access table are read as they are.
        TamperError when a chained store holds values in those old places."""
        def q(sql):
            return c.execute(sql).fetchall() if c is not None else self._read(sql)
        meta = dict(q(f"SELECT key, value FROM meta WHERE key IN ('pin_hash', '{ACCESS_CHAINED}')"))
        table = dict(q("SELECT judge, token_hash FROM access"))
        chained = ACCESS_CHAINED in meta or bool(q("SELECT 1 FROM events WHERE kind IN ('pin', 'access') LIMIT 1"))
        if not chained:
            return meta.get("pin_hash"), table, True
        planted = access_outside_chain(meta, table, chained)
        if planted:
            raise TamperError(planted, where=f"{self.path} (meta/access)",
                              key="pin_hash" if "PIN" in planted else "access",
                              expected="the PIN and judge token hashes only in the hash chain", found=planted)
        pin = q("SELECT reason FROM events WHERE kind = 'pin' ORDER BY seq DESC LIMIT 1")
        tokens = dict(q("SELECT judge, reason FROM events WHERE kind = 'access' ORDER BY seq"))  # newest wins
        return (pin[0][0] if pin else None), tokens, False

    @property
    def has_pin(self) -> bool:
        return self._access_state()[0] is not None

    def _check_pin(self, pin) -> bool:
        """Whether this open has the secretary's rights (AccessError for a wrong PIN).
        A successful secretary open chains a legacy store's values and upgrades a PIN
        hash made with an older algorithm or cost."""
        record, _, legacy = self._access_state()
        if record is not None:
            if pin is None:
                return False
            try:
                ok = pinhash.pin_matches(str(pin), record, self._meta("pin_salt"))
            except ValueError:
                raise TamperError("the stored PIN hash is not readable", where=str(self.path), key="pin",
                                  expected="a PIN hash record (scrypt:… or pbkdf2_sha256:…)",
                                  found=str(record)[:20]) from None
            if not ok:
                raise AccessError("wrong secretary PIN", where=str(self.path), expected="the secretary's PIN",
                                  found="another PIN")
        if legacy or (record is not None and not pinhash.is_current(record)):
            self._chain_access(record, None if record is None else str(pin))
        return True

    def _chain_access(self, verified: str | None, pin: str | None) -> None:
        """Migrate and upgrade in one transaction: a legacy store's PIN hash (re-made with
        today's algorithm from the PIN just verified) and judge token hashes become
        events, and the old places are emptied; a chained PIN hash with an older cost is
        re-made. Nothing changes when another process got there first."""
        new_record = pinhash.make_pin_hash(pin) if pin is not None else None

        def tx(c):
            record, tokens, legacy = self._access_state(c)
            events = []
            if new_record is not None and record == verified and (legacy or not pinhash.is_current(record)):
                events.append(dict(kind="pin", reason=new_record, entered_by="migration"))
            if legacy:
                order = {j: i for i, j in enumerate(self.contest.judge_ids)}
                events += [dict(kind="access", judge=j, reason=h, entered_by="migration")
                           for j, h in sorted(tokens.items(), key=lambda jh: (order.get(jh[0], len(order)), jh[0]))]
                c.execute("DELETE FROM meta WHERE key = 'pin_hash'")
                c.execute("DELETE FROM access")
                c.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (ACCESS_CHAINED,))
            if events:
                _insert_chained(c, events)
        self._write(tx)

    def set_pin(self, pin: str) -> None:
        """Set (or change) the secretary's PIN: at least PIN_MIN_DIGITS digits; needs
        the current PIN if any. Its slow hash is appended to the chain ("pin" event)."""
        self._require_secretary("set the PIN")
        if self.has_pin and not getattr(self, "_changing_pin", False):
            self._refuse_without_reason(None)  # after the first score: only change_pin(pin, reason)
        if not pinhash.valid_pin(pin):
            text = pin if isinstance(pin, str) else ""
            found = (f"{type(pin).__name__}" if not isinstance(pin, str) else
                     f"{len(text)} characters" + ("" if text.isascii() and text.isdigit() else ", not only digits 0-9"))
            raise AccessError(f"a PIN needs at least {pinhash.PIN_MIN_DIGITS} digits", where=str(self.path), key="pin",
                              expected=f"at least {pinhash.PIN_MIN_DIGITS} digits 0-9", found=found)
        self._append("pin", reason=pinhash.make_pin_hash(pin), entered_by="secretary")
        self._secretary = True

    def _require_secretary(self, action: str):
        if not self._secretary:
            raise AccessError(f"{action} needs the secretary's PIN", where=str(self.path),
                              expected="a store opened with the secretary's PIN", found="no PIN",
                              zh="此操作需要评审秘书的 PIN")

    def judge_tokens(self, *, renew: bool = False) -> dict[str, str]:
        """Random per-judge tokens (secretary only). Only their hashes are stored (one
        "access" event per judge), so tokens are shown once; ``renew=True`` issues new
        ones (old links stop working)."""
        self._require_secretary("issuing judge links")
        have = self._access_state()[1]
        judges = [j for j in self.contest.judge_ids if renew or j not in have]
        tokens = {j: secrets.token_urlsafe(TOKEN_BYTES) for j in judges}
        events = [dict(kind="access", judge=j, reason=self._token_hash(t), entered_by="secretary")
                  for j, t in tokens.items()]
        if events:
            self._write(lambda c: _insert_chained(c, events))
        return tokens

    def _token_hash(self, token: str) -> str:
        # tokens carry 192 random bits, so one salted SHA-256 suffices (no stretching needed)
        return hashlib.sha256((self._meta("pin_salt") + str(token)).encode()).hexdigest()

    def judge_for_token(self, token: str) -> str:
        """The judge a link's token belongs to (its newest chained token), or AccessError."""
        if not token or not isinstance(token, str):
            raise AccessError("no judge token given", where=str(self.path), expected="a judge link", found="nothing")
        wanted = self._token_hash(token)
        for judge, token_hash in self._access_state()[1].items():
            if hmac.compare_digest(str(token_hash), wanted):
                if judge not in self.contest.judge_ids:  # withdrawn (evalkit.live.amend): the link stops working
                    raise AccessError("this judge has been withdrawn", where=str(self.path), key="judge",
                                      expected="a judge of the running contest", found=judge, zh="该评委已退出本场评审")
                return judge
        raise AccessError("unknown judge token", where=str(self.path), expected="a valid judge link",
                          found="an unknown token")

    def judge_session(self, token: str) -> "JudgeSession":
        """The judge's page's handle on the store (AccessError for a wrong or missing token)."""
        return JudgeSession(self, self.judge_for_token(token), token)

    # --- events -------------------------------------------------------------
    def _append(self, kind, *, judge=None, project=None, criterion=None, round=None, score=None, entered_by=None,
                reason=None, guard=None) -> dict:
        def tx(c):
            if guard is not None:
                guard(c)
            return _insert_chained(c, [dict(kind=kind, judge=judge, project=project, criterion=criterion, round=round,
                                            score=score, entered_by=entered_by, reason=reason)])[0]
        return self._write(tx)

    def _round(self, round) -> str:
        r = self.contest.default_round if round is None else str(round)
        if r not in self._rounds:
            raise ScoreError(f"unknown round '{r}'", where=str(self.path), key="round",
                             expected="one of " + ", ".join(self._rounds), found=r)
        return r

    def _check_key(self, judge, project, criterion, where):
        check_entry(self.contest, judge, project, criterion, where=where)

    @staticmethod
    def _locked(c, round_id) -> bool:
        row = c.execute("SELECT kind FROM events WHERE kind IN ('lock','unlock') AND round = ? ORDER BY seq DESC LIMIT 1",
                        (round_id,)).fetchone()
        return bool(row) and row[0] == "lock"

    def _refuse_if_locked(self, c, round_id) -> None:
        if self._locked(c, round_id):
            raise RoundLockedError(f"round '{round_id}' is locked", where=str(self.path), key="round",
                                   expected="an open round", found="locked", zh=f"本轮（{round_id}）评分已锁定")

    def _score_guard(self, round_id, key, *, correction_needs_reason, by_judge):
        def guard(c):
            self._refuse_if_locked(c, round_id)
            if correction_needs_reason is not None:
                prev = c.execute("SELECT kind, score FROM events WHERE judge=? AND project=? AND criterion=? AND round=?"
                                 " AND kind IN ('score','retract') ORDER BY seq DESC LIMIT 1", key).fetchone()
                if prev and prev[0] == "score" and prev[1] != correction_needs_reason[0]:
                    if not by_judge:
                        self._require_secretary("correcting a recorded score")
                    if not correction_needs_reason[1] and not by_judge:
                        raise ScoreError("a correction needs a reason", where=str(self.path), key="reason",
                                         expected="a reason for changing a recorded score",
                                         found=f"{prev[1]:g} -> {correction_needs_reason[0]:g} without a reason",
                                         zh="更正已保存的分数需要填写理由")
        return guard

    def record(self, judge, project, criterion, score, round=None, entered_by=None, reason=None, *,
               _by_judge: bool = False) -> dict:
        """Record one score; returns the event once it is durably committed.

        Validated at the door (known judge, project and criterion; inside the scale
        with the allowed decimals; no conflict of interest); a rejected event writes
        nothing. Recording into a locked round raises RoundLockedError. Changing an
        already recorded score is a correction: it needs a ``reason`` (and, when the
        store has a PIN, the secretary's rights unless the judge corrects their own).
        """
        judge, project, criterion = str(judge), str(project), str(criterion)
        where = f"{self.path} ({judge}, {project}, {criterion})"
        self._check_key(judge, project, criterion, where)
        value = check_score(self.contest.rubric, criterion, score, where=where)
        round_id = self._round(round)
        guard = self._score_guard(round_id, (judge, project, criterion, round_id),
                                  correction_needs_reason=(value, reason), by_judge=_by_judge)
        if not _by_judge and self.has_pin and not self._secretary:
            raise AccessError("recording for a judge needs the secretary's PIN or the judge's own link",
                              where=str(self.path), expected="secretary PIN or judge token", found="neither")
        return self._append("score", judge=judge, project=project, criterion=criterion, round=round_id, score=value,
                            entered_by=entered_by or ("judge" if _by_judge else "secretary"), reason=reason, guard=guard)

    def record_sheet(self, judge, project, round, scores: dict, *, op: str | None = None, entered_by=None,
                     reason=None, _by_judge: bool = False) -> dict:
        """Record a judge's sheet (several criteria of one project and round) in one
        transaction: all of it or nothing.

        ``op`` is the id the sending page made for this message: when events with that
        id exist, nothing is written and the first delivery's result is returned again
        (``duplicate=True``), so a message delivered twice is recorded once. Unchanged
        values write no event. Returns ``{"events": [...], "receipt": str,
        "duplicate": bool, "unchanged": [criterion, ...]}``; the receipt identifies the
        sheet's place in the hash chain (see :meth:`check_receipt`).
        """
        judge, project = str(judge), str(project)
        round_id = self._round(round)
        where = f"{self.path} ({judge}, {project})"
        if not isinstance(scores, dict) or not scores:
            raise ScoreError("a sheet needs at least one score", where=where, key="scores",
                             expected="criterion -> score", found=scores)
        values = {}
        for criterion, score in scores.items():
            criterion = str(criterion)
            self._check_key(judge, project, criterion, f"{where[:-1]}, {criterion})")
            if _by_judge:
                self._check_judge_item(criterion, where)
            values[criterion] = check_score(self.contest.rubric, criterion, score, where=f"{where[:-1]}, {criterion})")
        if not _by_judge and self.has_pin and not self._secretary:
            raise AccessError("recording for a judge needs the secretary's PIN or the judge's own link",
                              where=str(self.path), expected="secretary PIN or judge token", found="neither")
        entered_by = entered_by or ("judge" if _by_judge else "secretary")

        def tx(c):
            if op is not None:
                done = c.execute("SELECT seq, hash FROM events WHERE op = ? ORDER BY seq DESC LIMIT 1", (op,)).fetchone()
                if done:
                    return dict(events=[], receipt=receipt_code(*done), duplicate=True, unchanged=[])
            self._refuse_if_locked(c, round_id)
            if _by_judge:
                self._refuse_unpitched(c, project, round_id, where)
            events, unchanged = [], []
            for criterion, value in values.items():
                prev = c.execute("SELECT kind, score FROM events WHERE judge=? AND project=? AND criterion=? AND round=?"
                                 " AND kind IN ('score','retract') ORDER BY seq DESC LIMIT 1",
                                 (judge, project, criterion, round_id)).fetchone()
                if prev and prev[0] == "score" and prev[1] == value:
                    unchanged.append(criterion)
                    continue
                if prev and prev[0] == "score" and not _by_judge:
                    self._require_secretary("correcting a recorded score")
                    if not reason:
                        raise ScoreError("a correction needs a reason", where=where, key="reason",
                                         expected="a reason for changing a recorded score",
                                         found=f"{criterion}: {prev[1]:g} -> {value:g} without a reason",
                                         zh="更正已保存的分数需要填写理由")
                events.append(dict(kind="score", judge=judge, project=project, criterion=criterion, round=round_id,
                                   score=value, entered_by=entered_by, reason=reason or None, op=op))
            if events:
                _insert_chained(c, events)
                last = (events[-1]["seq"], events[-1]["hash"])
            else:
                last = self._sheet_head(c, judge, project, round_id)
            return dict(events=events, receipt=receipt_code(*last) if last else "", duplicate=False,
                        unchanged=unchanged)
        return self._write(tx)

    @staticmethod
    def _sheet_head(c, judge, project, round_id):
        return c.execute("SELECT seq, hash FROM events WHERE judge=? AND project=? AND round=? AND kind IN"
                         " ('score','retract') ORDER BY seq DESC LIMIT 1", (judge, project, round_id)).fetchone()

    def receipt(self, judge, project, round=None) -> str:
        """The receipt of a sheet as it stands now ('' when nothing was recorded)."""
        with self._lock:
            head = self._sheet_head(self._conn, str(judge), str(project), self._round(round))
        return receipt_code(*head) if head else ""

    def check_receipt(self, code: str) -> dict:
        """Whether this store holds the sheet a receipt was given for, unchanged: the
        event at the receipt's position still has the hash the judge was shown. The
        hash covers every earlier event, so rewriting any of them (even with every
        later hash recomputed) fails the check. Returns {"ok", "seq", "problem"}."""
        return check_receipt_rows(code, lambda seq: self._read("SELECT hash FROM events WHERE seq = ?", (seq,)))

    def check_digest(self, digest: str) -> dict:
        """Whether this store is the published record a head digest names (see
        :func:`check_digest_rows`: events after it are counted, not refused)."""
        rows = self._read("SELECT " + ", ".join(CHAINED_FIELDS) + ", prev_hash, hash FROM events ORDER BY seq")
        return check_digest_rows(digest, rows)

    def _check_judge_item(self, criterion, where):
        # veto and bonus items are the secretary's (or the panel chair's), never a judge page's
        if self.contest.rubric.item_kind(criterion) != "criterion":
            raise AccessError(f"'{criterion}' is not scored by judges", where=where, key="criterion",
                              expected="one of " + ", ".join(self.contest.rubric.criterion_ids), found=criterion)

    def _refuse_unpitched(self, c, project, round_id, where):
        # a judge's page may score only what it could have shown: a project that has
        # been on stage in this round
        if not c.execute("SELECT 1 FROM events WHERE kind='current' AND project=? AND round=? LIMIT 1",
                         (project, round_id)).fetchone():
            raise AccessError(f"project '{project}' has not pitched in round '{round_id}'", where=where, key="project",
                              expected="a project that has pitched in this round", found=project)

    def pitched(self, round=None) -> list[str]:
        """Projects that have been on stage in ``round``, in the order they first pitched."""
        rows = self._read("SELECT project FROM events WHERE kind='current' AND round=? ORDER BY seq",
                          (self._round(round),))
        return list(dict.fromkeys(r[0] for r in rows))

    def retract(self, judge, project, criterion, round=None, entered_by=None, reason=None) -> dict:
        """Withdraw a score (a new event; the old one stays in the history). Needs a reason."""
        if not reason:
            raise ScoreError("a retraction needs a reason", where=str(self.path), key="reason", expected="a reason",
                             found="nothing", zh="撤回分数需要填写理由")
        self._require_secretary("retracting a score")
        judge, project, criterion = str(judge), str(project), str(criterion)
        if (judge not in self._judges and judge not in self.contest.judge_ids) or project not in self._projects \
                or self.contest.rubric.item_kind(criterion) is None:
            raise ScoreError("no such score to retract", where=str(self.path), key="judge/project/criterion",
                             expected="a judge, project and criterion of the contest", found=(judge, project, criterion))
        round_id = self._round(round)
        guard = self._score_guard(round_id, None, correction_needs_reason=None, by_judge=False)
        return self._append("retract", judge=judge, project=project, criterion=criterion, round=round_id,
                            entered_by=entered_by or "secretary", reason=reason, guard=guard)

    def lock(self, round=None, entered_by="secretary", reason=None) -> dict:
        """Lock a round: no more scores or corrections; a backup is written."""
        self._require_secretary("locking a round")
        round_id = self._round(round)
        ev = self._append("lock", round=round_id, entered_by=entered_by, reason=reason)
        self.backup(self.backup_dir / f"{self.path.stem}-{round_id}-locked-{ev['seq']}.db")
        return ev

    def unlock(self, round=None, entered_by="secretary", reason=None) -> dict:
        self._require_secretary("unlocking a round")
        return self._append("unlock", round=self._round(round), entered_by=entered_by, reason=reason)

    def is_locked(self, round=None) -> bool:
        with self._lock:
            return self._locked(self._conn, self._round(round))

    def set_current(self, project, round=None, entered_by="secretary") -> dict:
        """Set the project now pitching (judges' and screen pages follow it)."""
        self._require_secretary("changing the project now pitching")
        project = str(project)
        if project not in self._projects:
            raise ScoreError(f"unknown project '{project}'", where=str(self.path), key="project",
                             expected="a project of the contest", found=project)
        return self._append("current", project=project, round=self._round(round), entered_by=entered_by)

    def current(self) -> tuple[str | None, str]:
        """(project now pitching or None, its round)."""
        rows = self._read("SELECT project, round FROM events WHERE kind='current' ORDER BY seq DESC LIMIT 1")
        return (rows[0][0], rows[0][1]) if rows else (None, self.contest.default_round)

    def pitching_since(self) -> str | None:
        """When the project now on stage was called (UTC ISO time; None before the first)."""
        rows = self._read("SELECT ts FROM events WHERE kind='current' ORDER BY seq DESC LIMIT 1")
        return rows[0][0] if rows else None

    def setting(self, key: str, value) -> dict:
        """Record a setting (e.g. the allocation rule); settings are events too."""
        self._require_secretary("changing settings")
        return self._append("setting", criterion=str(key), reason=json.dumps(value, ensure_ascii=False),
                            entered_by="secretary")

    def settings(self) -> dict:
        out = {}
        for key, value in self._read("SELECT criterion, reason FROM events WHERE kind='setting' AND criterion IS NOT NULL"
                                     " ORDER BY seq"):
            out[key] = json.loads(value)
        return out

    def set_allocation(self, *, reason=None, **settings) -> dict:
        """Record the decision's settings (contest rule, decimals, allocation) as one
        event; see :func:`evalkit.decision.set_allocation` (``reason``: for a rule change after the first score)."""
        from .decision import set_allocation
        return set_allocation(self, reason=reason, **settings)

    # --- reading --------------------------------------------------------------
    def head_digest(self) -> str:
        """The newest event's position and hash, ``'SEQ-HASH'``: published at the lock
        (big screen, 公示), it pins every event up to it (``evalkit verify --digest``)."""
        rows = self._read("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        return digest_code(*rows[0]) if rows else digest_code(0, GENESIS)

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event (cheap: pages poll it to follow the store)."""
        return self._read("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0]

    def scores(self, round=None, *, judge=None) -> pd.DataFrame:
        """The current score table (long): judge, project, criterion, score, round, panel.

        The last score or retraction per (judge, project, criterion, round) wins; a
        retracted score is absent. ``round=None`` gives every round.
        """
        sql = ("SELECT e.judge, e.project, e.criterion, e.score, e.round FROM events e JOIN "
               "(SELECT MAX(seq) AS seq FROM events WHERE kind IN ('score','retract') GROUP BY judge, project, criterion, round) m "
               "ON e.seq = m.seq WHERE e.kind = 'score'")
        params: list = []
        if round is not None:
            sql += " AND e.round = ?"
            params.append(self._round(round))
        if judge is not None:
            sql += " AND e.judge = ?"
            params.append(str(judge))
        rows = self._read(sql + " ORDER BY e.seq", params)
        df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score", "round"])
        df["score"] = df["score"].astype(float)
        from .live.amendments import allowed_scores  # scores of withdrawn or conflicted judges stay in the log only
        return allowed_scores(self.contest.with_panels(df), self.contest)

    def score_events(self, after: int = 0) -> pd.DataFrame:
        """Score and retraction events with ``seq > after``, oldest first: seq, kind,
        judge, project, criterion, round, score. Pages that follow the store apply
        these to what they hold instead of re-reading the whole table."""
        rows = self._read("SELECT seq, kind, judge, project, criterion, round, score FROM events"
                          " WHERE kind IN ('score','retract') AND seq > ? ORDER BY seq", (int(after),))
        return pd.DataFrame(rows, columns=["seq", "kind", "judge", "project", "criterion", "round", "score"])

    def visible_scores(self, judge, round=None) -> pd.DataFrame:
        """What a judge's page may show: the judge's own scores, and everyone's in a
        locked round (before the lock no judge sees another's scores)."""
        df = self.scores(round)
        if df.empty:
            return df
        locked = {r for r in set(df["round"]) if self.is_locked(r)}
        return df[(df["judge"] == str(judge)) | df["round"].isin(locked)].reset_index(drop=True)

    def history(self, judge=None, project=None) -> pd.DataFrame:
        """Every event (the audit trail), oldest first; a "pin" event's hash record is
        replaced by PIN_HIDDEN."""
        sql = "SELECT " + ", ".join(EVENT_FIELDS) + ", hash FROM events WHERE 1=1"
        params = []
        for col, val in (("judge", judge), ("project", project)):
            if val is not None:
                sql += f" AND {col} = ?"
                params.append(str(val))
        df = pd.DataFrame(self._read(sql + " ORDER BY seq", params), columns=list(EVENT_FIELDS) + ["hash"])
        # the PIN's hash stays in the file: the audit log (printed in reports) does not show it
        df.loc[df["kind"] == "pin", "reason"] = PIN_HIDDEN
        return df

    # --- integrity, backup ----------------------------------------------------
    def verify(self) -> dict:
        """Check the hash chain. Returns {"ok": bool, "events": n, "first_bad": seq|None,
        "problem": text}; the first event edited, deleted or inserted outside evalkit
        breaks the chain at that event; a PIN or token hash written outside the chain
        fails too (first_bad None)."""
        rows = self._read("SELECT " + ", ".join(CHAINED_FIELDS) + ", prev_hash, hash FROM events ORDER BY seq")
        head = self._meta("head")
        result = verify_chain(rows, json.loads(head) if head else None)
        if result["ok"]:
            try:
                self._access_state()
            except TamperError as exc:
                result.update(ok=False, problem=exc.message)
        return result

    def check_integrity(self) -> None:
        """Raise TamperError when the hash chain does not verify."""
        result = self.verify()
        if not result["ok"]:
            where = str(self.path) if result["first_bad"] is None else f"{self.path} event {result['first_bad']}"
            raise TamperError(result["problem"], where=where, expected="an unbroken hash chain", found=result["problem"])

    def backup(self, dest) -> Path:
        """Copy the store with SQLite's online backup API (safe while others write)."""
        with self._lock:
            return _copy(self._conn, dest)

    # --- import -----------------------------------------------------------------
    def import_scores(self, scores: pd.DataFrame | str | Path, *, dry_run: bool = False, entered_by="import",
                      reason: str | None = None) -> pd.DataFrame:
        """Import a long score table (or a scores.csv path): validated as a whole, then
        written in one transaction (all or nothing). Returns what changes: one row per
        score with old, new and action ('add', 'change', 'same'). ``dry_run=True``
        writes nothing."""
        from .contest import read_scores_csv
        from .scores import validate_scores
        if isinstance(scores, (str, Path)):
            df = read_scores_csv(scores, self.contest)
        else:
            df = validate_scores(scores, self.contest.rubric, self.contest)
            if "round" not in df:
                df["round"] = self.contest.default_round
            df["round"] = df["round"].fillna(self.contest.default_round)
        current = self.scores().set_index(["judge", "project", "criterion", "round"])["score"]
        plan = []
        for r in df.itertuples(index=False):
            key = (r.judge, r.project, r.criterion, self._round(r.round))
            old = current.get(key)
            action = "add" if old is None else ("same" if float(old) == float(r.score) else "change")
            plan.append(key + (old, float(r.score), action))
        report = pd.DataFrame(plan, columns=["judge", "project", "criterion", "round", "old", "new", "action"])
        if dry_run:
            return report
        if self.has_pin:
            self._require_secretary("importing scores")
        if (report["action"] == "change").any():
            self._require_secretary("changing recorded scores by import")
            if not reason:
                raise ScoreError("the import changes recorded scores and needs a reason", where=str(self.path),
                                 key="reason", expected="a reason", found=f"{(report['action'] == 'change').sum()} changes")
        todo = report[report["action"] != "same"]

        def tx(c):
            for rid in set(todo["round"]):
                self._refuse_if_locked(c, rid)
            _insert_chained(c, [dict(kind="score", judge=r.judge, project=r.project, criterion=r.criterion,
                                     round=r.round, score=r.new, entered_by=entered_by, reason=reason)
                                for r in todo.itertuples(index=False)])
        if len(todo):
            self._write(tx)
        return report

    # --- amend: the running contest's judges, conflicts and PIN (issue 17) ---
    @property
    def contest(self) -> "Contest":
        """The running contest: the contest files (``_base_contest``) with the store's
        amendments (evalkit.live.amend), what every score is checked against."""
        from .live.amendments import apply_amendments, decode
        seq = self._read("SELECT COALESCE(MAX(seq), 0) FROM events WHERE kind = 'amend'")[0][0]
        cached = self.__dict__.get("_amended")
        if cached is None or cached[0] != seq:
            events = [decode(r) for r in self.amendment_events()] if seq else []
            cached = self.__dict__["_amended"] = (seq, apply_amendments(self._base_contest, events))
        return cached[1]

    @contest.setter
    def contest(self, contest: "Contest") -> None:
        self._base_contest = contest
        self.__dict__.pop("_amended", None)

    def amendment_events(self) -> list[dict]:
        """The "amend" events, oldest first, as dicts of EVENT_FIELDS."""
        rows = self._read("SELECT " + ", ".join(EVENT_FIELDS) + " FROM events WHERE kind = 'amend' ORDER BY seq")
        return [dict(zip(EVENT_FIELDS, r)) for r in rows]

    def scoring_started(self) -> bool:
        """True once any score has been recorded: changes then need a reason."""
        return bool(self._read("SELECT 1 FROM events WHERE kind = 'score' LIMIT 1"))

    def _refuse_without_reason(self, reason, c=None) -> None:
        from .errors import SettingError
        started = (c.execute("SELECT 1 FROM events WHERE kind = 'score' LIMIT 1").fetchone() if c is not None
                   else self.scoring_started())
        if reason is None and started:
            raise SettingError("scoring has started: a change of the running contest needs a reason",
                               where=str(self.path), key="reason", expected="a reason", found="nothing",
                               zh="评分已开始：修改评委、回避、PIN 或评分规则须填写理由")

    def amend(self, action: str, *, judge=None, project=None, value: dict | None = None, reason=None,
              extra: tuple = (), setting: tuple | None = None) -> dict:
        """Record an amendment of the running contest (one "amend" event; checked
        first by evalkit.live.amend). Free before the first score; afterwards refused
        without a ``reason`` (SettingError, key 'reason'). ``extra``: events written
        in the same transaction before it (a new PIN's hash); ``setting``: (key,
        value) recorded as :meth:`setting` does, in the same transaction (the rule)."""
        if setting is not None:
            extra = tuple(extra) + (dict(kind="setting", criterion=str(setting[0]), entered_by="secretary",
                                         reason=json.dumps(setting[1], ensure_ascii=False)),)
        self._require_secretary("amending the running contest")
        reason = str(reason).strip() if reason is not None and str(reason).strip() else None
        body = json.dumps({**(value or {}), "reason": reason}, ensure_ascii=False, sort_keys=True)

        def tx(c):
            self._refuse_without_reason(reason, c)
            events = [dict(ev) for ev in extra] + [dict(kind="amend", criterion=str(action), judge=judge,
                                                        project=project, entered_by="secretary", reason=body)]
            return _insert_chained(c, events)[-1]
        return self._write(tx)

    def change_pin(self, pin: str, reason=None) -> dict:
        """Change the secretary's PIN as an amendment (its hash and the reason in one
        transaction); after the first score it needs a reason, like every amendment."""
        self._require_secretary("set the PIN")
        if not pinhash.valid_pin(pin):
            self._changing_pin = True
            try:
                self.set_pin(pin)  # raises set_pin's typed error for a bad PIN
            finally:
                self._changing_pin = False
        ev = self.amend("pin", reason=reason, extra=(dict(kind="pin", reason=pinhash.make_pin_hash(pin),
                                                          entered_by="secretary"),))
        self._secretary = True
        return ev


class JudgeSession:
    """What a judge's own page may do: record and correct their own scores, see
    their own scores only, never for a conflicted project or into a locked round."""

    def __init__(self, store: Store, judge: str, token: str):
        self.store = store
        self.judge = judge
        self._token = token

    def _check_token(self):
        # a renewed link (judge_tokens(renew=True)) ends the old page's rights at once
        if self.store.judge_for_token(self._token) != self.judge:  # pragma: no cover - tokens map to one judge
            raise AccessError("this link belongs to another judge", where=str(self.store.path),
                              expected=f"judge {self.judge}", found="another judge")

    def record(self, project, criterion, score, reason=None, *, round=None, op=None) -> dict:
        """Record the judge's own score for ``project`` in ``round`` (default: the
        round now running) — the project and round the page showed, never whatever is
        on stage when the message arrives.

        Refused: a project the judge is conflicted with (回避), one that has not
        pitched in the round, a veto or bonus item, a locked round
        (RoundLockedError), a revoked link (AccessError)."""
        result = self.submit(project, {criterion: score}, round=round, op=op, reason=reason)
        return result["events"][0] if result["events"] else result

    def submit(self, project, scores: dict, *, round=None, op=None, reason=None) -> dict:
        """Record the judge's sheet for ``project`` (criterion -> score) in one
        transaction; see :meth:`Store.record_sheet` (``op``: the page's message id)."""
        self._check_token()
        project = str(project)
        # the conflict of interest (回避) and every key are checked by record_sheet (check_entry)
        round_id = self.store.current()[1] if round is None else round
        return self.store.record_sheet(self.judge, project, round_id, scores, op=op, entered_by=f"judge:{self.judge}",
                                       reason=reason or None, _by_judge=True)

    def scores(self) -> pd.DataFrame:
        """The judge's own current scores (every round)."""
        self._check_token()
        return self.store.scores(judge=self.judge)

    def visible_scores(self) -> pd.DataFrame:
        """Everything this judge's page may show: own scores, and everyone's in a
        locked round (see :meth:`Store.visible_scores`)."""
        self._check_token()
        return self.store.visible_scores(self.judge)

    def is_conflicted(self, project) -> bool:
        return self.store.contest.is_conflicted(self.judge, project)
