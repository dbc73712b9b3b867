"""YAML reading that remembers the line of every key, so that validation errors
can say ``rubrics/x.yaml line 14, criteria[3].weight``. PyYAML silently keeps the
last of two duplicate keys; here a duplicate key is an error."""
from __future__ import annotations


import yaml

from .errors import EvalkitError, read_bytes


class Located:
    """Parsed YAML plus ``line(path)`` for any key path such as ("criteria", 3, "weight")."""

    def __init__(self, data, lines: dict, file: str):
        self.data = data
        self._lines = lines
        self.file = file

    def line(self, path: tuple) -> int | None:
        path = tuple(path)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path)

    def where(self, path: tuple) -> str:
        line = self.line(path)
        return f"{self.file} line {line}" if line else self.file


def _construct(node, path: tuple, lines: dict, file: str, error_cls):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise error_cls("keys must be plain names", where=f"{file} line {key_node.start_mark.line + 1}",
                                key=_dotted(path), expected="a name", found="a list or mapping")
            key = str(key_node.value)
            if key in out:
                raise error_cls(f"duplicate key '{key}'", where=f"{file} line {key_node.start_mark.line + 1}",
                                key=_dotted(path + (key,)), expected="each key once", found="a second copy")
            out[key] = _construct(value_node, path + (key,), lines, file, error_cls)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines, file, error_cls) for i, v in enumerate(node.value)]
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
                        expected="UTF-8", found=repr(raw[exc.start:exc.start + 4])) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file} line {mark.line + 1}" if mark else file
        raise error_cls(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where,
                        expected="YAML", found="a syntax error") from None
    if node is None:
        raise error_cls("the file is empty", where=file, expected="a YAML mapping", found="nothing")
    lines: dict = {}
    try:
        data = _construct(node, (), lines, file, error_cls)
    except yaml.YAMLError as exc:
        raise error_cls(f"not valid YAML: {exc}", where=file, expected="YAML", found="a bad value") from None
    return Located(data, lines, file)
