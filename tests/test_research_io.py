"""read_contests: the research data set, Parquet and GB18030, and typed errors naming file and row."""
import gzip

import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError
from evalkit.io import read_contests
from conftest import DATA

MULTI = DATA / "research-multi"


def test_research_data_set_reads_and_matches_its_readme():
    cs = read_contests(MULTI)
    assert len(cs.contest_ids) == 25 and cs.rubric.id == "gongyi-chuangtou"
    per = cs.projects.groupby("contest").size()
    assert per.between(15, 30).all()
    # recurring judges: most judges sit in several contests and several years
    years = cs.scores.merge(cs.contests[["contest", "year"]]).groupby("judge")["year"].nunique()
    assert (years >= 2).mean() > 0.8
    assert set(cs.outcomes["outcome"]) == {"monthly", "year_end"}
    monthly = cs.outcomes[cs.outcomes["outcome"] == "monthly"]["value"]
    assert monthly.between(0, 10).all()
    funded = cs.projects[cs.projects["awarded"] > 0][["contest", "project"]]
    assert len(cs.outcomes[["contest", "project"]].drop_duplicates().merge(funded)) == len(funded)
    spent = cs.projects.groupby("contest")["awarded"].sum()
    assert (spent <= cs.contests.set_index("contest")["budget"].reindex(spent.index)).all()
    truth = pd.read_csv(MULTI / "truth" / "judges.csv")
    assert truth.groupby("judge")["severity"].mean().idxmax() == "JR03"


def test_parquet_and_single_file(tmp_path):
    cs = read_contests(MULTI)
    cs.scores.to_parquet(tmp_path / "scores.parquet")
    cs.projects.to_parquet(tmp_path / "projects.parquet")
    again = read_contests(tmp_path)
    pd.testing.assert_frame_equal(again.scores, cs.scores)
    assert again.outcomes is None and again.rubric is None
    one = read_contests(tmp_path / "scores.parquet")
    assert len(one.scores) == len(cs.scores)


def test_gb18030_csv(tmp_path):
    text = "contest,judge,project,score\n淮河-2021,张评委,P01,80\n淮河-2021,李评委,P01,70\n"
    (tmp_path / "scores.csv").write_bytes(text.encode("gb18030"))
    cs = read_contests(tmp_path)
    assert list(cs.scores["judge"]) == ["张评委", "李评委"] and "criterion" not in cs.scores


@pytest.mark.parametrize("body, where, match", [
    ("contest,judge,project,score\nc1,J1,P1,80\nc1,J1,P1,81\n", "row 3", "duplicate"),
    ("contest,judge,project,score\nc1,J1,P1,80\nc1,J2,P1,abc\n", "row 3", "number"),
    ("contest,judge,score\nc1,J1,80\n", "scores.csv", "missing column"),
    ("contest,judge,project,score\nc1,,P1,80\n", "row 2", "empty judge"),
])
def test_errors_name_file_and_row(tmp_path, body, where, match):
    (tmp_path / "scores.csv").write_text(body, encoding="utf-8")
    with pytest.raises(DataError, match=match) as e:
        read_contests(tmp_path)
    assert "scores.csv" in str(e.value) and where in str(e.value)


def test_cross_table_errors_are_all_reported(tmp_path):
    (tmp_path / "scores.csv").write_text("contest,judge,project,score\nc1,J1,P1,80\nc1,J1,P9,70\n", encoding="utf-8")
    (tmp_path / "projects.csv").write_text("contest,project,requested,awarded\nc1,P1,100,150\n", encoding="utf-8")
    with gzip.open(tmp_path / "outcomes.csv.gz", "wt", encoding="utf-8") as f:
        f.write("contest,project,outcome,period,value\nc1,P7,monthly,1,8\n")
    with pytest.raises(DataError) as e:
        read_contests(tmp_path)
    assert "awarded more than requested" in str(e.value) and "projects.csv row 2" in str(e.value)
    (tmp_path / "projects.csv").write_text("contest,project,requested,awarded\nc1,P1,100,50\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_contests(tmp_path)
    assert len(e.value.errors) == 2
    msgs = " ".join(str(x) for x in e.value.errors)
    assert "scores.csv row 3" in msgs and "outcomes.csv.gz row 2" in msgs
    assert e.value.errors[0].found == "c1, P9" and e.value.errors[1].found == "c1, P7"


def test_missing_folder_or_scores(tmp_path):
    with pytest.raises(DataError, match="no scores table"):
        read_contests(tmp_path)
    with pytest.raises(DataError, match="no such file"):
        read_contests(tmp_path / "nope.csv")


def test_exported_from_evalkit_io():
    assert ek.io.read_contests is read_contests
