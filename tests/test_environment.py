"""environment.yml (conda users) lists every runtime dependency pyproject.toml lists,
with the same version bound (issue 15)."""
import re
import tomllib

import yaml

from conftest import ROOT

#: pip name -> conda-forge name where the two differ (none so far)
CONDA_NAME: dict[str, str] = {}


def _split(requirement: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*", requirement)
    assert m, requirement
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2).replace(" ", "")


def test_environment_yml_lists_every_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    wanted = dict(_split(d) for d in project["dependencies"])
    assert wanted, "pyproject.toml lists no dependencies"
    missing = sorted(n for n in wanted if CONDA_NAME.get(n, n) not in conda)
    assert not missing, f"environment.yml lacks {missing}"
    differ = {n: (v, conda[CONDA_NAME.get(n, n)]) for n, v in wanted.items() if conda[CONDA_NAME.get(n, n)] != v}
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"
    version = lambda text: tuple(int(x) for x in text.lstrip("=>").split("."))  # noqa: E731
    assert version(conda["python"]) >= version(project["requires-python"]), (conda["python"], project["requires-python"])
