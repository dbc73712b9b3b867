"""Reading CSV text as Chinese offices produce it: UTF-8 with or without BOM, or
GBK/GB18030 from Chinese Excel. An undecodable file is an error naming the file,
never mojibake."""
from __future__ import annotations

import csv
import io

import pandas as pd

from ..errors import EncodingError, EvalkitError, read_bytes

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes, file: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), else GB18030; returns (text, encoding)."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pos = utf8_error.start
            raise EncodingError("the file is neither UTF-8 nor GBK/GB18030 text",
                                where=f"{file} byte {pos}", expected="UTF-8 or GBK text",
                                found=repr(raw[pos:pos + 8]),
                                zh="文件既不是 UTF-8 也不是 GBK/GB18030 文本：请另存为 UTF-8 CSV") from None


def read_csv_text(path, error_cls: type[EvalkitError] = EvalkitError, *, required=()) -> pd.DataFrame:
    """Read a small CSV file into a frame of strings (blank cells -> NaN).

    Blank lines are skipped; a row with more cells than the header is an error
    naming the row; header names are stripped. ``required`` columns must exist.
    """
    file = str(path)
    raw = read_bytes(path, error_cls, kind="CSV file")
    text, _ = decode_text(raw, file)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a stray carriage return inside an unquoted cell
        raise error_cls(f"not readable as CSV: {exc}", where=f"{file} line {reader.line_num}",
                        expected="comma-separated rows", found=str(exc), zh="无法按 CSV（逗号分隔）读取") from None
    lines = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    if not lines:
        raise error_cls("the file is empty", where=file, expected="a header row", found="nothing", zh="文件为空")
    header_line, header = lines[0]
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise error_cls(f"column '{dup}' appears twice", where=f"{file} line {header_line}", key=dup,
                        expected="unique column names", found=header, zh=f"列「{dup}」出现两次")
    missing = [c for c in required if c not in header]
    if missing:
        raise error_cls(f"missing column(s) {', '.join(missing)}", where=f"{file} line {header_line}",
                        key=missing[0], expected="columns " + ", ".join(required), found=header,
                        zh=f"缺少列 {', '.join(missing)}")
    records, line_numbers = [], []
    for line, row in lines[1:]:
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise error_cls(f"row has {len(row)} cells but the header has {len(header)}", where=f"{file} row {line}",
                            expected=f"{len(header)} cells", found=len(row),
                            zh=f"此行有 {len(row)} 格，而表头只有 {len(header)} 列")
        cells = [c.strip() for c in row[:len(header)]] + [""] * (len(header) - len(row))
        records.append([c if c != "" else None for c in cells])
        line_numbers.append(line)
    df = pd.DataFrame(records, columns=header, dtype=object)
    df.attrs["lines"] = line_numbers
    df.attrs["file"] = file
    return df
