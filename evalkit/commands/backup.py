"""evalkit backup STORE [--out FILE] — a consistent copy via SQLite's online backup
API (safe while judges' pages write). evalkit restore BACKUP STORE [--force] — put
a verified backup back (an existing store is first copied aside)."""
from __future__ import annotations

from pathlib import Path


def register(sub):
    p = sub.add_parser("backup", help="back up a store file / 备份评分库")
    p.add_argument("store", help="the contest's evalkit.db")
    p.add_argument("--out", default=None, help="backup file (default: backups/<store>-<time>.db beside the store)")
    p.set_defaults(func=run_backup)
    r = sub.add_parser("restore", help="restore a store from a backup / 从备份恢复评分库")
    r.add_argument("backup")
    r.add_argument("store")
    r.add_argument("--force", action="store_true", help="replace an existing store (it is copied aside first)")
    r.set_defaults(func=run_restore)


def run_backup(args) -> int:
    from ..store import _stamp, backup_file, verify_file
    store = Path(args.store)
    out = Path(args.out) if args.out else store.parent / "backups" / f"{store.stem}-{_stamp()}.db"
    backup_file(store, out)
    check = verify_file(out)
    state = "hash chain ok" if check["ok"] else f"WARNING: {check['problem']}"
    print(f"backup written / 已备份: {out} ({check['events']} events, {state})")
    return 0 if check["ok"] else 1


def run_restore(args) -> int:
    from ..store import restore_file, verify_file
    aside = restore_file(args.backup, args.store, force=args.force)
    if aside:
        print(f"the previous store was kept as / 原评分库另存为: {aside}")
    print(f"restored / 已恢复: {args.store} ({verify_file(args.store)['events']} events)")
    return 0
