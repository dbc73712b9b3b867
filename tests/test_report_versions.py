"""The 公示 in two versions: the public one names no judge (no name, no id from
judges.csv in the xlsx, the HTML or the PDF text; judges as 评委1, 评委2 …; no
per-judge flags), the internal one names them; the Export tab and `evalkit
report` offer both."""
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

import evalkit as ek
from evalkit.cli import main as cli
from evalkit.decision import decision
from evalkit.report import publish_decision
from evalkit.ui import AppState
from evalkit.ui.export import ExportTab

from conftest import DATA

HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def contest_with_traces(tmp_path_factory):
    """demo-huaihe in a store where judges' names and ids reach free text: a
    correction whose reason names a judge, a veto by J1 (the veto note names the
    judge) and a conflict (J3 回避 P03)."""
    folder = tmp_path_factory.mktemp("versions") / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups"))
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.import_scores(contest.scores)
        first = contest.scores.iloc[0]
        store.record(first.judge, first.project, first.criterion, first.score - 1, entered_by="secretary",
                     reason="王建国 口头更正，J2 见证")
        store.record("J1", "P12", "compliance", 1, reason="一票否决")
        store.set_allocation(threshold=60)
        d = decision(contest, store)
    assert "J1" in d.ranking.projects.at["P12", "excluded"]          # the raw veto note names the judge
    return folder, contest, d


def _judge_words(contest) -> list[str]:
    return [str(x) for x in list(contest.judges["id"]) + list(contest.judges["name"])]


def _xlsx_text(path) -> str:
    wb = openpyxl.load_workbook(path)
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(wb.sheetnames + cells + [wb.properties.title or "", wb.properties.creator or ""])


def _html_text(path) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text("utf-8"))   # images are not text


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _found(words, text) -> list[str]:
    return [w for w in words if w in text]


@pytest.fixture(scope="module")
def both(contest_with_traces, tmp_path_factory):
    folder, contest, d = contest_with_traces
    out = tmp_path_factory.mktemp("out")
    formats = ("xlsx", "html", "pdf") if HAS_PDFTOTEXT else ("xlsx", "html")
    return (publish_decision(d, out, formats, version="public"),
            publish_decision(d, out, formats, version="internal"))


def test_public_files_name_no_judge_and_internal_ones_do(contest_with_traces, both):
    _, contest, _ = contest_with_traces
    public, internal = both
    words = _judge_words(contest)
    readers = {"xlsx": _xlsx_text, "html": _html_text, "pdf": _pdf_text}
    for kind, path in public.items():
        text = readers[kind](path)
        assert "评委1" in text and "评审结果公示" in text, kind
        assert _found(words, text) == [], f"{kind} names a judge"
    for kind, path in internal.items():
        # the same reading finds the names in the internal version, so the check above can fail
        assert set(_found(list(contest.judges["name"]), readers[kind](path))) == set(contest.judges["name"]), kind
    assert public["xlsx"].name == "demo-huaihe-final-report.xlsx"
    assert internal["xlsx"].name == "demo-huaihe-final-report-internal.xlsx"


def test_public_version_drops_per_judge_flags_and_keeps_the_result(both):
    public, internal = both
    pub, intl = openpyxl.load_workbook(public["xlsx"]), openpyxl.load_workbook(internal["xlsx"])
    n = 7
    assert [s for s in pub.sheetnames if s.startswith("评委") and s[2:].isdigit()] == [f"评委{i}" for i in range(1, n + 1)]
    diag_pub = [c.value for c in pub["评委诊断"][2]]
    diag_int = [c.value for c in intl["评委诊断"][2]]
    assert "提示" in diag_int and "提示" not in diag_pub
    # the same 公示 and the same digest in both versions
    rows = [list(ws.iter_rows(min_row=3, values_only=True)) for ws in (pub["公示"], intl["公示"])]
    assert rows[0] == rows[1]
    # the vetoed project is out in both, its reason without the judge in the public one
    alloc = pd.DataFrame(list(pub["资金分配"].iter_rows(min_row=3, values_only=True)))
    p12 = alloc[alloc[1] == "P12"]
    assert len(p12) == 1 and not p12[6].iloc[0]


def test_export_tab_and_cli_offer_both(contest_with_traces, tmp_path, capsys):
    folder, contest, d = contest_with_traces
    with contest.open_store() as store:
        state = AppState(contest, store)
        tab = ExportTab(state, out_dir=tmp_path / "tab")
        tab.internal_button.click()
        assert tab.written["html"].name.endswith("-internal.html")
        tab.publish_button.click()
        html = _html_text(tab.written["html"])
        assert _found(_judge_words(contest), html) == [] and d.digest in html
    for flag, names in (("--anonymise", False), ("--public", False), ("--internal", True)):
        out = tmp_path / flag.strip("-")
        assert cli(["report", str(folder), "--out", str(out), "--formats", "xlsx", flag]) == 0
        assert d.digest in capsys.readouterr().out
        (path,) = out.glob("*.xlsx")
        text = _xlsx_text(path)
        assert bool(_found(list(contest.judges["name"]), text)) is names
        assert bool(_found(list(contest.judges["id"]), text)) is names
    with pytest.raises(SystemExit):                                   # one version at a time
        cli(["report", str(folder), "--out", str(tmp_path / "x"), "--public", "--internal"])
