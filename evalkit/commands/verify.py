"""evalkit verify STORE — SQLite's integrity check and the hash chain of a store
file; names the first event edited, deleted or inserted outside evalkit (exit 1)."""
from __future__ import annotations

import sys


def register(sub):
    p = sub.add_parser("verify", help="check a store's integrity and hash chain / 校验评分库是否被篡改")
    p.add_argument("store", help="the contest's evalkit.db")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..store import verify_file
    result = verify_file(args.store)
    if result["ok"]:
        print(f"OK  {args.store}: {result['events']} events, hash chain unbroken, SQLite integrity ok / 校验通过")
        return 0
    print(f"篡改或损坏 TAMPERED  {args.store}: first bad event {result['first_bad']}: {result['problem']}",
          file=sys.stderr)
    return 1
