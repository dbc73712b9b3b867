"""A conflict of interest declared on the day, while the judge's phone is open on that
project (issue 17's amendment, on the venue's Wi-Fi): the phone shows 回避 once the
server's message arrives, and a sheet the judge taps before it arrives (the push held
back, as on a bad network) is refused by the server from the store's running contest,
so the store holds nothing of it; the judge's other sheets stand."""
import json

import evalkit as ek
from evalkit.live import amend

from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from test_browser_soak import Net

pytestmark = needs_chromium


def test_a_conflict_declared_on_the_day_reaches_the_phone_and_the_store_refuses_a_late_sheet(venue):
    from playwright.sync_api import expect, sync_playwright
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    full = {c.id: c.max for c in contest.rubric.criteria}
    with contest.open_store() as store:
        store.set_current("P01")
    with sync_playwright() as pw:
        expect.set_options(timeout=20_000)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("http://127.0.0.1", "ws://127.0.0.1", "data:")) else r.abort())
        page = ctx.new_page()
        net = Net(page)
        page.goto(links["judges"]["J2"])
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P01")

        def fill():
            for cid, v in full.items():
                page.locator(f'input.evalkit-cell[data-col="{cid}"]').fill(f"{v:g}")
        fill()
        page.locator(".evalkit-submit").click()                      # P01: before any conflict, recorded
        expect(page.locator(".evalkit-status")).to_contain_text("✓")
        with contest.open_store() as store:
            store.set_current("P02")
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P02")
        fill()
        # the secretary records J2's conflict with P02 while the server's messages to the
        # phone are held back: the phone still shows the form and J2 taps submit
        net.mode = "hold"
        with contest.open_store() as store:
            amend.declare_conflict(store, "J2", "P02", reason="评委当天申报与该机构有合作")
        page.locator(".evalkit-submit").click()
        page.wait_for_timeout(1500)
        held = [json.loads(m) for _, m in net.held]
        refusals = [m for m in held if m.get("t") == "refused" and m.get("project") == "P02"]
        assert refusals and "回避" in refusals[-1]["message"]["zh"], held      # the server said no, naming why
        net.release()
        expect(page.locator("body")).to_contain_text("回避")
        page.reload()                                               # and after a reload, from the server's view
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P02")
        expect(page.locator("body")).to_contain_text("须回避")
        assert page.locator(".evalkit-submit").is_hidden() or page.locator(".evalkit-submit").is_disabled()
        # the typed draft is gone (no score shows for a project the judge must not score)
        assert [page.locator(f'input.evalkit-cell[data-col="{c}"]').input_value() for c in full] == [""] * len(full)
        expect(page.locator(".evalkit-total")).to_contain_text("–")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "venue-judge-conflict-on-the-day-phone.png"))
        browser.close()
    with contest.open_store() as store:
        mine = store.scores().query("judge == 'J2'")
        assert set(mine["project"]) == {"P01"} and len(mine) == len(full)          # exactly P01's sheet, once
        assert store.verify()["ok"]
