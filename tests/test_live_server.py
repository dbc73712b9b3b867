"""The venue server (evalkit.live.server via `evalkit serve --no-secretary`) against
what a venue network produces: late messages, repeats, crafted messages, floods and
malformed requests. Clients are plain websockets, as an attacker's would be."""
import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from tornado.websocket import websocket_connect

import evalkit as ek

from conftest import DATA


def ws_base(links):
    return links["screen"].rsplit("/", 1)[0].replace("http://", "ws://")


def token_of(links, judge):
    return links["judges"][judge].split("token=", 1)[1]


class Phone:
    """A judge's page as a bare websocket client."""

    def __init__(self, links, judge):
        self.url = f"{ws_base(links)}/ws/judge?token={token_of(links, judge)}"
        self.inbox = []
        self.n = 0

    async def open(self):
        self.ws = await websocket_connect(self.url)
        self.hello = await self.next("hello")
        self.state = await self.next("state")
        return self

    async def next(self, kind=None, id=None, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.inbox):
                if (kind is None or m["t"] == kind) and (id is None or m.get("id") == id):
                    return self.inbox.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} message")
            raw = await asyncio.wait_for(self.ws.read_message(), left)
            if raw is None:
                raise ConnectionError(f"closed: {self.ws.close_code}")
            m = json.loads(raw)
            if m["t"] == "state":
                self.state = m
            self.inbox.append(m)

    async def submit(self, project, values, *, id=None, round="final"):
        self.n += 1
        id = id or f"test-{self.n:04d}-{time.monotonic_ns()}"
        self.ws.write_message(json.dumps({"t": "submit", "id": id, "project": project, "round": round,
                                          "values": values}))
        return await self.next(id=id)


def sheet(rubric, share, fmt=str):
    return {c.id: fmt(round(c.min + (c.max - c.min) * share, c.decimals)) for c in rubric.criteria}


def run(coro):
    return asyncio.run(coro)


def test_a_late_sheet_is_recorded_for_the_project_the_page_showed_once(venue):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")

        async def go():
            phone = await Phone(links, "J1").open()
            assert phone.state["now"] == "P01"
            store.set_current("P02")  # the secretary moves on while the judge taps submit
            values = sheet(contest.rubric, 0.8)
            first = await phone.submit("P01", values, id="late-sheet-0001")
            again = await phone.submit("P01", values, id="late-sheet-0001")   # delivered twice
            return first, again
        first, again = run(go())
        assert first["t"] == "ack" and not first["duplicate"]
        assert again["t"] == "ack" and again["duplicate"] and again["receipt"] == first["receipt"]
        scores = store.scores()
        assert set(scores["project"]) == {"P01"}, "recorded for a project the judge did not score"
        assert len(scores) == len(contest.rubric.criteria)
        history = store.history()
        assert (history["kind"] == "score").sum() == len(contest.rubric.criteria)  # once, not twice
        assert store.check_receipt(first["receipt"])["ok"]


def test_crafted_messages_are_refused_and_write_nothing(venue):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    veto = contest.rubric.veto_items[0].id
    with contest.open_store() as store:
        store.set_current("P01")

        async def go():
            j1, j3 = await Phone(links, "J1").open(), await Phone(links, "J3").open()
            good = sheet(contest.rubric, 0.5)
            seq = store.last_seq
            out = {
                "not pitched": await j1.submit("P05", good),
                "conflict": await j3.submit("P01", good),            # J3's organisation pitches P01 (回避)
                "veto item": await j1.submit("P01", {**good, veto: "1"}),
                "unknown project": await j1.submit("P99", good),
                "unknown round": await j1.submit("P01", good, round="semi-final-x"),
            }
            assert store.last_seq == seq
            store.lock()
            out["locked"] = await j1.submit("P01", good)
            return out, seq + 1
        out, seq = run(go())
        for name, reply in out.items():
            assert reply["t"] == "refused", name
            assert reply["message"]["zh"] and reply["message"]["en"], name
        assert "回避" in out["conflict"]["message"]["zh"]
        assert "锁定" in out["locked"]["message"]["zh"]
        assert store.last_seq == seq and store.scores().empty  # only the lock was written


@pytest.mark.parametrize("typed, value", [("12,5", 12.5), ("１２．５", 12.5), ("12.5分", 12.5), (" 12.5 ", 12.5),
                                          ("0,5", 0.5)])
def test_typed_numbers_are_read_as_meant(venue, typed, value):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")
        values = sheet(contest.rubric, 0.5)
        values["need"] = typed

        async def go():
            return await (await Phone(links, "J1").open()).submit("P01", values)
        assert run(go())["t"] == "ack"
        got = store.scores().set_index("criterion")["score"]
        assert got["need"] == value


def test_unclear_or_out_of_range_boxes_are_refused_beside_the_box(venue):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")
        values = sheet(contest.rubric, 0.5)
        values.update(need="1,000", design="85", innovation="")

        async def go():
            return await (await Phone(links, "J1").open()).submit("P01", values)
        reply = run(go())
        assert reply["t"] == "refused"
        assert set(reply["errors"]) == {"need", "design", "innovation"}
        assert "小数点" in reply["errors"]["need"]["zh"] and "decimal point" in reply["errors"]["need"]["en"]
        assert "0–20" in reply["errors"]["design"]["zh"]
        assert store.scores().empty  # all or nothing


def test_a_judge_page_receives_only_its_own_scores(venue):
    import re
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    hidden = {"need": 13.7, "capacity": 11.3}  # J2's distinctive values: J1's page must never receive them
    with contest.open_store() as store:
        store.set_current("P01")

        async def go():
            j1, j2 = await Phone(links, "J1").open(), await Phone(links, "J2").open()
            assert (await j2.submit("P01", {**sheet(contest.rubric, 0.5), **{k: str(v) for k, v in hidden.items()}}))[
                "t"] == "ack"
            await j1.submit("P01", sheet(contest.rubric, 0.9))
            try:
                while True:
                    await j1.next(timeout=0.5)
            except TimeoutError:
                pass
            return j1
        j1 = run(go())
        assert set(j1.state["mine"]) == {"P01"}
        assert j1.state["mine"]["P01"] == {c: float(v) for c, v in sheet(contest.rubric, 0.9).items()}
        text = json.dumps([j1.hello, j1.state] + j1.inbox)
        for v in hidden.values():
            assert not re.search(rf"(?<![\d.]){re.escape(str(v))}(?!\d)", text), f"J2's {v} reached J1's page"
        assert '"J2"' not in text and token_of(links, "J2") not in text


def _get(url, method="GET"):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_malformed_requests_get_a_4xx_without_a_traceback(venue):
    folder, links, proc = venue
    base = links["screen"].rsplit("/", 1)[0]
    good = token_of(links, "J1")
    cases = {
        f"{base}/judge?token=%00": 400, f"{base}/judge?token=": 400, f"{base}/judge": 400,
        f"{base}/judge?token={'A' * 32}": 403, f"{base}/judge?token={good}%00": 400,
        f"{base}/nothing-here": 404, f"{base}/static/../server.py": 404, f"{base}/static/nope.js": 404,
        f"{base}/ws/judge?token={good}": 400,  # not a websocket upgrade
        f"{base}/api/kernels": 404, f"{base}/voila/render/judge.ipynb": 404,
    }
    for url, status in cases.items():
        code, body = _get(url)
        assert code == status, url
        assert "Traceback" not in body and "File \"" not in body and "/evalkit/" not in body, url
    assert _get(f"{base}/judge?token={good}", method="POST")[0] == 405
    assert _get(f"{base}/judge?token={good}")[0] == 200

    async def sockets():
        closed = await websocket_connect(f"{ws_base(links)}/ws/judge?token={'B' * 32}")
        msg = json.loads(await closed.read_message())
        assert msg["t"] == "bad_link"
        assert await closed.read_message() is None and closed.close_code == 4403
        phone = await Phone(links, "J1").open()
        for junk in ["not json", "[]", json.dumps({"t": "submit", "id": "x"}), json.dumps({"t": "shutdown"}),
                     json.dumps({"t": "submit", "id": "abcdefgh12", "project": "P01", "round": "final",
                                 "values": {"need": {"$gt": 1}}})]:
            phone.ws.write_message(junk)
            assert (await phone.next("error"))["message"]["en"]
        phone.ws.write_message("x" * 40_000)  # over the message size limit: that connection ends
        with pytest.raises((ConnectionError, TimeoutError)):
            await phone.next("nothing", timeout=3)
        return True
    assert run(sockets())
    assert _get(f"{base}/health")[0] == 200 and proc.poll() is None


def test_one_flooding_client_does_not_stop_the_others(venue):
    folder, links, proc = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")

        async def go():
            flood, other = await Phone(links, "J1").open(), await Phone(links, "J2").open()
            for i in range(2000):
                flood.ws.write_message(json.dumps({"t": "ping"}))
            t0 = time.monotonic()
            reply = await other.submit("P01", sheet(contest.rubric, 0.6))
            waited = time.monotonic() - t0
            limited = 0
            try:
                while True:
                    m = await flood.next(timeout=1.0)
                    limited += m["t"] == "error"
            except (TimeoutError, ConnectionError):
                pass
            return reply, waited, limited
        reply, waited, limited = run(go())
        assert reply["t"] == "ack" and waited < 3.0
        assert limited > 1000  # most of the flood was refused by the rate limit
        assert proc.poll() is None and len(store.scores()) == len(contest.rubric.criteria)


def test_serve_on_a_busy_port_names_the_port(tmp_path):
    import shutil
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "judge-links*"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "evalkit.cli", "serve", str(folder), "--port", str(port),
                              "--host", "127.0.0.1", "--no-secretary"], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert str(port) in out.stderr and "Traceback" not in out.stderr
    assert "http://" not in out.stdout  # no links to a server that did not start
