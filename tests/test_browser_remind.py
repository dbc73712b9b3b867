"""The secretary's reminder on a judge's phone page in Chromium at phone size: the
banner appears (Chinese first, English when the page is English), the phone
vibrates where it can, the banner goes when the judge dismisses it (and does not come
back on a reload) or submits the sheet. Screenshots go to test-artifacts/."""
import pytest

import evalkit as ek

from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
RECORD_VIBRATE = "window.__buzz = []; navigator.vibrate = function (p) { window.__buzz.push(p); return true; };"


def test_the_reminder_banner_on_the_judge_page_at_phone_size(venue):
    from playwright.sync_api import expect, sync_playwright
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")
        store.set_current("P02")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
                  else r.abort())
        ctx.add_init_script(RECORD_VIBRATE)
        page = ctx.new_page()
        page.goto(links["judges"]["J2"])
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P02")
        banner = page.locator(".evalkit-remind")
        expect(banner).to_be_hidden()
        with contest.open_store() as store:   # the secretary clicks 提醒 on the progress board
            store.remind("J2", "P01")
        expect(banner).to_be_visible(timeout=10_000)
        expect(banner).to_contain_text("秘书提醒：请为 P01 提交评分")
        assert page.evaluate("window.__buzz.length") == 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "venue-judge-remind-phone.png"))
        page.locator(".evalkit-lang").click()
        expect(banner).to_contain_text("Reminder from the secretary: please submit your scores for P01")
        page.screenshot(path=str(ARTIFACTS / "venue-judge-remind-phone-en.png"))
        page.locator(".evalkit-remind-close").click()
        expect(banner).to_be_hidden()
        page.reload()
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P02")
        page.wait_for_timeout(800)
        expect(banner).to_be_hidden()                 # dismissed stays dismissed
        # a new reminder for another sheet: the banner's button goes to it; submitting clears it
        with contest.open_store() as store:
            store.remind("J2", "P02")
        expect(banner).to_contain_text("P02", timeout=10_000)
        page.locator(".evalkit-remind-go").click()
        for c in contest.rubric.criteria:
            page.locator(f'input.evalkit-cell[data-col="{c.id}"]').fill(f"{c.max:g}")
        page.locator(".evalkit-submit").click()
        expect(page.locator(".evalkit-status")).to_contain_text("✓")
        expect(banner).to_be_hidden()
        browser.close()
    with contest.open_store() as store:
        assert len(store.scores(judge="J2")) == len(contest.rubric.criteria)
