"""Typed errors. Every error names where (file, line or row, key), what was
expected and what was found, so a secretary can fix the input at once."""
from __future__ import annotations


class EvalkitError(Exception):
    """Base class of every error evalkit raises on bad input or a refused action.

    Attributes: ``where`` (file and line/row/cell), ``key`` (field or column),
    ``expected``, ``found``; ``str()`` joins them into one readable line.
    """

    def __init__(self, message: str, *, where: str | None = None, key: str | None = None,
                 expected: object = None, found: object = None, zh: str | None = None):
        self.message = message
        self.zh = zh  # the message in Chinese, for pages in Chinese (None: the English one is shown)
        self.where = where
        self.key = key
        self.expected = expected
        self.found = found
        self.errors = [self]
        super().__init__(self._format())

    def text(self, lang: str = "zh") -> str:
        """The message a page shows, in its language, without the location (which can be
        an internal path): Chinese when it has one and the page is Chinese."""
        return self.zh if lang == "zh" and self.zh else self.message

    def _format(self) -> str:
        head = ", ".join(p for p in (self.where, self.key) if p)
        return f"{head}: {self.message}" if head else self.message


class RubricError(EvalkitError):
    """A rubric file is malformed or inconsistent."""


class ContestError(EvalkitError):
    """A contest folder (contest.yaml, projects.csv, judges.csv) is malformed."""


class ScoreError(EvalkitError):
    """A score is invalid: unknown key, out of scale, too many decimals, duplicate, conflict."""


class StoreError(EvalkitError):
    """The score store refused an action (locked round, bad PIN, corrupt file)."""


class RoundLockedError(StoreError):
    """Recording into a locked round."""


class AccessError(StoreError):
    """An action was attempted without the right token or PIN."""


class TamperError(StoreError):
    """The store's hash chain does not verify."""


class EncodingError(EvalkitError):
    """A text file could not be decoded as UTF-8 (with or without BOM) or GB18030."""


class DataError(EvalkitError):
    """An analysis got data it cannot use (wrong columns, too few raters, ...)."""


class ParameterError(DataError):
    """An argument of a public function has the wrong type or is out of range, or is
    unknown or missing (evalkit._params: one message naming function and argument)."""

    def _format(self) -> str:  # the message already names the function and the argument
        return f"{self.message} / {self.zh}" if self.zh else self.message


class DesignError(DataError):
    """The rating design cannot support the method (disconnected, too few judges)."""


class AllocationError(EvalkitError):
    """An allocation problem is malformed or its constraints cannot hold together."""


class AllocationParameterError(ParameterError, AllocationError):
    """A bad argument of an allocation function: a ParameterError that ``except
    AllocationError`` also catches."""


class SettingError(EvalkitError):
    """A decision setting (contest rule, decimals, allocation) has an unknown key or a bad value."""


def read_bytes(path, error_cls: type[EvalkitError] = EvalkitError, *, kind: str = "file") -> bytes:
    """A file's bytes, or ``error_cls`` naming the file when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise error_cls("cannot read the file", where=str(path), expected=f"a readable {kind}",
                        found=exc.strerror or str(exc), zh="无法读取该文件") from None


def raise_all(errors: list[EvalkitError]) -> None:
    """Raise the first of several problems found in one pass, with all of them in
    ``.errors`` and a count in the message, keeping the first one's class."""
    if not errors:
        return
    first = errors[0]
    if len(errors) > 1:
        first.message += f" (and {len(errors) - 1} more problem(s))"
        if first.zh:
            first.zh += f"（另有 {len(errors) - 1} 处问题）"
        first.args = (first._format() + "\n" + "\n".join(f"  - {e}" for e in errors[1:]),)
    first.errors = list(errors)
    raise first
