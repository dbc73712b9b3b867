"""Where the files evalkit ships are: the rubrics, the notebooks and the demo and
research contests. The one place that finds them, so a checkout and an installed
wheel behave alike.

In a checkout they are the repository's ``rubrics/``, ``notebooks/`` and ``data/``;
in a wheel the build (setup.py) copies the same folders, same layout, into
``evalkit/_shipped/``. Keeping the layout keeps the notebooks' relative paths
(``../data/research-multi``) valid in both.

>>> from evalkit.resources import rubric_path, demo_contest
>>> rubric_path("gongyi-chuangtou.yaml").name
'gongyi-chuangtou.yaml'
>>> demo_contest().name
'demo-huaihe'
"""
from __future__ import annotations

import functools
from pathlib import Path

from .errors import EvalkitError

_PACKAGE = Path(__file__).resolve().parent
#: the folder a wheel ships the resources in (absent in a checkout)
SHIPPED = _PACKAGE / "_shipped"
#: the contest `evalkit demo` and `evalkit serve` open when given none
DEFAULT_DEMO = "demo-huaihe"


@functools.lru_cache(maxsize=1)
def root() -> Path:
    """The folder holding ``rubrics/``, ``notebooks/`` and ``data/``: the checkout's
    top folder when evalkit runs from a source tree, else the wheel's ``_shipped``."""
    for base in (SHIPPED, _PACKAGE.parent):
        if (base / "rubrics").is_dir() and (base / "notebooks").is_dir():
            return base
    raise EvalkitError("evalkit's shipped files are missing (rubrics, notebooks, demo contests)",
                       where=str(_PACKAGE), expected="rubrics/ and notebooks/ beside the package or in _shipped/",
                       found="neither", zh="缺少 evalkit 随包文件（评分细则、笔记本、演示大赛），请重新安装 evalkit")


def package_dir() -> Path:
    """The installed (or checked-out) evalkit package folder."""
    return _PACKAGE


def page_dir() -> Path:
    """The venue server's static pages (evalkit/live/static, package data)."""
    return _PACKAGE / "live" / "static"


def rubric_dir() -> Path:
    """The folder of the shipped rubrics (YAML)."""
    return root() / "rubrics"


def rubric_names() -> list[str]:
    """File names of the shipped rubrics, sorted."""
    return sorted(p.name for p in rubric_dir().glob("*.yaml"))


def rubric_path(name: str) -> Path:
    """The shipped rubric called ``name`` (``gongyi-chuangtou`` or ``gongyi-chuangtou.yaml``)."""
    file = Path(name).name
    if not file.endswith((".yaml", ".yml")):
        file += ".yaml"
    path = rubric_dir() / file
    if not path.is_file():
        raise EvalkitError(f"no shipped rubric '{name}'", where=str(rubric_dir()), key="rubric",
                           expected="one of " + ", ".join(rubric_names()), found=str(name),
                           zh=f"没有随包评分细则 '{Path(name).name}'（可选：{'、'.join(rubric_names())}）")
    return path


def notebook_dir() -> Path:
    """The folder of the workbench notebooks (served by voila)."""
    return root() / "notebooks"


def data_dir() -> Path:
    """The folder of the shipped contests (demo contests and the research data set)."""
    return root() / "data"


def demo_names() -> list[str]:
    """Names of the shipped contest folders (``demo-huaihe``, ``research-multi``, ...), sorted."""
    return sorted(p.name for p in data_dir().iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def demo_contest(name: str = DEFAULT_DEMO) -> Path:
    """The shipped contest folder called ``name`` (default: the demo contest)."""
    path = data_dir() / name
    if not path.is_dir():
        raise EvalkitError(f"no shipped contest '{name}'", where=str(data_dir()), key="contest",
                           expected="one of " + ", ".join(demo_names()), found=str(name),
                           zh=f"没有随包演示大赛 '{Path(name).name}'（可选：{'、'.join(demo_names())}）")
    return path
