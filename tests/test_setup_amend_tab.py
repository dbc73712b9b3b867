"""The Setup tab's running-contest section (issue 17): add / withdraw / rename a
judge, declare / lift a conflict, change the PIN; the store's refusal without a
reason after the first score is shown in the page's language."""
import pytest

import evalkit as ek
from evalkit.ui import AppState
from evalkit.ui.live import LiveTab
from evalkit.ui.messages import t
from evalkit.ui.setup import SetupTab


@pytest.fixture
def tab(demo_copy, tmp_path):
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "s.db")
    store.set_current("P01")
    state = AppState(contest, store)
    yield SetupTab(state)
    store.close()


def test_judges_are_added_and_withdrawn_freely_before_the_first_score(tab):
    run, state = tab.running, tab.state
    assert t("amend.free", "zh") in run.note.value
    run.new_id.value, run.new_name.value = "J9", "赵新"
    run.add_button.click()
    assert "evalkit-status-error" not in run.status.value, run.status.value
    assert 'data-judge="J9"' in run.judges_table.value and "赵新" in run.judges_table.value
    assert "J9" in state.contest.judge_ids and "J9" in dict(run.judge.options).values()
    run.judge.value = "J2"
    run.withdraw_button.click()
    assert 'data-judge="J2"' not in run.judges_table.value and "J2" in run.judges_table.value  # listed as withdrawn
    assert "J2" not in state.store.contest.judge_ids


def test_after_the_first_score_a_reason_is_required_and_the_grid_follows(tab):
    run, state = tab.running, tab.state
    crit = state.contest.rubric.criterion_ids[0]
    state.store.record("J1", "P01", crit, 1)
    state.refresh(force=True)
    assert t("amend.started", "zh") in run.note.value
    run.conflict_judge.value, run.conflict_project.value = "J1", "P01"
    n = len(state.store.history())
    run.declare_button.click()
    assert "evalkit-status-error" in run.status.value and "理由" in run.status.value
    assert len(state.store.history()) == n                         # nothing written
    state.set_lang("en")
    run.declare_button.click()
    assert "needs a reason" in run.status.value and "Declare conflict" == run.declare_button.description
    run.reason.value = "declared on the day"
    run.declare_button.click()
    assert "evalkit-status-error" not in run.status.value and run.reason.value == ""
    assert state.contest.is_conflicted("J1", "P01")
    row = run.judges_table.value.split('data-judge="J1"')[1].split("</tr>")[0]
    assert "P01" in row
    live = LiveTab(state)                                           # the secretary's grid refuses the cell
    grid_row = next(r for r in live.grid.rows if r["id"] == "J1")
    assert grid_row["disabled"]
    assert state.round_scores().query("judge == 'J1' and project == 'P01'").empty   # excluded from the ranking
    run.reason.value = "lifted"
    run.lift_button.click()
    assert not state.contest.is_conflicted("J1", "P01")


def test_pin_change_from_the_tab(tab):
    run, state = tab.running, tab.state
    state.store.set_pin("111111")
    run.pin.value = "12"
    run.pin_button.click()
    assert "evalkit-status-error" in run.status.value
    run.pin.value = "222222"
    run.pin_button.click()
    assert "evalkit-status-error" not in run.status.value and run.pin.value == ""
    with pytest.raises(ek.errors.AccessError):
        state.base_contest.open_store(state.store.path, pin="111111")
