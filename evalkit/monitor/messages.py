"""The monitoring rules' words, Chinese first with English beside.

``say(key, **fields)`` gives a :class:`~evalkit.text.Text`; reasons for tranche
decisions and next-year eligibility come from this one table, so the page, the
exports and the tests read the same sentence.
"""
from __future__ import annotations

from ..text import Text

MESSAGES: dict[str, tuple[str, str]] = {
    # exit watch status
    "status.exit": ("责令退出：连续{run}个月低于{threshold:g}分（{period}）",
                    "must exit: {run} months in a row below {threshold:g} (reached {period})"),
    "status.warning": ("预警：已连续{n}个月低于{threshold:g}分", "warning: {n} months in a row below {threshold:g}"),
    "status.pending": ("待定：缺少 {months} 的月评分，退出与否取决于这些数据",
                       "pending: scores for {months_en} are missing and decide whether the exit rule applies"),
    "status.ok": ("正常", "in good standing"),
    # tranches
    "tranche.signing": ("签订协议后拨付", "released on signing the agreement"),
    "tranche.released": ("{evaluation}评估等级“{grade}”，达到“{min_grade}”，拨付",
                         "{evaluation_en} evaluation graded {grade_en}, at least {min_grade_en}: released"),
    "tranche.withheld_grade": ("{evaluation}评估等级“{grade}”，低于“{min_grade}”，暂缓拨付",
                               "{evaluation_en} evaluation graded {grade_en}, below {min_grade_en}: withheld"),
    "tranche.pending": ("{evaluation}评估尚未完成，待评估后决定", "{evaluation_en} evaluation not yet done: pending"),
    "tranche.exit": ("机构已被责令退出（{period}），停止拨付", "the organisation had to exit ({period}): withheld"),
    # indicators
    "indicator.met": ("已完成", "met"),
    "indicator.missed": ("未完成：{explanation}", "missed: {explanation}"),
    # evaluations
    "evaluation.mid": ("中期", "mid-term"),
    "evaluation.final": ("结项", "final"),
    # next year
    "next.eligible": ("可申报下一年度项目", "may apply next year"),
    "next.barred_grade": ("上一年度{evaluation}评估等级为“{grade}”，下一年度不得申报",
                          "graded {grade_en} in last year's {evaluation_en} evaluation: barred from applying next year"),
    "next.barred_exit": ("上一年度连续{run}个月月评分低于{threshold:g}分被责令退出（{period}），下一年度不得申报",
                         "made to exit last year ({run} months below {threshold:g}, {period}): barred from applying "
                         "next year"),
    "next.adjust": ("上一年度{evaluation}评估“{grade}”，加{points:g}分", "last year's {evaluation_en} grade {grade_en}: "
                    "{points:+g} point(s)"),
}


def say(key: str, **fields) -> Text:
    zh, en = MESSAGES[key]
    return Text(zh.format(**fields), en.format(**fields))


EVALUATIONS = ("mid", "final")


def evaluation_label(evaluation: str) -> Text:
    return say(f"evaluation.{evaluation}") if evaluation in EVALUATIONS else Text(evaluation, evaluation)
