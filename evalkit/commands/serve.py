"""evalkit serve [CONTEST] [--port N] [--host H] [--json] — the live roadshow.

The venue network gets evalkit's own server (evalkit.live.server: the judges'
phones, one link each with a per-judge token, and the big screen; no notebook
kernel). The secretary's workbench (voila on roadshow.ipynb) is bound to this
laptop (127.0.0.1). A printable sheet of QR codes is written to the contest folder
(readable by the secretary's account only). Runs until interrupted (Ctrl+C or
SIGTERM), then stops both."""
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

from ..io.private import private_file
from ..resources import notebook_dir, package_dir
from .demo import DEMO

NOTEBOOKS = notebook_dir()
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
    p.add_argument("--secretary-port", type=int, default=0, help="the secretary's workbench port on 127.0.0.1 (0: free)")
    p.add_argument("--no-secretary", action="store_true", help="serve the phones and the screen only")
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
        valid.update(store.judge_tokens())  # a judge added on the day: a new link, the printed ones stay
        if set(valid) != set(store.contest.judge_ids):
            valid = store.judge_tokens(renew=True)
        with private_file(path) as f:  # the tokens are the judges' keys: readable by the secretary's account only
            f.write(json.dumps(valid, ensure_ascii=False, indent=1))
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


def urls(base: str, secretary: str | None, tokens: dict[str, str]) -> dict:
    """The served pages: the judges' phones and the screen on the venue server; the
    secretary's workbench on this laptop only."""
    return {"secretary": secretary, "screen": f"{base}/screen",
            "judges": {j: f"{base}/judge?token={tok}" for j, tok in tokens.items()}}


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
    with private_file(path) as f:  # every judge's key is on it
        f.write(page)
    return path


def wait_ready(proc, url: str, timeout: float) -> None:
    from ..errors import EvalkitError
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EvalkitError("the secretary's workbench (voila) stopped while starting", where="evalkit serve",
                               expected="a running voila", found=f"exit code {proc.returncode}",
                               zh=f"秘书工作台（voila）启动时退出了（退出码 {proc.returncode}）")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise EvalkitError("the secretary's workbench (voila) did not start in time", where="evalkit serve",
                       expected=f"ready within {timeout:g} s", found="no answer",
                       zh=f"秘书工作台（voila）未能在 {timeout:g} 秒内启动")


def stop(proc) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bind(port: int, host: str):
    """Listening sockets for the venue server, or a clear error naming the port."""
    from tornado.netutil import bind_sockets

    from ..errors import EvalkitError
    try:
        return bind_sockets(port, address=None if host in ("0.0.0.0", "") else host,
                            family=socket.AF_INET if host in ("0.0.0.0", "") else socket.AF_UNSPEC)
    except OSError as exc:
        raise EvalkitError(f"port {port} on {host} cannot be used: {exc.strerror}",
                           where="evalkit serve --port", key="port",
                           expected="a free port (another evalkit serve may be running; try --port 0)",
                           found=f"port {port}: {exc.strerror}",
                           zh=f"端口 {port}（{host}）已被占用或不可用（可能已有另一个 evalkit serve 在运行，可试 --port 0）") from None


def start_secretary(contest, store_path: Path, lang: str, port: int, venue: str | None = None):
    """The secretary's workbench: voila on roadshow.ipynb, bound to this laptop.
    ``venue``: the venue server's base URL (links for judges added on the day)."""
    env = dict(os.environ, EVALKIT_CONTEST=str(contest.dir.resolve()), EVALKIT_STORE=str(store_path.resolve()),
               EVALKIT_LANG=lang, **({"EVALKIT_VENUE": venue} if venue else {}))
    env.pop("EVALKIT_PIN", None)  # the secretary's page asks for the PIN itself: a link alone gives no rights
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOKS / "roadshow.ipynb"), f"--port={port}", "--no-browser",
           "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=False",
           # the page's shutdown call on unload carries no _xsrf field (voila#1458): without this every
           # reload of the workbench leaves a kernel behind. Bound to 127.0.0.1, and kernel ids are random.
           "--Voila.tornado_settings=disable_check_xsrf=True",
           # a kernel whose page went away without a word (a closed lid) is stopped after a while
           "--MappingKernelManager.cull_idle_timeout=900", "--MappingKernelManager.cull_interval=60"]
    log = private_file(store_path.parent / "voila.log", binary=True, append=True)
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=str(NOTEBOOKS), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        log.close()
    return proc


def working_folder(folder: Path) -> Path:
    """Where the live contest's files (store, links, logs) go: the folder itself, or,
    for a contest shipped inside the installed package, a copy in the current folder."""
    import shutil
    package = package_dir()
    if os.access(folder, os.W_OK) and package not in folder.resolve().parents:
        return folder
    dest = Path.cwd() / folder.name
    if not dest.exists():
        shutil.copytree(folder, dest, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*", "*.log"))
        print(f"已复制演示大赛到 copied the contest to {dest}", flush=True)
    return dest


def run(args) -> int:
    import asyncio

    from tornado.httpserver import HTTPServer

    from ..contest import load_contest
    from ..errors import EvalkitError
    from ..live.server import MAX_MESSAGE, LiveServer
    contest = load_contest(working_folder(Path(args.contest)))
    store_path = Path(args.store) if args.store else contest.dir / "evalkit.db"
    with contest.open_store(store_path, pin=args.pin) as store:
        tokens = judge_links(store, contest.dir)
        new_pin = ensure_pin(store, args.host)
    sockets = bind(args.port, args.host)
    port = sockets[0].getsockname()[1]
    shown = lan_address() if args.host in ("0.0.0.0", "") else args.host
    secretary = None
    if not args.no_secretary:
        sec_port = args.secretary_port or free_port()
        secretary = start_secretary(contest, store_path, args.lang, sec_port, venue=f"http://{shown}:{port}")
    links = urls(f"http://{shown}:{port}", f"http://127.0.0.1:{sec_port}/" if secretary else None, tokens)

    async def main():
        live = LiveServer(contest, store_path)
        server = HTTPServer(live.app(), max_body_size=MAX_MESSAGE, max_header_size=16 * 1024,
                            idle_connection_timeout=60, body_timeout=20)
        server.add_sockets(sockets)
        live.start()
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # a service manager or a test stops as cleanly as Ctrl+C
            loop.add_signal_handler(sig, done.set)
        try:
            if secretary is not None:
                # a static file: fetching the page itself would start a kernel that no one uses
                await loop.run_in_executor(None, wait_ready, secretary,
                                           f"http://127.0.0.1:{sec_port}/voila/static/voila.js", args.timeout)
            sheet = write_sheet(contest, links, contest.dir / SHEET_FILE)
            if args.json:
                print(json.dumps(links, ensure_ascii=False), flush=True)
            print(f"秘书 secretary (this laptop only): {links['secretary']}\n大屏 screen:    {links['screen']}",
                  flush=True)
            for judge, url in links["judges"].items():
                print(f"评委 {judge}: {url}", flush=True)
            if new_pin:
                print(f"秘书 PIN (secretary's PIN, keep it private): {new_pin}", flush=True)
            print(f"评委二维码 QR sheet: {sheet}\n按 Ctrl+C 停止 / Ctrl+C to stop", flush=True)
            while not done.is_set():
                if secretary is not None and secretary.poll() is not None:
                    raise EvalkitError("the secretary's workbench (voila) stopped", where="evalkit serve",
                                       expected="a running voila", found=f"exit code {secretary.returncode}",
                                       zh=f"秘书工作台（voila）已退出（退出码 {secretary.returncode}）")
                try:
                    await asyncio.wait_for(done.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
        finally:
            server.stop()
            live.stop()

    try:
        asyncio.run(main())
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop(secretary)
        for s in sockets:
            s.close()
