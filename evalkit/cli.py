"""The ``evalkit`` command. Each subcommand lives in evalkit/commands/<name>.py
with ``register(subparsers)``; this module only finds and dispatches them."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .errors import EvalkitError


def error_lines(exc: EvalkitError) -> str:
    """An error as the terminal shows it: Chinese first (with its place), then English."""
    if not exc.zh:
        return f"错误 error: {exc}"
    head = ", ".join(p for p in (exc.where, exc.key) if p)
    return f"错误：{head + ': ' if head else ''}{exc.zh}\nerror: {exc}"


def build_parser() -> argparse.ArgumentParser:
    from . import commands
    parser = argparse.ArgumentParser(prog="evalkit", description="公益创投大赛评审工作台 / judging workbench")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except EvalkitError as exc:
        print(error_lines(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
