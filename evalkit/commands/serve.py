"""evalkit serve [CONTEST] [--port N] [--host H] [--json] — the live roadshow on the
local network: voila serves the secretary's page, the big screen and one link per
judge (a per-judge token in the URL); a printable sheet of QR codes is written to
the contest folder. Runs until interrupted (Ctrl+C), then stops voila."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .demo import DEMO

from ..resources import notebook_dir; NOTEBOOKS = notebook_dir()  # noqa: E702,I001  (one line: serve.py is being rewritten)
LINKS_FILE = "judge-links.json"
SHEET_FILE = "judge-links.html"


def register(sub):
    p = sub.add_parser("serve", help="serve the live roadshow pages (secretary, screen, judges) / 现场路演评分")
    p.add_argument("contest", nargs="?", default=str(DEMO))
    p.add_argument("--port", type=int, default=8866, help="0 picks a free port")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (0.0.0.0: the local network)")
    p.add_argument("--json", action="store_true", help="print the URLs as one JSON object on the first line")
    p.add_argument("--store", default=None, help="the SQLite store (default: evalkit.db in the contest folder)")
    p.add_argument("--pin", default=None, help="the secretary's PIN, when the store has one (to issue judge links)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for voila to start")
    p.set_defaults(func=run)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), else loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def judge_links(store, folder: Path) -> dict[str, str]:
    """One token per judge. Tokens are kept in the contest folder so a restarted
    server keeps the printed links working; new ones are issued when any is not valid."""
    from ..errors import AccessError
    path = folder / LINKS_FILE
    saved = json.loads(path.read_text("utf-8")) if path.exists() else {}
    valid = {}
    for judge, token in saved.items():
        try:
            if store.judge_for_token(token) == judge:
                valid[judge] = token
        except AccessError:
            pass
    if set(valid) != set(store.contest.judge_ids):
        valid = store.judge_tokens(renew=True)
        path.write_text(json.dumps(valid, ensure_ascii=False, indent=1), "utf-8")
        path.chmod(0o600)  # the tokens are the judges' keys: readable by the secretary's account only
    return valid


def ensure_pin(store, host: str) -> str | None:
    """On the local network the secretary's page must not be open to anyone with
    its URL: a store without a PIN gets a random 6-digit one, returned to print on
    the secretary's own console. Serving on loopback only (tests, one laptop) needs none."""
    import secrets
    if store.has_pin or host in ("127.0.0.1", "localhost", "::1"):
        return None
    pin = f"{secrets.randbelow(10**6):06d}"
    store.set_pin(pin)
    return pin


def urls(base: str, tokens: dict[str, str]) -> dict:
    return {"secretary": f"{base}/voila/render/roadshow.ipynb", "screen": f"{base}/voila/render/screen.ipynb",
            "judges": {j: f"{base}/voila/render/judge.ipynb?token={tok}" for j, tok in tokens.items()}}


def write_sheet(contest, links: dict, path: Path) -> Path:
    """A printable HTML page: one QR code per judge (and the screen's), with names."""
    import html

    import segno
    names = dict(zip(contest.judges["id"], contest.judges["name"]))
    cards = []
    for judge, url in links["judges"].items():
        svg = segno.make(url, error="m").svg_inline(scale=5)
        cards.append(f'<div class="card"><h2>{html.escape(names[judge])} ({html.escape(judge)})</h2>{svg}'
                     f'<p>{html.escape(url)}</p><p>请用手机扫码进入评分页面 / scan to open your scoring page</p></div>')
    page = (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(contest.name.zh)} 评委链接</title>'
            '<style>body{font-family:"Noto Sans CJK SC",sans-serif} .card{display:inline-block;width:45%;margin:1%;'
            'padding:8px;border:1px dashed #999;page-break-inside:avoid;vertical-align:top} p{font-size:11px;'
            'word-break:break-all}</style></head><body>'
            f'<h1>{html.escape(contest.name.zh)} — 评委评分链接 / judges\' links</h1>{"".join(cards)}</body></html>')
    path.write_text(page, "utf-8")
    return path


def wait_ready(proc, url: str, timeout: float) -> None:
    from ..errors import EvalkitError
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EvalkitError("voila stopped while starting", where="evalkit serve", expected="a running voila",
                               found=f"exit code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise EvalkitError("voila did not start in time", where="evalkit serve", expected=f"ready within {timeout:g} s",
                       found="no answer")


def stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args) -> int:
    from ..contest import load_contest
    contest = load_contest(args.contest)
    store_path = Path(args.store) if args.store else contest.dir / "evalkit.db"
    with contest.open_store(store_path, pin=args.pin) as store:
        tokens = judge_links(store, contest.dir)
        new_pin = ensure_pin(store, args.host)
    port = args.port or free_port(args.host if args.host != "0.0.0.0" else "127.0.0.1")
    shown = lan_address() if args.host in ("0.0.0.0", "") else args.host
    links = urls(f"http://{shown}:{port}", tokens)
    env = dict(os.environ, EVALKIT_CONTEST=str(contest.dir.resolve()), EVALKIT_STORE=str(store_path.resolve()),
               EVALKIT_LANG=args.lang)
    env.pop("EVALKIT_PIN", None)  # the secretary's page asks for the PIN itself: a link alone gives no rights
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOKS), f"--port={port}", "--no-browser", f"--Voila.ip={args.host}",
           "--VoilaConfiguration.show_tracebacks=True"]
    log = open(store_path.parent / "voila.log", "ab")
    proc = subprocess.Popen(cmd, env=env, cwd=str(NOTEBOOKS), stdout=log, stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager or a test stops voila as cleanly as Ctrl+C
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}/voila/static/voila.js" if args.host in ("0.0.0.0", "127.0.0.1")
                   else f"http://{args.host}:{port}/voila/static/voila.js", args.timeout)
        sheet = write_sheet(contest, links, contest.dir / SHEET_FILE)
        if args.json:
            print(json.dumps(links, ensure_ascii=False), flush=True)
        print(f"秘书 secretary: {links['secretary']}\n大屏 screen:    {links['screen']}", flush=True)
        for judge, url in links["judges"].items():
            print(f"评委 {judge}: {url}", flush=True)
        if new_pin:
            print(f"秘书 PIN (secretary's PIN, keep it private): {new_pin}", flush=True)
        print(f"评委二维码 QR sheet: {sheet}\n按 Ctrl+C 停止 / Ctrl+C to stop", flush=True)
        proc.wait()
        return proc.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proc)
        log.close()


def _interrupt(*_):
    raise KeyboardInterrupt
