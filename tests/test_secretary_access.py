"""The secretary's workbench before the PIN: nothing is built, computed or sent and no
action runs, whatever messages the page's kernel receives; every tab action checks the
secretary's rights in the store; new contests only inside the workspace; the back-off
after wrong PINs (evalkit.access), on the page and across restarts."""
import html
import json
import os
import stat
import threading

import ipywidgets as w
import pytest
from ipywidgets.widgets import widget as widget_module

import evalkit as ek
from conftest import browser_context, needs_chromium, start_serve, stop_serve
from evalkit.access import (MAX_WAIT, PinBackoffError, PinGuard, contest_folder_under, delay_after,
                            has_secretary_rights, workspace_bases)
from evalkit.ui import AppState
from evalkit.ui.allocation import AllocationTab
from evalkit.ui.app import TABS, Roadshow
from evalkit.ui.export import ExportTab
from evalkit.ui.live import LiveTab
from evalkit.ui.setup import SetupTab

PIN = "482913"
WRONG = "000000"
LOCATED = "此操作需要评审秘书的 PIN"   # the store's refusal as the Setup tab lists it (in the page's language)
PROJECTS = "id,name,organisation,category,requested,min_amount\nA1,长者食堂,甲社工站,敬老孝老,20000,10000\n"
JUDGES = "id,name,panel,conflicts\nK1,张三,,\nK2,李四,,\nK3,王五,,\n"


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def guarded(demo_copy, tmp_path):
    """(contest, store path): demo-huaihe with its scores, P01 pitching, a 6-digit PIN."""
    contest = ek.load_contest(demo_copy())
    path = tmp_path / "store" / "evalkit.db"
    path.parent.mkdir()
    with contest.open_store(path) as s:
        s.import_scores(contest.scores)
        s.set_current("P01")
        s.set_pin(PIN)
    return contest, path


def page_handle(contest, path):
    """The store as the served page's kernel opens it: without the PIN."""
    return contest.open_store(path)


# --- what the front end can send ------------------------------------------------------
def comm_msg(widget, data):
    """Deliver ``data`` to ``widget`` as the kernel receives a front end's comm message."""
    widget._handle_msg({"content": {"data": data}, "buffers": []})


def crafted_messages(app):
    """Every message a page could send before the PIN, except typing the PIN: open each
    tab, click each button, ask every model for its state."""
    for wid in list(widget_module._instances.values()):
        for index in range(len(TABS)):
            comm_msg(wid, {"method": "update", "state": {"selected_index": index}, "buffer_paths": []})
        if isinstance(wid, w.Button) and wid is not app.pin_button:
            comm_msg(wid, {"method": "custom", "content": {"event": "click"}})
        comm_msg(wid, {"method": "request_state"})


def widget_text() -> str:
    """The state of every widget model in the kernel, as the front end could fetch it."""
    def plain(x):
        return "" if isinstance(x, (bytes, bytearray, memoryview)) else str(x)
    return "\n".join(json.dumps(wid.get_state(), default=plain, ensure_ascii=False)
                     for wid in list(widget_module._instances.values()))


def secrets_of(contest, store):
    """Judge names and the on-stage project's scores as the page would write them."""
    sc = store.scores()
    on_stage = sc[sc["project"] == store.current()[0]]
    scores = {f"{s:g}" for s in on_stage["score"] if len(f"{s:g}") >= 4}   # e.g. '10.4', not '8'
    return set(contest.judges["name"]), scores


def refused(html_widget, words="此操作需要评审秘书的 PIN") -> bool:
    """Whether the widget shows the store's refusal of a secretary action (in Chinese,
    the page's language)."""
    return words in html.unescape(html_widget.value)


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.name.endswith("-shm"))


def test_before_the_pin_no_widget_holds_or_sends_scores(guarded, tmp_path):
    contest, path = guarded
    w.Widget.close_all()                                     # this kernel holds only the page below
    handle = page_handle(contest, path)
    app = Roadshow(AppState(contest, handle), follow=False)
    assert app.tabs is None and app.views == {} and app.body.children[0] is app.pin_status
    names, scores = secrets_of(contest, handle)
    assert len(names) == 7 and len(scores) >= 10
    history, digest, files = handle.history(), handle.head_digest(), files_under(tmp_path)

    crafted_messages(app)
    app.state.set_lang("en")                                 # the language button, as clicked
    app.state.refresh(force=True)

    assert app.tabs is None and app.views == {}
    models = {wid._model_name for wid in widget_module._instances.values()}
    assert not models & {"TabModel", "ImageModel", "AnyModel"}      # no tab, chart or entry grid exists
    text = widget_text()
    assert not [n for n in names if n in text] and not [s for s in scores if s in text]
    assert handle.head_digest() == digest and handle.history().equals(history)   # no event written
    assert files_under(tmp_path) == files                                        # no file created
    for key, _, _ in TABS:                                    # the core refuses to build any tab
        with pytest.raises(ek.AccessError):
            app.view(key)
    with pytest.raises(ek.AccessError):
        app._open(3)
    with pytest.raises(ek.AccessError):
        app._start()
    assert app.views == {} and app.tabs is None

    # the control: with the PIN the same walk finds the names and the scores
    app.pin.value = PIN
    comm_msg(app.pin_button, {"method": "custom", "content": {"event": "click"}})
    assert app.tabs is not None and app.pin.value == ""      # the PIN is not kept in the page's model
    for key, _, _ in TABS:
        app.view(key)
    text = widget_text()
    assert all(n in text for n in names) and all(s in text for s in scores)
    app.state.store.close()


def test_every_tab_action_is_refused_by_the_store(guarded, tmp_path):
    """Tab objects made on a handle without the PIN (as if the view's check were gone):
    their actions reach the store's check and change nothing."""
    contest, path = guarded
    handle = page_handle(contest, path)
    state = AppState(contest, handle)
    history, files = handle.history(), files_under(tmp_path)

    live = LiveTab(state)
    live.next_button.click()
    assert refused(live.status) and handle.current()[0] == "P01"
    live.status.value = ""
    live.lock_button.click()
    assert refused(live.status) and not handle.is_locked()
    live.reason.value = "typo"
    assert live.grid.enter("J1", "need", "12.3")[0] == "error"

    alloc = AllocationTab(state)
    alloc.threshold.value = 75
    alloc.allocate_button.click()
    assert refused(alloc.status)

    export = ExportTab(state)
    export.publish_button.click()
    assert export.written == {} and refused(export.status)
    export.status.value = ""
    export.internal_button.click()
    assert export.written == {} and refused(export.status)
    export.status.value = ""
    assert export.backup() is None and refused(export.status)

    setup = SetupTab(state)
    assert refused(setup.report, LOCATED) and not setup.validate()
    setup.new_folder.value, setup.name.value = "made", "新大赛"
    setup.projects.value, setup.judges.value = PROJECTS, JUDGES
    assert setup.create() is None and refused(setup.create_status, LOCATED)

    assert handle.history().equals(history) and files_under(tmp_path) == files
    assert not has_secretary_rights(handle)
    handle.close()


def test_a_store_without_pin_opens_directly(demo_copy, tmp_path):
    contest = ek.load_contest(demo_copy())
    store = contest.open_store(tmp_path / "open.db")
    store.set_current("P02")
    app = Roadshow(AppState(contest, store), follow=False)
    assert app.body.children == (app.tabs,) and app.tabs.selected_index == 1 and list(app.views) == ["live"]
    assert not (tmp_path / "open.db-pin-attempts").exists()
    store.close()


def test_new_contest_only_inside_the_workspace(demo_copy, tmp_path, monkeypatch):
    contest = ek.load_contest(demo_copy())
    store = contest.open_store(tmp_path / "s.db")
    tab = SetupTab(AppState(contest, store))
    tab.name.value, tab.projects.value, tab.judges.value = "新大赛", PROJECTS, JUDGES
    base = contest.dir.resolve().parent
    assert workspace_bases(contest) == [base]
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (base / "link").symlink_to(outside, target_is_directory=True)
    for bad in ("../escaped", str(outside / "x"), "/etc/evalkit-contest", "link/x", "", "."):
        tab.new_folder.value = bad
        assert tab.create() is None, bad
        assert "新大赛目录必须位于工作区内" in tab.create_status.value
        with pytest.raises(ek.AccessError) as err:
            contest_folder_under(bad, [base])
        assert err.value.key == "folder" and str(base) in str(err.value.expected)
    assert not outside.exists() and not (base.parent / "escaped").exists()

    tab.new_folder.value = "made"                            # relative: inside the open contest's parent
    made = tab.create()
    assert made is not None and made.dir.resolve() == base / "made" and (base / "made" / "contest.yaml").exists()

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    monkeypatch.setenv("EVALKIT_WORKSPACE", str(workspace))
    assert workspace_bases(contest) == [base, workspace.resolve()]
    tab.new_folder.value = str(workspace / "second")
    assert tab.create() is not None and (workspace / "second" / "contest.yaml").exists()
    store.close()


def test_delays_grow_from_the_fourth_attempt_up_to_five_minutes():
    assert [delay_after(n) for n in range(13)] == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert MAX_WAIT == 300 and delay_after(1000) == 300


def test_backoff_is_enforced_before_the_pin_is_checked_and_survives_restarts(guarded):
    contest, path = guarded
    clock = Clock()
    guard = PinGuard(path, clock=clock)
    for n in (1, 2, 3):
        with pytest.raises(ek.AccessError) as err:
            guard.open(contest, WRONG)
        assert not isinstance(err.value, PinBackoffError) and guard.failures() == n
    assert guard.wait() == 2
    with pytest.raises(PinBackoffError) as err:              # even the right PIN waits: nothing is tried
        guard.open(contest, PIN)
    assert err.value.retry_after == 2 and err.value.key == "pin" and guard.failures() == 3
    clock.now += 1.5
    with pytest.raises(PinBackoffError) as err:
        guard.open(contest, WRONG)
    assert err.value.retry_after == pytest.approx(0.5) and guard.failures() == 3   # a refused try adds nothing
    clock.now += 0.5
    with pytest.raises(ek.AccessError):
        guard.open(contest, WRONG)
    assert guard.failures() == 4 and guard.wait() == 4

    restarted = PinGuard(path, clock=clock)                  # a new kernel: the count is in the file
    assert restarted.failures() == 4 and restarted.wait() == 4
    assert stat.S_IMODE(os.stat(restarted.path).st_mode) == 0o600
    assert restarted.path == path.with_name("evalkit.db-pin-attempts")
    with pytest.raises(ek.AccessError):
        restarted.open(contest, "")                          # an empty box is not an attempt
    assert restarted.failures() == 4

    clock.now -= 10_000                                      # a clock set back: never more than the delay
    assert restarted.wait() == 4
    clock.now += 10_000 + 4
    store = restarted.open(contest, PIN)
    assert has_secretary_rights(store) and guard.failures() == 0 and guard.wait() == 0
    store.close()


def test_parallel_attempts_are_all_counted(guarded):
    contest, path = guarded
    clock = Clock()
    errors = []

    def attempt():
        try:
            PinGuard(path, clock=clock).open(contest, WRONG)
        except ek.AccessError as exc:
            errors.append(exc)
    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(errors) == 3 and PinGuard(path, clock=clock).failures() == 3


def test_the_page_backs_off_with_chinese_and_english_messages(guarded):
    contest, path = guarded
    clock = Clock()
    app = Roadshow(AppState(contest, page_handle(contest, path)), follow=False)
    app.guard = PinGuard(path, clock=clock)

    def try_pin(pin):
        app.pin.value = pin
        comm_msg(app.pin_button, {"method": "custom", "content": {"event": "click"}})
        return app.pin_status.value

    assert "请输入秘书PIN码" in try_pin("") and app.guard.failures() == 0     # an empty box: no attempt
    assert "PIN码错误" in try_pin(WRONG) and "再错 2 次后须等待" in app.pin_status.value
    assert "再错 1 次后须等待" in try_pin(WRONG)
    assert "PIN码错误" in try_pin(WRONG) and "请 2 秒后再试" in app.pin_status.value
    assert "PIN码错误次数过多，请 2 秒后再试" in try_pin(PIN) and app.tabs is None
    app.state.set_lang("en")
    assert "Too many wrong PINs: try again in 2 s." in try_pin(PIN) and app.tabs is None
    assert not has_secretary_rights(app.state.store)

    other = Roadshow(AppState(contest, page_handle(contest, path)), follow=False)   # a second page waits too
    other.guard = PinGuard(path, clock=clock)
    assert not other.unlock_with_pin(PIN) and "秒后再试" in other.pin_status.value
    other.state.store.close()

    clock.now += 2
    try_pin(PIN)
    assert app.tabs is not None and "live" in app.views and has_secretary_rights(app.state.store)
    assert app.guard.failures() == 0
    app.state.store.close()


@needs_chromium
def test_served_workbench_sends_nothing_before_the_pin_and_backs_off(demo_copy):
    """`evalkit serve` on a store with a PIN, the secretary's page in Debian chromium:
    every websocket frame the page receives before the PIN is free of judge names and
    scores; three wrong PINs bring the wait message; after the wait the right PIN opens
    the tabs (and then the frames do carry the names: the check can see them)."""
    from playwright.sync_api import expect, sync_playwright
    folder = demo_copy(scores=False)
    contest = ek.load_contest(folder)
    with contest.open_store() as s:
        s.set_current("P01")
        s.record("J2", "P01", "need", 14.3)
        s.set_pin(PIN)
    links, proc = start_serve(folder, "--pin", PIN)
    try:
        with sync_playwright() as pw:
            browser, ctx = browser_context(pw, timeout_ms=60_000)
            expect.set_options(timeout=60_000)
            page, frames = ctx.new_page(), []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))))
            page.goto(links["secretary"], wait_until="commit")
            box, enter = page.locator(".evalkit-pin input"), page.get_by_role("button", name="进入")
            status_box = page.locator(".evalkit-status")
            expect(box).to_be_visible()

            def try_pin(pin, answer):
                box.fill(pin)
                enter.click()
                expect(status_box).to_contain_text(answer)
                expect(box).to_have_value("")              # the kernel cleared the box: the next try is fresh
            for answer in ("再错 2 次", "再错 1 次", "请 2 秒后再试"):
                try_pin(WRONG, answer)
            try_pin(PIN, "PIN码错误次数过多")
            assert page.locator(".lm-TabBar-tab").count() == 0
            before = "\n".join(frames)
            page.wait_for_timeout(2500)
            box.fill(PIN)
            enter.click()
            expect(page.locator(".lm-TabBar-tab", has_text="现场评分")).to_be_visible()
            expect(page.locator(".evalkit-live .evalkit-now")).to_contain_text("P01")
            page.wait_for_timeout(500)
            after = "\n".join(frames)
            browser.close()
    finally:
        stop_serve(proc)
    assert "李秀兰" not in before and "14.3" not in before and "evalkit-live" not in before
    assert "李秀兰" in after and "14.3" in after
    with ek.Store(folder / "evalkit.db", contest) as s:
        assert s.scores()["score"].tolist() == [14.3]
