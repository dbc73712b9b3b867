"""Amending the running contest (issue 17): judges, conflicts and the PIN are free
before the first score and afterwards recorded, reasoned events the store enforces."""
import pytest

import evalkit as ek
from evalkit.audit import change_log
from evalkit.errors import AccessError, ScoreError, SettingError
from evalkit.live import amend
from evalkit.replay import replay


@pytest.fixture
def fresh(demo_copy, tmp_path):
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "a.db")
    store.set_current("P01")
    yield contest, store
    store.close()


def _sheet(contest, share=0.8):
    return {c.id: round(c.max * share) for c in contest.rubric.criteria}


def test_free_before_the_first_score_and_reasoned_after(fresh):
    contest, store = fresh
    amend.add_judge(store, "J9", "赵新", reason=None)                 # free: no reason needed
    assert "J9" in store.contest.judge_ids and "J9" not in contest.judge_ids
    store.record("J1", "P01", contest.rubric.criterion_ids[0], 1)
    n = len(store.history())
    with pytest.raises(SettingError) as exc:
        amend.declare_conflict(store, "J1", "P02")
    assert exc.value.key == "reason" and "理由" in exc.value.text("zh")
    with pytest.raises(SettingError):
        amend.withdraw_judge(store, "J9", reason="   ")
    with pytest.raises(SettingError):
        store.set_pin("424242")  # no PIN yet: a first PIN is free
        store.set_pin("434343")  # a change after scoring needs change_pin with a reason
    assert store.contest.judge_ids.count("J9") == 1
    ev = amend.declare_conflict(store, "J1", "P02", reason="评委当天申报与该机构有合作")
    assert ev["kind"] == "amend" and store.verify()["ok"]
    log = change_log(store)
    row = log[log["kind"] == "amend"].iloc[-1]
    assert row["change"] == "conflict_declare" and row["reason"] == "评委当天申报与该机构有合作"
    assert list(log[log["kind"] == "amend"]["change"]) == ["judge_add", "conflict_declare"]
    assert len(store.history()) > n


def test_conflict_on_the_day_blocks_scoring_everywhere_and_excludes_earlier_scores(fresh):
    contest, store = fresh
    store.set_current("P02")
    token = store.judge_tokens()["J1"]
    session = store.judge_session(token)
    session.submit("P01", _sheet(contest, 0.7))
    assert len(store.scores().query("judge == 'J1' and project == 'P01'")) == len(contest.rubric.criterion_ids)
    ev = amend.declare_conflict(store, "J1", "P01", reason="当天申报回避")
    assert '"excluded_scores": %d' % len(contest.rubric.criterion_ids) in ev["reason"]
    crit = contest.rubric.criterion_ids[0]
    with pytest.raises(ScoreError):
        store.record("J1", "P01", crit, 8)
    with pytest.raises(ScoreError):
        store.record_sheet("J1", "P01", None, _sheet(contest))
    with pytest.raises(ScoreError):
        session.submit("P01", _sheet(contest))
    assert session.is_conflicted("P01")
    # the earlier scores stay in the log, out of the current table
    assert store.scores().query("judge == 'J1' and project == 'P01'").empty
    assert (store.history().query("judge == 'J1' and project == 'P01' and kind == 'score'").shape[0]
            == len(contest.rubric.criterion_ids))
    amend.lift_conflict(store, "J1", "P01", reason="误报，撤销回避")
    assert not store.contest.is_conflicted("J1", "P01")
    assert len(store.scores().query("judge == 'J1' and project == 'P01'")) == len(contest.rubric.criterion_ids)
    assert ek.verify_file(store.path)["ok"] if hasattr(ek, "verify_file") else store.verify()["ok"]


def test_added_judge_gets_a_link_and_scores_withdrawn_judges_link_is_refused(fresh):
    contest, store = fresh
    tokens = store.judge_tokens()
    amend.add_judge(store, "J9", "赵新")
    new = store.judge_tokens()
    assert set(new) == {"J9"}                                   # the printed links stay valid
    session = store.judge_session(new["J9"])
    session.submit("P01", _sheet(contest, 0.9))
    assert set(store.scores()["judge"]) == {"J9"}
    amend.amend_judge(store, "J9", name="赵新民", reason="姓名录错")
    assert store.contest.judges.set_index("id").at["J9", "name"] == "赵新民"
    amend.withdraw_judge(store, "J2", reason="评委临时有事离场")
    with pytest.raises(AccessError) as exc:
        store.judge_session(tokens["J2"])
    assert "退出" in exc.value.text("zh")
    assert "J2" not in store.contest.judge_ids
    with pytest.raises(ScoreError):
        store.record("J2", "P01", contest.rubric.criterion_ids[0], 1)
    store.judge_session(tokens["J1"])                           # the others keep their links
    with pytest.raises(SettingError):
        amend.add_judge(store, "J9", "又一个", reason="x")          # already on the panel
    with pytest.raises(SettingError):
        amend.declare_conflict(store, "J1", "P99", reason="x")      # unknown project


def test_pin_change_is_reasoned_after_scoring(fresh, tmp_path):
    contest, store = fresh
    store.set_pin("111111")
    store.record("J1", "P01", contest.rubric.criterion_ids[0], 1)
    with pytest.raises(SettingError):
        amend.change_pin(store, "222222")
    with pytest.raises(AccessError):
        amend.change_pin(store, "12", reason="换人值守")
    amend.change_pin(store, "222222", reason="换人值守")
    assert store.verify()["ok"]
    with pytest.raises(AccessError):
        contest.open_store(store.path, pin="111111")
    with contest.open_store(store.path, pin="222222") as again:
        assert again.contest.judge_ids == store.contest.judge_ids
    assert "pin" in set(change_log(store)["change"])


def test_verify_replay_and_decision_reflect_the_amendments(demo_copy, tmp_path):
    from evalkit.decision import decision
    from evalkit.store import verify_file
    contest = ek.load_contest(demo_copy())
    store = contest.open_store(tmp_path / "r.db")
    store.import_scores(contest.scores)
    store.set_current("P01")
    before = decision(contest, store).digest
    assert replay(store.path, contest).digest == before
    amend.declare_conflict(store, "J1", "P01", reason="当天申报回避")
    after = decision(contest, store)
    assert after.digest != before                         # J1's P01 sheet left the ranking
    assert not ((after.scores["judge"] == "J1") & (after.scores["project"] == "P01")).any()
    assert replay(store.path, contest).digest == after.digest
    assert verify_file(store.path)["ok"]
    store.close()


def test_rule_change_reuses_the_decision_setting_and_needs_a_reason_after_scoring(fresh):
    from evalkit.decision import allocation_settings, set_allocation
    contest, store = fresh
    set_allocation(store, decimals=1)                                   # free before the first score
    store.record("J1", "P01", contest.rubric.criterion_ids[0], 1)
    n = len(store.history())
    with pytest.raises(SettingError) as exc:
        set_allocation(store, method="mean")
    assert exc.value.key == "reason" and len(store.history()) == n      # nothing written
    set_allocation(store, threshold=60)                                 # the allocation stays free
    store.set_allocation(method="mean", reason="评审组决定")
    assert allocation_settings(store)["method"] == "mean"
    assert amend.amended_contest(contest, store).rubric.rule.method == "mean"
    rows = change_log(store).query("kind == 'amend'")
    assert list(rows["change"]) == ["rule", "rule"] and rows["reason"].iloc[-1] == "评审组决定"
    assert store.verify()["ok"]


def test_two_secretaries_saving_settings_at_once_both_count(fresh, monkeypatch):
    # the Allocation tab reads the settings; before it writes, `evalkit settings` (another
    # process) saves the budget: the tab's threshold is merged into the new budget, not
    # over it, and a rule change made meanwhile keeps its amend event
    import evalkit.decision.settings as settings_module
    contest, store = fresh
    other = contest.open_store(store.path)
    real, calls = settings_module.allocation_settings, []

    def read_then_other_saves(s):
        seen = real(s)
        if s is other:
            return seen
        calls.append(1)
        if len(calls) == 1:
            other.set_allocation(budget=300_000)
        if len(calls) == 2:
            other.set_allocation(decimals=1)
        return seen
    monkeypatch.setattr(settings_module, "allocation_settings", read_then_other_saves)
    got = settings_module.set_allocation(store, threshold=60)
    monkeypatch.undo()
    now = settings_module.allocation_settings(store)
    assert len(calls) == 3 and got == now
    assert now["threshold"] == 60 and now["budget"] == 300_000 and now["decimals"] == 1
    assert [e.kind for e in store.history().itertuples()].count("setting") == 3   # nothing lost, nothing doubled
    other.close()
    # a writer that keeps losing the race is told so, and writes nothing
    monkeypatch.setattr(settings_module, "allocation_settings", lambda s: (real(s), s.setting(settings_module.SETTING, {}))[0])
    n = len(store.history())
    with pytest.raises(SettingError) as exc:
        settings_module.set_allocation(store, threshold=70)
    assert "重试" in exc.value.text("zh") and len(store.history()) == n + settings_module._MERGE_TRIES


def test_the_audit_table_shows_the_reason_not_the_new_judges_name(fresh):
    from evalkit.report.tables import audit_table
    contest, store = fresh
    amend.add_judge(store, "J9", "赵新", reason="临时增补")
    shown = audit_table(store.contest, store.history(), anonymise=True).frame.to_string()
    assert "临时增补" in shown and "赵新" not in shown and "增加评委" in shown


def test_the_decision_record_lists_the_changes_and_the_public_one_names_no_judge(demo_copy, tmp_path):
    from evalkit.decision import decision
    from evalkit.report.record import record_table
    contest = ek.load_contest(demo_copy())
    store = contest.open_store(tmp_path / "d.db")
    store.import_scores(contest.scores)
    store.set_current("P01")
    amend.declare_conflict(store, "J1", "P01", reason="当天申报回避")
    d = decision(contest, store)
    internal = record_table(d, "internal").frame.to_string()
    public = record_table(d, "public").frame.to_string()
    assert "申报回避" in internal and "J1" in internal and "当天申报回避" in internal
    assert "申报回避" in public and "J1" not in public and "设置变更" in public
    store.close()
