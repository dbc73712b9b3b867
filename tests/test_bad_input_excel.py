"""Bad input in Excel score workbooks: formula cells, text, stray rows, odd
values, broken files. Only EvalkitError subclasses come out, each naming where,
and a refused import writes nothing."""
import shutil

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

import evalkit as ek
from evalkit.errors import EvalkitError
from evalkit.io.excel import read_score_workbook
from conftest import DATA
from test_bad_input import _assert_clean, weird

EXCEL_CASES = 60
FORMULAS = ["=SUM(D2:D3)", "=1/0", "=D2", "=AVERAGE(D2:D9)*1", '=IF(D2>5,"高","低")', "=NOW()"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsx") / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups"))
    lines = (folder / "scores.csv").read_text(encoding="utf-8").splitlines()[:17]
    (folder / "scores.csv").unlink()
    contest = ek.load_contest(folder)
    store = contest.open_store()
    store.record("J1", "P01", "need", 10.4)
    rows = [line.split(",") for line in lines]
    rows = [rows[0]] + [[j, p, c, float(s)] for j, p, c, s in rows[1:]]
    yield contest, store, rows, folder.parent
    store.close()


def _write(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "评分"
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_a_formula_cell_is_refused_naming_its_cell(setup):
    contest, store, rows, work = setup
    rows = [list(r) for r in rows]
    rows[3][3] = "=SUM(D2:D3)"
    path = work / "formula.xlsx"
    _write(path, rows)
    with pytest.raises(EvalkitError) as info:
        read_score_workbook(path, contest)
    assert any("D4" in e.where for e in info.value.errors), [e.where for e in info.value.errors]


@settings(max_examples=EXCEL_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_malformed_workbooks_raise_only_evalkit_errors_and_write_nothing(setup, data):
    contest, store, rows, work = setup
    rows = [list(r) for r in rows]
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["formula", "cell", "blank", "stray", "header"]))
        i = data.draw(st.integers(1, len(rows) - 1))
        j = data.draw(st.integers(0, 3))
        if kind == "formula":
            rows[i][j] = data.draw(st.sampled_from(FORMULAS))
        elif kind == "cell":
            rows[i][j] = data.draw(weird | st.sampled_from(["12.5分", " 7 ", "一二", "#N/A", "", None]))
        elif kind == "blank":
            rows.insert(i, [None, None, None, None])
        elif kind == "stray":
            rows.insert(i, [data.draw(st.sampled_from(["合计", "评委签字：", "备注", "=COUNT(D:D)"])), None, None,
                            data.draw(st.sampled_from([None, 100, "=SUM(D2:D9)"]))])
        else:
            rows[0][j] = data.draw(st.sampled_from(["评委", "项目", "得分", "", None, "score", "judge"]))
    path = work / "fuzz.xlsx"
    try:
        _write(path, [[None if isinstance(v, (list, dict)) else v for v in r] for r in rows])
    except (IllegalCharacterError, ValueError, TypeError):
        assume(False)
    before = store.last_seq
    try:
        frame = read_score_workbook(path, contest)
        store.import_scores(frame, dry_run=True)
    except EvalkitError as exc:
        _assert_clean(exc)
    assert store.last_seq == before


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04broken zip", "评委,项目\nJ1,P01\n".encode("gbk")])
def test_a_broken_workbook_file_is_refused(setup, content):
    contest, _, _, work = setup
    path = work / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(EvalkitError) as info:
        read_score_workbook(path, contest)
    _assert_clean(info.value)
