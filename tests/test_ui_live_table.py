"""The live table's incremental frame (evalkit.roadshow.LiveTable): after any mix of
new scores, corrections and retractions, applied one or several at a time, the
frame must equal the store's own current view, rows in the same order."""
import numpy as np
import pandas as pd

import evalkit as ek
from evalkit import roadshow as rs

from conftest import DATA


def test_live_table_equals_store_after_every_kind_of_event(demo_copy, tmp_path):
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "t.db")
    table = rs.LiveTable(store)
    store.import_scores(ek.load_contest(DATA / "demo-huaihe").scores)
    built = []
    rows = table._rows
    table._rows = lambda items: built.append(len(items := list(items))) or rows(items)
    cells = store.scores()[["judge", "project", "criterion"]].to_numpy().tolist()
    rng = np.random.default_rng(7)
    retracted: list = []
    frames = 0
    pd.testing.assert_frame_equal(table.frame(), store.scores()) if table.update() else None
    for step in range(40):
        # 1 to 3 events between two frames: incremental appends and drops, a cell
        # corrected twice in one batch, a retracted cell scored again
        for _ in range(int(rng.integers(1, 4))):
            roll = rng.random()
            if roll < 0.25 and retracted:
                j, p, c = retracted.pop()
                store.record(j, p, c, 3.0, reason="back")
            elif roll < 0.45:
                j, p, c = cells[int(rng.integers(len(cells)))]
                if (j, p, c) not in retracted:
                    store.retract(j, p, c, reason="mistake")
                    retracted.append((j, p, c))
            else:
                j, p, c = cells[int(rng.integers(len(cells)))]
                if (j, p, c) not in retracted:
                    store.record(j, p, c, float(rng.integers(0, 4)), reason="fix")
        changed = table.update()
        assert changed <= set(contest.project_ids)
        if step % 3 or step < 3:  # sometimes two updates feed one frame
            pd.testing.assert_frame_equal(table.frame(), store.scores())
            frames += 1
    # the frames were built incrementally: only the new rows were turned into a frame
    assert frames > 20 and max(built[1:]) <= 6 and built[0] == len(cells)
    store.close()


def test_live_table_rebuilds_after_many_changes(demo_copy, tmp_path):
    # a bulk import replacing most cells takes the rebuild path; the result is the same
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "t.db")
    table = rs.LiveTable(store)
    scores = ek.load_contest(DATA / "demo-huaihe").scores
    store.import_scores(scores.iloc[:100])
    table.update()
    pd.testing.assert_frame_equal(table.frame(), store.scores())
    store.import_scores(scores.iloc[100:])
    table.update()
    pd.testing.assert_frame_equal(table.frame(), store.scores())
    assert table.update() == set()
    pd.testing.assert_frame_equal(table.frame(), store.scores())
    store.close()
