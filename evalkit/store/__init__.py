"""The SQLite event store (a package; see evalkit.store.core for now)."""
from .core import (ACCESS_CHAINED, ACCESS_KINDS, CHAINED_FIELDS, EVENT_FIELDS, GENESIS, PIN_HIDDEN, RECEIPT_HEX,
                   SCHEMA_VERSION, SCORE_KINDS, TOKEN_BYTES, JudgeSession, Store, _copy, _insert_chained, _log, _now,
                   _open_existing, _read_file, _stamp, access_outside_chain, backup_file, check_backup_file,
                   check_digest_rows, check_receipt_log, check_receipt_rows, digest_code, event_hash, read_log,
                   receipt_code, restore_file, verify_chain, verify_file)
