"""The venue server: judges' phones and the big screen, with no notebook kernel.

One tornado process serves one static page per role and a websocket per page. The
server holds the store (opened without the secretary's PIN: it can do only what a
judge's token allows) and checks every message itself: the token on every action,
the project and round the message names (the page sends what it showed; the store
refuses what the round does not allow), the message id (a repeat is recorded once).
Changes are pushed: the server's own writes at once, the secretary's (another
process) within ``poll`` seconds.

Hazards it is built for: a client that floods (per-judge and per-address rate
limits, a bounded write buffer per connection, a cap on connections), malformed
requests (a 4xx with a one-line message, never a traceback), dropped connections
(websocket pings close dead ones; pages reconnect and resend what was not
acknowledged).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from datetime import datetime, timezone

import tornado.web
import tornado.websocket
from tornado.ioloop import IOLoop, PeriodicCallback

from .amend import amended_contest
from ..errors import AccessError, EvalkitError, RoundLockedError
from ..resources import page_dir
from .table import LiveTable
from ..store import Store
from .limits import Limits
from .progress import write_presence
from .sheet import read_sheet
from .views import judge_hello, judge_view, leaderboard_view, screen_view

STATIC = page_dir()
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
OP_SHAPE = re.compile(r"[A-Za-z0-9_.:-]{8,80}")
MAX_MESSAGE = 16 * 1024          # bytes of one websocket message
MAX_WRITE_BUFFER = 1024 * 1024   # bytes queued for one slow client before it is dropped
MAX_CONNECTIONS = 400
MAX_PER_ADDRESS = 40
log = logging.getLogger("evalkit.live")

REFUSALS = {
    "locked": ("本轮评分已锁定，不能再提交或修改", "This round is locked: no more scores or changes"),
    "conflict": ("您与该项目存在利益关系，须回避", "You have a conflict of interest with this project"),
    "not_pitched": ("该项目尚未路演，不能评分", "This project has not pitched yet"),
    "not_judge_item": ("此项不由评委填写", "This item is not scored by judges"),
    "bad_link": ("链接无效或已更换，请向评审秘书索取新链接", "This link is not valid (any more): ask the secretary"),
    "rate": ("操作过于频繁，请稍候", "Too many requests: please wait a moment"),
    "bad_message": ("无法识别的请求", "Request not understood"),
    "fix_boxes": ("请修改标红的项", "Please correct the boxes marked in red"),
    "store": ("暂时无法保存，请稍后重试", "Could not save just now: please try again"),
}


def refusal(key: str) -> dict:
    zh, en = REFUSALS[key]
    return {"zh": zh, "en": en}


def _build_id() -> str:
    h = hashlib.sha256()
    for f in sorted(STATIC.iterdir()):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:12]


class LiveServer:
    """The state the handlers share: the store, the live score table, the open pages."""

    def __init__(self, contest, store_path, *, poll: float = 0.1, coalesce: float = 0.02, board_delay: float = 0.25):
        self.contest = contest
        self.store = Store(store_path, contest)  # no PIN: nothing a judge's token does not allow
        self.table = LiveTable(self.store)
        self.judge_sockets: set = set()
        self.screen_sockets: set = set()
        self.by_address: dict[str, int] = {}
        self.judge_limits = Limits(rate=4.0, burst=20)
        self.address_limits = Limits(rate=40.0, burst=120)
        self.build = _build_id()
        self.poll_interval, self.coalesce, self.board_delay = poll, coalesce, board_delay
        self._board_pending = None
        self._stage = None
        self.online: dict[str, int] = {}   # judge -> open phone pages
        self.seen: dict[str, str] = {}
        self._dirty: set = set()  # judges whose scores changed since their views were last sent
        self.seq = -1
        self._pending = None
        self._poller = None
        self.leaderboard = None  # the last leaderboard pushed (JSON), for screens that connect later
        self.pages = {name: (STATIC / f"{name}.html").read_bytes() for name in ("judge", "screen")}

    # --- following the store ------------------------------------------------
    def start(self) -> None:
        # the first ranking imports the statistics stack (about a second): pay it before
        # the first judge submits, not on the first sheet
        scores, contest = self.scores(), self.ruled()
        screen_view(self.store, scores, contest=contest)
        leaderboard_view(self.store, scores, contest=contest)
        write_presence(self.store.path, {}, {})  # no phone is connected yet (a restart forgets the old ones)
        self._poller = PeriodicCallback(self._poll, self.poll_interval * 1000)
        self._poller.start()

    def stop(self) -> None:
        if self._poller is not None:
            self._poller.stop()
        for ws in list(self.judge_sockets | self.screen_sockets):
            ws.close(1001, "server stopping")
        self.store.close()

    def _poll(self) -> None:
        try:
            if self.store.last_seq != self.seq:
                self.changed()
        except EvalkitError as exc:  # a busy file now and then must not end the following
            log.warning("poll: %s", exc)

    def changed(self) -> None:
        """Push the new state to every page soon (bursts coalesce into one push)."""
        if self._pending is None:
            self._pending = IOLoop.current().call_later(self.coalesce, self._broadcast)

    def scores(self):
        self.table.update()
        self._dirty |= self.table.changed_judges
        return self.table.frame()

    def presence(self, judge: str, change: int) -> None:
        """A judge's phone connected (+1) or left (-1): the secretary's check-in view."""
        self.online[judge] = max(0, self.online.get(judge, 0) + change)
        self.seen[judge] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            write_presence(self.store.path, self.online, self.seen)
        except OSError as exc:  # the board is a convenience: never a reason to refuse a phone
            log.warning("presence: %s", exc)

    def ruled(self):
        """The contest under the rule the store's settings name (one decision record)."""
        try:
            return amended_contest(self.contest, self.store)
        except EvalkitError as exc:  # an unreadable setting: the contest's own rule, and say so in the log
            log.warning("settings: %s", exc)
            return self.contest

    def _broadcast(self) -> None:
        """Push what changed: the stage first (the hall sees a score at once), then
        every judge's own view, then the leaderboard (a full ranking: the slow part)."""
        self._pending = None
        try:
            self.seq = self.store.last_seq
            scores = self.scores()
            contest = self.ruled()
            if self.screen_sockets:
                message = json.dumps(screen_view(self.store, scores, contest=contest), ensure_ascii=False)
                for ws in list(self.screen_sockets):
                    ws.send_if_new(message)
            # a judge's view changes with the stage (project, round, lock, what has pitched) or their own scores
            now, round_id = self.store.current()
            stage = (now, round_id, self.store.is_locked(round_id), len(self.store.pitched(round_id)))
            everyone = stage != self._stage
            self._stage = stage
            dirty, self._dirty = self._dirty, set()
            for ws in list(self.judge_sockets):
                if everyone or ws.judge in dirty or ws.last_sent is None:
                    ws.send_if_new(json.dumps(judge_view(self.store, ws.judge, scores), ensure_ascii=False))
            if self.screen_sockets and self._board_pending is None:
                # a burst of sheets costs one ranking, after the stage and the phones are answered
                self._board_pending = IOLoop.current().call_later(self.board_delay, self._push_leaderboard)
        except Exception:  # one bad push must not stop the server following the store
            log.exception("broadcast failed")

    def _push_leaderboard(self) -> None:
        self._board_pending = None
        try:
            self.leaderboard = json.dumps(leaderboard_view(self.store, self.scores(), contest=self.ruled()),
                                          ensure_ascii=False)
            for ws in list(self.screen_sockets):
                ws.send_board(self.leaderboard)
        except Exception:
            log.exception("leaderboard failed")

    # --- the application -------------------------------------------------------
    def app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [(r"/", IndexHandler, dict(live=self)),
             (r"/judge", PageHandler, dict(live=self, name="judge")),
             (r"/screen", PageHandler, dict(live=self, name="screen")),
             (r"/static/([a-z]+\.(?:js|css))", StaticHandler, dict(live=self)),
             (r"/ws/judge", JudgeSocket, dict(live=self)),
             (r"/ws/screen", ScreenSocket, dict(live=self)),
             (r"/health", HealthHandler, dict(live=self))],
            default_handler_class=NotFoundHandler, default_handler_args=dict(live=self),
            websocket_max_message_size=MAX_MESSAGE, websocket_ping_interval=10, websocket_ping_timeout=10,
            compress_response=True, xsrf_cookies=False, debug=False, serve_traceback=False)


def raw_token(handler) -> str:
    """The token exactly as sent (tornado's get_argument would drop control characters)."""
    values = handler.request.query_arguments.get("token") or [b""]
    return values[0].decode("utf-8", "replace") if len(values) == 1 else ""


class BaseHandler(tornado.web.RequestHandler):
    def initialize(self, live: LiveServer, name: str | None = None):
        self.live, self.name = live, name

    def set_default_headers(self):
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")  # the judge's token is in the URL
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'")

    def prepare(self):
        if not self.live.address_limits.allow(self.request.remote_ip or "?"):
            raise tornado.web.HTTPError(429)

    def write_error(self, status_code, **kwargs):
        # one line, no traceback, no internal path
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class NotFoundHandler(BaseHandler):
    def prepare(self):
        raise tornado.web.HTTPError(404)


class IndexHandler(BaseHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("evalkit 路演评分 · live roadshow — 请使用评审秘书提供的链接 / use the link the secretary gave you\n")


class HealthHandler(BaseHandler):
    def get(self):
        self.finish({"ok": True, "build": self.live.build, "pages": len(self.live.judge_sockets)
                     + len(self.live.screen_sockets)})


BAD_LINK_PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
                 'content="width=device-width, initial-scale=1"><title>链接无效 · Link not valid</title>'
                 '<link rel="stylesheet" href="/static/live.css"></head><body class="evalkit-page evalkit-judge-page">'
                 '<div class="evalkit-now evalkit-bad-link">{zh}</div><p>{en}</p></body></html>')


class PageHandler(BaseHandler):
    def get(self):
        if self.name == "judge":
            token = raw_token(self)
            status = 400 if not TOKEN_SHAPE.fullmatch(token) else 0
            if not status:
                try:
                    self.live.store.judge_for_token(token)
                except AccessError:
                    status = 403
            if status:  # a friendly page, no detail about why
                self.set_status(status)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(BAD_LINK_PAGE.format(**refusal("bad_link")))
                return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.live.pages[self.name])


class StaticHandler(BaseHandler):
    TYPES = {"js": "application/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}

    def get(self, name):
        path = STATIC / name
        if not path.is_file():
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", self.TYPES[name.rsplit(".", 1)[1]])
        self.finish(path.read_bytes())


class _Socket(tornado.websocket.WebSocketHandler):
    """A page's websocket: bounded buffer, per-address cap, send only what changed."""

    def initialize(self, live: LiveServer):
        self.live = live
        self.last_sent = None
        self.address = None

    def prepare(self):
        address = self.request.remote_ip or "?"
        live = self.live
        if (len(live.judge_sockets) + len(live.screen_sockets) >= MAX_CONNECTIONS
                or live.by_address.get(address, 0) >= MAX_PER_ADDRESS):
            raise tornado.web.HTTPError(503)
        if not live.address_limits.allow(address):
            raise tornado.web.HTTPError(429)

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def _register(self, group: set) -> None:
        if getattr(self, "judge", None) is not None:
            self.live.presence(self.judge, +1)
        self.address = self.request.remote_ip or "?"
        self.live.by_address[self.address] = self.live.by_address.get(self.address, 0) + 1
        self.group = group
        group.add(self)
        stream = getattr(self.ws_connection, "stream", None)
        if stream is not None:
            stream.max_write_buffer_size = MAX_WRITE_BUFFER

    def on_close(self):
        group = getattr(self, "group", None)
        if group is not None and self in group:
            group.discard(self)
            if getattr(self, "judge", None) is not None:
                self.live.presence(self.judge, -1)
            n = self.live.by_address.get(self.address, 1) - 1
            if n > 0:
                self.live.by_address[self.address] = n
            else:
                self.live.by_address.pop(self.address, None)

    def send(self, payload) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        try:
            self.write_message(text)
        except (tornado.websocket.WebSocketClosedError, tornado.iostream.StreamBufferFullError):
            self.close()

    def send_if_new(self, text: str) -> None:
        if text != self.last_sent:
            self.last_sent = text
            self.send(text)


class ScreenSocket(_Socket):
    last_board = None

    def open(self):
        self._register(self.live.screen_sockets)
        live = self.live
        scores, contest = live.scores(), live.ruled()
        self.send_if_new(json.dumps(screen_view(live.store, scores, contest=contest), ensure_ascii=False))
        self.send_board(live.leaderboard or json.dumps(leaderboard_view(live.store, scores, contest=contest),
                                                       ensure_ascii=False))

    def send_board(self, text: str) -> None:
        if text != self.last_board:
            self.last_board = text
            self.send(text)

    def on_message(self, message):
        if not self.live.address_limits.allow(self.address):
            self.close(4429, "rate")


class JudgeSocket(_Socket):
    """A judge's phone. The token is checked when the page connects and again by the
    store on every action; a message never decides who is scoring."""

    judge = None

    def open(self):
        token = raw_token(self)
        try:
            if not TOKEN_SHAPE.fullmatch(token):
                raise AccessError("malformed token")
            self.session = self.live.store.judge_session(token)
        except AccessError:
            self.send({"t": "bad_link", "message": refusal("bad_link")})
            self.close(4403, "bad link")
            return
        self.judge = self.session.judge
        self._register(self.live.judge_sockets)
        self.send(judge_hello(self.live.store.contest, self.judge, self.live.build))
        self.send_if_new(json.dumps(judge_view(self.live.store, self.judge, self.live.scores()), ensure_ascii=False))

    def on_message(self, message):
        if self.judge is None:
            return
        if not (self.live.judge_limits.allow(self.judge) and self.live.address_limits.allow(self.address)):
            self.send({"t": "error", "message": refusal("rate")})
            return
        try:
            msg = json.loads(message)
        except (ValueError, TypeError):
            msg = None
        if not isinstance(msg, dict):
            self.send({"t": "error", "message": refusal("bad_message")})
            return
        if msg.get("t") == "submit":
            self._submit(msg)
        elif msg.get("t") == "ping":
            self.send({"t": "pong", "at": time.time()})
        else:
            self.send({"t": "error", "message": refusal("bad_message")})

    def _submit(self, msg: dict) -> None:
        op, project, round_id, values = msg.get("id"), msg.get("project"), msg.get("round"), msg.get("values")
        if not (isinstance(op, str) and OP_SHAPE.fullmatch(op) and isinstance(project, str) and len(project) < 100
                and isinstance(round_id, str) and len(round_id) < 100 and isinstance(values, dict)
                and len(values) <= 100 and all(isinstance(k, str) and isinstance(v, (str, int, float))
                                               and len(str(v)) <= 40 for k, v in values.items())):
            self.send({"t": "error", "id": op if isinstance(op, str) else None, "message": refusal("bad_message")})
            return
        reply = {"t": "refused", "id": op, "project": project, "round": round_id}
        unknown = [k for k in values if k not in self.live.contest.rubric.criterion_ids]
        if unknown:
            self.send(dict(reply, message=refusal("not_judge_item"), errors={}))
            return
        scores, problems = read_sheet(self.live.contest.rubric, values)
        if problems:
            self.send(dict(reply, message=refusal("fix_boxes"), errors=problems))
            return
        try:
            result = self.session.submit(project, scores, round=round_id, op=op)
        except RoundLockedError:
            self.send(dict(reply, message=refusal("locked"), errors={}))
            return
        except AccessError as exc:
            # the store names what it refused: the project (not pitched in the round), the
            # criterion (not a judge's item); anything else is the link itself
            key = {"project": "not_pitched", "criterion": "not_judge_item"}.get(exc.key, "bad_link")
            self.send(dict(reply, message=refusal(key), errors={}))
            return
        except EvalkitError as exc:
            conflicted = project in self.live.contest.project_ids and self.live.store.contest.is_conflicted(self.judge, project)
            if not conflicted:
                log.warning("submit refused: %s", exc)
            self.send(dict(reply, message=refusal("conflict" if conflicted else "store"), errors={}))
            return
        self.send({"t": "ack", "id": op, "project": project, "round": round_id, "values": scores,
                   "receipt": result["receipt"], "duplicate": result["duplicate"]})
        self.live.changed()
