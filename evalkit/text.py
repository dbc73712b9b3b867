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
