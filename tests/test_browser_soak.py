"""A contest day's hazards in real Chromium pages (Playwright + Debian chromium):
6 projects, 5 judges' phones (each its own browser context, as separate devices),
the big screen and the secretary's workbench, with the venue's everyday hazards
injected between the phones and the server (Playwright's route_web_socket):

- P02: the server's messages to J1's phone held back for a second while the
  secretary moves on to P03 and J1 taps submit on P02;
- P03: J2's phone reloads halfway through typing;
- P04: J4's acknowledgement is lost and the connection drops right after the sheet
  reached the server (the phone sends it again: recorded once);
- P05: the server restarts mid-project; J4 submits while it is down;
- P06: comma decimals, full-width digits and 分 typed, one unclear box refused
  beside it and corrected.

Then the store must hold exactly what each judge typed, for the project they saw,
once; the server's memory and kernels stay bounded."""
import re
import socket

import pytest

import evalkit as ek

from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DATA, needs_chromium, start_serve, stop_serve

pytestmark = needs_chromium
JUDGES = ("J1", "J2", "J4", "J5", "J6")
PROJECTS = ("P01", "P02", "P03", "P04", "P05", "P06")
STYLES = (lambda v: f"{v:g}", lambda v: f"{v:g}".replace(".", ","),
          lambda v: f"{v:g}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．")), lambda v: f"{v:g}分")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_memory(root):
    """(resident MiB of the server and every process under it, notebook kernels among
    them). Kernels run in sessions of their own, so the tree is walked by parent."""
    import os
    parent, status, cmd = {}, {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/status") as f:
                status[int(pid)] = next((int(line.split()[1]) for line in f if line.startswith("VmRSS")), 0)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd[int(pid)] = f.read()
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(status.get(p, 0) for p in tree) / 1024, sum(b"ipykernel" in cmd.get(p, b"") for p in tree)


class Net:
    """The venue Wi-Fi between one phone and the server."""

    def __init__(self, page):
        self.mode, self.held, self.routes = "up", [], []
        page.route_web_socket(re.compile(r".*/ws/judge.*"), self._route)

    def _route(self, ws):
        if self.mode == "down":
            ws.close()
            return
        server = ws.connect_to_server()
        self.routes.append(ws)

        def to_page(msg):
            if self.mode == "hold":
                self.held.append((ws, msg))
            elif self.mode == "up":
                ws.send(msg)
        server.on_message(to_page)
        ws.on_message(lambda msg: server.send(msg) if self.mode != "down" else None)

    def release(self):
        self.mode, held, self.held = "up", self.held, []
        for ws, msg in held:
            ws.send(msg)

    def drop(self):
        self.mode, routes, self.routes = "down", self.routes, []
        for ws in routes:
            ws.close()


def sheet(rubric, judge, project):
    """The values a judge means for a project (deterministic, inside every scale)."""
    k = (int(judge[1:]) * 7 + int(project[1:]) * 3) % 10
    return {c.id: round(c.min + (c.max - c.min) * (0.45 + 0.05 * k), c.decimals) for c in rubric.criteria}


def test_contest_day_hazards(tmp_path):
    import shutil

    from playwright.sync_api import expect, sync_playwright
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*"))
    (folder / "scores.csv").unlink()
    contest = ek.load_contest(folder)
    rubric = contest.rubric
    ports = ["--port", str(free_port()), "--secretary-port", str(free_port())]
    links, proc = start_serve(folder, *ports)
    store = contest.open_store()
    expected, memory = {}, []
    try:
        with sync_playwright() as pw:
            expect.set_options(timeout=20_000)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            local = lambda ctx: ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("http://127.0.0.1", "ws://127.0.0.1", "data:")) else r.abort())
            desk = browser.new_context(viewport={"width": 1920, "height": 1080})
            local(desk)
            secretary, screen = desk.new_page(), desk.new_page()
            secretary.goto(links["secretary"], wait_until="commit")
            expect(secretary.locator(".evalkit-page").first).to_be_attached(timeout=60_000)  # its kernel runs
            screen.goto(links["screen"])
            phones, nets = {}, {}
            for j in JUDGES:
                ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                local(ctx)
                phones[j] = ctx.new_page()
                nets[j] = Net(phones[j])
                phones[j].goto(links["judges"][j])
            memory.append(server_memory(proc.pid))

            def fill(j, project, values=None, *, only=None, style=0):
                page = phones[j]
                values = values or sheet(rubric, j, project)
                for i, (cid, v) in enumerate(values.items()):
                    if only is not None and cid not in only:
                        continue
                    page.locator(f'input.evalkit-cell[data-col="{cid}"]').fill(STYLES[(i + style) % 4](v))
                return values

            def submit(j, project, **kw):
                page = phones[j]
                expect(page.locator(".evalkit-now")).to_have_attribute("data-project", project)
                values = fill(j, project, **kw)
                page.locator(".evalkit-submit").click()
                expect(page.locator(".evalkit-status")).to_contain_text("已提交")
                expected.update({(j, project, c): v for c, v in values.items()})

            def pitch(project):
                store.set_current(project)
                for j in JUDGES:
                    if nets[j].mode == "up":
                        expect(phones[j].locator(".evalkit-now")).to_have_attribute("data-project", project)

            # P01: plain; the screen follows
            pitch("P01")
            for j in JUDGES:
                if not contest.is_conflicted(j, "P01"):
                    submit(j, "P01", style=int(j[1:]))
            expect(screen.locator(".evalkit-screen-score")).to_have_count(
                sum(not contest.is_conflicted(j, "P01") for j in JUDGES))
            # P02: J1's phone hears nothing for a second while the room moves to P03 and J1 taps submit
            pitch("P02")
            for j in JUDGES[1:]:
                submit(j, "P02")
            j1 = phones["J1"]
            values = fill("J1", "P02")
            nets["J1"].mode = "hold"
            store.set_current("P03")
            j1.locator(".evalkit-submit").click()
            j1.wait_for_timeout(1200)
            expect(j1.locator(".evalkit-now")).to_have_attribute("data-project", "P02")  # still what J1 sees
            nets["J1"].release()
            expect(j1.locator(".evalkit-status")).to_contain_text("已提交")
            expect(j1.locator(".evalkit-status")).to_contain_text("P02")
            expected.update({("J1", "P02", c): v for c, v in values.items()})
            # P03 is announced while the P02 sheet is unacknowledged (never forced), followed once it is
            if j1.locator(".evalkit-moved").is_visible():
                j1.locator(".evalkit-go-now").click()
            # P03: J2 reloads halfway through typing; what was typed is still there
            for j in ("J1", "J4", "J5", "J6"):
                submit(j, "P03")
            j2 = phones["J2"]
            half = [c.id for c in rubric.criteria[:4]]
            values = fill("J2", "P03", only=half)
            j2.reload()
            for cid in half:
                expect(j2.locator(f'input.evalkit-cell[data-col="{cid}"]')).not_to_have_value("")
            submit("J2", "P03")
            # P04: J4's sheet reaches the server, its acknowledgement is lost with the connection
            pitch("P04")
            for j in ("J1", "J2", "J5", "J6"):
                submit(j, "P04")
            j4 = phones["J4"]
            seq = store.last_seq
            values = fill("J4", "P04")
            nets["J4"].mode = "deaf"          # the server's answers are lost
            j4.locator(".evalkit-submit").click()
            j4.wait_for_timeout(800)
            assert store.last_seq > seq, "the sheet did not reach the server"
            nets["J4"].drop()
            expect(j4.locator(".evalkit-conn")).to_contain_text("连接已断开")
            nets["J4"].mode = "up"
            expect(j4.locator(".evalkit-conn")).to_be_hidden(timeout=15_000)
            expect(j4.locator(".evalkit-status")).to_contain_text("已提交")
            expected.update({("J4", "P04", c): v for c, v in values.items()})
            # P05: the server restarts mid-project; J4 submits while it is down
            pitch("P05")
            for j in ("J1", "J2"):
                submit(j, "P05")
            stop_serve(proc)
            for j in JUDGES:
                expect(phones[j].locator(".evalkit-conn")).to_contain_text("连接已断开")
            values = fill("J4", "P05")
            j4.locator(".evalkit-submit").click()
            expect(j4.locator(".evalkit-status")).to_contain_text("未送达")
            links2, proc = start_serve(folder, *ports)
            assert links2["judges"] == links["judges"]          # the printed links still work
            expect(j4.locator(".evalkit-status")).to_contain_text("已提交", timeout=30_000)
            expected.update({("J4", "P05", c): v for c, v in values.items()})
            for j in ("J5", "J6"):
                expect(phones[j].locator(".evalkit-conn")).to_be_hidden(timeout=30_000)
                submit(j, "P05")
            expect(screen.locator(".evalkit-progress")).to_contain_text("5 /", timeout=30_000)
            # P06: typed every way; an unclear box is refused beside it, then corrected
            pitch("P06")
            for j in ("J1", "J2", "J4", "J5"):
                submit(j, "P06", style=int(j[1:]))
            j6 = phones["J6"]
            fill("J6", "P06")
            j6.locator('input.evalkit-cell[data-col="need"]').fill("1,000")
            j6.locator(".evalkit-submit").click()
            expect(j6.locator(".evalkit-cell-error")).to_have_count(1)
            expect(j6.locator('.evalkit-crit:has(input[data-col="need"]) .evalkit-cell-msg')).to_contain_text("小数点")
            submit("J6", "P06", style=2)
            screen.screenshot(path=str(ARTIFACTS / "soak-screen-1920.png"))
            j6.screenshot(path=str(ARTIFACTS / "soak-judge-phone.png"), full_page=True)
            links, proc = links2, proc
            secretary.reload(wait_until="commit")
            expect(secretary.locator(".evalkit-page").first).to_be_attached(timeout=60_000)
            for j in JUDGES:  # reloads of every phone leave nothing behind on the server
                phones[j].reload()
                expect(phones[j].locator(".evalkit-now")).to_have_attribute("data-project", "P06")
            memory.append(server_memory(proc.pid))
            browser.close()
        scores = store.scores()
        got = {(r.judge, r.project, r.criterion): r.score for r in scores.itertuples()}
        assert got == pytest.approx(expected)
        events = store.history()
        events = events[events["kind"] == "score"]
        assert not events.duplicated(["judge", "project", "criterion"]).any(), "a sheet was recorded twice"
        assert store.verify()["ok"]
    finally:
        store.close()
        stop_serve(proc)
    (mib_start, kernels_start), (mib_end, kernels_end) = memory
    assert kernels_start == kernels_end == 1          # the secretary's workbench only: phones use no kernel
    assert mib_end < 1024 and mib_end < mib_start + 150, memory
