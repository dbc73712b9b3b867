"""The served pages refuse a wrong or missing judge token, and send no other
judge's token or scores to a judge's page (`evalkit serve` under Debian chromium
driven by Playwright; every frame the page receives over the kernel's websocket
is checked, not only what is drawn)."""
import re


import evalkit as ek

from conftest import browser_context, needs_chromium

HIDDEN = {"need": 14.3, "design": 17.9}  # J2's scores for P01: no other judge's page may receive them
OWN = ("innovation", 7.7)  # J1's own score: its page does receive it (shows the check can see scores)

pytestmark = needs_chromium


def _open(ctx, url):
    """Open a page and keep every websocket frame it receives."""
    page = ctx.new_page()
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))))
    page.goto(url, wait_until="commit")
    return page, frames


def test_served_judge_pages_refuse_bad_tokens_and_leak_nothing(served):
    from playwright.sync_api import expect, sync_playwright
    folder, links, _ = served
    contest = ek.load_contest(folder)
    with contest.open_store() as store:  # the pages open after this: P01 pitching, J2 and J1 have scored
        store.set_current("P01")
        for criterion, value in HIDDEN.items():
            store.record("J2", "P01", criterion, value)
        store.record("J1", "P01", *OWN)
    tokens = {j: url.split("token=", 1)[1] for j, url in links["judges"].items()}
    assert set(tokens) == set(contest.judge_ids)
    # a token appears in its own judge's URL only
    for page_name in ("secretary", "screen"):
        assert "token" not in links[page_name]
    for j, url in links["judges"].items():
        assert [k for k, t in tokens.items() if t in url] == [j]
    base = links["judges"]["J1"].split("?", 1)[0]
    with ek.Store(contest.dir / "evalkit.db", contest) as store:
        seq = store.last_seq
    with sync_playwright() as pw:
        browser, ctx = browser_context(pw, width=390, height=844, timeout_ms=60_000)
        expect.set_options(timeout=60_000)
        bad_urls = {"wrong": f"{base}?token={tokens['J1'][:-2]}xy", "missing": base, "empty": f"{base}?token=",
                    "other param": f"{base}?judge=J1"}
        pages = {name: _open(ctx, url) for name, url in bad_urls.items()}
        good, good_frames = _open(ctx, links["judges"]["J1"])
        for name, (page, _) in pages.items():
            expect(page.locator(".evalkit-bad-link")).to_be_visible()
            assert page.locator(".evalkit-judge-grid input").count() == 0, f"{name}: a refused page shows inputs"
        expect(good.locator(".evalkit-judge-name")).to_be_visible()
        expect(good.locator('.evalkit-now[data-project="P01"]')).to_be_visible()
        expect(good.locator(".evalkit-judge-grid input").first).to_be_visible()
        seen = "\n".join(good_frames) + good.inner_text("body")
        browser.close()
    # J1's page received neither J2's scores nor any other judge's token
    def has(value):
        return re.search(rf"(?<![\d.]){re.escape(str(value))}(?!\d)", seen)
    assert has(OWN[1]) and "王建国" in seen  # the page got its own judge's name and score
    for value in HIDDEN.values():
        assert not has(value), f"J2's {value} reached J1's page"
    assert not [j for j, t in tokens.items() if j != "J1" and t in seen]
    for name, (page, frames) in pages.items():
        assert not any(t in "\n".join(frames) for t in tokens.values()), f"{name}: a token was sent"
    with ek.Store(contest.dir / "evalkit.db", contest) as store:
        assert store.last_seq == seq  # visiting with bad links wrote nothing
