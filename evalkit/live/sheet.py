"""A judge's typed sheet read into scores, or refused box by box.

Every box is read by :func:`evalkit.live.entry.read_box` (the one reading of a
typed score: :func:`evalkit.numbers.read_number`, then the store's score check),
so a phone, the secretary's grid and an import refuse the same things. Messages come in
both languages ({"zh", "en"}); the page shows its own.
"""
from __future__ import annotations

from .entry import read_box

#: why a typed box is refused (evalkit.numbers.read_number's problem names), the one
#: wording the phone (sent in its hello), the secretary's grid and the Live tab show
BOX_PROBLEMS = {
    "empty": ("请填写此项", "Please fill in this box"),
    "not_number": ("请输入数字（如 8.5）", "Enter a number (e.g. 8.5)"),
    "ambiguous": ("数值不明确（如 1,000 可能是一千，也可能是 1.000），请用小数点输入",
                  "Ambiguous number (1,000 may be one thousand or 1.000): type it with a decimal point"),
}


def problem_text(problem: str) -> dict:
    """A refused box's message in both languages ({"zh", "en"})."""
    zh, en = BOX_PROBLEMS[problem]
    return {"zh": zh, "en": en}


def scale_text(criterion) -> dict:
    """The allowed scores of a criterion, in both languages."""
    dec = criterion.decimals
    zh = f"请输入 {criterion.min:g}–{criterion.max:g} 之间的分数" + (f"（最多 {dec} 位小数）" if dec else "（整数）")
    en = f"Enter a score from {criterion.min:g} to {criterion.max:g}" + (
        f" (at most {dec} decimal{'s' if dec > 1 else ''})" if dec else " (whole number)")
    return {"zh": zh, "en": en}


def read_sheet(rubric, texts: dict, *, complete: bool = True) -> tuple[dict, dict]:
    """(values, problems): ``values`` criterion -> float for every box read and
    allowed; ``problems`` criterion -> {"zh", "en"} for every box refused. Only the
    judges' criteria are read; with ``complete`` every one must be filled in."""
    values, problems = {}, {}
    for c in rubric.criteria:
        box = read_box(rubric, c.id, texts.get(c.id))
        if box.problem == "empty" and not complete:
            continue
        if box.problem == "scale":
            problems[c.id] = scale_text(c)
        elif box.problem:
            problems[c.id] = problem_text(box.problem)
        else:
            values[c.id] = box.value
    return values, problems
