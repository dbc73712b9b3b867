"""One display rounding everywhere: the ranking's tie detection, the leaderboard, the
公示 and report tables, and the CLI show a score as evalkit.display.format_score does
(the rule's decimals, 四舍五入), so 80.125 and 80.13 read 80.13 on every surface and
are ranked as tied (the tie-break decides)."""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import evalkit as ek
from evalkit.cli import main
from evalkit.commands._batch import shown
from evalkit.display import format_score
from evalkit.report import build_report
from evalkit.report.html import table_html
from evalkit.report.tables import allocation_table, breakdown, format_value, gongshi, number_format
from evalkit.ui.leaderboard import leaderboard_html
from conftest import DATA

HI = dict(design=19, innovation=10, capacity=15, budget=10, benefit=14, sustainability=10, pitch=5)
LO = dict(design=12, innovation=6, capacity=9, budget=6, benefit=9, sustainability=6, pitch=3)
# the middle sheets: P01 scores design higher than P02 (the rubric's first tie-break)
MID = {"P01": dict(design=18, innovation=8, capacity=12, budget=8, benefit=12, sustainability=8, pitch=4),
       "P02": dict(design=16, innovation=10, capacity=12, budget=8, benefit=12, sustainability=8, pitch=4)}


def _sheet(judge, project, total, rest):
    """A sheet whose weighted total is ``total`` (weights equal the maxima: total = sum)."""
    row = dict(rest, need=round(total - sum(rest.values()), 2))
    return [dict(judge=judge, project=project, criterion=c, score=v) for c, v in row.items()]


@pytest.fixture
def close_call(demo_copy):
    """demo-huaihe with 2-decimal criteria; six judges score P01 and P02. The trimmed
    mean (drop 95 and 60) is 80.125 for P01 (80.12, 80.12, 80.13, 80.13) and 80.13
    for P02 (80.13 four times)."""
    folder = demo_copy(scores=False)
    rubric = (DATA.parent / "rubrics" / "gongyi-chuangtou.yaml").read_text(encoding="utf-8")
    (folder / "gongyi-chuangtou.yaml").write_text(rubric.replace("decimals: 1}", "decimals: 2}"), encoding="utf-8")
    rows = []
    for p, middle in (("P01", (80.12, 80.12, 80.13, 80.13)), ("P02", (80.13,) * 4)):
        rows += _sheet("J1", p, 95, HI) + _sheet("J2", p, 60, LO)
        for j, t in zip(("J4", "J5", "J6", "J7"), middle):
            rows += _sheet(j, p, t, MID[p])
    pd.DataFrame(rows).to_csv(folder / "scores.csv", index=False)
    return folder


def test_80_125_and_80_13_are_tied_at_80_13_everywhere(close_call, capsys):
    contest = ek.load_contest(close_call)
    ranking = ek.rank(contest.scores, contest.rubric)
    score = ranking.projects["score"]
    assert score["P01"] == pytest.approx(80.125, abs=1e-9) and score["P02"] == pytest.approx(80.13, abs=1e-9)
    assert f"{score['P01']:.2f}" == "80.12" and round(score["P01"], 2) == 80.12   # what the old paths showed
    # ranking: tied on the shown 80.13, the tie-break (design) puts P01 first, with a note
    assert list(ranking.projects.index) == ["P01", "P02"]
    assert ranking.projects["rank"].tolist() == [1, 2]
    assert any("同分 80.13" in n and "tie at 80.13 between P01, P02" in n for n in ranking.notes), ranking.notes
    assert "80.125" not in repr(ranking) and repr(ranking).count("80.13") >= 2
    # leaderboard
    page = leaderboard_html(contest, ranking, "zh")
    cells = re.findall(r'data-project="(P0[12])".*?<span class="evalkit-lb-score">([^<]*)</span>', page)
    assert cells == [("P01", "80.13"), ("P02", "80.13")]
    # 公示 and the report's other score tables (the HTML/PDF text and the xlsx value)
    allocation = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget,
                             rule="greedy")
    report = build_report(contest, ranking, allocation, history=None)
    for table in (report.table("gongshi")[0], report.table("breakdown")[0], report.table("allocation")[0]):
        col = "得分" if table.key == "allocation" else "最终得分"
        frame = table.frame.set_index("项目编号")
        assert frame.loc[["P01", "P02"], col].tolist() == [80.13, 80.13], table.key
        texts = [format_value(v, table.formats[col]) for v in frame.loc[["P01", "P02"], col]]
        assert texts == ["80.13", "80.13"], table.key
        assert "80.125" not in table_html(table) and "80.12<" not in table_html(table)
    # CLI: the score column of `evalkit rank` and `evalkit allocate`
    for command in ("rank", "allocate"):
        assert main([command, str(close_call)] + (["--rule", "greedy"] if command == "allocate" else [])) == 0
        out = capsys.readouterr().out
        lines = out.splitlines()
        header = next(line.split() for line in lines if line.split()[:1] == ["project"])
        rows = {line.split()[0]: line.split() for line in lines if line.split()[:1] in (["P01"], ["P02"])}
        at = header.index("score")
        assert rows["P01"][at] == rows["P02"][at] == "80.13", out
    assert "tie at 80.13" in main_text(close_call, capsys)


def main_text(folder, capsys) -> str:
    assert main(["rank", str(folder)]) == 0
    return capsys.readouterr().out


# --- every surface shows format_score's text, for any total with 4 decimals -----------

HUAIHE = ek.load_contest(DATA / "demo-huaihe")
TOTALS = st.one_of(st.integers(0, 1_000_000), st.integers(0, 9_999).map(lambda k: k * 100 + 50))  # 1e-4 units


@settings(max_examples=40, deadline=None)
@given(units=st.lists(TOTALS, min_size=2, max_size=8), decimals=st.integers(0, 4))
def test_every_surface_shows_format_score(units, decimals):
    values = np.array(units) / 10_000
    ids = HUAIHE.project_ids[:len(values)]
    table = pd.DataFrame({"judge": "J1", "project": ids, "score": values})
    ranking = ek.rank(table, None, method="mean", decimals=decimals)
    want = {p: format_score(v, decimals) for p, v in zip(ids, values)}
    # tie detection: equal text <=> equal rank (no tie-break without a rubric); order follows the text
    shown_value = {p: float(want[p]) for p in ids}
    ranks = ranking.projects["rank"]
    for a in ids:
        for b in ids:
            assert (ranks[a] == ranks[b]) == (want[a] == want[b])
            if shown_value[a] > shown_value[b]:
                assert ranks[a] < ranks[b]
    # leaderboard: the rule's column and the calibrated model's column
    page = leaderboard_html(HUAIHE, ranking, "en", calibrated=ranking)
    rows = re.findall(r'data-project="([^"]+)"><td>.*?</td><td>.*?</td><td><span class="evalkit-lb-score">([^<]*)'
                      r'</span>.*?</td><td>\d+</td><td>([^<]*)</td>', page)
    assert {p: a for p, a, _ in rows} == want and {p: c for p, _, c in rows} == want
    # report: the 公示 table's values and their text (HTML, PDF) and any number format
    g = gongshi(HUAIHE, ranking, None)
    fmt = g.formats["最终得分"]
    assert fmt == number_format(decimals)
    assert {p: format_value(v, fmt) for p, v in zip(g.frame["项目编号"], g.frame["最终得分"])} == want
    assert {p: format_value(v, number_format(decimals)) for p, v in zip(ids, values)} == want
    # the allocation table's score column
    alloc = ek.allocate(ranking.projects.join(HUAIHE.projects.set_index("id")), budget=HUAIHE.budget, rule="greedy")
    at = allocation_table(_with_decimals(HUAIHE, decimals), alloc)
    assert {p: format_value(v, at.formats["得分"]) for p, v in zip(at.frame["项目编号"], at.frame["得分"])} == want
    # CLI text table
    cli = shown(ranking.projects.reset_index()[["project", "score"]], decimals)
    assert dict(zip(cli["project"], cli["score"])) == want


def _with_decimals(contest, decimals):
    """``contest`` whose rule shows ``decimals`` places (the allocation table reads the rule)."""
    import dataclasses
    rubric = dataclasses.replace(contest.rubric, rule=dataclasses.replace(contest.rubric.rule, decimals=decimals))
    return dataclasses.replace(contest, rubric=rubric)


def test_breakdown_rounds_the_final_score_it_stores(close_call):
    contest = ek.load_contest(close_call)
    ranking = ek.rank(contest.scores, contest.rubric)
    t = breakdown(contest, contest.scores, ranking).frame.set_index("项目编号")
    assert t.loc["P01", "最终得分"] == 80.13                       # the xlsx cell holds what is shown


def test_percent_format_rounds_half_up():
    assert format_value(0.125, "0%") == "13%" and f"{0.125:.0%}" == "12%"
    assert format_value(0.12345, "0.0%") == "12.3%"


def test_float_noise_never_decides_the_last_digit():
    """A mean whose exact decimal value ends in 5 rounds up even when float arithmetic
    lands a hair below it (80.12499999999999); 四舍五入 on the decimal value."""
    from decimal import ROUND_HALF_UP, Decimal
    import numpy as np
    from evalkit.display import display_round
    assert display_round(80.12499999999999, 2) == 80.13
    assert display_round(80.1249, 2) == 80.12
    rng = np.random.default_rng(7)
    for _ in range(20_000):
        xs = rng.integers(0, 10_000, 4) / 100          # four totals with 2 decimals
        exact = sum(Decimal(str(x)) for x in xs) / 4     # exact: at most 4 decimals
        want = float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        assert display_round(float(np.mean(xs)), 2) == want
