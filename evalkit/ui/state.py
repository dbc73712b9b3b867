"""A tiny observable state over the store: pages register redraw callbacks and
follow the store by polling its ``last_seq`` (cheap), so a write made by any page
(each served page has its own kernel) shows everywhere within ``interval``."""
from __future__ import annotations

import asyncio
import os
import sys
import threading
import traceback

from ..errors import EvalkitError
from ..live.settings import running_contest
from ..live.table import LiveTable


class AppState:
    def __init__(self, contest, store, lang: str = "zh"):
        self.base_contest = contest
        self.contest = contest        # under the store's contest-rule settings (see refresh)
        self.store = store
        self.lang = lang
        self.seq = -1
        self._table = LiveTable(store)
        self._listeners: list = []
        self._task = None
        self._stop = threading.Event()
        self.errors: list[str] = []
        self._synced: list = []
        self._polls = 0
        self._watches: list = []
        self._follow_settings()

    def on_change(self, fn) -> None:
        """Call ``fn(state)`` after every change of the store or of the language."""
        self._listeners.append(fn)

    def scores(self):
        """The current score table of the store (kept up to date from new events)."""
        self._table.update()
        return self._table.frame()

    def replace_store(self, store) -> None:
        """Use another handle on the same store (e.g. reopened with the PIN)."""
        self.store = store
        self._table.store = store

    def round_scores(self):
        """The scores of the round now running (what the live views rank)."""
        sc = self.scores()
        return sc[sc["round"] == self.current()[1]]

    def current(self) -> tuple[str | None, str]:
        return self.store.current()

    def refresh(self, force: bool = False) -> bool:
        """Redraw when the store has new events (or ``force``); True when redrawn."""
        seq = self.store.last_seq
        if seq == self.seq and not force:
            return False
        self.seq = seq
        self._follow_settings()
        for fn in list(self._listeners):
            try:
                fn(self)
            except Exception:  # a broken view must not stop the others following the store
                self.errors.append(traceback.format_exc())
                print(self.errors[-1], file=sys.__stderr__)
        return True

    def _follow_settings(self) -> None:
        """The running contest (evalkit.live.settings.running_contest): the store's
        amendments (judges, conflicts) and decision settings (method, trim, decimals), so
        every page shows the panel and the rule the Setup and Allocation tabs or the CLI set."""
        try:
            self.contest = running_contest(self.base_contest, self.store)
        except EvalkitError:          # an unreadable setting event: keep the contest's own rule, say so
            self.contest = self.base_contest
            self.errors.append(traceback.format_exc())

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.refresh(force=True)

    def keep_in_sync(self, widget) -> None:
        """Re-send ``widget``'s state (and its children's) now and then while following.

        A served page's front end fetches the widgets' state once; a change made while
        its websocket is still connecting can be lost, and an unchanged value is never
        sent again. Re-sending the state repairs such a page within seconds."""
        self._synced.append(widget)

    def resync(self) -> None:
        todo = list(self._synced)
        while todo:
            widget = todo.pop()
            todo.extend(getattr(widget, "children", ()))
            if getattr(widget, "_model_name", "") != "ImageModel":  # charts are redrawn on request only
                widget.send_state()

    def follow(self, interval: float = 0.4):
        """Poll the store in the kernel's event loop (or a daemon thread without one)."""
        if self._task is not None or os.environ.get("EVALKIT_NO_FOLLOW"):
            return self._task

        async def loop():
            while not self._stop.is_set():
                await asyncio.sleep(interval)
                self._poll()

        try:
            self._task = asyncio.get_running_loop().create_task(loop())
        except RuntimeError:
            def run():
                while not self._stop.wait(interval):
                    self._poll()
            self._task = threading.Thread(target=run, daemon=True, name="evalkit-follow")
            self._task.start()
        return self._task

    def watch(self, changed) -> None:
        """Also redraw when ``changed()`` says so on a poll (e.g. a file the venue
        server writes: which judges' phones are connected)."""
        self._watches.append(changed)

    def _poll(self, resync_every: int = 8) -> None:
        self._polls += 1
        try:
            if not self.refresh() and any([fn() for fn in self._watches]):
                self.refresh(force=True)
            if self._polls % resync_every == 0:
                self.resync()
        except Exception:  # a busy store now and then must not end the following
            self.errors.append(traceback.format_exc())
            print(self.errors[-1], file=sys.__stderr__)

    def stop(self) -> None:
        self._stop.set()
