"""The monitoring page (evalkit/ui/monitor.py): it only calls the core."""
import pytest

import evalkit as ek
from evalkit.monitor.records import MonitorLog
from evalkit.ui.monitor import MonitorPage
from tests.conftest import DATA


@pytest.fixture(scope="module")
def monitoring():
    return ek.monitor.load_monitoring(DATA / "demo-huaihe")


@pytest.fixture
def page(monitoring, tmp_path):
    store = monitoring.contest.open_store(tmp_path / "evalkit.db")
    log = MonitorLog(store, monitoring)
    log.import_folder()
    yield MonitorPage(log)
    store.close()


def test_tables_highlight_the_exit_rule(page):
    assert 'class="evalkit-exit"><td>平安社区服务社' in page.watch_table.value
    assert 'class="evalkit-warning"><td>红星文化促进会' in page.watch_table.value
    assert 'class="evalkit-pending-data"><td>星语康复中心' in page.watch_table.value
    assert "暂缓拨付" in page.tranche_table.value and "不合格" in page.evaluation_table.value
    assert "下一年度不得申报" in page.next_table.value
    page.set_lang("en")
    assert "must exit" in page.watch_table.value and "withheld" in page.tranche_table.value
    assert page.tabs.get_title(0) == "Monthly"


def test_monthly_entry_saves_and_corrections_need_a_reason(page):
    page.org.value, page.month.value = "红星文化促进会", "2027-05"
    before = {k: b.value for k, b in page.items.items()}
    assert all(before.values())  # the grid shows what is recorded
    seq = page.log.store.last_seq
    page.items["work_plan"].value = "2"
    page.items["records"].value = "１．０"
    assert not page.save_monthly() and "需要填写理由" in page.month_status.value
    assert page.log.store.last_seq == seq  # nothing written
    page.reason.value = "补交材料"
    assert page.save_monthly() and page.reason.value == ""
    cur = page.log.monthly()
    row = cur[(cur["organisation"] == "红星文化促进会") & (cur["period"] == "2027-05")].set_index("item")["score"]
    assert row["work_plan"] == 2 and row["records"] == 1
    page.items["work_plan"].value = "two"
    assert not page.save_monthly() and "evalkit-status-error" in page.month_status.value


def test_evaluation_entry(page):
    page.evaluator.value, page.project.value, page.evaluation.value = "E1", "P04", "final"
    assert all(b.value for b in page.criteria.values())
    page.criteria["management"].value = "25"  # above the maximum 20
    assert not page.save_sheet() and "evalkit-status-error" in page.eval_status.value


def test_the_core_imports_no_widget_code():
    import subprocess
    import sys
    code = ("import sys, evalkit.monitor, evalkit.monitor.records, evalkit.monitor.charts, evalkit.monitor.export; "
            "print(any(m.startswith(('ipywidgets', 'evalkit.ui')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(DATA.parent))
    assert out.stdout.strip() == "False"


def test_a_store_with_a_pin_needs_it_on_the_page(monitoring, tmp_path):
    store = monitoring.contest.open_store(tmp_path / "evalkit.db")
    MonitorLog(store, monitoring).import_folder()
    store.set_pin("135790")
    store.close()
    page = MonitorPage(MonitorLog(monitoring.contest.open_store(tmp_path / "evalkit.db"), monitoring))
    try:
        assert page.pin_box.layout.display == "flex" and "需要秘书密码" in page.pin_status.value
        page.org.value, page.month.value = "红星文化促进会", "2027-05"
        page.items["work_plan"].value, page.reason.value = "0.5", "复核"
        assert not page.save_monthly() and "PIN" in page.month_status.value
        assert not page.unlock_with_pin("0000") and "PIN码错误" in page.pin_status.value
        assert page.unlock_with_pin("135790") and page.save_monthly()
    finally:
        page.log.store.close()
