"""Argument checks for the public analysis functions, in the spirit of scikit-learn's
``_param_validation``: each function declares a constraint per argument with
``@validate_params({...})``; one wrapper checks them, maps the shared aliases onto the
canonical names and raises one :class:`~evalkit.errors.ParameterError` format.

The shared vocabulary (one place, :data:`ALIASES`): ``confidence`` (alias ``level``),
``n_boot`` (alias ``n``), ``seed`` (aliases ``random_state``, ``rng``). An alias is
only mapped for a function that has the canonical argument and no argument of the
alias's own name (``krippendorff_alpha(level="ordinal")`` keeps its level).
"""
from __future__ import annotations

import functools
import inspect
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .errors import ParameterError

ALIASES = {"level": "confidence", "n": "n_boot", "random_state": "seed", "rng": "seed"}


class Constraint:
    """One rule an argument's value must keep. ``check`` returns the value to use
    (e.g. a numpy integer as int) or raises ``_Invalid``; ``en``/``zh`` say what is expected."""

    en = zh = ""

    def check(self, value, bound: dict):
        raise NotImplementedError


class _Invalid(Exception):
    """Raised by a constraint; the wrapper turns it into a ParameterError."""

    def __init__(self, en: str | None = None, zh: str | None = None):
        self.en, self.zh = en, zh


def _is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_))


class Interval(Constraint):
    """A number of ``type`` (``Real`` or ``Integral``; bools are refused) in
    [low, high] with ``closed`` one of "both", "left", "right", "neither"; None = unbounded."""

    def __init__(self, type, low=None, high=None, *, closed: str = "both"):
        self.type, self.low, self.high, self.closed = type, low, high, closed
        whole = type is Integral
        lo_op = ">=" if closed in ("both", "left") else ">"
        hi_op = "<=" if closed in ("both", "right") else "<"
        parts_en, parts_zh = [], []
        if low is not None and high is not None:
            lo_b = "[" if closed in ("both", "left") else "("
            hi_b = "]" if closed in ("both", "right") else ")"
            parts_en.append(f"in {lo_b}{low}, {high}{hi_b}")
            parts_zh.append(f"在 {lo_b}{low}, {high}{hi_b} 内")
        elif low is not None:
            parts_en.append(f"{lo_op} {low}")
            parts_zh.append(f"{lo_op} {low}")
        elif high is not None:
            parts_en.append(f"{hi_op} {high}")
            parts_zh.append(f"{hi_op} {high}")
        self.en = ("a whole number" if whole else "a number") + (" " + parts_en[0] if parts_en else "")
        self.zh = ("整数" if whole else "数字") + ("，" + parts_zh[0] if parts_zh else "")

    def check(self, value, bound):
        ok_type = (Integral,) if self.type is Integral else (Real,)
        if _is_bool(value) or not isinstance(value, ok_type):
            raise _Invalid()
        if isinstance(value, Real) and not isinstance(value, Integral) and not np.isfinite(value):
            raise _Invalid()
        lo_ok = self.low is None or (value >= self.low if self.closed in ("both", "left") else value > self.low)
        hi_ok = self.high is None or (value <= self.high if self.closed in ("both", "right") else value < self.high)
        if not (lo_ok and hi_ok):
            raise _Invalid()
        return int(value) if self.type is Integral else float(value)


class Options(Constraint):
    """One of a fixed set of values."""

    def __init__(self, values):
        self.values = tuple(values)
        listed = ", ".join(map(repr, self.values))
        self.en, self.zh = f"one of {listed}", f"以下之一：{listed}"

    def check(self, value, bound):
        try:
            if value in self.values:
                return value
        except TypeError:   # unhashable / incomparable
            pass
        raise _Invalid()


class Column(Constraint):
    """The name of a column of the frame passed as argument ``frame``; with
    ``optional`` None is also accepted. Checked after the frame's own constraint."""

    def __init__(self, frame: str, *, optional: bool = False):
        self.frame, self.optional = frame, optional
        self.en, self.zh = f"a column of {frame}", f"{frame} 中的列名"

    def check(self, value, bound):
        if value is None and self.optional:
            return value
        df = bound.get(self.frame)
        if not isinstance(df, pd.DataFrame):
            return value   # the frame's own constraint (Frame) reports that
        try:
            present = value in df.columns
        except TypeError:
            present = False
        if not present:
            cols = ", ".join(map(str, list(df.columns)[:12])) + (" ..." if df.shape[1] > 12 else "")
            raise _Invalid(f"a column of {self.frame} (it has: {cols})", f"{self.frame} 中的列名（现有：{cols}）")
        return value


class Frame(Constraint):
    """A pandas DataFrame."""

    en, zh = "a pandas DataFrame", "pandas 数据表 (DataFrame)"

    def check(self, value, bound):
        if not isinstance(value, pd.DataFrame):
            raise _Invalid()
        return value


class Seed(Constraint):
    """None, a whole number >= 0 or a numpy Generator: what ``np.random.default_rng`` takes."""

    en, zh = "None, a whole number >= 0 or a numpy Generator", "None、非负整数或 numpy Generator"

    def check(self, value, bound):
        if value is None or isinstance(value, np.random.Generator):
            return value
        if isinstance(value, Integral) and not _is_bool(value) and value >= 0:
            return int(value)
        raise _Invalid()


class Boolean(Constraint):
    en, zh = "True or False", "True 或 False"

    def check(self, value, bound):
        if not _is_bool(value):
            raise _Invalid()
        return bool(value)


class IsCallable(Constraint):
    en, zh = "a function", "函数"

    def check(self, value, bound):
        if not callable(value):
            raise _Invalid()
        return value


class InstanceOf(Constraint):
    """An instance of ``types`` (described as ``en`` / ``zh``)."""

    def __init__(self, types, en: str, zh: str):
        self.types, self.en, self.zh = types, en, zh

    def check(self, value, bound):
        if not isinstance(value, self.types):
            raise _Invalid()
        return value


class ListOf(Constraint):
    """One value or a non-empty sequence of distinct values, each kept by ``inner``; gives a list."""

    def __init__(self, inner: Constraint):
        self.inner = inner
        self.en, self.zh = f"{inner.en}, or a list of them (each once)", f"{inner.zh}，或其列表（不重复）"

    def check(self, value, bound):
        seq = (list, tuple, range, pd.Index, pd.Series, np.ndarray)
        items = list(value) if isinstance(value, seq) else [value]
        if not items or len(set(map(repr, items))) != len(items):
            raise _Invalid()
        return [self.inner.check(v, bound) for v in items]


class NoneOr(Constraint):
    """None, or what ``inner`` accepts."""

    def __init__(self, inner: Constraint):
        self.inner = inner
        self.en, self.zh = f"None or {inner.en}", f"None 或{inner.zh}"

    def check(self, value, bound):
        return value if value is None else self.inner.check(value, bound)


# the shared vocabulary's constraints
CONFIDENCE = Interval(Real, 0, 1, closed="neither")
N_BOOT = Interval(Integral, 1, None, closed="left")
SEED = Seed()


def count(minimum: int = 1) -> Interval:
    """A whole number >= ``minimum``."""
    return Interval(Integral, minimum, None, closed="left")


def _show(value) -> str:
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        return f"a {type(value).__name__} of shape {getattr(value, 'shape', '?')}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parameter_error(where: str, key: str, en: str, zh: str, found, *, alias: str | None = None,
                    cls: type[ParameterError] = ParameterError) -> ParameterError:
    """The one message format: function, argument, what was expected, what was found."""
    shown = _show(found)
    name_en = f"'{key}' (given as '{alias}')" if alias else f"'{key}'"
    name_zh = f"{key}（以 {alias} 给出）" if alias else key
    return cls(f"{where}(): argument {name_en} must be {en}; got {shown}",
                          zh=f"{where}()：参数 {name_zh} 应为{zh}，实际为 {shown}",
                          where=where, key=key, expected=en, found=shown)


def _resolve_aliases(where: str, params, var_kw: bool, declared: dict, kwargs: dict, used: dict,
                     error: type[ParameterError]) -> dict:
    for alias, canonical in ALIASES.items():
        if alias not in kwargs or alias in params:
            continue
        if canonical not in params and not (var_kw and canonical in declared):
            continue
        if canonical in kwargs:
            raise parameter_error(where, alias, f"given once (as '{canonical}' or its alias '{alias}')",
                                  f"只给一次（{canonical} 或其别名 {alias}）", kwargs[alias], cls=error)
        kwargs[canonical] = kwargs.pop(alias)
        used[canonical] = alias
    return kwargs


def check_value(where: str, key: str, value, constraint: Constraint, bound: dict | None = None):
    """Check one value against one constraint (for arguments inside option dicts)."""
    try:
        return constraint.check(value, bound or {})
    except _Invalid as bad:
        raise parameter_error(where, key, bad.en or constraint.en, bad.zh or constraint.zh, value) from None


def validate_params(constraints: dict, *, where: str | None = None, error: type[ParameterError] = ParameterError):
    """Decorator: check the declared arguments of every call, map the aliases.

    ``constraints`` maps an argument name to a Constraint (or a list of them: any one
    may hold). Names not in the signature are looked up in ``**kwargs`` (checked when
    given). A call with an unknown or missing argument is a ParameterError too.
    ``error``: the ParameterError subclass to raise (e.g. AllocationParameterError).
    """
    def decorate(func):
        sig = inspect.signature(func)
        params = {n for n, p in sig.parameters.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        var_kw = next((n for n, p in sig.parameters.items() if p.kind == p.VAR_KEYWORD), None)
        name = where or func.__name__
        order = sorted(constraints, key=lambda k: _kinds(constraints[k]) == {Column})  # columns last

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            used = {}
            kwargs = _resolve_aliases(name, params, bool(var_kw), constraints, kwargs, used, error)
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise error(f"{name}(): {exc}", zh=f"{name}()：参数有误（{exc}）", where=name,
                            expected=str(sig), found=str(exc)) from None
            bound.apply_defaults()
            values = dict(bound.arguments)
            extra = values.get(var_kw, {}) if var_kw else {}
            for key in order:
                if key in values and key != var_kw:
                    holder = bound.arguments
                elif key in extra:
                    holder = extra
                else:
                    continue
                value = holder[key]
                options = constraints[key] if isinstance(constraints[key], (list, tuple)) else [constraints[key]]
                scope = {**values, **extra}
                for i, c in enumerate(options):
                    try:
                        holder[key] = c.check(value, scope)
                        break
                    except _Invalid as bad:
                        if i == len(options) - 1:
                            en = " or ".join(o.en for o in options) if len(options) > 1 else (bad.en or c.en)
                            zh = " 或 ".join(o.zh for o in options) if len(options) > 1 else (bad.zh or c.zh)
                            raise parameter_error(name, key, en, zh, value, alias=used.get(key), cls=error) from None
            return func(*bound.args, **bound.kwargs)

        wrapper.__signature__ = sig
        wrapper.parameter_constraints = constraints
        return wrapper
    return decorate


def _kinds(c) -> set:
    return {type(x) for x in (c if isinstance(c, (list, tuple)) else [c])}
