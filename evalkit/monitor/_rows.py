"""Where a row of a frame came from, for located errors: the file and line when
the frame was read by :func:`evalkit.io.csvtext.read_csv_text`, else the frame's
name and the row's index label."""
from __future__ import annotations

import math

from ..errors import EvalkitError
from ..numbers import read_number


def row_where(df, pos: int, name: str) -> str:
    lines, file = df.attrs.get("lines"), df.attrs.get("file")
    if lines is not None and file is not None and pos < len(lines):
        return f"{file} row {lines[pos]}"
    return f"{name} row {df.index[pos]}"


def blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""


def number(x, *, where: str, key: str, error_cls: type[EvalkitError], required: bool = True,
           positive: bool = False) -> float:
    """A cell read as a number (:func:`evalkit.numbers.read_number`), or ``error_cls``."""
    if blank(x):
        if required:
            raise error_cls(f"{key} is missing", where=where, key=key, expected="a number", found="nothing",
                            zh=f"缺少 {key} 的数值")
        return math.nan
    r = read_number(x)
    if not r.ok:
        raise error_cls(f"'{x}' is not a number", where=where, key=key, expected="a number", found=x,
                        zh=f"{key} 的值 '{x}' 不是数字")
    if positive and not r.value > 0:
        raise error_cls(f"{key} must be positive", where=where, key=key, expected="> 0", found=r.value,
                        zh=f"{key} 须为正数，实际为 {r.value:g}")
    return r.value


def text(x) -> str:
    return "" if blank(x) else str(x).strip()
