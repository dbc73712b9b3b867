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

This module holds the shared state and the application's wiring; the handlers are in
:mod:`.pages` (HTTP), :mod:`.sockets` (the shared socket, the screen's),
:mod:`.judge_socket` (a judge's phone), and what they agree on in :mod:`.protocol`.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone

import tornado.web
from tornado.ioloop import IOLoop, PeriodicCallback

from ...errors import EvalkitError
from ..table import LiveTable
from ...store import Store
from .judge_socket import JudgeSocket
from ..limits import Limits
from .pages import STATIC, HealthHandler, IndexHandler, NotFoundHandler, PageHandler, StaticHandler
from ..progress import read_presence, write_presence
from ..settings import running_contest
from .protocol import MAX_MESSAGE  # noqa: F401 - `evalkit serve` sizes its HTTP server by it
from ..remind import RemindGate, remind_message, sheet_missing
from .sockets import ScreenSocket
from ..views import judge_view, leaderboard_view, screen_view

log = logging.getLogger("evalkit.live")


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
        self.checked_in: dict[str, str] = {}  # judge -> first connection (UTC ISO): the check-in
        self._dirty: set = set()  # judges whose scores changed since their views were last sent
        self.seq = -1
        self._pending = None
        self._poller = None
        self.leaderboard = None  # the last leaderboard pushed (JSON), for screens that connect later
        # reminders already in the store when the server starts reach a phone when it connects
        known = self.store.reminders()
        self.remind_seq = int(known["seq"].max()) if len(known) else 0
        self.remind_gate = RemindGate()
        self.pages = {name: (STATIC / f"{name}.html").read_bytes() for name in ("judge", "screen")}

    # --- following the store ------------------------------------------------
    def start(self) -> None:
        # the first ranking imports the statistics stack (about a second): pay it before
        # the first judge submits, not on the first sheet
        scores, contest = self.scores(), self.ruled()
        screen_view(self.store, scores, contest=contest)
        leaderboard_view(self.store, scores, contest=contest)
        # no phone is connected yet; who checked in (and when each was last seen) survives a restart
        for j, entry in read_presence(self.store.path).items():
            if j in self.contest.judge_ids:
                if entry.get("last_seen"):
                    self.seen[j] = entry["last_seen"]
                if entry.get("checked_in") or entry.get("last_seen"):
                    self.checked_in[j] = entry.get("checked_in") or entry["last_seen"]
        write_presence(self.store.path, {}, self.seen, self.checked_in)
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
        self.checked_in.setdefault(judge, self.seen[judge])
        try:
            write_presence(self.store.path, self.online, self.seen, self.checked_in)
        except OSError as exc:  # the board is a convenience: never a reason to refuse a phone
            log.warning("presence: %s", exc)

    def ruled(self):
        """The contest under the rule the store's settings name (one decision record)."""
        try:
            return running_contest(self.contest, self.store)
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
            self._push_reminders(scores)
            if self.screen_sockets and self._board_pending is None:
                # a burst of sheets costs one ranking, after the stage and the phones are answered
                self._board_pending = IOLoop.current().call_later(self.board_delay, self._push_leaderboard)
        except Exception:  # one bad push must not stop the server following the store
            log.exception("broadcast failed")

    def _push_reminders(self, scores) -> None:
        """Send the secretary's new reminders to the reminded judge's phones: only while
        that sheet is missing and the round open, once per click burst (RemindGate)."""
        events = self.store.reminders(after=self.remind_seq)
        if not len(events):
            return
        self.remind_seq = int(events["seq"].max())
        for e in events.itertuples():
            if (self.store.is_locked(e.round) or not sheet_missing(scores, self.contest, e.judge, e.project, e.round)
                    or not self.remind_gate.allow(e.judge, e.project, e.round)):
                continue
            message = remind_message(self.contest, e)
            for ws in list(self.judge_sockets):
                if ws.judge == e.judge:
                    ws.send_reminder(message)

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
