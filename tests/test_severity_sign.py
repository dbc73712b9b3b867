"""One sign for judge severity everywhere: positive = the judge scores lower than the
panel (harsh), in ek.rank().judges, research.judge_effects, ek.agreement.judges,
the Consistency tab and the report's chart (issue 13, item 2)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.research import judge_effects


def _three(scores, rubric) -> pd.DataFrame:
    """Each judge's severity from the three functions that estimate it."""
    ranked = ek.rank(scores, rubric, method="additive").judges["severity"]
    effects = judge_effects(scores.assign(contest="c"), rubric, year=None, min_ratings=1)
    research = effects[effects["period"] == "all"].set_index("judge")["severity"]
    diag = ek.agreement.judges(scores, rubric).set_index("judge")["severity"]
    return pd.DataFrame({"rank": ranked, "research": research.reindex(ranked.index),
                         "agreement": diag.reindex(ranked.index)})


def test_the_three_estimates_agree_on_demo_huaihe():
    c = ek.load_contest("data/demo-huaihe")
    sev = _three(c.scores, c.rubric)
    assert sev.notna().all().all() and len(sev) == 7
    corr = sev.corr()
    assert (corr.to_numpy() > 0.9).all(), corr          # the same sign, not -1.00 as before
    # J5 gives the lowest totals of the demo (its generator's harshest judge): positive everywhere
    tot = ek.totals(c.scores, c.rubric).groupby("judge")["total"].mean()
    assert tot.idxmin() == "J5" and (sev.loc["J5"] > 0).all()
    assert tot.idxmax() == "J2" and (sev.loc["J2"] < 0).all()


def test_a_planted_harsh_judge_is_positive_everywhere():
    sim = ek.simulate.panel(15, 6, 5, severity_sd=0.2, scale_sd=0.0, noise_sd=0.3, halo=0.0, seed=7)
    scores = sim.scores.copy()
    # J03 is harsh by design: every score 15 % of the scale lower (clipped at the minimum)
    harsh = scores["judge"] == "J03"
    scores.loc[harsh, "score"] = np.clip(scores.loc[harsh, "score"] - 1.5, 0, None).round(1)
    sev = _three(scores, sim.rubric)
    assert (sev.loc["J03"] > 5).all(), sev               # points of the 100-point total
    assert (sev.idxmax() == "J03").all()
    # the true severity the simulator planted (positive = harsh) orders the others too
    truth = sim.judges["severity"].drop("J03")
    for col in sev:
        assert sev[col].drop("J03").corr(truth, method="spearman") > 0.7


def test_flags_chart_table_and_tab_say_harsh_for_positive():
    from evalkit.report.charts import SEVERITY_AXIS, judge_severity
    c = ek.load_contest("data/demo-huaihe")
    scores = c.scores.copy()
    harsh = scores["judge"] == "J1"
    scores.loc[harsh, "score"] = scores.loc[harsh, "criterion"].map({x.id: x.min for x in c.rubric.criteria})
    diag = ek.agreement.judges(scores, c.rubric).set_index("judge")
    assert diag.loc["J1", "severity"] > 0 and diag.loc["J1", "severity_z"] > 2
    assert diag.loc["J1", "flags"].startswith("偏严 harsh: severity +")
    fig = judge_severity(diag.reset_index())
    label = fig.axes[0].get_xlabel()
    assert label == SEVERITY_AXIS and "正为偏严" in label and "+ harsh" in label
    # the chart sorts by severity: the harsh judge is at the positive end
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == "J1"


@pytest.mark.parametrize("lang, words", [("zh", "正值偏严"), ("en", "positive = harsh")])
def test_the_consistency_tab_says_which_sign_is_harsh(lang, words):
    from evalkit.ui.messages import t
    assert words in t("severity_note", lang)


def test_the_report_table_says_positive_is_harsh():
    from evalkit.report.tables import diagnostics_table, judge_diagnostics
    c = ek.load_contest("data/demo-huaihe")
    table = diagnostics_table(judge_diagnostics(c, c.scores))
    assert "正值偏严" in table.note and "正值偏宽" not in table.note
    sev = table.frame.set_index("评委")["宽严度"]
    assert sev.loc["陈明"] > 0 and sev.idxmax() == "陈明"            # J5, the demo's harshest judge
