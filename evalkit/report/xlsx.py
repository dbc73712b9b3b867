"""The report as an Excel workbook (openpyxl): one sheet per :class:`Table`, a
merged title row, a bold frozen header row, numbers stored as numbers with number
formats, column widths that fit Chinese text (CJK counts double)."""
from __future__ import annotations

import math

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .tables import Table, display_width, format_value

HEADER_ROW = 2   # row 1 holds the title; data start on row 3
TITLE_FONT = Font(bold=True, size=13)
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH = 60


def _cell_value(v):
    if v is None or v is __import__("pandas").NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "是" if v else "否"
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    return v if isinstance(v, (int, str)) else str(v)


def write_table(ws, table: Table) -> None:
    df = table.frame
    ncol = max(1, len(df.columns))
    ws.cell(1, 1, f"{table.title.zh}  {table.title.en}" if table.title.en else table.title.zh).font = TITLE_FONT
    if ncol > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    widths = [display_width(c) for c in df.columns]
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(HEADER_ROW, j, str(col))
        c.font, c.fill = HEAD_FONT, HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fmts = [table.formats.get(col) for col in df.columns]
    for i, row in enumerate(df.itertuples(index=False), start=HEADER_ROW + 1):
        for j, v in enumerate(row, start=1):
            value = _cell_value(v)
            cell = ws.cell(i, j, value)
            if fmts[j - 1] and isinstance(value, (int, float)):
                cell.number_format = fmts[j - 1]
            widths[j - 1] = max(widths[j - 1], display_width(format_value(value, fmts[j - 1])))
    if table.note:
        ws.cell(HEADER_ROW + len(df) + 2, 1, table.note).font = Font(italic=True, color="555555")
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, w + 2)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > 110 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_xlsx(tables: list[Table], path, *, title: str = "") -> None:
    """Write ``tables`` to ``path``, one sheet each, in order."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        write_table(wb.create_sheet(t.sheet), t)
    if title:
        wb.properties.title = title
    wb.save(path)
