"""The store's current score table kept up to date from new events only."""
from __future__ import annotations

import numpy as np
import pandas as pd


class LiveTable:
    """The store's current score table kept up to date from new events only
    (``Store.score_events(after=seq)``), so following pages do not re-read the whole
    table on every write. ``frame()`` equals ``store.scores()``.

    A live write touches a cell or two of thousands: ``frame()`` drops the rows that
    events replaced or retracted and appends the new ones to the last frame instead of
    rebuilding it (rows are labelled by insertion number while held; the frame handed
    out has a plain 0..n-1 index like ``store.scores()``).
    """

    REBUILD_AT = 0.25  # rebuild from scratch when this share of the rows changed

    def __init__(self, store):
        self.store = store
        self.seq = 0
        self._cells: dict = {}     # (judge, project, criterion, round) -> (row label, score), store order
        self._next = 0             # the next row label
        self._frame = None         # the last frame built, indexed by row label
        self._built = 0            # labels below this are in self._frame
        self._gone: list = []      # labels in self._frame replaced or retracted since

    def update(self) -> set:
        """Apply new events; returns the projects that changed."""
        ev = self.store.score_events(after=self.seq)
        self.changed_judges = set()  # whose scores the last update changed
        if not len(ev):
            return set()
        for seq, kind, judge, project, criterion, round_id, score in ev.itertuples(index=False):
            key = (judge, project, criterion, round_id)
            old = self._cells.pop(key, None)  # re-inserted last: the order of store.scores() (by seq)
            if old is not None and old[0] < self._built:
                self._gone.append(old[0])
            if kind == "score":
                self._cells[key] = (self._next, float(score))
                self._next += 1
        self.seq = int(ev["seq"].iloc[-1])
        self.changed_judges = set(ev["judge"])
        return set(ev["project"])

    def _rows(self, items) -> pd.DataFrame:
        items = list(items)
        keys = [k for k, _ in items]
        df = pd.DataFrame(keys, columns=["judge", "project", "criterion", "round"],
                          index=pd.Index([v[0] for _, v in items], dtype=np.int64))
        df.insert(3, "score", np.array([v[1] for _, v in items], float))
        return self.store.contest.with_panels(df)

    def frame(self) -> pd.DataFrame:
        fresh = self._next - self._built
        if self._frame is None or len(self._gone) + fresh > self.REBUILD_AT * max(len(self._cells), 1):
            self._frame = self._rows(self._cells.items())
        elif self._gone or fresh:
            # the rows added since the last frame are the dict's tail (labels grow with insertion)
            tail = []
            for item in reversed(self._cells.items()):
                if item[1][0] < self._built:
                    break
                tail.append(item)
            base = self._frame.drop(index=self._gone) if self._gone else self._frame
            self._frame = pd.concat([base, self._rows(reversed(tail))]) if tail else base
        self._built, self._gone = self._next, []
        from ..store.amendments import allowed_scores  # as store.scores(): withdrawn or conflicted judges' scores are not counted
        return allowed_scores(self._frame.reset_index(drop=True), self.store.contest)
