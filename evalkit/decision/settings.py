"""The decision's settings, kept in the store as events: what they are
(:data:`SETTING_LABELS`), how a value is checked (:func:`check_settings`), read back
(:func:`read_settings`, :func:`allocation_settings`) and saved
(:func:`set_allocation`: one ``setting`` event, key :data:`SETTING`, holding every
setting resolved), and how the 公示 prints them (:func:`settings_text`). The
settings themselves are listed in :mod:`evalkit.decision.record`."""
from __future__ import annotations

import json

import numpy as np

from ..display import format_score
from ..errors import SettingError
from ..numbers import read_number
from ..text import Text

__all__ = ["SETTING", "SETTING_LABELS", "KEYS", "RULE_KEYS", "ALLOCATION_RULES", "CONTEST_RULES", "MAX_DECIMALS",
           "defaults", "check_settings", "resolve", "read_settings", "allocation_settings", "set_allocation",
           "settings_text"]

#: the store's setting key holding the decision's settings
SETTING = "allocation"
#: every setting with its label (what the 公示 and the Allocation tab show)
SETTING_LABELS: dict[str, Text] = {
    "method": Text("评分规则", "Contest rule"),
    "trim": Text("去掉最高、最低分各几个", "Totals dropped at each end"),
    "decimals": Text("得分小数位", "Score decimals"),
    "rule": Text("分配规则", "Allocation rule"),
    "budget": Text("资金总额", "Budget"),
    "threshold": Text("最低分数线", "Score threshold"),
    "category_min_share": Text("每类最低占比", "Minimum share per category"),
    "category_max_share": Text("每类最高占比", "Maximum share per category"),
    "org_cap": Text("每个机构资助上限", "Cap per organisation"),
    "min_fraction": Text("最低部分资助比例", "Smallest partial share"),
    "tie_break": Text("同分优先顺序", "Tie-break order"),
}
KEYS = tuple(SETTING_LABELS)
#: the settings that make the contest rule (a change after the first score needs a reason)
RULE_KEYS = ("method", "trim", "decimals")
#: the allocation rules a decision can use ("mes" needs per-judge utilities)
ALLOCATION_RULES = ("optimal", "greedy", "greedy_stop", "greedy_density", "proportional")
CONTEST_RULES = ("sum", "mean", "trimmed", "median")
MAX_DECIMALS = 6


def defaults(contest) -> dict:
    """The settings of a contest nobody has changed: its rubric's rule and its budget."""
    rule = contest.rubric.rule
    return {"method": rule.method, "trim": int(rule.trim), "decimals": int(rule.decimals), "rule": "optimal",
            "budget": contest.budget, "threshold": None, "category_min_share": None, "category_max_share": None,
            "org_cap": None, "min_fraction": None, "tie_break": None}


# --- validation ----------------------------------------------------------------

def _expected_zh(expected: str) -> str:
    """The ``expected`` texts of :func:`_bad`, in Chinese."""
    if expected == "a number":
        return "数字"
    if expected.startswith("a number in "):
        return f"取值在 {expected[len('a number in '):]} 内的数字"
    if expected.startswith("a whole number from "):
        low, _, high = expected[len("a whole number from "):].partition(" to ")
        return f"{low} 到 {high} 之间的整数"
    if expected.startswith("keys among "):
        return "以下键之一：" + expected[len("keys among "):].replace(", ", "、")
    if expected == "project ids in priority order":
        return "按优先顺序排列的项目编号"
    if expected == "distinct project ids of the contest":
        return "本大赛中互不重复的项目编号"
    return "以下之一：" + expected.replace(" / ", "、")


def _bad(key, expected, found, where):
    label = SETTING_LABELS[key.split(".")[0]].zh
    return SettingError(f"bad value for setting '{key}': expected {expected}, found {found!r}",
                        where=where, key=key, expected=expected, found=found,
                        zh=f"设置项「{label}」（{key}）的值 {found!r} 无效，应为{_expected_zh(expected)}")


def _parse(value):
    """Text as typed (CLI, a text box): JSON for {...} / [...], '' / none for None,
    else the text itself (numbers are read by :func:`_number`)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() in ("", "none", "null", "default", "无"):
        return None
    if text[:1] in "{[":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return value
    return text


def _number(key, value, where, *, low=None, high=None, low_open=False):
    if isinstance(value, str):
        reading = read_number(value)
        if not reading.ok:
            raise _bad(key, "a number", value, where)
        value = reading.value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
        raise _bad(key, "a number", value, where)
    x = float(value)
    if (low is not None and (x < low or (low_open and x == low))) or (high is not None and x > high):
        lo = "-∞" if low is None else f"{low:g}"
        hi = "∞" if high is None else f"{high:g}"
        span = f"{'(' if low_open else '['}{lo}, {hi}]"
        raise _bad(key, f"a number in {span}", value, where)
    return int(x) if x == int(x) and isinstance(value, (int, np.integer)) else x


def _whole(key, value, where, low, high):
    x = _number(key, value, where, low=low, high=high)
    if x != int(x):
        raise _bad(key, f"a whole number from {low} to {high}", value, where)
    return int(x)


def _per_group(key, value, where, groups, **bounds):
    """A number for every group, or {group: number} over known groups."""
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - set(groups))
        if unknown:
            raise _bad(key, "keys among " + ", ".join(groups), unknown, where)
        return {str(k): _number(f"{key}.{k}", v, where, **bounds) for k, v in value.items()} or None
    return _number(key, value, where, **bounds)


def check_settings(settings: dict, contest, *, where: str = "settings") -> dict:
    """``settings`` checked and normalised: every key known, every value of its kind
    and range (text is read as typed: numbers with :func:`evalkit.numbers.read_number`,
    JSON for dicts and lists); "no limit" values (threshold 0, shares 0 / 1,
    min_fraction 0) become None. Raises :class:`SettingError` naming the key."""
    unknown = sorted(set(settings) - set(KEYS))
    if unknown:
        raise SettingError("unknown setting", where=where, key=", ".join(unknown),
                           expected=" / ".join(KEYS), found=unknown, zh=f"未知设置项：{'、'.join(map(str, unknown))}")
    out = {}
    projects = contest.projects
    for key, raw in settings.items():
        value = _parse(raw)
        if value is None:
            out[key] = None
        elif key == "method":
            if value not in CONTEST_RULES:
                raise _bad(key, " / ".join(CONTEST_RULES), value, where)
            out[key] = str(value)
        elif key == "trim":
            out[key] = _whole(key, value, where, 0, max(0, (len(contest.judges) - 1) // 2))
        elif key == "decimals":
            out[key] = _whole(key, value, where, 0, MAX_DECIMALS)
        elif key == "rule":
            if value not in ALLOCATION_RULES:
                raise _bad(key, " / ".join(ALLOCATION_RULES), value, where)
            out[key] = str(value)
        elif key == "budget":
            out[key] = _number(key, value, where, low=0, low_open=True)
        elif key == "threshold":
            out[key] = _number(key, value, where, low=0) or None
        elif key in ("category_min_share", "category_max_share"):
            share = _per_group(key, value, where, sorted(map(str, projects["category"].dropna().unique())),
                               low=0, high=1)
            out[key] = None if share == (0 if key == "category_min_share" else 1) else share
        elif key == "org_cap":
            out[key] = _per_group(key, value, where, sorted(map(str, projects["organisation"].dropna().unique())),
                                  low=0, low_open=True)
        elif key == "min_fraction":
            out[key] = _number(key, value, where, low=0, high=1) or None
        elif key == "tie_break":
            ids = [s.strip() for s in value.replace(";", ",").split(",") if s.strip()] if isinstance(value, str) \
                else value
            if not isinstance(ids, (list, tuple)):
                raise _bad(key, "project ids in priority order", value, where)
            ids = [str(x) for x in ids]
            unknown = [x for x in ids if x not in set(contest.project_ids)]
            if unknown or len(set(ids)) != len(ids):
                raise _bad(key, "distinct project ids of the contest", unknown or ids, where)
            out[key] = ids or None
    return out


def resolve(settings: dict, contest) -> dict:
    """Every setting: ``settings`` (checked) over the contest's defaults; a None
    method, trim, decimals, rule or budget takes the default."""
    base = defaults(contest)
    checked = check_settings(settings, contest)
    out = dict(base)
    for key, value in checked.items():
        out[key] = base[key] if value is None and base[key] is not None else value
    return out


def read_settings(stored: dict, contest) -> dict:
    """The decision's settings from a store's settings (``Store.settings()`` or the
    folded log in :mod:`evalkit.decision.replay`): the :data:`SETTING` event over the
    defaults. (An ``allocation_rule`` setting, the rule alone, is read under it.)"""
    raw = {}
    if stored.get("allocation_rule") is not None:
        raw["rule"] = stored["allocation_rule"]
    record = stored.get(SETTING)
    if record is not None and not isinstance(record, dict):
        raise SettingError("the stored allocation setting is not a table of settings", where="store",
                           key=SETTING, expected="a dict", found=type(record).__name__,
                           zh="评分库中保存的分配设置不是设置表")
    raw.update(record or {})
    return resolve(raw, contest)


def allocation_settings(store) -> dict:
    """The current settings of the store's contest, defaults filled in."""
    return read_settings(store.settings(), store.contest)


def set_allocation(store, *, reason: str | None = None, **settings) -> dict:
    """Record settings as one event (validated first; nothing is written when a
    value is refused or nothing changes). Keys not given keep their current
    value; None restores the default. Returns the settings now in force.
    Needs the secretary's rights on a store with a PIN (AccessError otherwise).
    A change of the contest rule (method, trim, decimals) is an amendment of the
    running contest: after the first score it needs a ``reason`` (``Store.amend``,
    the setting and its "rule" amend event in one transaction).

    Two secretaries saving at once (the Allocation tab and ``evalkit settings``) both
    count: the write checks inside its transaction that nobody saved the settings
    since they were read, and otherwise merges again into the newer ones."""
    given = check_settings(settings, store.contest, where=str(store.path))
    for _ in range(_MERGE_TRIES):
        seen = store.setting_version(SETTING)
        current = allocation_settings(store)
        merged = resolve({**current, **given}, store.contest)
        rule = {k: merged[k] for k in RULE_KEYS if merged[k] != current[k]}

        def unchanged_since_read(c, seen=seen):
            if store._setting_version(c, SETTING) != seen:
                raise _SavedMeanwhile
        try:
            if rule:
                store.amend("rule", value=rule, reason=reason, setting=(SETTING, merged), guard=unchanged_since_read)
            elif merged != current or not seen:
                store.setting(SETTING, merged, guard=unchanged_since_read)
            return merged
        except _SavedMeanwhile:
            continue
    raise SettingError("the settings kept changing while they were saved; try again", where=str(store.path),
                       key=SETTING, expected="one save at a time", found=f"{_MERGE_TRIES} saves meanwhile",
                       zh="保存时设置被他人反复修改，请重试")


_MERGE_TRIES = 5


class _SavedMeanwhile(Exception):
    """Another writer saved the settings between our read and our write."""


def settings_text(settings: dict, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, value) per setting as the 公示 prints it; numbers via format_score."""
    def number(x) -> str:
        return format_score(x, min(MAX_DECIMALS, max(0, -_exponent(x))))

    def value(v) -> str:
        if v is None:
            return "无" if lang != "en" else "none"
        if isinstance(v, dict):
            return "; ".join(f"{k}: {number(x)}" for k, x in v.items())
        if isinstance(v, (list, tuple)):
            return ", ".join(map(str, v))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return number(v)
        return str(v)
    return [(SETTING_LABELS[k].get(lang), value(settings.get(k))) for k in KEYS]


def _exponent(x: float) -> int:
    """The exponent of the last significant decimal of ``x`` (80.125 -> -3)."""
    from decimal import Decimal
    return int(Decimal(repr(float(x))).normalize().as_tuple().exponent)
