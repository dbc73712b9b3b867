"""The rubric: criteria with weights and scales, level descriptors, veto and bonus
items, panels, the contest rule for combining judges, and the tie-break order.

A judge's weighted total for a project is
``sum_c weight_c * (score_c - min_c) / (max_c - min_c)`` with weights summing to
100, so a criterion scored 0..15 with weight 15 counts its raw points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._yaml import TEXT, Located, bilingual, dotted, read_yaml, unknown_keys
from .errors import RubricError, raise_all
from .text import Text

RULES = ("sum", "mean", "trimmed", "median")

# Every key a rubric file may hold (see evalkit._yaml for the notation); any other
# key is refused with its line, so a typo or a text cut at a comma is not dropped.
SCHEMA = {
    "id": None,
    "title": TEXT,
    "rule": {"method": None, "trim": None, "decimals": None},
    "criteria": [{
        "id": None, "label": TEXT, "weight": None,
        "scale": {"min": None, "max": None, "decimals": None},
        "veto_below": None, "help": TEXT,
        "descriptors": [{"band": None, "text": TEXT}],
    }],
    "veto_items": [{"id": None, "label": TEXT}],
    "bonus_items": [{"id": None, "label": TEXT, "max": None}],
    "bonus_cap": None,
    "panels": [{"id": None, "label": TEXT, "weight": None}],
    "tie_break": None,
    "grades": [{"min": None, "label": TEXT}],
}


@dataclass(frozen=True)
class Descriptor:
    """A level descriptor: scores in [low, high] mean ``text``."""
    low: float
    high: float
    text: Text


@dataclass(frozen=True)
class Criterion:
    id: str
    label: Text
    weight: float
    min: float
    max: float
    decimals: int = 0
    descriptors: tuple[Descriptor, ...] = ()
    veto_below: float | None = None  # a panel score under this disqualifies the project
    help: Text | None = None

    @property
    def step(self) -> float:
        return 10.0 ** -self.decimals

    def descriptor_for(self, score: float) -> Descriptor | None:
        for d in self.descriptors:
            if d.low <= score <= d.high:
                return d
        return None


@dataclass(frozen=True)
class VetoItem:
    """A yes/no item: one judge's "yes" (score 1) disqualifies the project (一票否决)."""
    id: str
    label: Text


@dataclass(frozen=True)
class BonusItem:
    """Points added after aggregation (matched funding, special themes), at most ``max``."""
    id: str
    label: Text
    max: float


@dataclass(frozen=True)
class Panel:
    id: str
    label: Text
    weight: float


@dataclass(frozen=True)
class Rule:
    """How judges' totals are combined: sum, mean, trimmed (drop ``trim`` highest
    and ``trim`` lowest) or median; ``decimals`` for display and publication."""
    method: str = "trimmed"
    trim: int = 1
    decimals: int = 2

    def text(self, lang: str = "zh") -> str:
        """The rule in words, the one wording every surface shows (screen, leaderboard,
        公示, score sheets, the contest summary)."""
        zh, en = RULE_WORDS.get(self.method, (self.method, self.method))
        return (en if lang == "en" else zh).format(k=self.trim)


RULE_WORDS = {"trimmed": ("去掉{k}个最高分、去掉{k}个最低分后取平均", "mean after dropping the {k} highest and {k} lowest"),
              "mean": ("平均分", "mean"), "sum": ("总分", "sum"), "median": ("中位数", "median")}


@dataclass(frozen=True)
class Grade:
    """A grade band on the total (e.g. star ratings): totals >= min get ``label``."""
    min: float
    label: Text


@dataclass(frozen=True)
class Rubric:
    id: str
    title: Text
    criteria: tuple[Criterion, ...]
    rule: Rule = field(default_factory=Rule)
    veto_items: tuple[VetoItem, ...] = ()
    bonus_items: tuple[BonusItem, ...] = ()
    bonus_cap: float | None = None
    panels: tuple[Panel, ...] = ()
    tie_break: tuple[str, ...] = ()
    grades: tuple[Grade, ...] = ()
    path: str | None = None

    # --- lookups -------------------------------------------------------
    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def item_kind(self, item_id: str) -> str | None:
        """'criterion', 'veto', 'bonus' or None for an id that may appear in a score table."""
        if any(c.id == item_id for c in self.criteria):
            return "criterion"
        if any(v.id == item_id for v in self.veto_items):
            return "veto"
        if any(b.id == item_id for b in self.bonus_items):
            return "bonus"
        return None

    def bonus_item(self, bid: str) -> BonusItem:
        return next(b for b in self.bonus_items if b.id == bid)

    @property
    def total_max(self) -> float:
        return float(sum(c.weight for c in self.criteria))

    @property
    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}

    def label(self, item_id: str, lang: str = "zh") -> str:
        for group in (self.criteria, self.veto_items, self.bonus_items, self.panels):
            for x in group:
                if x.id == item_id:
                    return x.label.get(lang)
        return item_id

    def grade(self, total: float) -> Text | None:
        for g in sorted(self.grades, key=lambda g: -g.min):
            if total >= g.min:
                return g.label
        return None

    def panel_weights(self) -> dict[str, float]:
        return {p.id: p.weight for p in self.panels}


# ---------------------------------------------------------------------------
# loading and validation

def load_rubric(path) -> Rubric:
    """Load and validate a rubric YAML file.

    Raises :class:`~evalkit.errors.RubricError` naming the file, the line, the key,
    what was expected and what was found, e.g.
    ``rubrics/x.yaml line 14, criteria[3].weight: weights sum to 90, expected 100``.

    Example
    -------
    >>> import evalkit as ek
    >>> r = ek.load_rubric("rubrics/gongyi-chuangtou.yaml")
    >>> r.total_max
    100.0
    """
    doc = read_yaml(path, RubricError)
    return rubric_from_dict(doc.data, doc)


def rubric_from_dict(data, doc: Located | None = None) -> Rubric:
    """Build a rubric from a plain mapping (as read from YAML), validating it."""
    doc = doc or Located(data, {}, "<rubric>")
    v = _Validator(doc)
    if not isinstance(data, dict):
        v.fail((), "the rubric must be a mapping of keys", "a mapping", type(data).__name__, zh="评分细则须为键值映射")
        v.done()
    v.errors += unknown_keys(doc, data, SCHEMA, RubricError)
    rid = v.string(data, ("id",))
    title = v.text(data, ("title",))
    criteria = v.criteria(data)
    rule = v.rule(data.get("rule", {}) or {})
    veto_items = tuple(VetoItem(v.string(x, ("veto_items", i, "id")), v.text(x, ("veto_items", i, "label")))
                       for i, x in enumerate(v.seq(data, "veto_items")))
    bonus_items = tuple(BonusItem(v.string(x, ("bonus_items", i, "id")), v.text(x, ("bonus_items", i, "label")),
                                  v.number(x, ("bonus_items", i, "max"), positive=True))
                        for i, x in enumerate(v.seq(data, "bonus_items")))
    bonus_cap = v.number(data, ("bonus_cap",), positive=True) if data.get("bonus_cap") is not None else None
    panels = tuple(Panel(v.string(x, ("panels", i, "id")), v.text(x, ("panels", i, "label")),
                         v.number(x, ("panels", i, "weight"), positive=True))
                   for i, x in enumerate(v.seq(data, "panels")))
    tie_break = tuple(str(t) for t in (data.get("tie_break") or []))
    grades = tuple(Grade(v.number(x, ("grades", i, "min")), v.text(x, ("grades", i, "label")))
                   for i, x in enumerate(v.seq(data, "grades")))

    # cross-field rules
    ids = [c.id for c in criteria] + [x.id for x in veto_items] + [x.id for x in bonus_items]
    seen: set[str] = set()
    for i, cid in enumerate(ids):
        if cid in seen:
            v.fail(_id_path(i, criteria, veto_items), f"id '{cid}' is used twice", "unique ids", cid, zh=f"编号 '{cid}' 重复使用")
        seen.add(cid)
    if len({p.id for p in panels}) != len(panels):
        v.fail(("panels",), "panel ids must be unique", "unique ids", [p.id for p in panels], zh="评审组编号不能重复")
    if panels:
        total = sum(p.weight for p in panels)
        if not math.isclose(total, 1.0, abs_tol=1e-9) and not math.isclose(total, 100.0, abs_tol=1e-9):
            v.fail(("panels",), f"panel weights sum to {total:g}", "1 (or 100)", total, zh=f"评审组权重合计为 {total:g}，应为 1（或 100）")
        else:
            panels = tuple(Panel(p.id, p.label, p.weight / total) for p in panels)
    for i, t in enumerate(tie_break):
        if t not in {c.id for c in criteria}:
            v.fail(("tie_break", i), f"tie-break '{t}' is not a criterion id", "one of " + ", ".join(c.id for c in criteria), t, zh=f"同分比较项 '{t}' 不是评分指标编号")
    v.done()
    return Rubric(id=rid, title=title, criteria=criteria, rule=rule, veto_items=veto_items, bonus_items=bonus_items,
                  bonus_cap=bonus_cap, panels=panels, tie_break=tie_break, grades=grades, path=doc.file)


def _id_path(i, criteria, veto_items):
    if i < len(criteria):
        return ("criteria", i, "id")
    i -= len(criteria)
    if i < len(veto_items):
        return ("veto_items", i, "id")
    return ("bonus_items", i - len(veto_items), "id")


class _Validator:
    """Collects problems with their YAML lines; ``done()`` raises them."""

    def __init__(self, doc: Located):
        self.doc = doc
        self.errors: list[RubricError] = []

    def fail(self, path, message, expected, found, zh=None):
        self.errors.append(RubricError(message, where=self.doc.where(path), key=dotted(path) or None,
                                       expected=expected, found=found, zh=zh))

    def done(self):
        raise_all(self.errors)

    def _get(self, obj, path):
        if not isinstance(obj, dict):
            self.fail(path[:-1], "expected a mapping here", "a mapping", type(obj).__name__, zh="此处应为键值映射")
            return None
        if path[-1] not in obj or obj[path[-1]] is None:
            self.fail(path, f"'{path[-1]}' is missing", f"a value for '{path[-1]}'", "nothing", zh=f"缺少 '{path[-1]}'")
            return None
        return obj[path[-1]]

    def string(self, obj, path) -> str:
        x = self._get(obj, path)
        if x is None:
            return ""
        if isinstance(x, bool) or not isinstance(x, (str, int)) or str(x).strip() == "":
            self.fail(path, "expected a non-empty name", "a text id", repr(x), zh="应为非空的名称")
            return ""
        return str(x).strip()

    def text(self, obj, path) -> Text:
        x = self._get(obj, path)
        if x is None:
            return Text("")
        text, problem = bilingual(x)
        if problem == "en":
            self.fail(path + ("en",), "the English label must be text", "text", repr(x["en"]), zh="英文名称须为文字")
            return Text(x["zh"].strip(), x["zh"].strip())
        if text is None:
            self.fail(path, "expected a label with zh (and en) text", "{zh: ..., en: ...}", repr(x), zh="应为含中文（及英文）的名称：{zh: …, en: …}")
            return Text("")
        return text

    def number(self, obj, path, *, positive=False, integer=False, minimum=None) -> float:
        x = self._get(obj, path)
        if x is None:
            return math.nan
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            self.fail(path, "expected a number", "a number", repr(x), zh="应为数字")
            return math.nan
        if not math.isfinite(x) or abs(x) > 1e12:
            self.fail(path, "expected a finite number of sensible size", "a finite number", repr(x), zh="应为大小合理的有限数字")
            return math.nan
        if integer and x != int(x):
            self.fail(path, "expected a whole number", "an integer", repr(x), zh="应为整数")
        if positive and x <= 0:
            self.fail(path, "must be positive", "> 0", x, zh="必须大于 0")
        if minimum is not None and x < minimum:
            self.fail(path, f"must be at least {minimum}", f">= {minimum}", x, zh=f"不能小于 {minimum}")
        return float(x)

    def seq(self, data, key) -> list:
        x = data.get(key) if isinstance(data, dict) else None
        if x is None:
            return []
        if not isinstance(x, list):
            self.fail((key,), "expected a list", "a list", type(x).__name__, zh="应为列表")
            return []
        return x

    def criteria(self, data) -> tuple[Criterion, ...]:
        items = self.seq(data, "criteria")
        if not items:
            if "criteria" in data and isinstance(data.get("criteria"), list) or "criteria" not in data:
                self.fail(("criteria",), "a rubric needs at least one criterion", "a list of criteria", "none", zh="评分细则至少需要一个评分指标")
            return ()
        out = []
        for i, x in enumerate(items):
            p = ("criteria", i)
            if not isinstance(x, dict):
                self.fail(p, "each criterion must be a mapping", "a mapping", type(x).__name__, zh="每个评分指标须为键值映射")
                continue
            cid = self.string(x, p + ("id",))
            label = self.text(x, p + ("label",))
            weight = self.number(x, p + ("weight",), positive=True)
            scale = x.get("scale")
            if not isinstance(scale, dict):
                self.fail(p + ("scale",), "each criterion needs a scale", "{min: .., max: .., decimals: ..}", repr(scale), zh="每个评分指标需要分值范围 scale")
                lo, hi, dec = math.nan, math.nan, 0
            else:
                lo = self.number(scale, p + ("scale", "min"))
                hi = self.number(scale, p + ("scale", "max"))
                dec = scale.get("decimals", 0)
                if isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 4:
                    self.fail(p + ("scale", "decimals"), "decimals must be a whole number from 0 to 4", "0..4", repr(dec), zh="小数位须为 0 至 4 的整数")
                    dec = 0
                if math.isfinite(lo) and math.isfinite(hi) and not lo < hi:
                    self.fail(p + ("scale", "max"), f"max {hi:g} is not above min {lo:g}", "min < max", f"min {lo:g}, max {hi:g}", zh=f"最高分 {hi:g} 不大于最低分 {lo:g}")
            descriptors = []
            for j, d in enumerate(self.seq(x, "descriptors") if isinstance(x, dict) else []):
                dp = p + ("descriptors", j)
                band = d.get("band") if isinstance(d, dict) else None
                if not (isinstance(band, list) and len(band) == 2 and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in band)):
                    self.fail(dp + ("band",), "a descriptor needs a band [low, high]", "[low, high]", repr(band), zh="每条评分说明需要分数段 [低, 高]")
                    continue
                blo, bhi = float(band[0]), float(band[1])
                if blo > bhi:
                    self.fail(dp + ("band",), f"band [{blo:g}, {bhi:g}] runs backwards", "low <= high", band, zh=f"分数段 [{blo:g}, {bhi:g}] 上下颠倒")
                elif math.isfinite(lo) and math.isfinite(hi) and (blo < lo or bhi > hi):
                    self.fail(dp + ("band",), f"band [{blo:g}, {bhi:g}] is outside the scale {lo:g}..{hi:g}",
                              f"inside {lo:g}..{hi:g}", band, zh=f"分数段 [{blo:g}, {bhi:g}] 超出分值范围 {lo:g}–{hi:g}")
                descriptors.append((dp, Descriptor(blo, bhi, self.text(d, dp + ("text",)))))
            ordered = sorted(descriptors, key=lambda t: t[1].low)
            for (pa, a), (pb, b) in zip(ordered, ordered[1:]):
                if b.low <= a.high:
                    self.fail(pb + ("band",), f"band [{b.low:g}, {b.high:g}] overlaps [{a.low:g}, {a.high:g}]",
                              "bands that do not overlap", [b.low, b.high], zh=f"分数段 [{b.low:g}, {b.high:g}] 与 [{a.low:g}, {a.high:g}] 重叠")
            veto_below = None
            if x.get("veto_below") is not None:
                veto_below = self.number(x, p + ("veto_below",))
                if math.isfinite(veto_below) and math.isfinite(lo) and not lo < veto_below <= hi:
                    self.fail(p + ("veto_below",), f"veto threshold {veto_below:g} is outside the scale {lo:g}..{hi:g}",
                              f"inside {lo:g}..{hi:g}", veto_below, zh=f"否决线 {veto_below:g} 超出分值范围 {lo:g}–{hi:g}")
            help_text = self.text(x, p + ("help",)) if x.get("help") is not None else None
            out.append(Criterion(cid, label, weight, lo, hi, dec, tuple(d for _, d in descriptors), veto_below, help_text))
        # weights: sum to 100, or to 1 (then scaled to 100)
        ws = [c.weight for c in out]
        if out and all(math.isfinite(w) for w in ws):
            total = sum(ws)
            if math.isclose(total, 1.0, abs_tol=1e-9):
                out = [Criterion(c.id, c.label, c.weight * 100, c.min, c.max, c.decimals, c.descriptors, c.veto_below, c.help)
                       for c in out]
            elif not math.isclose(total, 100.0, abs_tol=1e-9):
                self.fail(("criteria", len(out) - 1, "weight"), f"weights sum to {total:g}, expected 100",
                          "100 (or 1)", total, zh=f"权重合计为 {total:g}，应为 100")
        return tuple(out)

    def rule(self, x) -> Rule:
        p = ("rule",)
        if not isinstance(x, dict):
            self.fail(p, "the rule must be a mapping", "{method: trimmed, trim: 1}", repr(x), zh="计分规则须为键值映射，如 {method: trimmed, trim: 1}")
            return Rule()
        method = x.get("method", "trimmed")
        if method not in RULES:
            self.fail(p + ("method",), f"unknown rule '{method}'", "one of " + ", ".join(RULES), method, zh=f"未知的计分规则 '{method}'")
            method = "trimmed"
        trim = x.get("trim", 1 if method == "trimmed" else 0)
        if isinstance(trim, bool) or not isinstance(trim, int) or (method == "trimmed" and trim < 1) or trim < 0:
            self.fail(p + ("trim",), "k of the trimmed mean must be a positive whole number", "an integer >= 1", repr(trim), zh="去掉最高、最低分的个数须为正整数")
            trim = 1
        dec = x.get("decimals", 2)
        if isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 6:
            self.fail(p + ("decimals",), "decimals must be a whole number from 0 to 6", "0..6", repr(dec), zh="得分小数位须为 0 至 6 的整数")
            dec = 2
        return Rule(method, trim, dec)
