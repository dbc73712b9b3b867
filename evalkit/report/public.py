"""The public version of the 公示: no judge is named.

The tables are built with judges shown as 评委1, 评委2, … (contest order); on top,
every text cell is scrubbed of the judges' names and ids (a reason typed by the
secretary, a veto note, an audit entry may carry one) and the per-judge flags
of the diagnostics are left out. The internal version keeps the names."""
from __future__ import annotations

import dataclasses
import re

import pandas as pd

from .tables import Table, judge_labels

VERSIONS = ("public", "internal")
#: columns the public version leaves out, per table key
PRIVATE_COLUMNS = {"judges": ["提示"]}


def _scrubber(contest):
    """A function replacing every judge's name and id in a text by the judge's label."""
    labels = judge_labels(contest, True)
    whole: dict[str, str] = {}
    inside: dict[str, str] = {}
    for jid, name in zip(contest.judges["id"].astype(str), contest.judges["name"]):
        whole[jid] = labels[jid]
        if re.search(r"[A-Za-z]", jid):          # ids of letters and digits: also inside text
            inside[jid] = labels[jid]
        if isinstance(name, str) and name.strip():
            whole[name.strip()] = labels[jid]
            if len(name.strip()) >= 2:
                inside[name.strip()] = labels[jid]
    parts = []
    for key in sorted(inside, key=len, reverse=True):
        esc = re.escape(key)
        parts.append(rf"(?<![A-Za-z0-9_]){esc}(?![A-Za-z0-9_])" if key.isascii() else esc)
    pattern = re.compile("|".join(parts)) if parts else None

    def scrub(value):
        if not isinstance(value, str):
            return value
        if value.strip() in whole:
            return whole[value.strip()]
        return pattern.sub(lambda m: inside[m.group(0)], value) if pattern else value
    return scrub


def public_tables(tables: list[Table], contest) -> list[Table]:
    """``tables`` (built anonymised) without any judge's name or id and without the
    per-judge flags."""
    scrub = _scrubber(contest)
    out = []
    for t in tables:
        frame = t.frame.drop(columns=[c for c in PRIVATE_COLUMNS.get(t.key, []) if c in t.frame.columns])
        frame = frame.copy()
        for j in range(frame.shape[1]):
            dtype = frame.dtypes.iloc[j]
            if dtype == object or pd.api.types.is_string_dtype(dtype):
                frame.iloc[:, j] = frame.iloc[:, j].map(scrub)
        formats = {scrub(c): f for c, f in t.formats.items()}
        frame.columns = [scrub(c) for c in frame.columns]
        out.append(dataclasses.replace(t, frame=frame, formats=formats, note=scrub(t.note), sheet=scrub(t.sheet)))
    return out
