"""The Store itself: one SQLite file per contest, its connection and transactions,
and the events it writes (scores, sheets, retractions, locks, the stage, settings).

Durability: WAL journal with ``synchronous=FULL``; :meth:`Store.record` returns only
after its transaction is committed. Several processes may write at once (each served
notebook page runs its own kernel): writes take SQLite's write lock with ``BEGIN
IMMEDIATE`` under a busy timeout, and retry while the file is busy. Nothing is updated
or deleted in place (SQLite triggers refuse it); every event is appended to the hash
chain (:mod:`evalkit.store.chain`). Reads are in :mod:`evalkit.store.reads`, the
access rules in :mod:`evalkit.store.access`, imports in :mod:`evalkit.store.imports`.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd

from ..errors import RoundLockedError, ScoreError, StoreError
from ..io.private import private_database
from ..scores import check_entry, check_score
from .access import ACCESS_CHAINED, StoreAccess
from .amending import StoreAmendments
from .chain import _insert_chained, _now, receipt_code
from .files import _copy
from .imports import import_scores
from .reads import StoreReads

SCHEMA_VERSION = "1"
STORE_FILE = "evalkit.db"  # a contest's store in its folder

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


def open_store(contest, path=None, **kwargs) -> "Store":
    """The contest's SQLite score store (default ``evalkit.db`` in the contest's folder);
    ``kwargs`` go to :class:`Store` (pin, timeout, backup_dir)."""
    return Store(path or Path(contest.dir) / STORE_FILE, contest, **kwargs)


class Store(StoreReads, StoreAccess, StoreAmendments):
    """A contest's score store.

    >>> store = ek.Store("evalkit.db", contest)          # doctest: +SKIP
    >>> store.record("J1", "P01", "need", 12.5)           # doctest: +SKIP
    >>> store.scores()                                     # doctest: +SKIP

    ``pin``: when the store has a secretary PIN (:meth:`set_pin`), the secretary's
    actions (lock, unlock, corrections of recorded scores, settings) need a Store
    opened with that PIN. Judges record through :meth:`judge_session`.

    What it reads is :class:`~evalkit.store.reads.StoreReads`; who may do what is
    :class:`~evalkit.store.access.StoreAccess`; the running contest and its amendments
    :class:`~evalkit.store.amending.StoreAmendments`; this class holds the connection, the
    transactions and the events it writes.
    """

    def __init__(self, path, contest, *, pin: str | None = None, timeout: float = 30.0,
                 backup_dir=None):
        self.path = Path(path)
        self.contest = contest
        self.timeout = timeout
        self.backup_dir = Path(backup_dir) if backup_dir else self.path.parent / "backups"
        self._lock = threading.RLock()
        try:
            private_database(self.path)
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
                             found=str(exc), zh="无法打开评分库：文件不是 evalkit 评分库或已损坏") from None
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
        try:
            self.contest            # keep the running contest as it was: a closed store still names it
        except StoreError:
            pass
        with self._lock:
            self._conn.close()
            self._closed = True

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
                                         expected="a writable evalkit store", found=str(exc),
                                         zh="评分库拒绝写入（文件可能只读或已损坏）") from None
                    if time.monotonic() > deadline:
                        raise StoreError("the store stayed busy", where=str(self.path), expected="a free store",
                                         found=str(exc), zh="评分库一直被占用，请稍后再试") from None
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
                                 expected="a readable evalkit store", found=str(exc),
                                 zh="无法读取评分库（文件可能已损坏）") from None

    def _init_meta(self):
        def init(c):
            have = dict(c.execute("SELECT key, value FROM meta").fetchall())
            if not have:
                c.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema", SCHEMA_VERSION), ("contest", self.contest.id), ("created", _now()),
                    ("pin_salt", secrets.token_hex(16)), (ACCESS_CHAINED, "1")])
            elif have.get("contest") not in (None, self.contest.id):
                raise StoreError(f"this store belongs to contest '{have['contest']}'", where=str(self.path),
                                 expected=f"contest '{self.contest.id}'", found=have.get("contest"),
                                 zh=f"此评分库属于大赛「{have['contest']}」，不是本大赛「{self.contest.id}」")
        self._write(init)

    def _meta(self, key, default=None):
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

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
                             expected="one of " + ", ".join(self._rounds), found=r,
                             zh=f"未知轮次「{r}」（本大赛的轮次：{'、'.join(self._rounds)}）")
        return r

    def _check_key(self, judge, project, criterion, where):
        check_entry(self.contest, judge, project, criterion, where=where)

    def _refuse_if_locked(self, c, round_id) -> None:
        if self._locked(c, round_id):
            raise RoundLockedError(f"round '{round_id}' is locked", where=str(self.path), key="round",
                                   expected="an open round", found="locked", zh=f"本轮（{round_id}）评分已锁定")

    def _same_as_recorded(self, c, key, value, reason, *, by_judge: bool, where: str) -> bool:
        """The one rule for changing a recorded score, checked inside the write: True
        when ``value`` repeats the score on record for ``key`` (judge, project,
        criterion, round); a different value is a correction, which (unless the judge
        corrects their own) needs the secretary's rights and a reason."""
        prev = self._recorded(c, key)
        if prev is None:
            return False
        if prev == value:
            return True
        if not by_judge:
            self._require_secretary("correcting a recorded score")
            if not reason:
                raise ScoreError("a correction needs a reason", where=where, key="reason",
                                 expected="a reason for changing a recorded score",
                                 found=f"{key[2]}: {prev:g} -> {value:g} without a reason",
                                 zh="更正已保存的分数需要填写理由")
        return False

    @staticmethod
    def _recorded(c, key) -> float | None:
        """The score on record for ``key`` (judge, project, criterion, round) as the
        transaction ``c`` sees it; None when there is none or it was retracted."""
        prev = c.execute("SELECT kind, score FROM events WHERE judge=? AND project=? AND criterion=? AND round=?"
                         " AND kind IN ('score','retract') ORDER BY seq DESC LIMIT 1", key).fetchone()
        return prev[1] if prev and prev[0] == "score" else None

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

        def guard(c):
            self._refuse_if_locked(c, round_id)
            self._same_as_recorded(c, (judge, project, criterion, round_id), value, reason, by_judge=_by_judge,
                                   where=where)
        self._require_recording_rights(_by_judge)
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
                             expected="criterion -> score", found=scores, zh="评分表至少需要一个评分项的分数")
        values = {}
        for criterion, score in scores.items():
            criterion = str(criterion)
            self._check_key(judge, project, criterion, f"{where[:-1]}, {criterion})")
            if _by_judge:
                self._check_judge_item(criterion, where)
            values[criterion] = check_score(self.contest.rubric, criterion, score, where=f"{where[:-1]}, {criterion})")
        self._require_recording_rights(_by_judge)
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
                if self._same_as_recorded(c, (judge, project, criterion, round_id), value, reason, by_judge=_by_judge,
                                          where=where):
                    unchanged.append(criterion)
                    continue
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
                             expected="a judge, project and criterion of the contest", found=(judge, project, criterion),
                             zh=f"没有可撤回的分数：评委「{judge}」、项目「{project}」、评分项「{criterion}」不全属于本大赛")
        round_id = self._round(round)
        return self._append("retract", judge=judge, project=project, criterion=criterion, round=round_id,
                            entered_by=entered_by or "secretary", reason=reason,
                            guard=lambda c: self._refuse_if_locked(c, round_id))

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

    def set_current(self, project, round=None, entered_by="secretary") -> dict:
        """Set the project now pitching (judges' and screen pages follow it)."""
        self._require_secretary("changing the project now pitching")
        project = str(project)
        if project not in self._projects:
            raise ScoreError(f"unknown project '{project}'", where=str(self.path), key="project",
                             expected="a project of the contest", found=project, zh=f"未知项目「{project}」")
        return self._append("current", project=project, round=self._round(round), entered_by=entered_by)

    def setting(self, key: str, value, *, guard=None) -> dict:
        """Record a setting (e.g. the allocation rule); settings are events too.
        ``guard(conn)``, when given, runs inside the write first (and may refuse it)."""
        self._require_secretary("changing settings")
        return self._append("setting", criterion=str(key), reason=json.dumps(value, ensure_ascii=False),
                            entered_by="secretary", guard=guard)

    def set_allocation(self, *, reason=None, **settings) -> dict:
        """Record the decision's settings (contest rule, decimals, allocation) as one
        event; see :func:`evalkit.decision.set_allocation` (``reason``: for a rule change after the first score)."""
        from ..decision import set_allocation
        return set_allocation(self, reason=reason, **settings)

    def remind(self, judge, project, round=None, entered_by="secretary") -> dict:
        """Record the secretary's reminder to ``judge`` to submit the sheet for
        ``project`` in ``round``; the venue server, following the store, pushes it to
        that judge's phone. Needs the secretary's rights; an unknown or conflicted
        judge or project, a project that has not pitched in the round and a locked
        round are refused (checked inside the write)."""
        self._require_secretary("reminding a judge")
        judge, project, round_id = str(judge), str(project), self._round(round)
        judges = self.contest.judge_ids  # the running contest: a judge added on the day can be reminded

        def no_sheet(c):
            if judge not in judges:
                why = "judge", "an unknown judge", f"未知评委 {judge}"
            elif project not in self._projects:
                why = "project", "an unknown project", f"未知项目 {project}"
            elif self.contest.is_conflicted(judge, project):
                why = "project", "a conflict of interest", f"评委 {judge} 对项目 {project} 回避"
            elif not self._has_pitched(c, project, round_id):
                why = "project", "a project that has not pitched yet", f"项目 {project} 本轮尚未路演"
            else:
                self._refuse_if_locked(c, round_id)
                return
            key, found, zh = why
            raise ScoreError(f"no sheet to remind judge '{judge}' of for project '{project}' in round '{round_id}': {found}",
                             where=str(self.path), key=key,
                             expected="a judge who owes the sheet of a project that has pitched in the round",
                             found=found, zh=f"没有可提醒的评分表：{zh}")
        return self._append("remind", judge=judge, project=project, round=round_id, entered_by=entered_by,
                            guard=no_sheet)

    # --- backup, import ------------------------------------------------------
    def backup(self, dest) -> Path:
        """Copy the store with SQLite's online backup API (safe while others write)."""
        with self._lock:
            return _copy(self._conn, dest)

    def import_scores(self, scores: pd.DataFrame | str | Path, *, dry_run: bool = False, entered_by="import",
                      reason: str | None = None) -> pd.DataFrame:
        """Import a long score table (or a scores.csv path): validated as a whole, then
        written in one transaction (all or nothing). Returns what changes: one row per
        score with old, new and action ('add', 'change', 'same'). ``dry_run=True``
        writes nothing."""
        return import_scores(self, scores, dry_run=dry_run, entered_by=entered_by, reason=reason)
