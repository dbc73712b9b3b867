"""evalkit.design.assign: balanced, conflict-free, connected judge assignment."""
import pandas as pd
import pytest

import evalkit as ek
from evalkit.design import connectivity
from evalkit.errors import DesignError


def test_balanced_connected_assignment():
    a = ek.assign(200, 30, per_project=4, seed=1)
    t = a.table
    assert list(t.columns) == ["project", "judge"] and len(t) == 800
    assert (t.groupby("project")["judge"].nunique() == 4).all()
    assert a.load.sum() == 800 and a.load.max() - a.load.min() <= 1
    assert a.connected and a.n_components == 1 and connectivity(t).connected
    b = ek.assign(200, 30, per_project=4, seed=1)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_conflicts_are_never_assigned():
    projects = pd.DataFrame({"id": [f"P{i}" for i in range(20)]})
    judges = pd.DataFrame({"id": [f"J{i}" for i in range(6)]})
    conflicts = {"J0": [f"P{i}" for i in range(10)], "J1": ["P0", "P1", "P2"]}
    a = ek.assign(projects, judges, per_project=3, conflicts=conflicts, seed=2)
    pairs = set(zip(a.table["judge"], a.table["project"]))
    assert not any((j, p) in pairs for j, ps in conflicts.items() for p in ps)
    assert a.connected
    assert a.load.max() - a.load.min() <= 1
    # the same conflicts as a callable and as a frame
    f = lambda j, p: p in conflicts.get(j, [])  # noqa: E731
    assert ek.assign(projects, judges, per_project=3, conflicts=f, seed=2).table.equals(a.table)
    frame = pd.DataFrame([(j, p) for j, ps in conflicts.items() for p in ps], columns=["judge", "project"])
    assert ek.assign(projects, judges, per_project=3, conflicts=frame, seed=2).table.equals(a.table)


def test_refusals_say_why():
    with pytest.raises(DesignError, match="only 3"):
        ek.assign(["A", "B"], ["J1", "J2", "J3"], per_project=4)
    with pytest.raises(DesignError, match="cannot be connected"):
        ek.assign(10, 5, per_project=1)
    with pytest.raises(DesignError, match="P2 \\(1 allowed\\)"):
        ek.assign(["P1", "P2"], ["J1", "J2", "J3"], per_project=2, conflicts=[("J1", "P2"), ("J2", "P2")])
    # two camps that share no judge: P1, P2 only J1/J2; P3, P4 only J3/J4
    camps = [(j, p) for j in ("J3", "J4") for p in ("P1", "P2")] + [(j, p) for j in ("J1", "J2") for p in ("P3", "P4")]
    with pytest.raises(DesignError, match="no connected design"):
        ek.assign(["P1", "P2", "P3", "P4"], ["J1", "J2", "J3", "J4"], per_project=2, conflicts=camps, seed=0)


def test_idle_judges_are_reported():
    # the second project must share a judge with the first (connectivity): 3 judges
    # work, 5 stay idle
    a = ek.assign(2, 8, per_project=2, seed=3)
    assert (a.load == 0).sum() == 5 and "got no project" in a.notes[0] and a.connected
