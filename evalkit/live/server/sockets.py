"""The pages' websockets: the shared connection handling (a cap per address and in
all, a bounded write buffer, presence of a judge's phone, send only what changed) and
the big screen's socket (it only listens)."""
from __future__ import annotations

import json

import tornado.iostream
import tornado.web
import tornado.websocket

from .protocol import MAX_CONNECTIONS, MAX_PER_ADDRESS, MAX_WRITE_BUFFER
from ..views import leaderboard_view, screen_view


class _Socket(tornado.websocket.WebSocketHandler):
    """A page's websocket: bounded buffer, per-address cap, send only what changed."""

    def initialize(self, live):
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
