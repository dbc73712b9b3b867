"""Calendar months written 'YYYY-MM': reading, checking and stepping.

A month is handled as an integer index (year * 12 + month - 1) so that
"consecutive calendar months" is simply "indices that differ by one"
(2026-12 -> 2027-01 included).
"""
from __future__ import annotations

import re

from ..errors import DataError

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def month_index(text, *, where: str | None = None, key: str = "period", error_cls=DataError) -> int:
    """The index of a 'YYYY-MM' month; ``error_cls`` naming where it was found otherwise."""
    s = str(text).strip() if text is not None else ""
    m = _MONTH.fullmatch(s)
    if not m:
        raise error_cls(f"'{text}' is not a calendar month", where=where, key=key,
                        expected="a month written YYYY-MM, e.g. 2026-07", found=text,
                        zh=f"{key} 的值 '{text}' 不是月份，应写作 YYYY-MM（如 2026-07）")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def is_month(text) -> bool:
    return text is not None and bool(_MONTH.fullmatch(str(text).strip()))


def month_text(index: int) -> str:
    """'YYYY-MM' of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive."""
    a, b = month_index(first), month_index(last)
    return [month_text(i) for i in range(a, b + 1)]
