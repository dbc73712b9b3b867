"""The per-judge alerts of :func:`evalkit.agreement.judges`: which rule fired (a code)
and its text in Chinese or English, from one table.

``judges()`` returns the codes (column ``flag_codes``, ";"-separated) and, for
compatibility, ``flags`` (each alert's Chinese label then its English text); a page
shows :func:`describe_flags` in its own language.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: the rules' thresholds (``judges(thresholds=...)`` overrides them)
DEFAULT_THRESHOLDS = {"severity_z": 2.0, "loo_spearman": 0.3, "spread_low": 0.5, "spread_high": 2.0,
                      "halo": 0.3, "top_k_changes": 2, "min_projects": 3}
#: code -> (Chinese text, English text); fields from the judge's row, the rule's thresholds and k
FLAG_TEXT: dict[str, tuple[str, str]] = {
    "harsh": ("偏严：宽严度 {severity:+.2f}，z = {severity_z:.1f}（规则 |z| > {t_severity_z:g}）",
              "harsh: severity {severity:+.2f}, z={severity_z:.1f} (rule |z|>{t_severity_z:g})"),
    "lenient": ("偏宽：宽严度 {severity:+.2f}，z = {severity_z:.1f}（规则 |z| > {t_severity_z:g}）",
                "lenient: severity {severity:+.2f}, z={severity_z:.1f} (rule |z|>{t_severity_z:g})"),
    "disagree": ("排序与其他评委不一致：相关 {loo_spearman:.2f}（规则 < {t_loo_spearman:g}）",
                 "ranks disagree with the panel: loo_spearman={loo_spearman:.2f} (rule <{t_loo_spearman:g})"),
    "narrow": ("打分区间过窄：离散度 {spread:.2f}（规则 < {t_spread_low:g}）",
               "narrow range: spread={spread:.2f} (rule <{t_spread_low:g})"),
    "wide": ("打分区间过宽：离散度 {spread:.2f}（规则 > {t_spread_high:g}）",
             "wide range: spread={spread:.2f} (rule >{t_spread_high:g})"),
    "halo": ("光环效应：各评分项同涨同落，{halo:+.2f}（规则 > {t_halo:g}）",
             "halo: criteria move together, halo={halo:+.2f} (rule >{t_halo:g})"),
    "sways_top": ("影响前{k}名：去掉该评委，前{k}名中有 {top_k_changes} 个名次改变（规则 ≥ {t_top_k_changes}）",
                  "sways the top {k}: {top_k_changes} position(s) change without this judge (rule >={t_top_k_changes})"),
    "few_projects": ("评分项目过少：{n_projects} 个（规则 < {t_min_projects}）",
                     "few projects: {n_projects} (rule <{t_min_projects})"),
}
#: the short Chinese label that opens the bilingual ``flags`` text
_LABEL_ZH = {"harsh": "偏严", "lenient": "偏宽", "disagree": "排序与其他评委不一致", "narrow": "打分区间过窄",
             "wide": "打分区间过宽", "halo": "光环效应", "sways_top": "影响前{k}名", "few_projects": "评分项目过少"}


def flag_codes(row: dict, limits: dict) -> list[str]:
    """The codes of the rules that fire for one judge's diagnostics ``row``."""
    codes = []
    z = row["severity_z"]
    if np.isfinite(z) and abs(z) > limits["severity_z"]:
        codes.append("harsh" if z > 0 else "lenient")
    if np.isfinite(row["loo_spearman"]) and row["loo_spearman"] < limits["loo_spearman"]:
        codes.append("disagree")
    s = row["spread"]
    if np.isfinite(s) and s < limits["spread_low"]:
        codes.append("narrow")
    if np.isfinite(s) and s > limits["spread_high"]:
        codes.append("wide")
    if np.isfinite(row["halo"]) and row["halo"] > limits["halo"]:
        codes.append("halo")
    if row["top_k_changes"] >= limits["top_k_changes"]:
        codes.append("sways_top")
    if row["n_projects"] < limits["min_projects"]:
        codes.append("few_projects")
    return codes


def flag_text(code: str, row, limits: dict, lang: str = "zh") -> str:
    """One alert in ``lang`` ("zh" or "en"); ``row`` holds the judge's diagnostics and ``top_k``."""
    fields = {**{k: row[k] for k in ("severity", "severity_z", "loo_spearman", "spread", "halo", "top_k_changes",
                                     "n_projects")},
              "k": row["top_k"], **{f"t_{k}": v for k, v in limits.items()}}
    return FLAG_TEXT[code][1 if lang == "en" else 0].format(**fields)


def bilingual_flags(row, codes: list[str], limits: dict) -> str:
    """The ``flags`` column: each alert's Chinese label then its English text."""
    return "; ".join(f"{_LABEL_ZH[c].format(k=row['top_k'])} {flag_text(c, row, limits, 'en')}" for c in codes)


def describe_flags(diagnostics: pd.DataFrame, lang: str = "zh", thresholds: dict | None = None) -> pd.Series:
    """Each judge's alerts in one language, from the ``flag_codes`` of
    :func:`evalkit.agreement.judges` (pass the same ``thresholds``); "" when none.

    >>> describe_flags(ek.agreement.judges(scores, rubric), "en")  # doctest: +SKIP
    """
    limits = dict(DEFAULT_THRESHOLDS, **(thresholds or {}))
    sep = "; " if lang == "en" else "；"
    return pd.Series([sep.join(flag_text(c, row, limits, lang) for c in str(codes).split(";") if c)
                      for codes, (_, row) in zip(diagnostics["flag_codes"], diagnostics.iterrows())],
                     index=diagnostics.index, name="flags")
