"""A judge's phone's websocket: the link checked on connect and by the store on every
sheet; a sheet names its project, round and id; refusals by the store's key."""
from __future__ import annotations

import json
import logging
import time

from ...errors import AccessError, EvalkitError, RoundLockedError
from .protocol import OP_SHAPE, TOKEN_SHAPE, raw_token, refusal
from ..remind import standing_reminders
from ..sheet import read_sheet
from .sockets import _Socket
from ..views import judge_hello, judge_view

log = logging.getLogger("evalkit.live")


class JudgeSocket(_Socket):
    """A judge's phone. The token is checked when the page connects and again by the
    store on every action; a message never decides who is scoring."""

    judge = None

    def initialize(self, live):
        super().initialize(live)
        self.reminders_sent: set[int] = set()

    def open(self):
        token = raw_token(self)
        try:
            if not TOKEN_SHAPE.fullmatch(token):
                raise AccessError("malformed token", zh="评分链接的令牌格式不对")
            self.session = self.live.store.judge_session(token)
        except AccessError:
            self.send({"t": "bad_link", "message": refusal("bad_link")})
            self.close(4403, "bad link")
            return
        self.judge = self.session.judge
        self._register(self.live.judge_sockets)
        self.send(judge_hello(self.live.store.contest, self.judge, self.live.build))
        scores = self.live.scores()
        self.send_if_new(json.dumps(judge_view(self.live.store, self.judge, scores), ensure_ascii=False))
        for reminder in standing_reminders(self.live.store, scores, self.judge):  # missed while offline
            self.send_reminder(reminder)

    def send_reminder(self, reminder: dict) -> None:
        """Send the secretary's reminder once to this page (it may be both standing when
        the page connects and new to the server's following of the store)."""
        if reminder["id"] not in self.reminders_sent:
            self.reminders_sent.add(reminder["id"])
            self.send(reminder)

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
            conflicted = (project in self.live.contest.project_ids
                          and self.live.store.contest.is_conflicted(self.judge, project))
            if not conflicted:
                log.warning("submit refused: %s", exc)
            self.send(dict(reply, message=refusal("conflict" if conflicted else "store"), errors={}))
            return
        self.send({"t": "ack", "id": op, "project": project, "round": round_id, "values": scores,
                   "receipt": result["receipt"], "duplicate": result["duplicate"]})
        self.live.changed()
