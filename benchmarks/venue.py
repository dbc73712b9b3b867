"""The live path end to end in Chromium: `evalkit serve` on a contest with 15 judges;
15 judges' phones, the big screen and the secretary's workbench open at once.

    python benchmarks/venue.py [--rounds 6] [--peer-pages 3]
    (also: python benchmarks/live.py --venue)

Measures (issue 12's targets): the server's memory in all (the serve process and
every process under it: the secretary's voila and its kernel) and per phone; a
judge link ready to score (cold page: a new browser context each time, navigation
to the criterion boxes on screen); submit -> big screen with all 15 judges
submitting within one second (the click's time in the phone, the screen's change
in the screen page, both on this machine's clock). Beside it, the peer: the
previous design, a judge page served by voila (one kernel per page load).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evalkit.io.contest_folder import create_contest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
N_JUDGES, N_PROJECTS = 15, 12


def make_contest(folder: Path):
    projects = pd.DataFrame({"id": [f"P{i:02d}" for i in range(1, N_PROJECTS + 1)],
                             "name": [f"项目{i}" for i in range(1, N_PROJECTS + 1)],
                             "organisation": [f"机构{i}" for i in range(1, N_PROJECTS + 1)], "category": "综合",
                             "requested": 10000, "min_amount": 5000})
    judges = pd.DataFrame({"id": [f"J{i:02d}" for i in range(1, N_JUDGES + 1)],
                           "name": [f"评委{i}" for i in range(1, N_JUDGES + 1)], "panel": "", "conflicts": ""})
    return create_contest(folder, name="场馆基准", rubric=ROOT / "rubrics" / "gongyi-chuangtou.yaml", budget=200000,
                          projects=projects, judges=judges)


def tree_memory(root: int) -> tuple[float, int]:
    """(resident MiB of ``root`` and every process under it, ipykernel processes among them)."""
    parent, rss, cmd = {}, {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/status") as f:
                rss[int(pid)] = next((int(x.split()[1]) for x in f if x.startswith("VmRSS")), 0)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd[int(pid)] = f.read()
        except (OSError, ValueError, IndexError):
            continue
    tree, more = {root}, {root}
    while more:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
    return sum(rss.get(p, 0) for p in tree) / 1024, sum(b"ipykernel" in cmd.get(p, b"") for p in tree)


def serve(folder: Path, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "serve", str(folder), "--port", "0", "--host",
                             "127.0.0.1", "--json", *extra], stdout=subprocess.PIPE, text=True, start_new_session=True)
    return json.loads(proc.stdout.readline()), proc


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def local(ctx):
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort())


def cold_ready(browser, url: str, project: str, selector: str) -> float:
    """Seconds from navigation to the criterion boxes of ``project`` on screen, in a fresh context."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    local(ctx)
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, timeout=120_000)
    elapsed = time.perf_counter() - t0
    ctx.close()
    return elapsed


def venue(rounds: int):
    from playwright.sync_api import sync_playwright
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-venue-"))
    contest = make_contest(tmp / "venue")
    links, proc = serve(contest.dir)
    store = contest.open_store()
    store.set_current("P01")
    out = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            desk = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)  # for the probes
            local(desk)
            secretary = desk.new_page()
            secretary.goto(links["secretary"], wait_until="commit")
            secretary.wait_for_selector(".evalkit-page", timeout=120_000)
            screen = desk.new_page()
            screen.goto(links["screen"])
            screen.wait_for_selector('.evalkit-now[data-project="P01"]')
            mem0 = tree_memory(proc.pid)
            ready = [cold_ready(browser, url, "P01", '.evalkit-now[data-project="P01"] ~ form input.evalkit-cell')
                     for url in list(links["judges"].values()) * 2]
            phones = []
            for url in links["judges"].values():
                ctx = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
                local(ctx)
                page = ctx.new_page()
                page.goto(url)
                phones.append(page)
            screen.evaluate("""() => { window.__marks = [];
                new MutationObserver(() => window.__marks.push([Date.now(),
                  document.querySelectorAll('.evalkit-screen-score').length, document.querySelector('.evalkit-now').dataset.project]))
                .observe(document.querySelector('.evalkit-stage'), {subtree: true, childList: true, characterData: true}); }""")
            latency = []
            crits = [c.id for c in contest.rubric.criteria]
            for r in range(rounds):
                project = f"P{r + 1:02d}"
                store.set_current(project)
                for page in phones:
                    page.wait_for_selector(f'.evalkit-now[data-project="{project}"]')
                    for i, cid in enumerate(crits):
                        page.locator(f'input.evalkit-cell[data-col="{cid}"]').fill(str(3 + (i % 3)))
                screen.evaluate("() => { window.__marks = []; }")
                clicks = []
                for page in phones:  # 15 submits within a second
                    clicks.append(page.evaluate("() => { const t = Date.now(); "
                                                "document.querySelector('.evalkit-submit').click(); return t; }"))
                screen.wait_for_function(f"document.querySelectorAll('.evalkit-screen-score').length >= {N_JUDGES}",
                                         timeout=30_000)
                marks = [m for m in screen.evaluate("window.__marks") if m[2] == project]
                for k, t_click in enumerate(sorted(clicks), start=1):
                    shown = min(t for t, n, _ in marks if n >= k)
                    latency.append((shown - t_click) / 1000)
                out.setdefault("spread", []).append((max(clicks) - min(clicks)) / 1000)
            mem1 = tree_memory(proc.pid)
            browser.close()
        out.update(ready=ready, latency=latency, mem0=mem0, mem1=mem1)
    finally:
        store.close()
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def peer(pages: int):
    """The previous design: voila renders judge.ipynb, one kernel per page load."""
    from playwright.sync_api import sync_playwright
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-voila-"))
    contest = make_contest(tmp / "venue")
    store = contest.open_store()
    tokens = store.judge_tokens()
    store.set_current("P01")
    store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, EVALKIT_CONTEST=str(contest.dir), EVALKIT_STORE=str(contest.dir / "evalkit.db"))
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(ROOT / "notebooks" / "judge.ipynb"), f"--port={port}",
                             "--no-browser", "--Voila.ip=127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        import urllib.request
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/voila.js", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        mem0 = tree_memory(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ready, keep = [], []
            for j in list(tokens)[:pages]:
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                local(ctx)
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/?token={tokens[j]}", wait_until="commit")
                page.wait_for_selector("input.evalkit-cell", timeout=120_000)
                ready.append(time.perf_counter() - t0)
                keep.append(page)
            mem1 = tree_memory(proc.pid)
            browser.close()
        return dict(ready=ready, mem0=mem0, mem1=mem1)
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def p(xs, q):
    return float(np.percentile(np.asarray(xs) * 1000, q))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6, help="projects scored by all 15 phones")
    ap.add_argument("--peer-pages", type=int, default=3, help="voila judge pages opened for the peer row")
    args = ap.parse_args(argv)
    v = venue(args.rounds)
    peer_run = peer(args.peer_pages) if args.peer_pages else None
    (m0, k0), (m1, k1) = v["mem0"], v["mem1"]
    print(f"Live path end to end in Chromium: {N_JUDGES} judges' phones + big screen + secretary, "
          f"{args.rounds} projects, {os.cpu_count()} cores\n")
    print("| measure | evalkit venue server | previous design (voila page per phone) | target |")
    print("|---|---|---|---|")
    pr = peer_run
    per_phone = (m1 - m0) / N_JUDGES
    peer_phone = (pr["mem1"][0] - pr["mem0"][0]) / len(pr["ready"]) if pr else None
    print(f"| server memory, {N_JUDGES} phones + screen + secretary open (MiB) | {m1:.0f} (kernels: {k1}) | "
          f"{'%.0f' % (pr['mem0'][0] + peer_phone * (N_JUDGES + 2)) + ' (projected: ' + str(N_JUDGES + 2) + ' kernels)' if pr else '–'} | < 1024 |")
    print(f"| server memory per phone (MiB) | {per_phone:.1f} | {'%.0f' % peer_phone if pr else '–'} | – |")
    print(f"| judge link ready to score, cold page, p50 / p95 (ms) | {p(v['ready'], 50):.0f} / {p(v['ready'], 95):.0f} "
          f"(n={len(v['ready'])}) | {(('%.0f / %.0f' % (p(pr['ready'], 50), p(pr['ready'], 95))) + ' (n=%d)' % len(pr['ready'])) if pr else '–'} | p95 < 1000 |")
    print(f"| submit -> big screen, {N_JUDGES} judges within {max(v['spread']):.2f} s, p50 / p95 (ms) | "
          f"{p(v['latency'], 50):.0f} / {p(v['latency'], 95):.0f} (n={len(v['latency'])}) | – | p95 < 300 |")
    ok = m1 < 1024 and p(v["ready"], 95) < 1000 and p(v["latency"], 95) < 300
    print(f"\ntargets met: {'yes' if ok else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
