"""The rubric and contest loaders refuse keys they do not know, at every level, with
the file, the line, the key path, the keys allowed and what was found; a text cut at
a comma inside an unquoted ``{...}`` mapping is named as such. Every shipped rubric
and demo contest loads with its texts whole."""
import re
import textwrap

import pytest

import evalkit as ek
from evalkit.errors import ContestError, RubricError
from conftest import DATA, RUBRICS

# A rubric using every level the loader knows (line numbers below refer to it).
FULL = """\
id: t
title: {zh: "测试", en: "Test"}
rule: {method: trimmed, trim: 1, decimals: 2}
criteria:
  - id: a
    label: {zh: 甲, en: A}
    weight: 60
    scale: {min: 0, max: 10, decimals: 1}
    veto_below: 2
    help: {zh: 帮助, en: Help}
    descriptors:
      - {band: [8, 10], text: {zh: 好, en: good}}
      - {band: [0, 7.9], text: {zh: 差, en: poor}}
  - id: b
    label:
      zh: 乙
      en: B
    weight: 40
    scale:
      min: 1
      max: 5
veto_items:
  - {id: v, label: {zh: 否决, en: Veto}}
bonus_items:
  - {id: x, label: {zh: 加分, en: Bonus}, max: 2}
bonus_cap: 2
panels:
  - {id: expert, label: {zh: 专家, en: Experts}, weight: 50}
  - {id: public, label: 大众, weight: 50}
grades:
  - {min: 80, label: {zh: 优, en: Excellent}}
  - {min: 60, label: 良}
tie_break: [a]
"""

# (case, edit of FULL, line, key path of the mapping, the unknown key found)
UNKNOWN = [
    ("top level", ("tie_break: [a]\n", "tie_break: [a]\nnotes: checked\n"), 34, None, "notes"),
    ("top level typo", ("tie_break: [a]", "tiebreak: [a]"), 33, None, "tiebreak"),
    ("title", ('en: "Test"}', 'en: "Test", fr: "Essai"}'), 2, "title", "fr"),
    ("rule", ("decimals: 2}", "decimals: 2, drop: 1}"), 3, "rule", "drop"),
    ("criterion", ("    weight: 60\n", "    note: x\n    weight: 60\n"), 7, "criteria[0]", "note"),
    ("scale inline", ("max: 10, decimals: 1}", "max: 10, decimal: 1}"), 8, "criteria[0].scale", "decimal"),
    ("scale block", ("      max: 5\n", "      max: 5\n      step: 1\n"), 22, "criteria[1].scale", "step"),
    ("descriptor", ("{band: [8, 10], text:", "{band: [8, 10], level: A, text:"), 12, "criteria[0].descriptors[0]",
     "level"),
    ("descriptor text", ("en: good}", "en: good, de: gut}"), 12, "criteria[0].descriptors[0].text", "de"),
    ("label block", ("      en: B\n", "      en: B\n      fr: B\n"), 18, "criteria[1].label", "fr"),
    ("help", ("en: Help}", "en: Help, tip: x}"), 10, "criteria[0].help", "tip"),
    ("veto item", ("{id: v, label:", "{id: v, weight: 1, label:"), 23, "veto_items[0]", "weight"),
    ("veto item label", ("en: Veto}", "en: Veto, id: v}"), 23, "veto_items[0].label", "id"),
    ("bonus item", ("max: 2}", "max: 2, min: 0}"), 25, "bonus_items[0]", "min"),
    ("panel", ("weight: 50}\n  - {id: public", "weight: 50, size: 5}\n  - {id: public"), 28, "panels[0]", "size"),
    ("panel label", ("en: Experts}", "en: Experts, es: Expertos}"), 28, "panels[0].label", "es"),
    ("grade", ("{min: 80, label:", "{min: 80, max: 100, label:"), 31, "grades[0]", "max"),
    ("grade label", ("en: Excellent}", "en: Excellent, stars: 5}"), 31, "grades[0].label", "stars"),
]

# (case, edit of FULL, line, key path, first stray key, the whole text the hint shows)
SPLIT = [
    ("English descriptor", ("en: good}", "en: good, clear}"), 12, "criteria[0].descriptors[0].text", "clear",
     'en: "good, clear"'),
    ("three pieces, one error", ("en: good}", "en: good, clear, precise}"), 12, "criteria[0].descriptors[0].text",
     "clear", 'en: "good, clear, precise"'),
    ("Chinese with an ASCII comma", ("{zh: 好, en: good}", "{zh: 好,很好, en: good}"), 12,
     "criteria[0].descriptors[0].text", "很好", 'zh: "好,很好"'),
    ("title", ('en: "Test"}', "en: Test, demo}"), 2, "title", "demo", 'en: "Test, demo"'),
    ("criterion help", ("en: Help}", "en: Help, guidance}"), 10, "criteria[0].help", "guidance",
     'en: "Help, guidance"'),
    ("plain panel label", ("label: 大众, weight", "label: Public, the people, weight"), 29, "panels[1]", "the people",
     'label: "Public, the people"'),
    ("plain grade label", ("label: 良}", "label: Good, fair}"), 32, "grades[1]", "fair", 'label: "Good, fair"'),
]


def write(tmp_path, text, name="r.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _refused(tmp_path, edit):
    old, new = edit
    assert old in FULL, old
    path = write(tmp_path, FULL.replace(old, new, 1))
    with pytest.raises(RubricError) as info:
        ek.load_rubric(path)
    return path, info.value


def test_the_full_fixture_loads(tmp_path):
    r = ek.load_rubric(write(tmp_path, FULL))
    assert [p.id for p in r.panels] == ["expert", "public"] and len(r.grades) == 2
    assert r.criterion("a").descriptors[0].text.en == "good"


@pytest.mark.parametrize("case,edit,line,key,found", UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_unknown_key_is_refused_at_every_level(tmp_path, case, edit, line, key, found):
    path, err = _refused(tmp_path, edit)
    assert len(err.errors) == 1, str(err)
    assert err.where == f"{path} line {line}", str(err)
    assert err.key == key and err.found == found, (err.key, err.found)
    assert f"unknown key '{found}'" in str(err) and err.expected.startswith("one of ")
    assert "quotes" not in str(err)  # a key with a value, or outside {...}: no comma hint
    assert err.text("zh") == f"未知的键 '{found}'，应为 {err.expected[len('one of '):]} 之一"
    assert err.text("en") == err.message


def test_the_allowed_keys_are_named(tmp_path):
    _, err = _refused(tmp_path, ("en: good}", "en: good, de: gut}"))
    assert "expected one of zh, en" in str(err)
    _, err = _refused(tmp_path, ("    weight: 60\n", "    note: x\n    weight: 60\n"))
    assert err.expected == "one of id, label, weight, scale, veto_below, help, descriptors"


@pytest.mark.parametrize("case,edit,line,key,found,whole", SPLIT, ids=[s[0] for s in SPLIT])
def test_text_cut_at_a_comma_is_named_with_its_whole_text(tmp_path, case, edit, line, key, found, whole):
    path, err = _refused(tmp_path, edit)
    assert len(err.errors) == 1, str(err)
    assert err.where == f"{path} line {line}" and err.key == key and err.found == found, str(err)
    text = str(err)
    assert "a comma inside unquoted text splits it; put the text in quotes" in text
    assert whole in text, text
    # the same in Chinese for a Chinese page (issue 15.5)
    assert err.text("zh").startswith(f"未知的键 '{found}'") and "加引号" in err.text("zh") and whole in err.text("zh")


def test_quoted_text_with_commas_is_kept_whole(tmp_path):
    text = FULL.replace("en: good}", 'en: "good, clear, precise"}').replace("label: 大众,", "label: '大众, 居民',")
    r = ek.load_rubric(write(tmp_path, text))
    assert r.criterion("a").descriptors[0].text.en == "good, clear, precise"
    assert r.panels[1].label.zh == "大众, 居民"


def test_unknown_keys_are_reported_with_the_other_problems(tmp_path):
    text = FULL.replace("en: good}", "en: good, clear}").replace("weight: 40", "weight: 30")
    with pytest.raises(RubricError) as info:
        ek.load_rubric(write(tmp_path, text))
    assert {e.key for e in info.value.errors} == {"criteria[0].descriptors[0].text", "criteria[1].weight"}


def test_rubric_from_dict_refuses_unknown_keys_too():
    data = {"id": "x", "title": "x", "criteria": [
        {"id": "a", "label": {"zh": "甲", "en": "A", "fr": "A"}, "weight": 100, "scale": {"min": 0, "max": 10}}]}
    with pytest.raises(RubricError) as info:
        ek.rubric.rubric_from_dict(data)
    assert info.value.key == "criteria[0].label" and info.value.found == "fr"


# --- contest.yaml ------------------------------------------------------------------
# demo-huaihe's contest.yaml: line 2 name:, 3-4 zh/en, 5 date, 6 rubric, 7 budget,
# 8 currency, 9 rounds:, 10 - id: final, 11 label:, 12-13 zh/en.

CONTEST_UNKNOWN = [
    ("top level", ("currency: CNY\n", "currency: CNY\nfund: 100\n"), 9, None, "fund"),
    ("name", ("  en: Huaihe", "  short: 淮河\n  en: Huaihe"), 4, "name", "short"),
    ("round", ("  label:\n", "  when: morning\n  label:\n"), 11, "rounds[0]", "when"),
    ("round label", ("    en: Final roadshow\n", "    en: Final roadshow\n    note: x\n"), 14, "rounds[0].label",
     "note"),
]


def _edit_contest(folder, old, new):
    p = folder / "contest.yaml"
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("case,edit,line,key,found", CONTEST_UNKNOWN, ids=[c[0] for c in CONTEST_UNKNOWN])
def test_contest_yaml_refuses_unknown_keys(demo_copy, case, edit, line, key, found):
    path = _edit_contest(demo_copy(), *edit)
    with pytest.raises(ContestError) as info:
        ek.load_contest(path.parent)
    err = info.value
    assert err.where == f"{path} line {line}", str(err)
    assert err.key == key and err.found == found and f"unknown key '{found}'" in str(err)


def test_contest_name_cut_at_a_comma(demo_copy):
    folder = demo_copy()
    text = (folder / "contest.yaml").read_text(encoding="utf-8")
    head, rest = text.split("name:\n", 1)
    rest = rest.split("date:", 1)[1]
    (folder / "contest.yaml").write_text(head + "name: {zh: 淮河大赛, en: Huaihe contest, demo}\ndate:" + rest,
                                         encoding="utf-8")
    with pytest.raises(ContestError) as info:
        ek.load_contest(folder)
    err = info.value
    assert err.where.endswith("contest.yaml line 2") and err.key == "name" and err.found == "demo"
    assert "put the text in quotes" in str(err) and 'en: "Huaihe contest, demo"' in str(err)


@pytest.mark.parametrize("edit,key", [
    (("  zh: 淮河街道第一届公益创投大赛（演示）\n", ""), "name"),
    (("rounds:\n- id: final\n  label:\n    zh: 决赛路演\n    en: Final roadshow\n", "rounds: final\n"), "rounds"),
])
def test_contest_texts_and_rounds_of_the_wrong_shape_are_located(demo_copy, edit, key):
    path = _edit_contest(demo_copy(), *edit)
    with pytest.raises(ContestError) as info:
        ek.load_contest(path.parent)
    assert info.value.key == key and "line" in info.value.where


# --- the shipped files -----------------------------------------------------------

# zh:/en: followed by a quoted text, or by unquoted text running to the next key, the
# closing brace or the end of the line: read from the source without a YAML parser,
# so a text the parser cut at a comma shows up as different.
SOURCE_TEXT = re.compile(r"""\b(zh|en):[ \t]*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\n]*?)(?=,[ \t]*en:|\}|$))""",
                         re.M)


def _source_texts(path):
    out = {"zh": [], "en": []}
    for m in SOURCE_TEXT.finditer(path.read_text(encoding="utf-8")):
        lang, dq, sq, plain = m.groups()
        text = dq if dq is not None else (sq.replace("''", "'") if sq is not None else plain.strip())
        if text:
            out[lang].append(text)
    return out


def _rubric_texts(r):
    texts = [r.title] + [c.label for c in r.criteria] + [c.help for c in r.criteria if c.help]
    texts += [d.text for c in r.criteria for d in c.descriptors]
    texts += [x.label for group in (r.veto_items, r.bonus_items, r.panels, r.grades) for x in group]
    return texts


SHIPPED_RUBRICS = sorted(RUBRICS.glob("*.yaml"))
DEMO_CONTESTS = sorted(p.parent for p in DATA.glob("*/contest.yaml"))


def test_there_are_shipped_files_to_check():
    assert len(SHIPPED_RUBRICS) >= 3 and len(DEMO_CONTESTS) >= 2


@pytest.mark.parametrize("path", SHIPPED_RUBRICS, ids=[p.name for p in SHIPPED_RUBRICS])
def test_shipped_rubric_loads_with_every_text_whole(path):
    r = ek.load_rubric(path)
    texts = _rubric_texts(r)
    source = _source_texts(path)
    for lang in ("zh", "en"):
        loaded = sorted(t.get(lang) for t in texts)
        assert sorted(source[lang]) == loaded, lang
    assert all(t.en and t.en != t.zh for t in texts), "every text has its own English"


@pytest.mark.parametrize("folder", DEMO_CONTESTS, ids=[p.name for p in DEMO_CONTESTS])
def test_demo_contest_loads_with_every_text_whole(folder):
    c = ek.load_contest(folder)
    texts = [c.name] + [r.label for r in c.rounds]
    source = _source_texts(folder / "contest.yaml")
    for lang in ("zh", "en"):
        assert sorted(source[lang]) == sorted(t.get(lang) for t in texts), lang


def test_the_source_reading_sees_a_cut_text(tmp_path):
    """The check above would catch the old, cut texts: the source reading keeps the
    whole unquoted text while YAML cuts it at the comma."""
    path = write(tmp_path, "t: {zh: 需求明确，依据一般, en: Clear need, some evidence}\n")
    assert _source_texts(path) == {"zh": ["需求明确，依据一般"], "en": ["Clear need, some evidence"]}
