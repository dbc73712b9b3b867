"""What a store reads: the current score table (the last score or retraction per
judge, project, criterion and round wins), the event stream pages follow, the audit
trail, the stage (project now pitching), locks and settings, receipts, the head
digest, and the check of the hash chain.
"""
from __future__ import annotations

import json

import pandas as pd

from ..errors import TamperError
from .access import PIN_HIDDEN
from .amendments import allowed_scores
from .chain import (CHAINED_FIELDS, EVENT_FIELDS, GENESIS, check_digest_rows, check_receipt_rows, digest_code,
                    receipt_code, verify_chain)


class StoreReads:
    """The reading part of :class:`evalkit.store.Store` (a mixin: it works through the
    Store's ``_read``, ``_meta``, ``_round``, ``_lock``, ``_conn`` and ``contest``)."""

    # --- the stage, locks, settings -------------------------------------------------
    def current(self) -> tuple[str | None, str]:
        """(project now pitching or None, its round)."""
        rows = self._read("SELECT project, round FROM events WHERE kind='current' ORDER BY seq DESC LIMIT 1")
        return (rows[0][0], rows[0][1]) if rows else (None, self.contest.default_round)

    def pitching_since(self) -> str | None:
        """When the project now on stage was called (UTC ISO time; None before the first)."""
        rows = self._read("SELECT ts FROM events WHERE kind='current' ORDER BY seq DESC LIMIT 1")
        return rows[0][0] if rows else None

    def pitched(self, round=None) -> list[str]:
        """Projects that have been on stage in ``round``, in the order they first pitched."""
        rows = self._read("SELECT project FROM events WHERE kind='current' AND round=? ORDER BY seq",
                          (self._round(round),))
        return list(dict.fromkeys(r[0] for r in rows))

    @staticmethod
    def _locked(c, round_id) -> bool:
        row = c.execute("SELECT kind FROM events WHERE kind IN ('lock','unlock') AND round = ? ORDER BY seq DESC LIMIT 1",
                        (round_id,)).fetchone()
        return bool(row) and row[0] == "lock"

    def is_locked(self, round=None) -> bool:
        with self._lock:
            return self._locked(self._conn, self._round(round))

    @staticmethod
    def _setting_version(c, key: str) -> int:
        row = c.execute("SELECT MAX(seq) FROM events WHERE kind='setting' AND criterion=?", (str(key),)).fetchone()
        return row[0] or 0

    def setting_version(self, key: str) -> int:
        """The seq of the newest event setting ``key`` (0 before the first): a writer that
        merged into what it read checks, inside its write, that nobody set it since."""
        with self._lock:
            return self._setting_version(self._conn, key)

    def settings(self) -> dict:
        out = {}
        for key, value in self._read("SELECT criterion, reason FROM events WHERE kind='setting' AND criterion IS NOT NULL"
                                     " ORDER BY seq"):
            out[key] = json.loads(value)
        return out

    # --- scores and events ------------------------------------------------------
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
        # scores of withdrawn or conflicted judges stay in the log only
        return allowed_scores(self.contest.with_panels(df), self.contest)

    def score_events(self, after: int = 0) -> pd.DataFrame:
        """Score and retraction events with ``seq > after``, oldest first: seq, kind,
        judge, project, criterion, round, score. Pages that follow the store apply
        these to what they hold instead of re-reading the whole table."""
        rows = self._read("SELECT seq, kind, judge, project, criterion, round, score FROM events"
                          " WHERE kind IN ('score','retract') AND seq > ? ORDER BY seq", (int(after),))
        return pd.DataFrame(rows, columns=["seq", "kind", "judge", "project", "criterion", "round", "score"])

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

    # --- receipts and integrity ---------------------------------------------------
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
            raise TamperError(result["problem"], where=where, expected="an unbroken hash chain", found=result["problem"],
                              zh=f"评分记录校验失败：{result['problem']}")

    def reminders(self, after: int = 0) -> pd.DataFrame:
        """Reminder events with ``seq > after``, oldest first: seq, ts, judge, project, round."""
        rows = self._read("SELECT seq, ts, judge, project, round FROM events WHERE kind = 'remind' AND seq > ?"
                          " ORDER BY seq", (int(after),))
        return pd.DataFrame(rows, columns=["seq", "ts", "judge", "project", "round"])
