"""Bad input refused cleanly: property tests (hypothesis) feed malformed rubrics
and score files to the readers and the store, and check that only EvalkitError
subclasses come out, each naming where, and that a refused import writes nothing.
A rubric that is accepted uses no key the shipped rubric does not use: unknown keys
are refused, never silently dropped."""
import copy
import math
import shutil

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import evalkit as ek
from evalkit._yaml import dotted
from evalkit.contest import read_scores_csv
from evalkit.errors import EvalkitError, RubricError
from conftest import DATA, RUBRICS

RUBRIC_CASES = 100
SCORE_CASES = 150
FRAME_CASES = 100
FUZZ = settings(max_examples=RUBRIC_CASES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

BASE_TEXT = (RUBRICS / "gongyi-chuangtou.yaml").read_text(encoding="utf-8")
BASE = yaml.safe_load(BASE_TEXT)

odd_text = st.text(st.sampled_from(list("ab需求\u200b\u202e\ufeff\u00a0\t\r\n\\\"'#:-{}[],&*!|>%@`") +
                                   ["\U0001F600", "\u0301", "\x85", "\u2028", "\uffff", "é", "ｆ", "\u3000"]),
                   max_size=12)
weird = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**40, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 1e-320, 0, -1, 100, 100.0000001]),
    odd_text,
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(odd_text, st.integers(-5, 5), max_size=2),
)


def _paths(obj, prefix=()):
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, prefix + (i,))
    return out


PATHS = _paths(BASE)


def _key_shape(obj, prefix=()):
    """Every key path of a document, list positions written '*'."""
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out |= {prefix + (k,)} | _key_shape(v, prefix + (k,))
    elif isinstance(obj, list):
        for v in obj:
            out |= _key_shape(v, prefix + ("*",))
    return out


KNOWN_SHAPE = _key_shape(BASE)
KNOWN_KEYS = {p[-1] for p in KNOWN_SHAPE}


def _at(doc, path):
    for p in path:
        doc = doc[p]
    return doc


MAPPING_PATHS = [p for p in [()] + PATHS if isinstance(_at(BASE, p), dict)]


def _set(doc, path, value, delete=False):
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _assert_clean(exc: EvalkitError):
    assert isinstance(exc, EvalkitError)
    for e in exc.errors:
        assert e.where, f"an error without where: {e!r}"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _load_rubric_bytes(work, raw: bytes):
    path = work / "rubric.yaml"
    path.write_bytes(raw)
    try:
        rubric = ek.load_rubric(path)
    except EvalkitError as exc:
        _assert_clean(exc)
        return None
    # accepted: it must be a usable rubric, and no key of it was ignored
    assert rubric.criteria and all(math.isfinite(c.weight) for c in rubric.criteria)
    extra = _key_shape(yaml.safe_load(raw.decode("utf-8-sig"))) - KNOWN_SHAPE
    assert not extra, f"keys accepted without being read: {extra}"
    return rubric


@FUZZ
@given(mutations=st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), weird), min_size=1, max_size=3))
def test_malformed_rubric_values_raise_only_evalkit_errors(work, mutations):
    doc = copy.deepcopy(BASE)
    for path, delete, value in mutations:
        try:
            _set(doc, path, value, delete=delete)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or replaced the parent
    try:
        text = yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        assume(False)
    _load_rubric_bytes(work, text.encode("utf-8"))


@FUZZ
@given(st.data())
def test_malformed_rubric_text_raises_only_evalkit_errors(work, data):
    lines = BASE_TEXT.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["duplicate", "insert", "cut", "replace", "encode"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate":  # the same key twice in one mapping
        lines.insert(i, lines[i])
    elif kind == "insert":
        lines.insert(i, data.draw(odd_text) + "\n")
    elif kind == "cut":
        lines = lines[:i] + [lines[i][:data.draw(st.integers(0, len(lines[i])))]]
    elif kind == "replace":
        line = lines[i]
        j = data.draw(st.integers(0, max(len(line) - 1, 0)))
        lines[i] = line[:j] + data.draw(odd_text) + line[j + 1:]
    text = "".join(lines)
    if kind == "encode":
        raw = data.draw(st.sampled_from([
            lambda t: t.encode("utf-8-sig"), lambda t: t.encode("gb18030"), lambda t: t.encode("utf-16"),
            lambda t: t.encode("utf-8")[:data.draw(st.integers(0, 4000))] + b"\xff\xfe\x00"]))(text)
    else:
        raw = text.encode("utf-8")
    _load_rubric_bytes(work, raw)


@FUZZ
@given(path=st.sampled_from(MAPPING_PATHS), value=weird,
       key=st.text(st.sampled_from(list("abxyz_ 需求评分")), min_size=1, max_size=8).map(str.strip)
       .filter(lambda k: k and k not in KNOWN_KEYS))
def test_an_unknown_key_anywhere_is_refused_with_its_path_and_line(work, path, key, value):
    doc = copy.deepcopy(BASE)
    _at(doc, path)[key] = value
    text = yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    (work / "unknown.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        ek.load_rubric(work / "unknown.yaml")
    mine = [e for e in info.value.errors if e.found == key]
    assert len(mine) == 1, str(info.value)
    err = mine[0]
    assert err.key == (dotted(path) or None) and f"unknown key '{key}'" in err.message
    line = int(err.where.rsplit("line ", 1)[1])
    assert key in text.splitlines()[line - 1], (line, text)


def test_duplicate_key_in_a_rubric_names_its_line(work):
    text = BASE_TEXT.replace("    weight: 15\n", "    weight: 15\n    weight: 16\n", 1)
    with pytest.raises(EvalkitError, match="duplicate key 'weight'") as info:
        _load_rubric_bytes_strict(work, text)
    assert "line" in info.value.where


def _load_rubric_bytes_strict(work, text):
    (work / "strict.yaml").write_text(text, encoding="utf-8")
    return ek.load_rubric(work / "strict.yaml")


# --- score files -----------------------------------------------------------------

@pytest.fixture(scope="module")
def contest_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contest") / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups"))
    base = (folder / "scores.csv").read_text(encoding="utf-8")
    (folder / "scores.csv").unlink()
    contest = ek.load_contest(folder)
    store = contest.open_store()
    store.record("J1", "P01", "need", 10.4)  # an existing score, so imports can try to change it
    yield _Quiet(contest), store, base.splitlines()[:17]
    store.close()


STRAY = ["合计,,,", "备注：以上分数经评委签字确认", ",,,", "judge,project,criterion,score", "J1;P01;need;3",
         "J1,P01,need", "J1,P01,need,10.4,extra", "=SUM(D2:D9),,,", "\u200bJ1,P01,need,3", "J1,P01,need,一〇",
         "J1,P01,need,nan", "J1,P01,need,inf", "J1,P01,need,1e309", "J1,P01,need,-0", "J9,P01,need,3",
         "J1,P99,need,3", "J1,P01,needs,3", "J3,P03,need,3", "J1,P01,need,10.45", "\"J1,P01\",need,3"]


@settings(max_examples=SCORE_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_malformed_score_files_raise_only_evalkit_errors_and_write_nothing(work, contest_store, data):
    contest, store, lines = contest_store
    lines = list(lines)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["header", "blank", "stray", "cell", "drop"]))
        i = data.draw(st.integers(1, len(lines)))
        if kind == "header":
            cols = lines[0].split(",")
            op = data.draw(st.sampled_from(["drop", "rename", "dup", "add", "reorder"]))
            j = data.draw(st.integers(0, len(cols) - 1))
            if op == "drop":
                del cols[j]
            elif op == "rename":
                cols[j] = data.draw(st.sampled_from(["评委", "Judge", " judge ", "score\ufeff", ""]))
            elif op == "dup":
                cols.append(cols[j])
            elif op == "add":
                cols.append("round")
            else:
                cols = cols[::-1]
            lines[0] = ",".join(cols)
        elif kind == "blank":
            lines.insert(i, data.draw(st.sampled_from(["", "   ", ",,,", "\t"])))
        elif kind == "stray":
            lines.insert(i, data.draw(st.one_of(st.sampled_from(STRAY), odd_text.map(lambda t: t.replace("\n", " ")))))
        elif kind == "cell" and i < len(lines):
            cells = lines[i].split(",")
            j = data.draw(st.integers(0, len(cells) - 1))
            cells[j] = str(data.draw(weird)).replace("\n", " ").replace(",", "，")
            lines[i] = ",".join(cells)
        elif kind == "drop" and len(lines) > 1:
            del lines[i - 1]
    text = "\n".join(lines) + data.draw(st.sampled_from(["\n", "", "\r\n\r\n"]))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1"]))
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", errors="surrogatepass")
    path = work / "scores.csv"
    path.write_bytes(raw)

    try:
        read_scores_csv(path, contest)
    except EvalkitError as exc:
        _assert_clean(exc)

    before = store.last_seq
    history = len(store.history())
    dry = data.draw(st.booleans())
    try:
        store.import_scores(path, dry_run=dry)
    except EvalkitError as exc:
        _assert_clean(exc)
        assert store.last_seq == before and len(store.history()) == history, "a refused import wrote events"
    else:
        if dry:
            assert store.last_seq == before
    assert store.verify()["ok"]


@settings(max_examples=FRAME_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.fixed_dictionaries({
    "judge": st.one_of(st.sampled_from(["J1", "J2", "J9", "", None]), weird),
    "project": st.one_of(st.sampled_from(["P01", "P02", "P03", "P99"]), weird),
    "criterion": st.one_of(st.sampled_from(["need", "design", "compliance", "nope"]), weird),
    "score": weird}), min_size=1, max_size=6),
    drop=st.sampled_from([None, "judge", "project", "criterion", "score"]))
def test_malformed_score_frames_raise_only_evalkit_errors_and_write_nothing(contest_store, rows, drop):
    contest, store, _ = contest_store
    df = pd.DataFrame(rows)
    if drop:
        df = df.drop(columns=[drop])
    before = store.last_seq
    try:
        store.import_scores(df, dry_run=True)
        store.import_scores(df)
    except EvalkitError as exc:
        _assert_clean(exc)
        assert store.last_seq == before, "a refused import wrote events"


@settings(max_examples=FRAME_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(judge=weird | st.sampled_from(["J1", "J3"]), project=weird | st.sampled_from(["P01", "P03"]),
       criterion=weird | st.sampled_from(["need", "compliance"]), score=weird, round=weird | st.none())
def test_malformed_single_records_are_refused_at_the_door(contest_store, judge, project, criterion, score, round):
    contest, store, _ = contest_store
    before = store.last_seq
    try:
        store.record(judge, project, criterion, score, round=round, reason="fuzz")
    except EvalkitError as exc:
        _assert_clean(exc)
        assert store.last_seq == before
    else:
        ev = store.history().iloc[-1]
        assert ev["judge"] in contest.judge_ids and math.isfinite(ev["score"])


class _Quiet:
    """The contest with a short repr, so a falsifying example stays readable."""

    def __init__(self, contest):
        self.__dict__["_c"] = contest

    def __getattr__(self, name):
        return getattr(self._c, name)

    def __repr__(self):
        return f"<contest {self._c.id}>"
