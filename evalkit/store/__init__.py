"""The SQLite event store: one file per contest, the single source of truth for
live scores.

Every score is an append-only event (sequence, UTC time, kind, judge, project,
criterion, round, score, entered_by, reason). The current score table is the last
score-or-retraction event per (judge, project, criterion, round). Round locks, the
project now pitching and settings are events too. Nothing is updated or deleted in
place, and each event carries a SHA-256 hash over its content and the previous
event's hash, so an edit made outside evalkit is detected by :meth:`Store.verify`.

Where each part lives:

==============  ==================================================================
``core``        :class:`Store`: the connection, transactions, the events it writes
``reads``       what a Store reads: scores, event stream, history, stage, receipts
``access``      access rules: the secretary's PIN, judges' tokens, :class:`JudgeSession`
``amending``    amendments of the running contest (judges, conflicts, PIN, rule) and
                ``Store.contest``, the amended contest every score is checked against
``amendments``  what "amend" events mean and the contest and score table they make
``backoff``     the wait after wrong secretary PINs (:class:`PinGuard`)
``chain``       the hash chain: event hashes, appending, chain/digest/receipt checks
``files``       store files without a contest: read, verify, back up, restore
``imports``     importing a score table (plan, then one transaction)
==============  ==================================================================

Everything is importable from ``evalkit.store`` itself.
"""
from .access import (ACCESS_CHAINED, ACCESS_KINDS, PIN_HIDDEN, TOKEN_BYTES, JudgeSession, access_outside_chain,
                     has_secretary_rights, require_secretary)
from .backoff import PinBackoffError, PinGuard
from .chain import (CHAINED_FIELDS, EVENT_FIELDS, GENESIS, RECEIPT_HEX, SCORE_KINDS, _insert_chained, _now,
                    check_digest_rows, check_receipt_log, check_receipt_rows, digest_code, event_hash, receipt_code,
                    verify_chain)
from .core import SCHEMA_VERSION, STORE_FILE, Store, open_store
from .files import (_copy, _log, _open_existing, _read_file, _stamp, backup_file, check_backup_file, read_log,
                    restore_file, verify_file)
from .imports import import_scores, plan_import

__all__ = ["ACCESS_CHAINED", "ACCESS_KINDS", "CHAINED_FIELDS", "EVENT_FIELDS", "GENESIS", "PIN_HIDDEN", "RECEIPT_HEX",
           "SCHEMA_VERSION", "SCORE_KINDS", "STORE_FILE", "TOKEN_BYTES", "JudgeSession", "PinBackoffError", "PinGuard", "Store", "access_outside_chain",
           "backup_file", "check_backup_file", "check_digest_rows", "check_receipt_log", "check_receipt_rows",
           "digest_code", "event_hash", "has_secretary_rights", "import_scores", "open_store", "plan_import",
           "read_log", "receipt_code", "require_secretary", "restore_file", "verify_chain", "verify_file"]
