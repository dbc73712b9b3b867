"""Matplotlib set-up shared by reports, notebooks and the UI: a CJK font so Chinese
labels render (no "Glyph ... missing from font" boxes).

The project's setup installs Debian ``fonts-noto-cjk`` (Noto Sans CJK SC); any other
installed CJK font from :data:`CJK_FONTS` is used when that one is absent. Matplotlib
only knows the fonts in its cache, which is built once and never refreshed: on a
machine where matplotlib ran before the font was installed, the font is on disk but
not in the cache. :func:`find_cjk_font` then adds the font files the cache lacks and
saves the extended cache, once.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from ..errors import EvalkitError

__all__ = ["CJK_FONTS", "find_cjk_font", "configure_matplotlib"]

#: Preferred CJK fonts, best first (simplified Chinese first).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK JP",
             "Noto Serif CJK SC", "AR PL UMing CN")


def _known_cjk_font(font_manager) -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _add_fonts_missing_from_cache(font_manager) -> int:
    """Add every font file on disk that matplotlib's font list lacks (a cache built
    before the font was installed), then save the extended list as matplotlib's
    cache so later processes find the fonts without scanning. Returns how many
    files were added."""
    fm = font_manager.fontManager
    known = {os.path.realpath(f.fname) for f in fm.ttflist}
    added = 0
    for path in sorted(font_manager.findSystemFonts(fontext="ttf")):
        if os.path.realpath(path) in known:
            continue
        try:
            fm.addfont(path)
        except (OSError, RuntimeError, ValueError):   # unreadable or not a font: matplotlib skips these too
            continue
        added += 1
    if added:
        import matplotlib
        cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        try:
            font_manager.json_dump(fm, tmp)            # logs (does not raise) when it cannot write
            if tmp.exists():
                os.replace(tmp, cache)                  # whole file or nothing, for concurrent readers
        except OSError:
            pass                                        # read-only cache: this process still has the fonts
        finally:
            tmp.unlink(missing_ok=True)
    return added


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str:
    """The family name of an installed CJK font (see :data:`CJK_FONTS`).

    Looks in matplotlib's font list first; when no CJK font is there, adds the font
    files on disk that the (stale) cache lacks and looks again.
    Raises EvalkitError naming the fonts looked for when none is installed.
    """
    from matplotlib import font_manager
    name = _known_cjk_font(font_manager)
    if name is None and _add_fonts_missing_from_cache(font_manager):
        name = _known_cjk_font(font_manager)
    if name is not None:
        return name
    raise EvalkitError("no CJK font is installed, Chinese text cannot be drawn",
                       where="matplotlib font_manager", expected="one of " + ", ".join(CJK_FONTS[:4]) +
                       " (Debian: apt-get install fonts-noto-cjk)", found="none",
                       zh="未安装中文字体，无法绘制中文（可安装 " + "、".join(CJK_FONTS[:4]) +
                          "；Debian：apt-get install fonts-noto-cjk）")


def configure_matplotlib() -> str:
    """Make matplotlib draw Chinese: put the CJK font first in ``font.sans-serif``,
    keep the ASCII minus sign (CJK fonts may lack U+2212), and embed fonts in PDF as
    Type 3 (Noto CJK is CFF-flavoured OpenType, which Type 42 embedding mislabels).
    Returns the font's family name. Safe to call more than once.

    Example
    -------
    >>> from evalkit.report.plotting import configure_matplotlib
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
