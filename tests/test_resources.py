"""evalkit.resources: the one place that finds the shipped rubrics, notebooks and
contests, in a checkout (here) and in a wheel (evalkit/_shipped, checked end to end
by .ci/wheel-check)."""
import re

import pytest

from evalkit import resources
from evalkit.errors import EvalkitError

from conftest import DATA, ROOT, RUBRICS


def test_a_checkout_finds_its_own_folders():
    assert resources.root() == ROOT
    assert resources.rubric_dir() == RUBRICS and resources.data_dir() == DATA
    assert resources.notebook_dir() == ROOT / "notebooks"
    assert resources.rubric_names() == sorted(p.name for p in RUBRICS.glob("*.yaml"))
    assert resources.rubric_path("gongyi-chuangtou") == resources.rubric_path("gongyi-chuangtou.yaml") \
        == RUBRICS / "gongyi-chuangtou.yaml"
    assert resources.demo_contest() == DATA / "demo-huaihe"
    assert {"demo-huaihe", "demo-xinan", "research-multi"} <= set(resources.demo_names())


def test_unknown_names_are_typed_errors_listing_what_is_shipped():
    with pytest.raises(EvalkitError, match="no shipped rubric") as err:
        resources.rubric_path("no-such-rubric")
    assert err.value.key == "rubric" and "gongyi-chuangtou.yaml" in err.value.expected
    with pytest.raises(EvalkitError, match="no shipped contest") as err:
        resources.demo_contest("demo-nowhere")
    assert "demo-huaihe" in err.value.expected


def test_a_wheel_layout_is_preferred_when_present(tmp_path, monkeypatch):
    shipped = tmp_path / "_shipped"
    for sub in ("rubrics", "notebooks", "data/demo-huaihe"):
        (shipped / sub).mkdir(parents=True)
    monkeypatch.setattr(resources, "SHIPPED", shipped)
    resources.root.cache_clear()
    try:
        assert resources.root() == shipped
        assert resources.demo_contest() == shipped / "data" / "demo-huaihe"
    finally:
        monkeypatch.undo()
        resources.root.cache_clear()
    assert resources.root() == ROOT


def test_no_module_finds_shipped_files_relative_to_the_source_tree():
    """One implementation: only evalkit/resources.py may look at where the package sits."""
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "evalkit").rglob("*.py"))
                 if p.name != "resources.py" and re.search(r"__file__|parents\[\d\]", p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_the_build_ships_what_resources_look_up():
    """setup.py copies these folders into the wheel; each must exist in the checkout and
    be in the sdist too (MANIFEST.in), which `python -m build` makes the wheel from."""
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    shipped = re.search(r"SHIPPED = \(([^)]*)\)", setup).group(1)
    patterns = re.findall(r'"([^"]+)"', shipped)
    assert {"rubrics", "notebooks"} <= set(patterns)
    grafts = re.findall(r"^graft (\S+)$", (ROOT / "MANIFEST.in").read_text(encoding="utf-8"), re.M)
    assert sorted(grafts) == sorted(patterns)
    for pattern in patterns:
        assert any(p.is_dir() for p in ROOT.glob(pattern)), pattern
    assert resources.demo_contest().relative_to(ROOT).as_posix().startswith("data/demo-")
