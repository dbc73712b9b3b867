"""The decision record (evalkit.decision): settings are validated events; the
Allocation tab, the Export tab, `evalkit report`, `evalkit replay`, `evalkit
settings` and the screen read the same settings and show the same result; the
公示 prints the settings and the digest replay prints."""
import json
import re

import openpyxl
import pytest

import evalkit as ek
from evalkit.cli import main as cli
from evalkit.decision import allocation_settings, decide, decision, defaults, set_allocation
from evalkit.errors import SettingError
from evalkit.decision.replay import replay
from evalkit.ui import AppState
from evalkit.ui.allocation import AllocationTab
from evalkit.ui.export import ExportTab
from evalkit.ui.screen import Screen


@pytest.fixture
def live(demo_copy):
    """demo-huaihe with its scores in the folder's own store (evalkit.db), as the
    secretary's app holds it."""
    folder = demo_copy()
    contest = ek.load_contest(folder)
    store = contest.open_store()
    store.import_scores(contest.scores)
    store.set_current("P01")
    yield folder, AppState(contest, store)
    store.close()


def _rows(ws, header_row=2):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    body = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return rows[0], body


def _amounts(path) -> dict:
    header, body = _rows(openpyxl.load_workbook(path)["公示"])
    i, a = header.index("项目编号"), header.index("资助金额")
    return {r[i]: r[a] for r in body}


def _printed_digest(path) -> str:
    wb = openpyxl.load_workbook(path)
    texts = [str(v) for row in wb["公示"].iter_rows(values_only=True) for v in row if v]
    found = {m for t in texts for m in re.findall(r"SHA-256\): ([0-9a-f]{64})", t)}
    assert len(found) == 1
    return found.pop()


def test_settings_are_checked_then_written_as_one_event(live):
    _, state = live
    store, contest = state.store, state.contest
    assert allocation_settings(store) == defaults(contest)
    n = len(store.history())
    bad = [dict(thresold=75), dict(threshold="abc"), dict(threshold=-1), dict(rule="lottery"), dict(trim=1.5),
           dict(decimals=9), dict(method="mfrm"), dict(category_min_share={"无此类别": 0.1}), dict(budget=0),
           dict(tie_break="P01,P99"), dict(org_cap={"淮河社工服务中心": "many"})]
    for kwargs in bad:
        with pytest.raises(SettingError) as err:
            set_allocation(store, threshold=70, **kwargs) if "threshold" not in kwargs else \
                set_allocation(store, rule="greedy", **kwargs)
        assert err.value.key.split(".")[0] == next(iter(kwargs))        # the error names the key
    assert len(store.history()) == n                                     # nothing written by a refused call
    # text is read as typed (comma decimals), one event holds every setting resolved
    now = store.set_allocation(threshold="75,5", category_min_share='{"敬老孝老": 0.2}', tie_break="P03; P12")
    events = store.history()
    assert len(events) == n + 1 and events.iloc[-1]["kind"] == "setting"
    assert json.loads(events.iloc[-1]["reason"]) == now == allocation_settings(store)
    assert now["threshold"] == 75.5 and now["category_min_share"] == {"敬老孝老": 0.2}
    assert now["tie_break"] == ["P03", "P12"] and now["budget"] == contest.budget
    assert store.set_allocation(threshold=75.5) == now and len(store.history()) == n + 1   # no change, no event
    # None restores the default; 0 / 1 mean no limit
    back = store.set_allocation(threshold=None, category_min_share=0, category_max_share=1, tie_break="")
    assert back == {**now, "threshold": None, "category_min_share": None, "tie_break": None}


def test_a_threshold_set_in_the_tab_is_what_the_publication_replay_and_cli_show(live, tmp_path, capsys):
    folder, state = live
    tab = AllocationTab(state)
    default = dict(zip(tab.allocation.table["project"], tab.allocation.table["amount"]))
    assert default["P01"] > 0 and default["P04"] > 0                     # funded without a threshold
    tab.threshold.value = 75
    tab.allocate_button.click()
    assert allocation_settings(state.store)["threshold"] == 75            # saved in the store
    table = tab.allocation.table
    amounts = dict(zip(table["project"], table["amount"]))
    assert amounts["P01"] == 0 and amounts["P04"] == 0
    assert all(a == 0 for p, a in amounts.items() if tab.decision.ranking.projects.at[p, "score"] < 75)
    # the Export tab publishes the tab's amounts, with the settings and the digest
    export = ExportTab(state, out_dir=tmp_path / "pub")
    written = export.publish(formats=("xlsx", "html"))
    assert _amounts(written["xlsx"]) == amounts
    header, body = _rows(openpyxl.load_workbook(written["xlsx"])["设置与摘要"])
    record = dict(body)
    assert record["最低分数线 Score threshold"] == "75" and record["分配规则 Allocation rule"] == "optimal"
    digest = _printed_digest(written["xlsx"])
    assert record["结果摘要 Result digest (SHA-256)"] == digest == export.decision.digest
    assert digest in written["html"].read_text("utf-8")
    # replay recomputes the same result from the event log alone
    result = replay(folder / "evalkit.db")
    assert result.digest == digest and result.settings["threshold"] == 75
    assert cli(["replay", str(folder / "evalkit.db"), "--digest-only"]) == 0
    assert capsys.readouterr().out.strip() == f"digest sha256: {digest}"
    # the CLI report reads the same settings: the same amounts and digest
    assert cli(["report", str(folder), "--out", str(tmp_path / "cli"), "--formats", "xlsx"]) == 0
    out = capsys.readouterr().out
    assert f"digest sha256: {digest}" in out
    path = tmp_path / "cli" / "demo-huaihe-final-report.xlsx"
    assert _amounts(path) == amounts and _printed_digest(path) == digest
    # a setting changed elsewhere (the CLI) moves every surface, and the digest
    assert cli(["settings", str(folder), "--set", "threshold=none", "--set", "budget=200000"]) == 0
    again = decision(state.contest, state.store)
    assert again.settings["budget"] == 200000 and again.digest != digest
    assert replay(folder / "evalkit.db").digest == again.digest


def test_a_refused_control_value_writes_nothing_and_says_which(live):
    _, state = live
    tab = AllocationTab(state)
    n = len(state.store.history())
    tab.tie_break.value = "P01, P99"
    tab.allocate_button.click()
    assert "evalkit-status-error" in tab.status.value and "tie_break" in tab.status.value
    assert len(state.store.history()) == n


def test_the_screen_and_the_boards_follow_the_contest_rule_settings(live):
    _, state = live
    screen = Screen(state)
    first = re.search(r'evalkit-screen-result[^>]*>([^<]*)<', screen.board.value).group(1)
    assert len(first.split(".")[1]) == 2                                 # the rubric's 2 decimals
    state.store.set_allocation(method="mean", decimals=1, reason="评审组当场决定改用平均分")
    state.refresh()
    assert state.contest.rubric.rule.method == "mean" and state.base_contest.rubric.rule.method == "trimmed"
    shown = re.search(r'evalkit-screen-result[^>]*>([^<]*)<', screen.board.value).group(1)
    mean = decide(state.base_contest, state.round_scores(), allocation_settings(state.store)).ranking
    assert shown == ek.display.format_score(mean.projects.at["P01", "score"], 1)


def test_cli_settings_shows_and_sets(live, capsys):
    folder, _ = live
    assert cli(["settings", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] is None
    assert cli(["settings", str(folder / "evalkit.db"), "--set", "rule=greedy", "--set", "min_fraction=0.5"]) == 0
    capsys.readouterr()
    assert cli(["settings", str(folder), "--set", "rule=lottery"]) == 1
    assert "rule" in capsys.readouterr().err
    assert cli(["settings", str(folder), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["rule"] == "greedy" and shown["min_fraction"] == 0.5
