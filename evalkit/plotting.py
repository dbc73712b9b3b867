"""Matplotlib set-up shared by reports, notebooks and the UI: a CJK font so Chinese
labels render (no "Glyph ... missing from font" boxes).

The project's setup installs Debian ``fonts-noto-cjk`` (Noto Sans CJK SC); any other
installed CJK font from :data:`CJK_FONTS` is used when that one is absent.
"""
from __future__ import annotations

import functools

from .errors import EvalkitError

#: Preferred CJK fonts, best first (simplified Chinese first).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK JP",
             "Noto Serif CJK SC", "AR PL UMing CN")


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str:
    """The family name of an installed CJK font (see :data:`CJK_FONTS`).

    Raises EvalkitError naming the fonts looked for when none is installed.
    """
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    raise EvalkitError("no CJK font is installed, Chinese text cannot be drawn / 未安装中文字体",
                       where="matplotlib font_manager", expected="one of " + ", ".join(CJK_FONTS[:4]) +
                       " (Debian: apt-get install fonts-noto-cjk)", found="none")


def configure_matplotlib() -> str:
    """Make matplotlib draw Chinese: put the CJK font first in ``font.sans-serif``,
    keep the ASCII minus sign (CJK fonts may lack U+2212), and embed fonts in PDF as
    Type 3 (Noto CJK is CFF-flavoured OpenType, which Type 42 embedding mislabels).
    Returns the font's family name. Safe to call more than once.

    Example
    -------
    >>> from evalkit.plotting import configure_matplotlib
    >>> configure_matplotlib()        # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib
    font = find_cjk_font()
    rc = matplotlib.rcParams
    rest = [f for f in rc["font.sans-serif"] if f != font]
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [font] + rest
    rc["axes.unicode_minus"] = False
    rc["pdf.fonttype"] = 3
    rc["svg.fonttype"] = "path"
    return font
