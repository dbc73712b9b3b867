"""evalkit settings CONTEST-or-STORE [--set KEY=VALUE ...] [--pin PIN] [--json] —
show or change the decision's settings kept in the store: the contest rule
(method, trim, decimals) and the allocation (rule, budget, threshold,
category_min_share, category_max_share, org_cap, min_fraction, tie_break).
Changes are one validated setting event (evalkit.decision.set_allocation): the
Allocation tab, ``evalkit report`` and ``evalkit replay`` then use them. A value
of ``none`` restores the default; dicts and lists as JSON
(``category_min_share={"敬老孝老": 0.2}``, ``tie_break=P03,P12``)."""
from __future__ import annotations

import json
from pathlib import Path


def register(sub):
    p = sub.add_parser("settings", help="show or set the decision's settings / 查看或修改评审与分配设置")
    p.add_argument("path", help="contest folder or its evalkit.db")
    p.add_argument("--set", dest="changes", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting to change (repeatable); all are checked before one event is written")
    p.add_argument("--reason", default=None,
                   help="why the contest rule changes (needed once scoring has started) / 修改评分规则的理由")
    p.add_argument("--pin", default=None, help="the secretary's PIN, when the store has one")
    p.add_argument("--json", action="store_true", help="print the settings as JSON")
    p.set_defaults(func=run)


def parse_changes(items) -> dict:
    """KEY=VALUE texts as a dict (values are read by evalkit.decision.check_settings)."""
    from ..errors import SettingError
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingError("a setting is KEY=VALUE", key="--set", expected="KEY=VALUE",
                               found=item, zh=f"设置格式为 键=值（KEY=VALUE），现为 {item!r}")
        out[key.strip()] = value.strip()
    return out


def run(args) -> int:
    from ..contest import load_contest
    from ..decision import allocation_settings, defaults, settings_text
    path = Path(args.path)
    store_path = path if path.suffix == ".db" else path / "evalkit.db"
    contest = load_contest(store_path.parent)
    changes = parse_changes(args.changes)
    if changes or store_path.exists():
        with contest.open_store(store_path, pin=args.pin) as store:
            settings = store.set_allocation(reason=args.reason, **changes) if changes else allocation_settings(store)
    else:
        settings = defaults(contest)
    if args.json:
        print(json.dumps(settings, ensure_ascii=False, sort_keys=True))
    else:
        for (label, value), key in zip(settings_text(settings), settings):
            print(f"{key:<20} {label:<14} {value}")
    return 0
