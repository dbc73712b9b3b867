import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RUBRICS = ROOT / "rubrics"
#: published reference data the tests reproduce (tests/reference/README.md names the sources)
REFERENCE = ROOT / "tests" / "reference"


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


@pytest.fixture
def live(demo_copy, tmp_path):
    """demo-huaihe without scores and a fresh store with P03 pitching (J3 is conflicted
    with it): the secretary's Live tab tests start here."""
    import evalkit as ek
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "live.db")
    store.set_current("P03")
    yield contest, store
    store.close()


# --- served pages in a real browser (Debian chromium driven by Playwright) -----------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = ROOT / "test-artifacts"
# CI installs chromium through .ci/setup: there a missing browser fails instead of skipping
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                    reason="Debian chromium is not installed (bash .ci/setup --test installs it)")


def browser_context(pw, *, width=1280, height=900, timeout_ms=45_000):
    """A fresh Chromium context in which nothing leaves the machine (the voila
    template asks a CDN for Font Awesome; those requests are aborted)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "data:"))
              else route.abort())
    ctx.set_default_timeout(timeout_ms)
    return browser, ctx


@pytest.fixture
def served(tmp_path):
    """`evalkit serve --json` on a copy of demo-huaihe without scores, on a free
    loopback port; yields (folder, links, process) and stops the server after."""
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*"))
    (folder / "scores.csv").unlink()
    proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "serve", str(folder), "--port", "0",
                             "--host", "127.0.0.1", "--json"], stdout=subprocess.PIPE, text=True, cwd=str(tmp_path))
    try:
        line = proc.stdout.readline()
        assert line, "evalkit serve printed nothing"
        yield folder, json.loads(line), proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_serve(folder, *extra):
    """`evalkit serve --json` on ``folder`` (loopback, a free port); returns (links, process)."""
    proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "serve", str(folder), "--port", "0",
                             "--host", "127.0.0.1", "--json", *extra], stdout=subprocess.PIPE, text=True,
                            cwd=str(folder.parent), start_new_session=True)
    line = proc.stdout.readline()
    assert line, "evalkit serve printed nothing"
    return json.loads(line), proc


def stop_serve(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def venue(tmp_path):
    """The venue server alone (`evalkit serve --no-secretary`) on a copy of demo-huaihe
    without scores; yields (folder, links, process)."""
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*"))
    (folder / "scores.csv").unlink()
    links, proc = start_serve(folder, "--no-secretary")
    try:
        yield folder, links, proc
    finally:
        stop_serve(proc)
