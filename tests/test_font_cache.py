"""Charts find the installed CJK font even when matplotlib's font cache predates it
(issue 15): a user's machine where matplotlib ran before fonts-noto-cjk was installed."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

# Build matplotlib's cache in a private MPLCONFIGDIR, then drop every CJK font from it,
# as if the cache had been written before the font was installed.
MAKE_STALE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import matplotlib
    from matplotlib import font_manager
    cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    assert cache.exists(), cache
    data = json.loads(cache.read_text())
    data["ttflist"] = [f for f in data["ttflist"] if "CJK" not in f["name"] and "CJK" not in f["fname"]]
    cache.write_text(json.dumps(data))
    print(json.dumps({"cache": str(cache), "kept": len(data["ttflist"])}))
""")

# A chart with Chinese text through evalkit's set-up; any missing glyph is an error.
DRAW = textwrap.dedent("""
    import io, json, warnings
    warnings.filterwarnings("error", message="Glyph")
    from matplotlib import font_manager
    stale = {f.name for f in font_manager.fontManager.ttflist}
    from evalkit.report.plotting import configure_matplotlib
    from matplotlib.figure import Figure
    font = configure_matplotlib()
    fig = Figure(figsize=(3, 1))
    ax = fig.add_subplot()
    ax.set_title("评委打分 需求分析")
    ax.bar(["项目一", "项目二"], [1, 2])
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    used = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
    print(json.dumps({"font": font, "file": used, "cjk_was_cached": any("CJK" in n for n in stale)}))
""")

CACHED_NAMES = textwrap.dedent("""
    import json
    from matplotlib import font_manager
    print(json.dumps(sorted({f.name for f in font_manager.fontManager.ttflist})))
""")


def _run(code, env):
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_stale_font_cache_still_finds_the_cjk_font(tmp_path):
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"), PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    stale = _run(MAKE_STALE, env)
    assert stale["kept"] > 0
    assert not any("CJK" in n for n in _run(CACHED_NAMES, env)), "the cache was not made stale"

    drawn = _run(DRAW, env)
    assert drawn["cjk_was_cached"] is False               # matplotlib itself did not know the font
    assert drawn["font"] == "Noto Sans CJK SC"            # Debian fonts-noto-cjk, installed by .ci/setup
    assert "NotoSansCJK" in os.path.basename(drawn["file"])
    # the cache was extended once and saved: the next process knows the font without scanning
    assert "Noto Sans CJK SC" in _run(CACHED_NAMES, env)
    assert not list((tmp_path / "mpl").glob("*.tmp"))     # no half-written cache left behind


def test_no_cjk_font_anywhere_is_a_typed_error(tmp_path, monkeypatch):
    """With no CJK font in the cache nor on disk, the error names what to install."""
    from matplotlib import font_manager

    import evalkit as ek
    from evalkit.report import plotting
    monkeypatch.setattr(plotting, "CJK_FONTS", ("No Such Font",))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(ek.errors.EvalkitError, match="no CJK font") as err:
        plotting.find_cjk_font.__wrapped__()
    assert "fonts-noto-cjk" in err.value.expected
