"""The report as an A4 PDF, laid out with matplotlib (PdfPages) so no system
library beyond the installed CJK font is needed. Every page carries the contest's
name and date at the top and 第 n 页 / 共 N 页 at the bottom. Tables flow over pages
with the header repeated; charts are scaled to the text width. Fonts are embedded
as Type 3 (see :func:`evalkit.report.plotting.configure_matplotlib`)."""
from __future__ import annotations

import io
import unicodedata

import matplotlib.image as mpimg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .plotting import configure_matplotlib
from .tables import CHARTS_AFTER, Table, display_width, format_value

A4 = (8.27, 11.69)            # inches, portrait
A4_LANDSCAPE = (A4[1], A4[0])
MARGIN_X, TOP, BOTTOM = 0.6, 0.95, 0.8
FONT = 7.5                    # table text, pt
LINE = FONT * 1.35 / 72       # inches per text line
PAD = 0.04                    # cell padding, inches
UNIT = FONT * 0.55 / 72       # inches per display-width unit (CJK = 2 units)


def wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most ``width`` display units (CJK = 2), breaking
    at a space when one is near, else between characters."""
    width = max(2, width)
    lines = []
    for para in str(text).split("\n"):
        line, w = "", 0
        for ch in para:
            cw = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if w + cw > width and line:
                cut = line.rfind(" ")
                if cut > len(line) // 2:
                    lines.append(line[:cut])
                    line = line[cut + 1:]
                else:
                    lines.append(line)
                    line = ""
                w = display_width(line)
            line += ch
            w += cw
        lines.append(line)
    return lines or [""]


class _Layout:
    """Flows blocks onto pages. Each page is a list of draw callbacks taking a Figure
    and a y->figure-fraction helper; they are drawn once the page count is known."""

    def __init__(self, page=A4):
        self.page = page
        self.width = page[0] - 2 * MARGIN_X
        self.pages: list[list] = [[]]
        self.y = TOP                       # inches from the top of the page

    def space(self, h: float) -> None:
        if self.y + h > self.page[1] - BOTTOM and self.y > TOP + 1e-9:
            self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP

    def draw(self, fn) -> None:
        self.pages[-1].append(fn)

    def heading(self, text: str, size: float = 13) -> None:
        lines = wrap(text, int(self.width * 72 / (size * 0.55)))
        h = size * (1.45 * len(lines) + 0.55) / 72
        self.space(h + 1.0)              # keep a heading with what follows
        for k, ln in enumerate(lines):
            y = self.y + size * (1 + 1.45 * k) / 72
            self.draw(lambda fig, X, Y, y=y, ln=ln: fig.text(X(MARGIN_X), Y(y), ln, fontsize=size, weight="bold",
                                                            va="baseline"))
        self.y += h

    def note(self, text: str) -> None:
        lines = wrap(text, int(self.width / (UNIT * 1.1)))
        h = len(lines) * LINE * 1.1 + 0.05
        self.space(h)
        y0 = self.y
        for k, ln in enumerate(lines):
            yy = y0 + (k + 1) * LINE * 1.1
            self.draw(lambda fig, X, Y, yy=yy, ln=ln: fig.text(X(MARGIN_X), Y(yy), ln, fontsize=FONT + 0.5,
                                                           color="#444"))
        self.y += h + 0.05

    def image(self, png: bytes, caption: str = "") -> None:
        img = mpimg.imread(io.BytesIO(png), format="png")
        h_px, w_px = img.shape[:2]
        w = self.width
        h = w * h_px / w_px
        room = self.page[1] - BOTTOM - TOP - 0.3
        if h > room:
            h, w = room, room * w_px / h_px
        self.space(h + 0.3)
        y0, x0 = self.y, MARGIN_X + (self.width - w) / 2

        def put(fig, X, Y, y0=y0, x0=x0, w=w, h=h):
            ax = fig.add_axes((X(x0), Y(y0 + h), X(w), 1 - Y(h)))
            ax.imshow(img, interpolation="antialiased")
            ax.set_axis_off()
        self.draw(put)
        self.y += h + 0.1
        if caption:
            self.note(caption)

    def table(self, t: Table, row_min: float = 0.0) -> None:
        df = t.frame
        cols = [str(c) for c in df.columns]
        fmts = [t.formats.get(c) for c in df.columns]
        cells = [[format_value(v, f) for v, f in zip(row, fmts)] for row in df.itertuples(index=False)]
        numeric = [bool(f) for f in fmts]
        # a header may wrap to 4 CJK characters a line; the cells set the width
        natural = [max([min(display_width(c), 8)] + [display_width(r[j]) for r in cells]) for j, c in enumerate(cols)]
        room = int((self.width - 2 * PAD * len(cols)) / UNIT)
        widths = _fit_widths(natural, room)
        blank = [j for j in range(len(cols)) if cells and not any(r[j] for r in cells)]
        if blank and sum(widths) < room:        # columns to fill in by hand share the spare width
            extra = (room - sum(widths)) // len(blank)
            widths = [w + (extra if j in blank else 0) for j, w in enumerate(widths)]
        head = [wrap(c, w) for c, w in zip(cols, widths)]
        col_in = [w * UNIT + 2 * PAD for w in widths]
        xs = [MARGIN_X]
        for w in col_in[:-1]:
            xs.append(xs[-1] + w)
        total_w = sum(col_in)
        hh = max(len(h) for h in head) * LINE + 2 * PAD

        def row_block(lines, y0, h, bold=False, fill=None):
            def fn(fig, X, Y):
                if fill:
                    fig.patches.append(_rect(fig, X(MARGIN_X), Y(y0 + h), X(total_w), 1 - Y(h), fill))
                for j, ls in enumerate(lines):
                    right = numeric[j] and not bold
                    x = xs[j] + (col_in[j] - PAD if right else PAD)
                    for k, ln in enumerate(ls):
                        fig.text(X(x), Y(y0 + PAD + (k + 0.8) * LINE), ln, fontsize=FONT,
                                 ha="right" if right else "left", weight="bold" if bold else "normal")
                fig.lines.append(_hline(fig, X(MARGIN_X), X(MARGIN_X + total_w), Y(y0 + h), "#999" if not bold else "#333"))
            return fn

        def header():
            self.draw(row_block(head, self.y, hh, bold=True, fill="#ddebf7"))
            self.y += hh

        self.space(hh + 3 * LINE)
        header()
        for i, r in enumerate(cells):
            lines = [wrap(v, w) for v, w in zip(r, widths)]
            h = max(max(len(x) for x in lines) * LINE + 2 * PAD, row_min)
            if self.y + h > self.page[1] - BOTTOM:
                self.new_page()
                header()
            self.draw(row_block(lines, self.y, h, fill="#f5f7fa" if i % 2 else None))
            self.y += h
        self.y += 0.12
        if t.note:
            self.note(t.note)


def _fit_widths(natural: list[int], room: int) -> list[int]:
    """Column widths in display units: natural widths, the widest ones narrowed
    (their text wraps) until the table fits ``room``."""
    w = [min(max(n, 2), 60) for n in natural]
    while sum(w) > room and max(w) > 4:
        k = w.index(max(w))
        w[k] -= 1
    return w


def _rect(fig, x, y, w, h, color):
    """A filled rectangle in figure fractions."""
    from matplotlib.patches import Rectangle
    return Rectangle((x, y), w, h, transform=fig.transFigure, facecolor=color, edgecolor="none", zorder=-1)


def _hline(fig, x0, x1, y, color):
    """A thin horizontal rule in figure fractions."""
    from matplotlib.lines import Line2D
    return Line2D([x0, x1], [y, y], transform=fig.transFigure, color=color, lw=0.4)


def render_pages(layout: _Layout, title: str, subtitle: str, path) -> int:
    """Draw the laid-out pages with header and footer; returns the page count."""
    configure_matplotlib()
    n = len(layout.pages)
    W, H = layout.page

    def X(x_in):
        return x_in / W

    def Y(y_in):
        return 1 - y_in / H
    with PdfPages(path, metadata={"Title": title, "Creator": "evalkit"}) as pdf:
        for i, ops in enumerate(layout.pages, start=1):
            fig = Figure(figsize=layout.page)
            fig.text(X(MARGIN_X), Y(0.55), title, fontsize=9, color="#333")
            fig.text(X(W - MARGIN_X), Y(0.55), subtitle, fontsize=9, color="#333", ha="right")
            fig.lines.append(_hline(fig, X(MARGIN_X), X(W - MARGIN_X), Y(0.65), "#1f4e79"))
            for op in ops:
                op(fig, X, Y)
            fig.text(0.5, Y(H - 0.45), f"第 {i} 页 / 共 {n} 页   Page {i} of {n}", fontsize=8, ha="center",
                     color="#555")
            pdf.savefig(fig)
    return n


def layout_report(report) -> _Layout:
    """Lay the report out on A4 pages: each table on a new page followed by its
    charts; the judge sheets as one matrix of judges' totals; the audit log as a
    count (the full log is in the workbook)."""
    from .tables import judge_totals_table
    lay = _Layout()
    lay.heading(report.title, 16)
    first = True
    for t in report.tables:
        if t.key == "judge":
            if t is not report.table("judge")[0]:
                continue
            t = judge_totals_table(report.contest, report.scores, report.ranking, report.anonymise)
        if t.key == "audit":
            lay.heading(t.title.both())
            lay.note(f"共 {len(t.frame)} 条事件（评分、更正、撤回、锁定），完整日志见 Excel 工作表「审计日志」。"
                     f"{len(t.frame)} events; the full log is in the Excel sheet 审计日志." if len(t.frame) else
                     "评分未经评分存储（evalkit.db）录入，无审计日志。No score store, so no audit log.")
            continue
        if not first:
            lay.new_page()
        first = False
        lay.heading(t.title.both())
        lay.table(t)
        for k in CHARTS_AFTER.get(t.key, []):
            png = report.chart_png(k)
            if png is not None:
                lay.image(png, report.chart_title(k).both())
    return lay


def write_pdf(report, path) -> int:
    """Write the report as an A4 PDF; returns the number of pages."""
    return render_pages(layout_report(report), report.title, f"{report.contest.date}", path)
