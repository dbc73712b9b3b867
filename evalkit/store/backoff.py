"""The wait after wrong secretary PINs, shared by every page of one store.

Back-off (:class:`PinGuard`): wrong secretary PINs tried against one store are
counted in a small SQLite file beside it, ``<store file name>-pin-attempts`` (mode
0600), so a reloaded page, a restarted kernel or a second page sees the same count.
Each attempt holds that file's write lock while the PIN is checked, so pages trying
in parallel are served one at a time. The first :data:`FREE_ATTEMPTS` wrong PINs cost
nothing; after the n-th wrong PIN (n >= FREE_ATTEMPTS) the next attempt must wait
``2 ** (n - FREE_ATTEMPTS + 1)`` seconds (2, 4, 8, ... s), at most :data:`MAX_WAIT`
(5 minutes). An attempt made while waiting is refused (:class:`PinBackoffError`)
without the PIN being checked, and does not lengthen the wait; the right PIN clears
the count. With 10**6 six-digit PINs an online search then takes years.
The file is not part of the store's hash chain: deleting it resets the count, but
whoever can delete it holds the store file itself.
"""
from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

from ..errors import AccessError, StoreError
from ..io.private import private_file
from .access import has_secretary_rights
from .core import open_store

FREE_ATTEMPTS = 3      # wrong PINs before any wait
MAX_WAIT = 300.0       # seconds: the longest wait between attempts
GUARD_SUFFIX = "-pin-attempts"


class PinBackoffError(AccessError):
    """A PIN attempt made before the back-off wait after earlier wrong PINs ended.
    ``retry_after``: seconds left to wait."""

    def __init__(self, message: str, *, retry_after: float, **kwargs):
        self.retry_after = float(retry_after)
        super().__init__(message, **kwargs)


def no_pin(pin) -> bool:
    """Whether ``pin`` is no attempt at all (nothing typed): never counted."""
    return pin is None or not str(pin).strip()


def delay_after(failures: int) -> float:
    """Seconds the next attempt must wait after ``failures`` wrong PINs in a row."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(2.0 ** (failures - FREE_ATTEMPTS + 1), MAX_WAIT))


class PinGuard:
    """The failed-PIN count of one store (see the module's docstring).

    >>> guard = PinGuard(store.path)                       # doctest: +SKIP
    >>> store = guard.open(contest, "482913")              # doctest: +SKIP

    ``clock``: seconds since the epoch (wall time, so the wait survives a restart).
    """

    def __init__(self, store_path, *, clock=time.time, timeout: float = 60.0):
        self.store_path = Path(store_path)
        self.path = self.store_path.with_name(self.store_path.name + GUARD_SUFFIX)
        self.clock = clock
        self.timeout = timeout

    # --- the count -------------------------------------------------------------
    def _unusable(self, exc) -> StoreError:
        return StoreError(f"cannot use the PIN attempt record: {exc}", where=str(self.path),
                          expected="a writable SQLite file beside the store (delete it to reset the count)",
                          found=str(exc), zh="无法使用PIN码尝试记录文件")

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self.path.exists():
                private_file(self.path, append=True).close()
            conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
            conn.execute("CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY CHECK (id = 1),"
                         " failures INTEGER NOT NULL, last REAL NOT NULL)")
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise self._unusable(exc) from None

    @staticmethod
    def _read(conn) -> tuple[int, float]:
        row = conn.execute("SELECT failures, last FROM attempts WHERE id = 1").fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def _wait(self, failures: int, last: float) -> float:
        delay = delay_after(failures)
        # a clock set back must not turn the wait into hours: never more than the delay
        return max(0.0, min(last + delay - self.clock(), delay)) if delay else 0.0

    def _peek(self) -> tuple[int, float]:
        conn = self._connect()
        try:
            return self._read(conn)
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        finally:
            conn.close()

    def failures(self) -> int:
        """Wrong PINs in a row so far (0 when none or after the right one)."""
        if not self.path.exists():
            return 0
        return self._peek()[0]

    def wait(self) -> float:
        """Seconds before the next PIN attempt is accepted (0: now)."""
        if not self.path.exists():
            return 0.0
        return self._wait(*self._peek())

    # --- an attempt ------------------------------------------------------------------
    def attempt(self, open_with_pin):
        """Run ``open_with_pin()`` (returns a Store handle, or AccessError for a wrong
        PIN) under the back-off: PinBackoffError while a wait is running (nothing is
        tried); a wrong PIN (AccessError, or a handle without the secretary's rights)
        is counted and re-raised; the right one clears the count."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")      # held while the PIN is checked: one attempt at a time
            try:
                store = self._attempt(conn, open_with_pin)
            finally:
                conn.execute("COMMIT")           # a counted failure is kept even as its error goes up
            return store
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        finally:
            conn.close()

    def _attempt(self, conn, open_with_pin):
        failures, last = self._read(conn)
        wait = self._wait(failures, last)
        if wait > 0:
            raise PinBackoffError(f"too many wrong PINs: wait {math.ceil(wait)} s before the next attempt",
                                  retry_after=wait, where=str(self.store_path), key="pin",
                                  expected=f"an attempt after {math.ceil(wait)} s",
                                  found=f"{failures} wrong PINs in a row",
                                  zh=f"PIN码错误次数过多，请 {math.ceil(wait)} 秒后再试。")
        try:
            store = open_with_pin()
            if not has_secretary_rights(store):
                store.close()
                raise AccessError("the store was opened without the secretary's rights", where=str(self.store_path),
                                  key="pin", expected="the secretary's PIN", found="no rights", zh="PIN码错误")
        except AccessError:
            conn.execute("INSERT OR REPLACE INTO attempts VALUES (1, ?, ?)", (failures + 1, self.clock()))
            raise
        conn.execute("DELETE FROM attempts")
        return store

    def open(self, contest, pin, **store_kwargs):
        """The store reopened with the secretary's ``pin``, under the back-off.
        An empty PIN is refused at once and not counted (a click on an empty box)."""
        if no_pin(pin):
            raise AccessError("no PIN given", where=str(self.store_path), key="pin", expected="the secretary's PIN",
                              found="nothing", zh="请输入秘书PIN码")
        return self.attempt(lambda: open_store(contest, self.store_path, pin=str(pin).strip(), **store_kwargs))
