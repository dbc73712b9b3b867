"""Recording amendments of the running contest (judges added, withdrawn or renamed,
conflicts declared or lifted on the day, the PIN, the contest rule) and the amended
contest every score is checked against (``Store.contest``).

Before the first score a change is free (still an event of the chain); afterwards
the store refuses one without a reason. What the events mean, and the contest they
make, is :mod:`evalkit.store.amendments`; the checks a page runs before asking the
store, :mod:`evalkit.live.amend`.
"""
from __future__ import annotations

import json

from .. import pinhash
from ..errors import SettingError
from .amendments import apply_amendments, decode
from .chain import EVENT_FIELDS, _insert_chained


class StoreAmendments:
    """Mixin of :class:`evalkit.store.Store`: the running contest and its amendments."""

    @property
    def contest(self):
        """The running contest: the contest files (``_base_contest``) with the store's
        amendments (evalkit.live.amend), what every score is checked against."""
        cached = self.__dict__.get("_amended")
        if self.__dict__.get("_closed"):
            return cached[1] if cached else self._base_contest
        seq = self._read("SELECT COALESCE(MAX(seq), 0) FROM events WHERE kind = 'amend'")[0][0]
        if cached is None or cached[0] != seq:
            events = [decode(r) for r in self.amendment_events()] if seq else []
            cached = self.__dict__["_amended"] = (seq, apply_amendments(self._base_contest, events))
        return cached[1]

    @contest.setter
    def contest(self, contest) -> None:
        self._base_contest = contest
        self.__dict__.pop("_amended", None)

    def amendment_events(self) -> list[dict]:
        """The "amend" events, oldest first, as dicts of EVENT_FIELDS."""
        rows = self._read("SELECT " + ", ".join(EVENT_FIELDS) + " FROM events WHERE kind = 'amend' ORDER BY seq")
        return [dict(zip(EVENT_FIELDS, r)) for r in rows]

    def scoring_started(self) -> bool:
        """True once any score has been recorded: changes then need a reason."""
        return bool(self._read("SELECT 1 FROM events WHERE kind = 'score' LIMIT 1"))

    def _refuse_without_reason(self, reason, c=None) -> None:
        started = (c.execute("SELECT 1 FROM events WHERE kind = 'score' LIMIT 1").fetchone() if c is not None
                   else self.scoring_started())
        if reason is None and started:
            raise SettingError("scoring has started: a change of the running contest needs a reason",
                               where=str(self.path), key="reason", expected="a reason", found="nothing",
                               zh="评分已开始：修改评委、回避、PIN 或评分规则须填写理由")

    def amend(self, action: str, *, judge=None, project=None, value: dict | None = None, reason=None,
              extra: tuple = (), setting: tuple | None = None, guard=None) -> dict:
        """Record an amendment of the running contest (one "amend" event; checked
        first by evalkit.live.amend). Free before the first score; afterwards refused
        without a ``reason`` (SettingError, key 'reason'). ``extra``: events written
        in the same transaction before it (a new PIN's hash); ``setting``: (key,
        value) recorded as :meth:`setting` does, in the same transaction (the rule);
        ``guard(conn)``: runs inside the write first (and may refuse it)."""
        if setting is not None:
            extra = tuple(extra) + (dict(kind="setting", criterion=str(setting[0]), entered_by="secretary",
                                         reason=json.dumps(setting[1], ensure_ascii=False)),)
        self._require_secretary("amending the running contest")
        reason = str(reason).strip() if reason is not None and str(reason).strip() else None
        body = json.dumps({**(value or {}), "reason": reason}, ensure_ascii=False, sort_keys=True)

        def tx(c):
            if guard is not None:
                guard(c)
            self._refuse_without_reason(reason, c)
            events = [dict(ev) for ev in extra] + [dict(kind="amend", criterion=str(action), judge=judge,
                                                        project=project, entered_by="secretary", reason=body)]
            return _insert_chained(c, events)[-1]
        return self._write(tx)

    def change_pin(self, pin: str, reason=None) -> dict:
        """Change the secretary's PIN as an amendment (its hash and the reason in one
        transaction); after the first score it needs a reason, like every amendment."""
        self._require_secretary("set the PIN")
        if not pinhash.valid_pin(pin):
            self._changing_pin = True
            try:
                self.set_pin(pin)  # raises set_pin's typed error for a bad PIN
            finally:
                self._changing_pin = False
        ev = self.amend("pin", reason=reason, extra=(dict(kind="pin", reason=pinhash.make_pin_hash(pin),
                                                          entered_by="secretary"),))
        self._secretary = True
        return ev
