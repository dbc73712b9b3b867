"""`evalkit serve` without a browser: judge links survive a restart, the JSON shape,
the QR sheet, the PIN needed to issue links."""
import json

import pytest

import evalkit as ek
from evalkit.cli import build_parser
from evalkit.commands import serve


def test_links_survive_a_restart_and_sheet(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        first = serve.judge_links(store, contest.dir)
    with contest.open_store() as store:
        again = serve.judge_links(store, contest.dir)
        assert again == first                                    # printed QR codes keep working
        assert all(store.judge_for_token(tok) == j for j, tok in first.items())
    links = serve.urls("http://10.0.0.5:8866", "http://127.0.0.1:9000/", first)
    assert links["secretary"] == "http://127.0.0.1:9000/"  # the workbench stays on the secretary's laptop
    assert links["screen"] == "http://10.0.0.5:8866/screen"
    assert links["judges"]["J2"] == f"http://10.0.0.5:8866/judge?token={first['J2']}"
    json.dumps(links)
    sheet = serve.write_sheet(contest, links, contest.dir / serve.SHEET_FILE).read_text("utf-8")
    assert sheet.count("<svg") == len(contest.judge_ids) and "李秀兰" in sheet
    # a lost links file issues new tokens; the old ones stop working
    (contest.dir / serve.LINKS_FILE).unlink()
    with contest.open_store() as store:
        new = serve.judge_links(store, contest.dir)
        assert new["J1"] != first["J1"]
        with pytest.raises(ek.AccessError):
            store.judge_for_token(first["J1"])


def test_issuing_links_needs_the_pin(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        store.set_pin("135790")
    with contest.open_store() as store, pytest.raises(ek.AccessError):
        serve.judge_links(store, contest.dir)


def test_serve_arguments():
    args = build_parser().parse_args(["serve", "data/demo-xinan", "--port", "0", "--host", "127.0.0.1", "--json"])
    assert (args.contest, args.port, args.host, args.json) == ("data/demo-xinan", 0, "127.0.0.1", True)
    assert build_parser().parse_args(["serve"]).contest.endswith("demo-huaihe")
    assert 0 < serve.free_port() < 65536


def test_serving_the_local_network_sets_a_secretary_pin(demo_copy):
    import stat
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        assert serve.ensure_pin(store, "127.0.0.1") is None and not store.has_pin  # loopback: one laptop
        pin = serve.ensure_pin(store, "0.0.0.0")
        assert pin is not None and len(pin) == 6 and pin.isdigit() and store.has_pin
        assert serve.ensure_pin(store, "0.0.0.0") is None  # an existing PIN is kept
        serve.judge_links(store, contest.dir)
    with pytest.raises(ek.AccessError):
        ek.Store(contest.dir / "evalkit.db", contest).lock()  # a page without the PIN cannot lock
    ek.Store(contest.dir / "evalkit.db", contest, pin=pin).lock()
    mode = (contest.dir / serve.LINKS_FILE).stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)  # the judges' tokens are not readable by others
