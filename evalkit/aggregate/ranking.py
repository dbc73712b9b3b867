"""``rank``: judges' scores -> one ranked table of projects, by the contest's rule or
a calibration method, with panels, bonus points, veto items and the tie-break."""
from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._params import (CONFIDENCE, Boolean, Column, Frame, InstanceOf, Interval, NoneOr, Options, count,
                       parameter_error, validate_params)
from ..display import display_round, format_score
from ..errors import DataError
from ..rubric import Rubric
from ..scores import require_columns, totals as weighted_totals
from .base import Context, Fit, normal_interval
from ..design import connectivity, require_connected
from .registry import METHODS, Method
from .rules import _kept, _summarise

COMMON_OPTIONS = ("panel", "decimals", "confidence", "criterion")
# the arguments rank() and compare() share (a method's own options are checked only when given)
RANK_PARAMS = {"scores": Frame(), "rubric": NoneOr(InstanceOf(Rubric, "a Rubric", "评分细则 (Rubric)")),
               "judge": Column("scores"), "project": Column("scores"), "value": Column("scores"),
               "confidence": CONFIDENCE, "decimals": Interval(Integral, 0, 6), "trim": count(1),
               "max_iter": count(1), "categories": count(2), "tol": Interval(Real, 0, None, closed="neither"),
               "shrink": Boolean(), "panel": InstanceOf(str, "a column name", "列名"),
               "criterion": InstanceOf(str, "a column name", "列名")}


@dataclass
class Ranking:
    """The result of :func:`rank`.

    ``projects``: index project; score (rubric total scale, bonus included), se,
    ci_low, ci_high, rank (1 = best; nullable, none for excluded projects), n_judges,
    bonus, excluded ("" or the reason), tied (shares its rank after the tie-break),
    sorted by rank. ``judges``: index judge; severity (points or logits below the
    others, positive = harsh), scale, se, infit, outfit, n_projects (and panel).
    ``ties``: groups of projects that still share a rank after the tie-break.
    """
    projects: pd.DataFrame
    judges: pd.DataFrame
    method: str
    notes: list[str] = field(default_factory=list)
    ties: list[list[str]] = field(default_factory=list)
    level: float = 0.95
    decimals: int = 2

    @property
    def confidence(self) -> float:
        """The confidence of ``ci_low``/``ci_high`` (the shared argument's name; ``level`` kept)."""
        return self.level

    def __repr__(self) -> str:
        head = self.projects.head(10).copy()
        for c in ("score", "ci_low", "ci_high"):  # the scores as every page shows them
            if c in head:
                head[c] = display_round(head[c].to_numpy(float), self.decimals)
        head = head.round(self.decimals).to_string()
        notes = "".join(f"\n  note: {n}" for n in self.notes)
        return f"Ranking(method={self.method!r}, {len(self.projects)} projects){notes}\n{head}"


# ---------------------------------------------------------------------------
# input checks

def _options(method: str, rubric: Rubric | None, options: dict, where: str = "rank") -> tuple[Method, dict]:
    """The method's spec and its options with the defaults (values already checked by RANK_PARAMS)."""
    spec = METHODS[method]
    unknown = sorted(set(options) - set(COMMON_OPTIONS) - set(spec.options))
    if unknown:
        allowed = ", ".join(COMMON_OPTIONS + spec.options)
        raise parameter_error(where, unknown[0], f"an option of method '{method}' ({allowed})",
                              f"方法 {method} 的选项（{allowed}）", options[unknown[0]])
    opts = dict(options)
    opts["level"] = opts.pop("confidence", 0.95)
    opts.setdefault("decimals", rubric.rule.decimals if rubric is not None else 2)
    if method == "trimmed":
        opts.setdefault("trim", rubric.rule.trim if rubric is not None and rubric.rule.method == "trimmed" else 1)
    if spec.criterion_level and rubric is None:
        raise DataError(f"method '{method}' models criterion-level scores and needs the rubric", key="rubric",
                        expected="a Rubric", found=None, zh=f"方法 {method} 按评分项建模，需要评分细则（rubric）")
    return spec, opts


@dataclass
class _Data:
    totals: pd.DataFrame              # judge, project, total (+ panel)
    criteria: pd.DataFrame | None     # judge, project, criterion, score (+ panel): criterion items
    veto: pd.DataFrame | None
    bonus: pd.DataFrame | None
    notes: list[str]


def _prepare(scores, rubric, judge, project, value, criterion, panel) -> _Data:
    where = "score table"
    if rubric is None:
        require_columns(scores, (judge, project, value), where=where)
        cols = {judge: "judge", project: "project", value: "total"}
    else:
        require_columns(scores, (judge, project, criterion, value), where=where)
        cols = {judge: "judge", project: "project", criterion: "criterion", value: "score"}
    if panel in scores.columns:
        cols[panel] = "panel"
    df = scores[list(cols)].rename(columns=cols)
    for c in ("judge", "project", "criterion", "panel"):
        if c in df:
            df[c] = df[c].astype(str).str.strip()
    num = "total" if rubric is None else "score"
    df[num] = pd.to_numeric(df[num], errors="coerce")
    bad = df[num].isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{int(bad.sum())} score(s) are missing or not numbers", where=f"{where} row {i + 2}",
                        key=value, expected="a number", found=scores[value].iloc[i],
                        zh=f"{int(bad.sum())} 个分数缺失或不是数字（'{value}' 列）")
    notes: list[str] = []
    if rubric is None:
        dup = df.duplicated(["judge", "project"])
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise DataError("without a rubric the table must hold one total per judge and project",
                            where=f"{where} row {i + 2}", key="judge,project", expected="one row per pair",
                            found=f"a second row for ({df['judge'].iloc[i]}, {df['project'].iloc[i]})",
                            zh=f"没有评分细则时，每位评委对每个项目只能有一行总分（评委 {df['judge'].iloc[i]}、"
                               f"项目 {df['project'].iloc[i]} 出现两次）")
        return _Data(df.reset_index(drop=True), None, None, None, notes)
    # each distinct id looked up once (the live leaderboard ranks on every write)
    cc, ids = pd.factorize(df["criterion"])
    kind = np.array([rubric.item_kind(u) or "" for u in ids], dtype=object)[cc]
    if (kind == "").any():
        i = int(np.flatnonzero(kind == "")[0])
        raise DataError(f"unknown criterion '{df['criterion'].iloc[i]}'", where=f"{where} row {i + 2}",
                        key=criterion, expected="a criterion, veto or bonus id of rubric " + rubric.id,
                        found=df["criterion"].iloc[i],
                        zh=f"未知的评分项 '{df['criterion'].iloc[i]}'（不在评分细则 {rubric.id} 中）")
    is_crit = kind == "criterion"
    crit = df if is_crit.all() else df[is_crit]  # usually every row is a criterion score: no copy
    tot = weighted_totals(crit, rubric, complete=False)
    partial = tot["n_criteria"] < len(rubric.criteria)
    if partial.any():
        pairs = ", ".join(f"{j}/{p}" for j, p in tot.loc[partial, ["judge", "project"]].head(10).to_numpy())
        notes.append(f"{int(partial.sum())} 份评分不完整，未计入 (incomplete score sheet(s) left out: {pairs})")
    tot = tot[~partial].drop(columns="n_criteria").reset_index(drop=True)
    if "round" in tot and tot["round"].nunique() > 1:
        raise DataError("the score table mixes rounds; rank one round at a time", where=where, key="round",
                        expected="one round", found=sorted(tot["round"].astype(str).unique()),
                        zh="评分表包含多个轮次，请每次只排一个轮次")
    tot = tot.drop(columns=[c for c in ("round",) if c in tot])
    return _Data(tot, crit.reset_index(drop=True), df[kind == "veto"], df[kind == "bonus"], notes)


# ---------------------------------------------------------------------------
# helpers shared by the rank steps

def rule_aggregate(long: pd.DataFrame, key: list[str], value: str, how: str, trim: int) -> pd.Series:
    """The contest rule applied to any long table grouped by ``key`` (sum/mean give
    the mean: the result stays on the item's own scale). Trimmed falls back to the
    mean where too few judges scored."""
    g = long.groupby(key, sort=True)[value]
    if how == "median":
        return g.median()
    mean = g.mean()
    if how != "trimmed":
        return mean
    # one string label per group, built the same way for the rows and the result
    groups = pd.MultiIndex.from_frame(long[key]) if len(key) > 1 else pd.Index(long[key[0]])
    frame = pd.DataFrame({"judge": long["judge"].to_numpy(),
                          "project": groups.to_flat_index().map(str).to_numpy(),
                          "total": long[value].to_numpy(float)})
    pc, x, n, pid = _kept(frame, trim)
    _, tmean, _ = _summarise(pc, x, len(pid))
    trimmed = pd.Series(tmean, index=pid)
    out = trimmed.reindex(mean.index.to_flat_index().map(str)).to_numpy()
    return pd.Series(np.where(np.isnan(out), mean.to_numpy(), out), index=mean.index)


def _panel_weights(rubric, data: _Data, notes) -> dict[str, float] | None:
    if rubric is None or not rubric.panels:
        return None
    if "panel" not in data.totals:
        notes.append("评分表没有 panel 列，未分评审团加权 (no panel column: panels not weighted)")
        return None
    weights = rubric.panel_weights()
    unknown = sorted(set(data.totals["panel"]) - set(weights))
    if unknown:
        raise DataError(f"unknown panel(s) {', '.join(unknown)}", where="score table", key="panel",
                        expected="one of " + ", ".join(weights), found=unknown,
                        zh=f"未知的评审组：{'、'.join(unknown)}")
    return weights


def _fit_group(spec: Method, tot: pd.DataFrame, ctx: Context, label: str) -> Fit:
    if spec.needs_connected:
        require_connected(tot, spec.name)
        fit = spec.fit(tot, ctx)
    else:
        fit = spec.fit(tot, ctx)
        conn = connectivity(tot)
        if not conn.connected:
            fit.notes.append(conn.message())
    if label:
        fit.notes = [f"[{label}] {n}" for n in fit.notes]
    return fit


def _combine(fits: dict[str, Fit], weights: dict[str, float], level: float, notes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weighted sum of the panels' scores; SEs combine as independent; where a
    project lacks a panel the other weights are renormalised (with a note)."""
    score = pd.concat({p: f.projects["score"] for p, f in fits.items()}, axis=1)
    se = pd.concat({p: f.projects["se"] for p, f in fits.items()}, axis=1)
    nj = pd.concat({p: f.projects["n_judges"] for p, f in fits.items()}, axis=1)
    w = pd.DataFrame({p: np.where(score[p].notna(), weights[p], 0.0) for p in score}, index=score.index)
    missing = w.eq(0).any(axis=1)
    if missing.any():
        notes.append("部分项目缺少某评审团评分，权重按已有评审团重新分配 (projects lacking a panel's scores, "
                     "weights renormalised: " + ", ".join(score.index[missing]) + ")")
    w = w.div(w.sum(axis=1), axis=0)
    s = (score.fillna(0) * w).sum(axis=1)
    e = np.sqrt(((se.fillna(0) * w) ** 2).sum(axis=1))
    lo, hi = normal_interval(s, e, level)
    proj = pd.DataFrame({"score": s, "se": e, "ci_low": lo, "ci_high": hi,
                         "n_judges": nj.fillna(0).sum(axis=1).astype(int)})
    judges = pd.concat([f.judges.assign(panel=p) for p, f in fits.items()])
    return proj, judges


def _bonus(data: _Data, rubric: Rubric, index) -> pd.Series:
    if data.bonus is None or data.bonus.empty:
        return pd.Series(0.0, index=index)
    per_item = data.bonus.groupby(["project", "criterion"])["score"].mean().reset_index()
    per_item["score"] = np.minimum(per_item["score"], per_item["criterion"].map(lambda b: rubric.bonus_item(b).max))
    total = per_item.groupby("project")["score"].sum()
    if rubric.bonus_cap is not None:
        total = np.minimum(total, rubric.bonus_cap)
    return total.reindex(index, fill_value=0.0).astype(float)


def _exclusions(data: _Data, rubric: Rubric, index, how: str, trim: int, weights) -> pd.Series:
    reasons: dict[str, list[str]] = {}
    if data.veto is not None and not data.veto.empty:
        yes = data.veto[data.veto["score"] == 1]
        for (p, item), g in yes.groupby(["project", "criterion"], sort=True):
            judges = ", ".join(sorted(g["judge"]))
            reasons.setdefault(p, []).append(f"一票否决 veto: {rubric.label(item)} (judge {judges})")
    gated = [c for c in rubric.criteria if c.veto_below is not None]
    if gated and data.criteria is not None:
        crit = data.criteria[data.criteria["criterion"].isin([c.id for c in gated])]
        if weights and "panel" in crit:
            per = rule_aggregate(crit, ["project", "criterion", "panel"], "score", how, trim).rename("s").reset_index()
            per["w"] = per["panel"].map(weights)
            per["ws"] = per["s"] * per["w"]
            g = per.groupby(["project", "criterion"])
            agg = g["ws"].sum() / g["w"].sum()
        else:
            agg = rule_aggregate(crit, ["project", "criterion"], "score", how, trim)
        for (p, cid), v in agg.items():
            c = rubric.criterion(cid)
            if v < c.veto_below:
                reasons.setdefault(p, []).append(
                    f"低于否决线 below veto threshold: {c.label.zh} {v:.2f} < {c.veto_below:g}")
    return pd.Series({p: "; ".join(reasons.get(p, [])) for p in index}, dtype=object).reindex(index).fillna("")


def _tie_break(crit: pd.DataFrame, rubric: Rubric, index: pd.Index) -> pd.DataFrame:
    """Each project's mean score on each tie-break criterion (columns in the rubric's
    order; NaN where a project has none), indexed like ``index``."""
    cols = list(rubric.tie_break)
    out = np.full((len(index), len(cols)), np.nan)
    if cols:
        sub = crit[crit["criterion"].isin(cols)]
        pc = index.get_indexer(sub["project"])
        mine = pc >= 0
        cell = pc[mine] * len(cols) + pd.Index(cols).get_indexer(sub["criterion"])[mine]
        # pandas' grouped mean on integer cell codes (the same arithmetic as a pivot table)
        mean = pd.Series(sub["score"].to_numpy(float)[mine]).groupby(cell).mean()
        out.flat[mean.index.to_numpy()] = mean.to_numpy()
    return pd.DataFrame(out, index=index, columns=cols)


def _order(proj: pd.DataFrame, tb: pd.DataFrame, decimals: int, rubric, notes) -> tuple[pd.DataFrame, list]:
    """Competition ranks (1, 2, 2, 4) on the displayed score (``display_round``:
    the rule's decimals, 四舍五入, as every page shows it, so projects that read the
    same are tied), ties broken by the tie-break criteria in order (higher mean
    criterion score wins)."""
    ok = (proj["excluded"] == "").to_numpy()
    shown = np.where(ok, display_round(proj["score"].to_numpy(float), decimals), np.nan)
    key = np.column_stack([shown, tb.reindex(proj.index).to_numpy(float)])
    key[np.isnan(key)] = -np.inf
    # lexsort is stable: equal keys keep the index order, best first
    order = np.lexsort(-key[:, ::-1].T)
    key, ids, shown = key[order], proj.index[order], shown[order]
    start = np.flatnonzero(np.r_[True, (key[1:] != key[:-1]).any(axis=1)])
    size = np.diff(np.r_[start, len(key)])
    ranks = np.repeat(start + 1, size).astype(float)
    ties = [list(ids[i:i + k]) for i, k in zip(start, size) if k > 1 and np.isfinite(key[i, 0])]
    proj = proj.iloc[order].copy()
    proj["rank"] = pd.array(np.where(proj["excluded"] == "", ranks, np.nan), dtype="Int64")
    tied = set(p for t in ties for p in t)
    proj["tied"] = proj.index.isin(tied)
    # say which score ties the tie-break settled (equal shown scores, lowest first)
    ranked = ~np.isnan(shown)
    values, group, count = np.unique(shown[ranked], return_inverse=True, return_counts=True)
    for gi in np.flatnonzero(count > 1) if tb.shape[1] else ():
        s, g = values[gi], ids[ranked][group == gi]
        if not set(g) <= tied:
            text = format_score(s, decimals)
            notes.append(f"同分 {text} 按 {'、'.join(rubric.label(c) for c in tb.columns)} 决定名次 "
                         f"(tie at {text} between {', '.join(g)} broken by "
                         f"{', '.join(tb.columns)})")
    for t in ties:
        notes.append(f"并列 tied: {', '.join(t)} share rank {int(proj.loc[t[0], 'rank'])}")
    return proj, ties


# ---------------------------------------------------------------------------

@validate_params({**RANK_PARAMS, "method": Options(METHODS)})
def rank(scores: pd.DataFrame, rubric: Rubric | None = None, *, method: str = "trimmed", judge: str = "judge",
         project: str = "project", value: str = "score", **options) -> Ranking:
    """Rank projects from judges' scores by the contest's rule or a calibration method.

    Parameters
    ----------
    scores : long DataFrame. With ``rubric``: one row per (judge, project,
        criterion) — criterion, veto and bonus items — turned into judge totals
        (``evalkit.scores.totals``). Without: one total per (judge, project) in
        ``value``.
    method : ``sum``, ``mean``, ``trimmed`` (default), ``median`` (the contest
        rules); ``zscore``, ``rank`` (standardisations); ``additive``, ``affine``,
        ``mfrm``, ``bayes`` (models of judge effects). See ``METHODS``.
    options : ``trim`` (k of the trimmed mean; default the rubric's), ``panel``
        (panel column, default "panel"), ``criterion`` (column, default
        "criterion"), ``decimals`` (display and tie detection; default the
        rubric's), ``confidence`` (of the CI, 0.95; ``level`` is accepted too), and
        each method's own options.

    Panels (rubric with panels and a panel column): each panel is aggregated on its
    own and the scores combined by the panel weights. Bonus items: per item the mean
    of the given points capped at the item's max, summed, capped at ``bonus_cap``,
    added after aggregation. Veto: one judge's 1 on a veto item, or a project's
    rule-aggregated criterion score below ``veto_below``, excludes the project.

    Example
    -------
    >>> r = ek.rank(contest.scores, contest.rubric, method="trimmed")  # doctest: +SKIP
    >>> r.projects[["score", "rank"]].head()                           # doctest: +SKIP
    """
    spec, opts = _options(method, rubric, options)
    criterion, panel = opts.pop("criterion", "criterion"), opts.pop("panel", "panel")
    level, decimals = opts.pop("level"), opts.pop("decimals")
    data = _prepare(scores, rubric, judge, project, value, criterion, panel)
    if data.totals.empty:
        raise DataError("no complete score sheet to rank", where="score table", expected="scores",
                        found="none", zh="没有完整的评分表，无法排名")
    notes = list(data.notes)
    weights = _panel_weights(rubric, data, notes)
    groups = ({p: data.totals[data.totals["panel"] == p] for p in weights if (data.totals["panel"] == p).any()}
              if weights else {"": data.totals})
    fits = {}
    for label, tot in groups.items():
        crit = data.criteria
        if crit is not None and label:
            crit = crit[crit["panel"] == label]
        ctx = Context(rubric, level, opts, crit)
        fits[label] = _fit_group(spec, tot[["judge", "project", "total"]].reset_index(drop=True), ctx, label)
        notes.extend(fits[label].notes)
    if weights:
        proj, judges = _combine(fits, weights, level, notes)
    else:
        proj, judges = fits[""].projects.copy(), fits[""].judges
    proj.index = proj.index.astype(str)
    if rubric is not None:
        proj["bonus"] = _bonus(data, rubric, proj.index)
        how = rubric.rule.method
        excluded = _exclusions(data, rubric, proj.index, how, rubric.rule.trim, weights)
        tb = _tie_break(data.criteria, rubric, proj.index)
    else:
        proj["bonus"] = 0.0
        excluded = pd.Series("", index=proj.index)
        tb = pd.DataFrame(index=proj.index)
    for c in ("score", "ci_low", "ci_high"):
        proj[c] = proj[c] + proj["bonus"]
    proj["excluded"] = excluded
    proj, ties = _order(proj, tb, decimals, rubric, notes)
    cols = ["score", "se", "ci_low", "ci_high", "rank", "n_judges", "bonus", "excluded", "tied"]
    proj = proj[cols + [c for c in proj.columns if c not in cols]]
    return Ranking(proj, judges, method, notes, ties, level, decimals)
