"""Rubric loading and validation: shipped rubrics load; every validation rule has a
bad file whose error names the class, file, line, key and what was found."""
import textwrap

import pytest

import evalkit as ek
from evalkit.errors import RubricError
from conftest import RUBRICS

GOOD = """\
id: t
title: {zh: 测试, en: Test}
rule: {method: trimmed, trim: 1, decimals: 2}
criteria:
  - id: a
    label: {zh: 甲, en: A}
    weight: 60
    scale: {min: 0, max: 10, decimals: 1}
    descriptors:
      - {band: [8, 10], text: {zh: 好, en: good}}
      - {band: [0, 7.9], text: {zh: 差, en: poor}}
  - id: b
    label: {zh: 乙, en: B}
    weight: 40
    scale: {min: 1, max: 5}
tie_break: [a]
"""


def write(tmp_path, text, name="r.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.mark.parametrize("name", ["gongyi-chuangtou", "hongse-dangjian", "shehui-zuzhi-xingji"])
def test_shipped_rubrics_load_bilingual(name):
    r = ek.load_rubric(RUBRICS / f"{name}.yaml")
    assert r.id == name
    assert r.total_max == pytest.approx(100)
    for c in r.criteria:
        assert c.label.zh and c.label.en and c.label.zh != c.label.en
    assert r.title.zh and r.title.en


def test_general_rubric_has_the_eight_lines_and_trimmed_rule():
    r = ek.load_rubric(RUBRICS / "gongyi-chuangtou.yaml")
    assert [c.label.zh for c in r.criteria] == ["需求分析", "项目设计与可行性", "创新性", "机构能力", "预算合理性",
                                                "社会效益", "可持续性", "路演表现"]
    assert (r.rule.method, r.rule.trim) == ("trimmed", 1)
    assert r.criterion("design").veto_below == 6
    assert r.item_kind("compliance") == "veto" and r.item_kind("matched_funding") == "bonus"
    assert r.criterion("need").descriptor_for(13).text.en.startswith("Thorough")


def test_panels_and_star_grades():
    r = ek.load_rubric(RUBRICS / "hongse-dangjian.yaml")
    assert r.panel_weights() == {"expert": 0.5, "public": 0.5}
    s = ek.load_rubric(RUBRICS / "shehui-zuzhi-xingji.yaml")
    assert s.grade(91).zh == "五星" and s.grade(75).zh == "三星" and s.grade(10) is None
    assert [c.label.zh for c in s.criteria] == ["党的建设", "组织活力", "社区影响力"]


def test_weights_summing_to_one_are_scaled(tmp_path):
    text = GOOD.replace("weight: 60", "weight: 0.6").replace("weight: 40", "weight: 0.4")
    r = ek.load_rubric(write(tmp_path, text))
    assert r.weights == {"a": pytest.approx(60), "b": pytest.approx(40)}


# (rule, edit of GOOD, expected line, key fragment, message fragment)
BAD = [
    ("weights sum", ("weight: 40", "weight: 30"), 14, "criteria[1].weight", "weights sum to 90, expected 100"),
    ("weight positive", ("weight: 40", "weight: -40"), 14, "criteria[1].weight", "must be positive"),
    ("weight numeric", ("weight: 40", "weight: forty"), 14, "criteria[1].weight", "expected a number"),
    ("unique ids", ("  - id: b", "  - id: a"), 12, "criteria[1].id", "id 'a' is used twice"),
    ("min < max", ("scale: {min: 1, max: 5}", "scale: {min: 5, max: 5}"), 15, "criteria[1].scale.max", "not above min"),
    ("band inside scale", ("band: [8, 10]", "band: [8, 12]"), 10, "criteria[0].descriptors[0].band", "outside the scale"),
    ("bands not overlapping", ("band: [0, 7.9]", "band: [0, 8.5]"), 10, "descriptors[0].band", "overlaps"),
    ("tie-break exists", ("tie_break: [a]", "tie_break: [zz]"), 16, "tie_break[0]", "'zz' is not a criterion id"),
    ("trim positive", ("trim: 1", "trim: 0"), 3, "rule.trim", "k of the trimmed mean"),
    ("unknown rule", ("method: trimmed", "method: olympic"), 3, "rule.method", "unknown rule 'olympic'"),
    ("missing key", ("    label: {zh: 乙, en: B}\n", ""), 12, "criteria[1].label", "'label' is missing"),
    ("duplicate key", ("    weight: 40\n", "    weight: 40\n    weight: 40\n"), 15, "criteria[1].weight", "duplicate key"),
    ("nan number", ("weight: 40", "weight: .nan"), 14, "criteria[1].weight", "finite"),
    ("decimals", ("decimals: 1}", "decimals: 9}"), 8, "criteria[0].scale.decimals", "decimals must be"),
]


@pytest.mark.parametrize("rule,edit,line,key,message", BAD, ids=[b[0] for b in BAD])
def test_each_validation_rule_names_file_line_key(tmp_path, rule, edit, line, key, message):
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RubricError) as info:
        ek.load_rubric(path)
    err = info.value
    text = str(err)
    assert str(path) in text
    assert f"line {line}" in text, text
    assert key in (err.key or ""), (err.key, text)
    assert message in text
    assert err.found is not None and err.expected is not None


def test_error_is_an_evalkit_error_and_collects_all_problems(tmp_path):
    text = GOOD.replace("weight: 40", "weight: 30").replace("tie_break: [a]", "tie_break: [zz]")
    with pytest.raises(ek.EvalkitError) as info:
        ek.load_rubric(write(tmp_path, text))
    assert len(info.value.errors) == 2


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(RubricError, match="line 2"):
        ek.load_rubric(write(tmp_path, "id: x\n  bad: [unclosed\n"))
    with pytest.raises(RubricError, match="cannot read"):
        ek.load_rubric(tmp_path / "nope.yaml")
