"""Reading a typed number as the judge meant it, or refusing it with a reason.

Phones offer comma decimals and full-width digits; people add 分 or spaces. Every
entry box (the judges' phones, the secretary's grid, imports typed by hand) reads
text through :func:`read_number`, so the same text means the same value
everywhere. Nothing is guessed: text that could mean two numbers ("1,000": one
thousand or 1.000?) is refused, never silently changed.

The phone page mirrors these rules in JavaScript for its running total only; the
server reads the text again with this function, and a test runs the same table of
cases through both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，＋－\u3000", "0123456789.,+- ")
# ASCII digits only (after the full-width mapping): other scripts' digits are refused, as on the phone page
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_SUFFIX = re.compile(r"\s*分$")


@dataclass(frozen=True)
class NumberReading:
    """``value`` (float or None), ``problem`` ('' when read; else 'empty',
    'not_number' or 'ambiguous' — message keys of the page's language table)."""
    value: float | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


def read_number(text) -> NumberReading:
    """Read ``text`` typed in an entry box.

    Accepted: ``8.5``, ``8,5`` (comma decimal), ``８．５`` / ``８，５`` (full width),
    ``8.5分``, surrounding spaces, a leading sign. Refused: empty text; more than one
    separator; a comma followed by exactly three digits (``1,000`` — a thousands
    separator or three decimals?); exponents, ``inf``/``nan``, digits split by spaces.

    >>> read_number("８，５分").value
    8.5
    >>> read_number("1,000").problem
    'ambiguous'
    """
    if text is None:
        return NumberReading(None, "empty")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        x = float(text)
        return NumberReading(x) if x == x and abs(x) != float("inf") else NumberReading(None, "not_number")
    s = _SUFFIX.sub("", str(text).translate(_FULL_WIDTH).strip()).strip()
    if s == "":
        return NumberReading(None, "empty")
    if "," in s:
        if "." in s or s.count(",") > 1:
            return NumberReading(None, "not_number")
        whole, frac = s.split(",")
        if len(frac) == 3 and _WHOLE.fullmatch(whole):
            return NumberReading(None, "ambiguous")
        s = f"{whole}.{frac}"
    if not _NUMBER.fullmatch(s):
        return NumberReading(None, "not_number")
    return NumberReading(float(s))


def parse_number(text) -> float | None:
    """The value of ``text`` (see :func:`read_number`), or None when it is refused."""
    return read_number(text).value
