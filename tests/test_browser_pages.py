"""The venue server's pages in Chromium: the phone's number reading agrees with
evalkit.numbers on one table of cases; data texts (rubric labels and descriptors,
project, organisation, judge and contest names) carrying markup are shown as text
and never run; screenshots at phone, laptop and 1920x1080 sizes go to
test-artifacts/ (kept by CI)."""
import json
import shutil

import pytest

import evalkit as ek
from evalkit.live.sheet import BOX_PROBLEMS, scale_text
from evalkit.numbers import read_number

from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DATA, RUBRICS, needs_chromium, start_serve, stop_serve

pytestmark = needs_chromium
CASES = ["8.5", "8,5", "0,5", "８．５", "８，５分", "12.5分", " 7 ", "7 分", "\u30007\u3000", "-1", "+2", ".5", "5.",
         "1,000", "1,5", "12,345", "8.5.1", "8,5,1", "8 5", "1e3", "inf", "nan", "", "   ", "分", "abc", "٣", "0x10",
         "1_000", "８．５．", "－３", "10,", ",5", "85", "0"]
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
SIZES = {"phone": (390, 844), "laptop": (1366, 768), "1920": (1920, 1080)}


def _browser(pw):
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return browser


def _local(ctx):
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort())


def test_phone_reads_numbers_like_the_server_and_pages_at_three_sizes(venue):
    from playwright.sync_api import expect, sync_playwright
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")
        for j, share in (("J2", 0.8), ("J4", 0.6), ("J5", 0.55)):
            store.record_sheet(j, "P01", "final", {c.id: round(c.max * share, c.decimals) for c in contest.rubric.criteria})
    with sync_playwright() as pw:
        browser = _browser(pw)
        ctx = browser.new_context(viewport={"width": 390, "height": 844})
        _local(ctx)
        page = ctx.new_page()
        page.goto(links["judges"]["J1"])
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P01")
        js = page.evaluate(f"{json.dumps(CASES)}.map(t => EK.readNumber(t))")
        for text, got in zip(CASES, js):
            want = read_number(text)
            assert (got["value"], got["problem"]) == (want.value, want.problem), repr(text)
        # the running total is the rubric's weighted total of what is typed
        values = {c.id: round(c.max * 0.7, c.decimals) for c in contest.rubric.criteria}
        for cid, v in values.items():
            page.locator(f'input.evalkit-cell[data-col="{cid}"]').fill(f"{v:g}".replace(".", ","))
        rows = [{"judge": "J1", "project": "P01", "criterion": c, "score": v} for c, v in values.items()]
        total = ek.totals(__import__("pandas").DataFrame(rows), contest.rubric)["total"].iloc[0]
        expect(page.locator(".evalkit-total")).to_contain_text(f"{total:.2f}")
        page.locator('input.evalkit-cell[data-col="design"]').fill("85")
        expect(page.locator('.evalkit-crit:has(input[data-col="design"]) .evalkit-cell-msg')).to_have_text(
            scale_text(contest.rubric.criterion("design"))["zh"])          # the server's wording, not the page's own
        page.locator('input.evalkit-cell[data-col="design"]').fill("1,000")
        expect(page.locator('.evalkit-crit:has(input[data-col="design"]) .evalkit-cell-msg')).to_have_text(
            BOX_PROBLEMS["ambiguous"][0])
        page.locator('input.evalkit-cell[data-col="design"]').fill("14")
        ARTIFACTS.mkdir(exist_ok=True)
        for name, (w, h) in SIZES.items():
            for role, url in (("judge", links["judges"]["J1"]), ("screen", links["screen"])):
                p = browser.new_page(viewport={"width": w, "height": h})
                p.goto(url)
                expect(p.locator(".evalkit-now")).to_have_attribute("data-project", "P01")
                if role == "screen":
                    expect(p.locator(".evalkit-screen-score")).to_have_count(3)
                    # nothing spills sideways at any size
                    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (role, name)
                p.screenshot(path=str(ARTIFACTS / f"venue-{role}-{name}.png"), full_page=role == "judge")
                p.close()
        p = browser.new_page(viewport={"width": 1920, "height": 1080})
        p.goto(links["screen"] + "?lang=en")
        expect(p.locator(".evalkit-progress")).to_contain_text("3 of 6 judges")
        expect(p.locator(".evalkit-screen-score.evalkit-dropped")).to_have_count(2)
        with contest.open_store() as store:  # at the lock the screen shows the head digest, as text and QR
            store.lock()
            digest = store.head_digest()
        expect(p.locator(".evalkit-digest")).to_contain_text(digest)
        expect(p.locator("img.evalkit-digest-qr")).to_be_visible()
        p.screenshot(path=str(ARTIFACTS / "venue-screen-locked-1920.png"))
        browser.close()


def test_markup_in_data_files_is_shown_as_text_on_every_page(tmp_path):
    from playwright.sync_api import expect, sync_playwright
    import yaml
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*"))
    (folder / "scores.csv").unlink()
    rubric = yaml.safe_load((RUBRICS / "gongyi-chuangtou.yaml").read_text("utf-8"))
    rubric["criteria"][0]["label"] = {"zh": "需求" + PAYLOAD, "en": "Need" + PAYLOAD}
    rubric["criteria"][0]["descriptors"][0]["text"] = {"zh": PAYLOAD, "en": PAYLOAD}
    (folder / "xss-rubric.yaml").write_text(yaml.safe_dump(rubric, allow_unicode=True), "utf-8")
    meta = yaml.safe_load((folder / "contest.yaml").read_text("utf-8"))
    meta.update(rubric="xss-rubric.yaml", name={"zh": "大赛" + PAYLOAD, "en": "Contest" + PAYLOAD})
    (folder / "contest.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    for name in ("projects.csv", "judges.csv"):
        text = (folder / name).read_text("utf-8").splitlines()
        head, first = text[0], text[1].split(",")
        first[1] = '"' + first[1] + PAYLOAD.replace('"', '""') + '"'
        (folder / name).write_text("\n".join([head, ",".join(first)] + text[2:]) + "\n", "utf-8")
    contest = ek.load_contest(folder)
    assert PAYLOAD in contest.projects["name"].iloc[0] and PAYLOAD in contest.rubric.criteria[0].label.zh
    links, proc = start_serve(folder, "--no-secretary")
    try:
        with contest.open_store() as store:
            store.set_current("P01")
            store.record_sheet("J2", "P01", "final", {c.id: c.max for c in contest.rubric.criteria})
        with sync_playwright() as pw:
            browser = _browser(pw)
            ctx = browser.new_context()
            _local(ctx)
            dialogs = []
            ctx.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for url in (links["judges"]["J1"], links["screen"]):
                page = ctx.new_page()
                page.goto(url)
                expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P01")
                page.locator("details").first.evaluate("d => d.open = true") if "judge" in url else None
                page.wait_for_timeout(300)
                assert page.evaluate("window.__xss") is None
                assert page.locator("img, script:not([src])").count() == 0
                assert "<img src=x" in page.inner_text("body")            # shown literally
            browser.close()
        assert not dialogs
        sheet = (folder / "judge-links.html").read_text("utf-8")
        assert PAYLOAD not in sheet and "&lt;img src=x" in sheet          # the QR sheet escapes names too
    finally:
        stop_serve(proc)


def test_screen_title_card_then_the_pitch_timer(venue):
    from playwright.sync_api import expect, sync_playwright
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(links["screen"])
        expect(page.locator(".evalkit-title")).to_have_text(contest.name.zh)      # before the first pitch
        expect(page.locator(".evalkit-title")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "venue-screen-title-1920.png"))
        with contest.open_store() as store:
            store.set_current("P02")
        expect(page.locator(".evalkit-now")).to_have_attribute("data-project", "P02")
        expect(page.locator(".evalkit-title")).to_be_hidden()
        expect(page.locator(".evalkit-timer")).to_have_text(__import__("re").compile(r"^0:0\d$"))
        browser.close()
