import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RUBRICS = ROOT / "rubrics"
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture
def demo_copy(tmp_path):
    """A fresh copy of demo-huaihe (with its scores) in a temporary folder."""
    def make(name="demo-huaihe", scores=True):
        dest = tmp_path / name
        shutil.copytree(DATA / name, dest, ignore=shutil.ignore_patterns("evalkit.db*", "backups"))
        if not scores:
            (dest / "scores.csv").unlink()
        return dest
    return make
