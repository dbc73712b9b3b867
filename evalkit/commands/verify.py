"""evalkit verify STORE [--digest D] [--receipt R ...] [--backup FILE-or-DIR ...] [--exact]

Checks a store file: SQLite's integrity check, the hash chain (names the first event
edited, deleted or inserted outside evalkit) and that no PIN or token hash sits outside
the chain; prints the head digest it checked. No secret is kept, so an attacker who
rewrites an event and every later hash passes this plain check: what anchors the file
is what was published or handed out —

- ``--digest D``: the head digest shown on the big screen at the lock and printed in
  the 公示. The file passes when event SEQ has that hash after an unbroken chain; events
  recorded after it (an unlock and a correction, say) are allowed, counted and listed by
  kind. ``--exact`` refuses any event after it.
- ``--receipt R`` (repeatable): a judge's receipt; passes when the file holds that
  judge's sheet, and everything before it, unchanged.
- ``--backup`` (repeatable; a folder means its ``*.db``): a lock-time backup; passes when
  it verifies and the store extends it unchanged.

Exit status 0 when every check passes, 1 otherwise.
"""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub):
    p = sub.add_parser("verify", help="check a store's integrity and hash chain / 校验评分库是否被篡改")
    p.add_argument("store", help="the contest's evalkit.db")
    p.add_argument("--digest", action="append", default=[], metavar="SEQ-HASH",
                   help="the published head digest (big screen, 公示) / 公布的末事件摘要")
    p.add_argument("--receipt", action="append", default=[], metavar="SEQ-HEX",
                   help="a judge's receipt code, repeatable / 评委收据码，可多次给出")
    p.add_argument("--backup", action="append", default=[], metavar="FILE",
                   help="a lock-time backup or a folder of them, repeatable / 锁定时的备份文件或其文件夹")
    p.add_argument("--exact", action="store_true",
                   help="with --digest: refuse events after the published one / 公布之后不得有新事件")
    p.set_defaults(func=run)


def _kinds(kinds: dict) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))


def _backups(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        out += sorted(p.glob("*.db")) if p.is_dir() else [p]
    return out


def run(args) -> int:
    from ..store import check_backup_file, check_digest_rows, check_receipt_log, read_log, verify_file
    result = verify_file(args.store)
    ok = result["ok"]
    if ok:
        print(f"OK  {args.store}: {result['events']} events, hash chain unbroken, SQLite integrity ok / 校验通过")
    else:
        where = f"first bad event {result['first_bad']}: " if result["first_bad"] is not None else ""
        print(f"篡改或损坏 TAMPERED  {args.store}: {where}{result['problem']}", file=sys.stderr)
    print(f"末事件摘要 head digest checked: {result['digest']}")
    if not (args.digest or args.receipt or args.backup) and ok:
        print("注意：本校验不需密钥，无法发现整链重写；请与公布的摘要（--digest）或评委收据（--receipt）核对。"
              " / No secret is kept: a rewrite of the whole chain passes this check; compare with the published"
              " digest (--digest) or the judges' receipts (--receipt).")
    rows = read_log(args.store)[0] if (args.digest or args.receipt or args.backup) else []

    for digest in args.digest:
        d = check_digest_rows(digest, rows)
        if d["ok"] and args.exact and d["after"]:
            d.update(ok=False, problem=f"{d['after']} events follow the published one ({_kinds(d['after_kinds'])})")
        if d["ok"]:
            later = (f"；其后另有 {d['after']} 个事件 {d['after']} events follow it ({_kinds(d['after_kinds'])})"
                     if d["after"] else "；其后无新事件 no event follows it")
            print(f"公布摘要 digest {digest}: 是公布的记录 this file is the published record up to event {d['seq']}{later}")
        else:
            print(f"公布摘要 digest {digest}: 不是公布的记录 this file is NOT the published record: {d['problem']}",
                  file=sys.stderr)
        ok = ok and d["ok"]

    for code in args.receipt:
        r = check_receipt_log(code, rows)
        s = r["sheet"]
        sheet = f"评委 {s['judge']} · 项目 {s['project']} · 轮次 {s['round']} / judge {s['judge']}, project {s['project']}, " \
                f"round {s['round']}" if s else "event " + str(r["seq"])
        if r["ok"]:
            print(f"收据 receipt {code}: 评分表原样保存 this file holds the sheet unchanged ({sheet})")
        else:
            print(f"收据 receipt {code}: 评分表不在或已被改动 this file does NOT hold the sheet unchanged ({sheet}): "
                  f"{r['problem']}", file=sys.stderr)
        ok = ok and r["ok"]

    backups = _backups(args.backup)
    if args.backup and not backups:
        print(f"备份 backup: 未找到备份 no backup file in {', '.join(args.backup)}", file=sys.stderr)
        ok = False
    for backup in backups:
        b = check_backup_file(backup, rows)
        if b["ok"]:
            print(f"备份 backup {backup}: 一致 consistent: the store holds its {b['digest'].split('-')[0]} events "
                  f"unchanged, {b['after']} more after them")
        else:
            print(f"备份 backup {backup}: 不一致 INCONSISTENT ({b['digest']}): {b['problem']}", file=sys.stderr)
        ok = ok and b["ok"]
    return 0 if ok else 1
