"""evalkit replay STORE [--contest DIR] — recompute the ranking and the allocation
from the store's event log alone and print a SHA-256 digest of both, so anyone
holding the file can check a published result."""
from __future__ import annotations

from pathlib import Path


def register(sub):
    p = sub.add_parser("replay", help="recompute ranking and allocation from the event log / 由事件日志复算结果")
    p.add_argument("store", help="the contest's evalkit.db")
    p.add_argument("--contest", default=None, help="contest folder (default: the store's folder)")
    p.add_argument("--round", default=None)
    p.add_argument("--rule", default=None, help="allocation rule (default: the store's setting, else optimal)")
    p.add_argument("--digest-only", action="store_true", help="print only the digest")
    p.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from ..decision import settings_text
    from ..display import format_score
    from ..decision.replay import replay
    result = replay(args.store, args.contest or Path(args.store).resolve().parent, round=args.round, rule=args.rule)
    if not args.digest_only:
        table = result.ranking.merge(result.allocation[["project", "requested", "funded", "amount"]], on="project")
        table["score"] = [format_score(x, result.settings["decimals"]) for x in table["score"]]
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(f"{result.events} events, round {result.round}, ranking rule {result.method}, "
                  f"allocation rule {result.rule}")
            print("settings / 设置: " + "; ".join(f"{k} {v}" for k, v in settings_text(result.settings)))
            print(table.to_string(index=False))
        for note in result.notes:
            print(f"note: {note}")
    print(f"digest sha256: {result.digest}")
    return 0
