"""Bilingual text: Chinese first, English available."""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str = ""

    def __str__(self) -> str:
        return self.zh

    def get(self, lang: str = "zh") -> str:
        if lang == "en":
            return self.en or self.zh
        return self.zh or self.en

    def both(self) -> str:
        return f"{self.zh} ({self.en})" if self.en and self.en != self.zh else self.zh


#: the package's one vocabulary for the keys messages name (error keys, columns, roles)
TERMS: dict[str, Text] = {
    "contest": Text("大赛", "contest"), "judge": Text("评委", "judge"), "judges": Text("评委", "judges"),
    "project": Text("项目", "project"), "projects": Text("项目", "projects"),
    "criterion": Text("评分项", "criterion"), "score": Text("分数", "score"), "scores": Text("评分", "scores"),
    "round": Text("轮次", "round"), "reason": Text("理由", "reason"), "pin": Text("PIN", "pin"),
    "file": Text("文件", "file"), "budget": Text("资金总额", "budget"), "cost": Text("项目金额", "cost"),
    "organisation": Text("机构", "organisation"), "category": Text("类别", "category"),
    "panel": Text("评审组", "panel"), "conflicts": Text("回避", "conflicts"), "indicator": Text("指标", "indicator"),
    "outcome": Text("成效指标", "outcome"), "requested": Text("申请金额", "requested"),
    "awarded": Text("资助金额", "awarded"), "year": Text("年份", "year"), "value": Text("数值", "value"),
    "period": Text("期次", "period"), "rubric": Text("评分标准", "rubric"),
}


def term(key: str | None, lang: str = "zh") -> str:
    """A key as a message in ``lang`` names it (a key outside :data:`TERMS`, such as a
    YAML path, as it is)."""
    return TERMS[key].get(lang) if key in TERMS else (key or "")
