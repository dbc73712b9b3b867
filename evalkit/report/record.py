"""The 公示's decision record: the settings the result was computed with, the
projects still waiting, and the result digest that ``evalkit replay`` prints for
the same store, so anyone holding the file can check the published result."""
from __future__ import annotations

import pandas as pd

from ..decision import SETTING_LABELS, settings_text
from ..rubric import Rule
from ..store.amendments import ACTIONS
from ..text import Text
from .tables import Table

def record_table(decision, version: str = "internal") -> Table:
    """设置与结果摘要: one row per setting (label, value), the round, the waiting
    projects, the result digest and how to check it."""
    values = settings_text(decision.settings)
    labels = [f"{SETTING_LABELS[k].zh} {SETTING_LABELS[k].en}" for k in SETTING_LABELS]
    rows = list(zip(labels, [v for _, v in values]))
    method = decision.settings["method"]
    rule = Rule(method=method, trim=int(decision.settings.get("trim") or 0))
    rows[0] = (rows[0][0], f"{rule.text('zh')} / {rule.text('en')} ({method})")
    rows.append(("轮次 Round", str(decision.round)))
    if decision.waiting:
        rows.append(("未完成评分、未排名 Not yet ranked", ", ".join(map(str, decision.waiting))))
    for a in getattr(decision, "amendments", []):  # the running contest's changes (evalkit.live.amend)
        what = ACTIONS[a["action"]] if a["action"] in ACTIONS else None
        label = f"设置变更 Change {str(a['ts'])[:19]}"
        if version == "public":   # that it changed and when; no judge named
            rows.append((label, what.both() if what else str(a["action"])))
        else:
            target = " ".join(str(x) for x in (a["judge"], a["project"]) if x)
            rows.append((label, f"{what.both() if what else a['action']} {target}: {a['reason'] or '（评分前，无需理由）'}"))
    rows.append(("版本 Version", "公开版 public" if version == "public" else "内部版 internal (names judges)"))
    rows.append(("结果摘要 Result digest (SHA-256)", decision.digest))
    df = pd.DataFrame(rows, columns=["设置项", "取值"])
    return Table("record", "设置与摘要", Text("评审与分配设置、结果摘要", "Settings used and result digest"), df,
                 note="用 evalkit replay evalkit.db 由评分事件日志复算，打印的摘要应与此相同 / "
                      "evalkit replay on the store recomputes the result from its event log and prints this digest")
