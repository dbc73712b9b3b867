"""YAML reading that remembers the line of every key, so that validation errors
can say ``rubrics/x.yaml line 14, criteria[3].weight``. PyYAML silently keeps the
last of two duplicate keys; here a duplicate key is an error. :func:`unknown_keys`
refuses keys a schema does not know, so a typo or a text cut at a comma inside
``{zh: ..., en: ...}`` is reported instead of silently dropped."""
from __future__ import annotations


import yaml

from .errors import EvalkitError, read_bytes
from .text import Text

SPLIT_HINT = "a comma inside unquoted text splits it; put the text in quotes"


class Located:
    """Parsed YAML plus ``line(path)`` for any key path such as ("criteria", 3, "weight")
    and ``is_flow(path)`` for mappings written inline as ``{a: 1, b: 2}``."""

    def __init__(self, data, lines: dict, file: str, keys: dict | None = None, flow: set | None = None,
                 source: str | None = None):
        self.data = data
        self._lines = lines
        self._keys = keys or {}  # key path -> (line, start index of the value, end index of the key)
        self._flow = flow or set()
        self._source = source
        self.file = file

    def line(self, path: tuple) -> int | None:
        """The line where the value at ``path`` starts (or its nearest known parent's)."""
        path = tuple(path)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path)

    def where(self, path: tuple) -> str:
        line = self.line(path)
        return f"{self.file} line {line}" if line else self.file

    def where_key(self, path: tuple) -> str:
        """Like :meth:`where`, with the line of the key itself (``extra:`` above a block)."""
        key = self._keys.get(tuple(path))
        return f"{self.file} line {key[0]}" if key else self.where(path)

    def is_flow(self, path: tuple) -> bool:
        return tuple(path) in self._flow

    def source_from(self, value_path: tuple, key_path: tuple) -> str | None:
        """The source text from the value at ``value_path`` to the end of the key at
        ``key_path`` (both keys of one mapping), or None when there is no source."""
        a, b = self._keys.get(tuple(value_path)), self._keys.get(tuple(key_path))
        if self._source is None or a is None or b is None:
            return None
        return self._source[a[1]:b[2]]


def _construct(node, path: tuple, lines: dict, file: str, error_cls, keys: dict, flow: set):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if node.flow_style:
            flow.add(path)
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise error_cls("keys must be plain names", where=f"{file} line {key_node.start_mark.line + 1}",
                                key=_dotted(path), expected="a name", found="a list or mapping",
                                zh="键名须是简单的名称，不能是列表或映射")
            key = str(key_node.value)
            if key in out:
                raise error_cls(f"duplicate key '{key}'", where=f"{file} line {key_node.start_mark.line + 1}",
                                key=_dotted(path + (key,)), expected="each key once", found="a second copy",
                                zh=f"键「{key}」重复出现")
            keys[path + (key,)] = (key_node.start_mark.line + 1, value_node.start_mark.index, key_node.end_mark.index)
            out[key] = _construct(value_node, path + (key,), lines, file, error_cls, keys, flow)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines, file, error_cls, keys, flow) for i, v in enumerate(node.value)]
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


dotted = _dotted


def read_yaml(path, error_cls=EvalkitError) -> Located:
    file = str(path)
    raw = read_bytes(path, error_cls, kind="YAML file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error_cls("the file is not UTF-8 text", where=f"{file} byte {exc.start}",
                        expected="UTF-8", found=repr(raw[exc.start:exc.start + 4]),
                        zh="文件不是 UTF-8 编码的文本（请以 UTF-8 另存）") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file} line {mark.line + 1}" if mark else file
        raise error_cls(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where,
                        expected="YAML", found="a syntax error",
                        zh=f"不是有效的 YAML：{getattr(exc, 'problem', exc)}") from None
    if node is None:
        raise error_cls("the file is empty", where=file, expected="a YAML mapping", found="nothing",
                        zh="文件是空的")
    lines: dict = {}
    keys: dict = {}
    flow: set = set()
    try:
        data = _construct(node, (), lines, file, error_cls, keys, flow)
    except yaml.YAMLError as exc:
        raise error_cls(f"not valid YAML: {exc}", where=file, expected="YAML", found="a bad value",
                        zh=f"不是有效的 YAML：{exc}") from None
    return Located(data, lines, file, keys, flow, text)


# --- schemas ---------------------------------------------------------------------
# A schema is a dict of the allowed keys, each mapped to the schema of its value:
# None (any value, checked by the loader), a dict (a mapping), [schema] (a list of
# items) or TEXT (a label: plain text or {zh: ..., en: ...}).

TEXT = {"zh": None, "en": None}


def unknown_keys(doc: Located, data, schema, error_cls, path: tuple = ()) -> list[EvalkitError]:
    """One error per unknown key (or run of keys cut off one text) anywhere in ``data``.

    Values of the wrong shape are skipped here: the loader's own checks report them.
    A key without a value that follows a text inside an inline ``{...}`` mapping is
    most likely the tail of that text cut at a comma (``{en: Clear need, some
    evidence}``), so its error says how to fix it and shows the whole text."""
    errors: list[EvalkitError] = []
    if isinstance(schema, list):
        if isinstance(data, list):
            for i, item in enumerate(data):
                errors += unknown_keys(doc, item, schema[0], error_cls, path + (i,))
        return errors
    if not isinstance(schema, dict) or not isinstance(data, dict):
        return errors
    keys = list(data)
    allowed = ", ".join(schema)
    i = 0
    while i < len(keys):
        key = keys[i]
        if key in schema:
            if schema[key] is not None:
                errors += unknown_keys(doc, data[key], schema[key], error_cls, path + (key,))
            i += 1
            continue
        prev = keys[i - 1] if i else None
        if doc.is_flow(path) and prev in schema and isinstance(data[prev], str) and data[key] is None:
            tail = [key]  # further pieces of the same text: more unknown keys without a value
            while i + len(tail) < len(keys) and keys[i + len(tail)] not in schema and data[keys[i + len(tail)]] is None:
                tail.append(keys[i + len(tail)])
            whole = doc.source_from(path + (prev,), path + (tail[-1],))
            if not whole or whole[0] in "\"'":  # no source, or a quoted text followed by stray words
                whole = ", ".join([data[prev]] + tail)
            message = (f"unknown key '{key}' — expected one of {allowed}. The text of '{prev}' looks cut at a comma: "
                       f"{SPLIT_HINT}, e.g. {prev}: \"{whole}\"")
            zh = (f"未知的键 '{key}'，应为 {allowed} 之一。'{prev}' 的文字似乎在逗号处被截断："
                  f"含逗号的文字请加引号，如 {prev}: \"{whole}\"")
            i += len(tail)
        else:
            message = f"unknown key '{key}' — expected one of {allowed}"
            zh = f"未知的键 '{key}'，应为 {allowed} 之一"
            i += 1
        errors.append(error_cls(message, where=doc.where_key(path + (key,)), key=dotted(path) or None,
                                expected=f"one of {allowed}", found=key, zh=zh))
    return errors


def bilingual(value) -> tuple[Text | None, str | None]:
    """A label as :class:`Text`: plain text, or ``{zh: ..., en: ...}`` with English
    falling back to Chinese. Returns ``(text, None)``, or ``(None, problem)`` with
    problem ``"en"`` (the English part is not text) or ``"shape"`` (neither form)."""
    if isinstance(value, str) and value.strip():
        return Text(value.strip(), value.strip()), None
    if isinstance(value, dict) and isinstance(value.get("zh"), str) and value["zh"].strip():
        en = value.get("en")
        if en is not None and not isinstance(en, str):
            return None, "en"
        return Text(value["zh"].strip(), (en or value["zh"]).strip()), None
    return None, "shape"
