"""What a page shows of a refused score comes in the page's language and names no
internal path (issue 15): one message per problem, Chinese first, English when switched."""
import pytest

import evalkit as ek
from evalkit.errors import ScoreError
from evalkit.scores import check_entry
from evalkit.ui.common import error_text

CASES = [("J1", "P01", "need", 18, "高于「需求分析」的最高分 15", "above the maximum 15"),
         ("J1", "P01", "need", 12.25, "小数位多于", "more than 1 decimal"),
         ("J1", "P01", "need", "abc", "不是数字", "is not a number"),
         ("J1", "P01", "nope", 3, "未知评分项", "unknown criterion"),
         ("J9", "P01", "need", 3, "未知评委", "unknown judge"),
         ("J3", "P01", "need", 3, "须回避", "conflict of interest")]


@pytest.mark.parametrize("judge, project, criterion, score, zh, en", CASES)
def test_a_refused_score_reads_in_the_page_language(judge, project, criterion, score, zh, en):
    contest = ek.load_contest("data/demo-huaihe")
    where = "/internal/path/evalkit.db (row 7)"
    with pytest.raises(ScoreError) as caught:
        check_entry(contest, judge, project, criterion, score, where=where)
    exc = caught.value
    assert zh in error_text(exc, "zh") and en in error_text(exc, "en")
    for lang in ("zh", "en"):
        assert "/internal/path" not in error_text(exc, lang)
    assert where in str(exc)  # the log and the CLI keep the location
