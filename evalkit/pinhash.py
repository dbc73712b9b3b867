"""The secretary PIN's stored form: a slow, salted hash that names its algorithm and
parameters, so a hash made with older settings still verifies and can be upgraded.

Records (text, kept in the store's hash chain as a "pin" event):

- ``scrypt:N:R:P:SALT:HEX`` — what :func:`make_pin_hash` writes (``PIN_SCRYPT``);
- ``pbkdf2_sha256:ITERATIONS:SALT:HEX`` — read for compatibility;
- 64 bare hex digits — stores made before records named their algorithm:
  PBKDF2-HMAC-SHA256, 100,000 iterations, salted with the store's ``pin_salt``.

Cost: scrypt N=2**15, r=8, p=3 (32 MiB), one of the equivalent minimum settings of
OWASP's Password Storage Cheat Sheet (2023: N=2**17/p=1, N=2**16/p=2, N=2**15/p=3, …),
picked for its memory (32 MiB) on a venue laptop; about 0.2–0.4 s a check on the 2-core
project machine. A 6-digit PIN has 10**6 values: the
hash slows an offline search of a stolen file, the served page's back-off stops an
online one.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

PIN_MIN_DIGITS = 6
PIN_SCRYPT = dict(n=2 ** 15, r=8, p=3)
LEGACY_PBKDF2_ITERATIONS = 100_000
_DKLEN = 32
_MAXMEM = 256 * 1024 * 1024  # scrypt needs 128 * r * n bytes; hashlib's default cap is 32 MiB


def valid_pin(pin) -> bool:
    """Whether ``pin`` is acceptable for a new PIN: at least PIN_MIN_DIGITS ASCII digits."""
    return isinstance(pin, str) and pin.isascii() and pin.isdigit() and len(pin) >= PIN_MIN_DIGITS


def _scrypt(pin: str, salt: str, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(pin.encode("utf-8"), salt=bytes.fromhex(salt), n=n, r=r, p=p, maxmem=_MAXMEM,
                          dklen=_DKLEN).hex()


def _pbkdf2(pin: str, salt: bytes, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations).hex()


def make_pin_hash(pin: str, *, salt: str | None = None) -> str:
    """The record for ``pin`` with the current algorithm (a fresh random salt)."""
    salt = salt or secrets.token_hex(16)
    p = PIN_SCRYPT
    return f"scrypt:{p['n']}:{p['r']}:{p['p']}:{salt}:{_scrypt(str(pin), salt, p['n'], p['r'], p['p'])}"


def parse_pin_hash(record: str, legacy_salt: str | None = None) -> tuple[str, dict, str]:
    """(algorithm, parameters, hex) of a record; ValueError when it is not one."""
    parts = str(record).split(":")
    if parts[0] == "scrypt" and len(parts) == 6:
        n, r, p = (int(x) for x in parts[1:4])
        bytes.fromhex(parts[4])
        return "scrypt", dict(n=n, r=r, p=p, salt=parts[4]), parts[5]
    if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
        bytes.fromhex(parts[2])
        return "pbkdf2_sha256", dict(iterations=int(parts[1]), salt=bytes.fromhex(parts[2])), parts[3]
    if len(parts) == 1 and len(record) == 64 and legacy_salt is not None:
        int(record, 16)
        return "pbkdf2_sha256", dict(iterations=LEGACY_PBKDF2_ITERATIONS, salt=legacy_salt.encode("ascii")), record
    raise ValueError(f"not a PIN hash record: {str(record)[:20]}")


def pin_matches(pin: str, record: str, legacy_salt: str | None = None) -> bool:
    """Whether ``pin`` is the PIN ``record`` was made from (constant-time compare)."""
    algorithm, params, expected = parse_pin_hash(record, legacy_salt)
    if algorithm == "scrypt":
        got = _scrypt(str(pin), params["salt"], params["n"], params["r"], params["p"])
    else:
        got = _pbkdf2(str(pin), params["salt"], params["iterations"])
    return hmac.compare_digest(got, expected)


def is_current(record: str) -> bool:
    """Whether ``record`` uses today's algorithm and cost (else it is upgraded at the
    next successful secretary open)."""
    try:
        algorithm, params, _ = parse_pin_hash(record)
    except ValueError:
        return False
    return algorithm == "scrypt" and all(params[k] >= v for k, v in PIN_SCRYPT.items())
