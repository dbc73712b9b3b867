"""The hash chain: how events are numbered, hashed and appended, and how a chain, a
published head digest and a judge's receipt are checked.

Each event carries a SHA-256 hash over its content and the previous event's hash
(:func:`event_hash`); :func:`_insert_chained` is the one place events are appended.
The newest event's sequence and hash are also kept in ``meta`` (``head``), so a
deleted or appended last event is caught as well (:func:`verify_chain`). The chain
alone cannot catch a rewrite of every later hash and the head: the head digest
published at the lock (:func:`check_digest_rows`) and the judges' receipts
(:func:`check_receipt_log`) anchor it.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

GENESIS = "0" * 64
SCORE_KINDS = ("score", "retract")
EVENT_FIELDS = ("seq", "ts", "kind", "judge", "project", "criterion", "round", "score", "entered_by", "reason")
# ``op``: the id a page made for the message that wrote the event (a repeated or late
# delivery of the same message is recognised and recorded once). Hashed when present,
# so stores written before it existed verify unchanged.
CHAINED_FIELDS = EVENT_FIELDS + ("op",)
RECEIPT_HEX = 16  # 64 bits of the sheet's last event hash on the judge's receipt: no search can match it


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
