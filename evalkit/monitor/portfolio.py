"""The portfolio view: every funded project on one row — its organisation's
standing under the monthly rule, the evaluation grades, indicators missed, the
money released, withheld and pending, and the organisation's stars."""
from __future__ import annotations

import pandas as pd

PORTFOLIO_COLUMNS = ("project", "name", "organisation", "amount", "released", "withheld", "pending", "mid_grade",
                     "final_grade", "below_target", "status", "status_zh", "status_en", "warning", "exit_period",
                     "last_score", "missing", "stars")


def portfolio(monitoring, evaluation=None, watch=None) -> pd.DataFrame:
    """One row per contract (see PORTFOLIO_COLUMNS); ``monitoring``: a Monitoring
    (``evaluation``/``watch``: its results when already computed)."""
    ev = evaluation or monitoring.evaluate()
    watch = monitoring.watch() if watch is None else watch
    money = monitoring.money(monitoring.tranche_decisions(ev, watch))
    stars = monitoring.star_ratings()
    grade = {(p, e): g for p, e, g in zip(ev.table["project"], ev.table["evaluation"], ev.table["grade"])}
    missed = {}
    for p, e, b in zip(ev.table["project"], ev.table["evaluation"], ev.table["below_target"]):
        missed.setdefault(p, []).extend(f"{e}:{x}" for x in b)
    rows = []
    for c in monitoring.contracts.to_dict("records"):
        pid, org = c["project"], c["organisation"]
        w = watch.loc[org] if org in watch.index else None
        rows.append(dict(project=pid, name=c["name"], organisation=org, amount=c["amount"],
                         released=money.loc[pid, "released"], withheld=money.loc[pid, "withheld"],
                         pending=money.loc[pid, "pending"], mid_grade=grade.get((pid, "mid")),
                         final_grade=grade.get((pid, "final")), below_target=missed.get(pid, []),
                         status=w["status"] if w is not None else None,
                         status_zh=w["status_zh"] if w is not None else None,
                         status_en=w["status_en"] if w is not None else None,
                         warning=bool(w["warning"]) if w is not None else False,
                         exit_period=w["exit_period"] if w is not None else None,
                         last_score=w["last_score"] if w is not None else float("nan"),
                         missing=w["missing"] if w is not None else [],
                         stars=stars.loc[org, "stars"] if org in stars.index else None))
    return pd.DataFrame(rows, columns=list(PORTFOLIO_COLUMNS))
