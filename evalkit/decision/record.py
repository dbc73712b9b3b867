"""The decision record: the settings a contest's result depends on, kept in the
store as events, and the one computation of ranking and allocation from them.

A public fund's decision must read the same on every surface (the Allocation
tab, the big screen, the 公示, ``evalkit report``, ``evalkit replay``) and be
provable afterwards. So the settings are not held by any one surface: the
Allocation tab, ``evalkit settings`` and the API write them with
:func:`set_allocation` (one ``setting`` event, key :data:`SETTING`, holding every
setting resolved, so the event alone says what was decided), every surface reads
them with :func:`allocation_settings`, and computes the result with
:func:`decide` / :func:`decision` — the only place that ranks and allocates for
a decision. :func:`result_digest` is the SHA-256 printed in the 公示 and by
``evalkit replay``.

Settings (``None`` = the default):

- ``method``, ``trim``: the contest rule (sum, mean, trimmed, median; default the
  rubric's); ``decimals``: display and tie decimals (default the rubric's);
- ``rule``: the allocation rule (default "optimal"); ``budget`` (default the contest's);
- ``threshold``: projects scoring below it are not funded (0 = none);
- ``category_min_share`` / ``category_max_share``: share of the fund per category,
  a number for every category or {category: share} (0 / 1 = none);
- ``org_cap``: money per organisation, a number or {organisation: money};
- ``min_fraction``: the smallest partial share (0 = all or nothing);
- ``tie_break``: project ids in priority order for equal scores.

Example::

    from evalkit.decision import set_allocation, decision
    with contest.open_store(pin=PIN) as store:
        set_allocation(store, threshold=75)      # or store.set_allocation(threshold=75)
        d = decision(contest, store)
    d.allocation.table, d.digest
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..aggregate.ready import live_ranking
from ..allocate import allocate
from ..display import display_round, format_score
from ..errors import DataError, SettingError
from ..numbers import read_number
from ..text import Text

__all__ = ["SETTING", "DIGEST_DECIMALS", "SETTING_LABELS", "KEYS", "ALLOCATION_RULES", "CONTEST_RULES", "MAX_DECIMALS",
           "defaults", "check_settings", "resolve", "read_settings", "allocation_settings", "set_allocation",
           "ruled_contest", "allocation_options", "Decision", "result_digest", "decide", "decision", "settings_text"]

#: the store's setting key holding the decision's settings
SETTING = "allocation"
#: decimals of the scores and amounts the digest covers
DIGEST_DECIMALS = 6

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


# --- the decision ------------------------------------------------------------------

def ruled_contest(contest, settings: dict):
    """The contest with its rubric's rule set to the settings' method, trim and
    decimals (what the screen, the leaderboard and the 公示 show)."""
    rule = contest.rubric.rule
    new = dataclasses.replace(rule, method=settings.get("method") or rule.method,
                              trim=rule.trim if settings.get("trim") is None else int(settings["trim"]),
                              decimals=rule.decimals if settings.get("decimals") is None else int(settings["decimals"]))
    if new == rule:
        return contest
    return dataclasses.replace(contest, rubric=dataclasses.replace(contest.rubric, rule=new))


def allocation_options(settings: dict) -> dict:
    """The settings as ``ek.allocate`` keyword arguments (budget and rule included)."""
    opts = {"budget": settings["budget"], "rule": settings["rule"], "category": "category",
            "organisation": "organisation"}
    for key in ("threshold", "category_min_share", "category_max_share", "org_cap", "min_fraction", "tie_break"):
        if settings.get(key) is not None:
            opts[key] = settings[key]
    return opts


@dataclass
class Decision:
    """A contest's decided result. ``contest``: the contest under the settings' rule;
    ``settings``: every setting used; ``scores``: the round's scores; ``ranking``
    (``ek.rank``'s Ranking of the projects with enough sheets) and ``allocation``
    (``ek.allocate``'s Allocation, None when not asked); ``waiting``: projects not yet
    rankable; ``digest``: :func:`result_digest`."""
    contest: object
    settings: dict
    round: str
    scores: pd.DataFrame
    ranking: object
    allocation: object
    waiting: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    amendments: list = field(default_factory=list)  # the running contest's changes (evalkit.live.amendments.decode)

    @property
    def ranking_table(self) -> pd.DataFrame:
        """project, score, rank, excluded: what the digest covers of the ranking."""
        t = self.ranking.projects.reset_index()
        t["project"] = t["project"].astype(str)
        return t[["project", "score", "rank", "excluded"]]

    @property
    def allocation_table(self) -> pd.DataFrame:
        """project, score, requested, funded, amount (empty without an allocation)."""
        cols = ["project", "score", "requested", "funded", "amount"]
        return self.allocation.table[cols] if self.allocation is not None else pd.DataFrame(columns=cols)

    @property
    def digest(self) -> str:
        return result_digest(self.ranking_table, self.allocation_table)


def result_digest(ranking: pd.DataFrame, allocation: pd.DataFrame) -> str:
    """SHA-256 over the canonical JSON of the ranking (project, score to 6 decimals,
    rank, excluded) and the allocation (project, funded, amount): a result that
    moves changes it; the same result always gives the same digest."""
    def nums(values):
        return [None if x != x else x for x in np.atleast_1d(display_round(values, DIGEST_DECIMALS)).tolist()]
    rank_rows = [[str(p), s, None if pd.isna(r) else int(r), str(e or "")]
                 for p, s, r, e in zip(ranking["project"], nums(ranking["score"].to_numpy(float)),
                                       ranking["rank"], ranking["excluded"].fillna(""))]
    alloc_rows = [[str(p), bool(f), a] for p, f, a in zip(allocation["project"], allocation["funded"],
                                                          nums(allocation["amount"].to_numpy(float)))]
    body = json.dumps({"ranking": rank_rows, "allocation": alloc_rows}, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def decide(contest, scores: pd.DataFrame, settings: dict | None = None, *, round: str | None = None,
           with_allocation: bool = True) -> Decision:
    """Rank and allocate ``scores`` under ``settings`` (checked; defaults filled
    in): the one computation every surface shows. ``round`` (default the contest's
    first) picks the round's rows when the scores have a ``round`` column. Projects
    without enough complete sheets for the rule wait (``Decision.waiting``), as on
    the live board. Raises DataError when no project can be ranked yet."""
    settings = resolve(settings or {}, contest)
    ruled = ruled_contest(contest, settings)
    round_id = round or contest.default_round
    if "round" in scores:
        scores = scores[scores["round"] == round_id]
    scores = contest.with_panels(scores.reset_index(drop=True))
    ranking, waiting, error = live_ranking(scores, ruled)
    if ranking is None:
        raise DataError(error or "no project has enough complete score sheets yet",
                        where=str(getattr(contest, "dir", "contest")), key="scores",
                        expected="complete sheets for the contest rule", found=f"{len(scores)} scores",
                        zh=f"尚无法排名：{error}" if error else "尚无可排名的项目：没有项目有足够的完整评分表")
    allocation = None
    if with_allocation:
        allocation = allocate(ranking.projects.join(contest.projects.set_index("id")), **allocation_options(settings))
    return Decision(ruled, settings, round_id, scores, ranking, allocation, waiting, list(ranking.notes))


def decision(contest, store, *, round: str | None = None, with_allocation: bool = True) -> Decision:
    """The decision on the store's current scores and settings (``round`` default:
    the round now running)."""
    round_id = round or store.current()[1]
    from ..store.amendments import decode
    if getattr(contest, "dir", None) == store.contest.dir:
        contest = store.contest  # the contest with the store's amendments (judges, conflicts)
    d = decide(contest, store.scores(round_id), allocation_settings(store), round=round_id,
               with_allocation=with_allocation)
    d.amendments = [decode(r) for r in store.amendment_events()]
    return d


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
