"""Store files outside a running Store: read a file's log read-only, verify it without
a contest, copy it with SQLite's online backup API (safe while pages write), check a
backup against a store, and restore one (never losing the file it replaces).
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError, TamperError
from ..io.private import private_database
from .access import ACCESS_CHAINED, ACCESS_KINDS, access_outside_chain
from .chain import CHAINED_FIELDS, GENESIS, check_digest_rows, digest_code, verify_chain


def _copy(source: sqlite3.Connection, dest) -> Path:
    """SQLite online backup of an open connection into ``dest`` (made or overwritten)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(private_database(dest)))
    try:
        source.backup(target)
    finally:
        target.close()
    return dest


def _open_existing(path, *, readonly: bool) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise StoreError("no such store file", where=str(path), expected="an evalkit.db file", found="nothing",
                         zh="找不到评分存储文件")
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
                         found=str(exc), zh=f"无法读取评分存储：{exc}") from None


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
                         found=str(exc), zh=f"无法备份评分存储：{exc}") from None


def restore_file(backup, dest, *, force: bool = False) -> Path | None:
    """Restore a backup into ``dest`` (online backup API, so a WAL store is replaced
    cleanly). The backup must verify. An existing ``dest`` needs ``force``; it is
    first copied aside (returned path) so a restore never loses data."""
    check = verify_file(backup)
    if not check["ok"]:
        raise TamperError(f"the backup does not verify: {check['problem']}", where=str(backup),
                          expected="a sound backup with an unbroken hash chain", found=check["problem"],
                          zh=f"备份校验失败，不能恢复：{check['problem']}")
    dest = Path(dest)
    aside = None
    if dest.exists():
        if not force:
            raise StoreError("the store file exists; restoring would replace it", where=str(dest),
                             expected="a new path, or --force", found="an existing store",
                             zh="评分存储文件已存在，恢复会覆盖它（请换一个路径或加 --force）")
        aside = backup_file(dest, dest.with_name(f"{dest.stem}-before-restore-{_stamp()}.db"))
    try:
        src = _open_existing(backup, readonly=True)
        try:
            target = sqlite3.connect(str(private_database(dest)), timeout=30)
            try:
                src.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot restore: {exc}", where=str(dest), expected="a writable store path",
                         found=str(exc), zh=f"无法恢复评分存储：{exc}") from None
    return aside


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
