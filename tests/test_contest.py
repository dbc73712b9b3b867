"""Contest folders: the demos load; every cross-check names file and row; CSV
encodings from Chinese Excel are read correctly; totals on a hand-computed example."""
import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import ContestError, EncodingError, ScoreError
from conftest import DATA, RUBRICS


def test_demo_huaihe_matches_its_description():
    c = ek.load_contest(DATA / "demo-huaihe")
    assert len(c.projects) == 22 and len(c.judges) == 7 and c.budget == 260_000
    assert set(c.projects["category"]) == {"敬老孝老", "关爱青少年", "关爱特殊群体", "社区公共服务"}
    assert c.projects["requested"].between(5_000, 30_000).all()
    assert (c.judges["conflicts"].map(len) > 0).sum() == 2
    comp = c.completeness()
    assert set(comp["state"]) == {"complete", "conflict"}  # full scores except conflicts
    # judges of visibly different severity: lenient J2 and severe J5 differ by > 10 points on average
    t = ek.totals(c.scores, c.rubric).pivot(index="project", columns="judge", values="total")
    assert t["J2"].mean() - t["J5"].mean() > 10


def test_demo_xinan_has_the_real_titles_and_two_panels():
    c = ek.load_contest(DATA / "demo-xinan")
    assert list(c.projects["name"])[:2] == ["发挥先锋作用·真情服务群众", "分享阅读书香·共享洲边文明"]
    assert list(c.projects["category"]).count("扶贫帮困类") == 4
    assert c.judges["panel"].value_counts().to_dict() == {"expert": 5, "public": 3}
    assert set(c.scores["panel"]) == {"expert", "public"}


def test_totals_hand_computed():
    rubric = ek.load_rubric(RUBRICS / "gongyi-chuangtou.yaml")
    # weights equal the maxima (0..15 weight 15 etc.), so totals are raw points
    scores = pd.DataFrame({"judge": ["A"] * 8 + ["B"] * 7, "project": ["P"] * 15,
                           "criterion": rubric.criterion_ids + rubric.criterion_ids[:7],
                           "score": [12, 16, 7.5, 10, 8, 11, 6, 4, 15, 20, 10, 15, 10, 15, 10]})
    t = ek.totals(scores, rubric)
    assert list(t["judge"]) == ["A"]  # B misses one criterion: no total
    assert t["total"].iloc[0] == pytest.approx(12 + 16 + 7.5 + 10 + 8 + 11 + 6 + 4)
    partial = ek.totals(scores, rubric, complete=False).set_index("judge")
    assert partial.loc["B", "total"] == pytest.approx(95) and partial.loc["B", "n_criteria"] == 7
    # a 1..5 scale with weight 40: 4 -> 40 * 3/4 = 30
    r2 = ek.rubric.rubric_from_dict({"id": "x", "title": "x", "criteria": [
        {"id": "a", "label": "a", "weight": 60, "scale": {"min": 0, "max": 10}},
        {"id": "b", "label": "b", "weight": 40, "scale": {"min": 1, "max": 5}}]})
    t2 = ek.totals(pd.DataFrame({"judge": ["J", "J"], "project": ["P", "P"], "criterion": ["a", "b"],
                                 "score": [7, 4]}), r2)
    assert t2["total"].iloc[0] == pytest.approx(60 * 0.7 + 30)


def _edit(folder, name, old, new):
    p = folder / name
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("case", [
    ("scores.csv", "J1,P01,need,", "J9,P01,need,", ScoreError, "row 2", "unknown judge 'J9'"),
    ("scores.csv", "J1,P01,need,", "J1,P99,need,", ScoreError, "row 2", "unknown project 'P99'"),
    ("scores.csv", "J1,P01,need,", "J1,P01,needs,", ScoreError, "row 2", "unknown criterion 'needs'"),
    ("scores.csv", "J1,P01,need,10.4", "J1,P01,need,18", ScoreError, "row 2", "18 is above the maximum 15 of Need analysis"),
    ("scores.csv", "J1,P01,need,10.4", "J1,P01,need,-1", ScoreError, "row 2", "below the minimum"),
    ("scores.csv", "J1,P01,need,10.4", "J1,P01,need,10.45", ScoreError, "row 2", "more than 1 decimal"),
    ("scores.csv", "J1,P01,need,10.4", "J1,P01,need,abc", ScoreError, "row 2", "is not a number"),
    ("scores.csv", "J1,P01,design,", "J1,P01,need,", ScoreError, "row 3", "duplicate score"),
    ("scores.csv", "J1,P01,need,", "J3,P01,need,", ScoreError, "row 2", "conflict of interest"),
    ("projects.csv", "14000,8400", "14000,18400", ContestError, "row 2", "min_amount 18400 is above requested"),
    ("projects.csv", "14000,8400", "lots,8400", ContestError, "row 2", "'lots' is not a number"),
    ("projects.csv", "P02,", "P01,", ContestError, "row 3", "project id 'P01' appears twice"),
    ("judges.csv", "J6,杨静,,P13", "J6,杨静,,P99", ContestError, "row 7", "neither a project id nor an organisation"),
    ("contest.yaml", "budget: 260000", "budget: 0", ContestError, "line", "budget 0 must be positive"),
], ids=lambda c: c[4] + " " + c[5][:24])
def test_cross_checks_name_file_and_row(demo_copy, case):
    name, old, new, cls, where, message = case
    folder = demo_copy()
    _edit(folder, name, old, new)
    with pytest.raises(cls) as info:
        ek.load_contest(folder)
    text = str(info.value)
    assert name in text and where in text and message in text, text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_from_chinese_excel(demo_copy, encoding):
    folder = demo_copy()
    for name in ("projects.csv", "judges.csv", "scores.csv"):
        p = folder / name
        p.write_bytes(p.read_text(encoding="utf-8").encode(encoding))
    c = ek.load_contest(folder)
    assert c.projects.loc[0, "name"] == "银龄互助·幸福食堂"
    assert c.judges.loc[0, "name"] == "王建国"


def test_undecodable_file_is_an_error_not_mojibake(demo_copy):
    folder = demo_copy()
    (folder / "projects.csv").write_bytes(b"id,name,requested\nP01,\x81\x20\xff\xfe,1000\n")
    with pytest.raises(EncodingError, match="projects.csv byte"):
        ek.load_contest(folder)


def test_blank_lines_are_skipped_and_row_numbers_stay_true(demo_copy):
    folder = demo_copy()
    text = (folder / "scores.csv").read_text(encoding="utf-8").splitlines()
    text.insert(1, "")
    text[3] = text[3].rsplit(",", 1)[0] + ",99"
    (folder / "scores.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ScoreError, match=r"scores.csv row 4"):
        ek.load_contest(folder)


def test_missing_columns_named(demo_copy):
    folder = demo_copy()
    (folder / "judges.csv").write_text("code,name\nJ1,x\n", encoding="utf-8")
    with pytest.raises(ContestError, match="missing column.*id"):
        ek.load_contest(folder)
