"""The evalkit command: validate, import, demo; and the README/CI contract."""
import re
import subprocess
import sys

from evalkit.cli import main
from conftest import DATA, ROOT, RUBRICS


def test_validate_ok_and_errors(capsys, demo_copy):
    assert main(["validate", str(RUBRICS / "gongyi-chuangtou.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
    folder = demo_copy()
    (folder / "scores.csv").write_text("judge,project,criterion,score\nJ1,P01,need,18\nJ9,P01,need,1\n",
                                       encoding="utf-8")
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "2 error(s)" in err and "row 2" in err and "row 3" in err and "unknown judge 'J9'" in err


def test_import_dry_run_then_import(capsys, demo_copy):
    folder = demo_copy(scores=False)
    src = DATA / "demo-huaihe" / "scores.csv"
    assert main(["import", str(src), "--contest", str(folder), "--dry-run"]) == 0
    assert "would import: 1200 new" in capsys.readouterr().out
    assert main(["import", str(src), "--contest", str(folder)]) == 0
    assert "imported: 1200 new" in capsys.readouterr().out
    assert main(["import", str(src), "--contest", str(folder)]) == 0
    assert "0 new, 0 changed, 1200 unchanged" in capsys.readouterr().out


def test_demo_prints_the_validated_summary():
    out = subprocess.run([sys.executable, "-m", "evalkit.cli", "demo"], capture_output=True, text=True, check=True).stdout
    assert "项目 22 个, 评委 7 位" in out and "评分完成度: 150/150" in out and "P22" in out


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert len(commands) >= 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in [line.strip() for line in ci.splitlines()]
    assert "set -euo pipefail" in ci


def test_public_functions_stay_functions_after_their_modules_are_imported():
    import importlib

    import evalkit as ek
    for name in ("allocate", "assign", "robustness"):
        importlib.import_module(f"evalkit.{name}")
        assert callable(getattr(ek, name)), name
