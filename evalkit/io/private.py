"""Files readable by the secretary's account only (mode 0600 from the first byte):
judge links with tokens, logs, the phones' presence, the PIN attempt count."""
from __future__ import annotations

import os
from pathlib import Path


def private_file(path, *, binary: bool = False, append: bool = False):
    """Open ``path`` for writing, mode 0600 (an older file is set to 0600 too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o600)
    os.chmod(path, 0o600)
    mode = ("a" if append else "w") + ("b" if binary else "")
    return os.fdopen(fd, mode) if binary else os.fdopen(fd, mode, encoding="utf-8")


def write_private(path, text: str) -> None:
    """Replace ``path`` with ``text`` at once (written beside it, then renamed), mode 0600."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with private_file(tmp) as f:
        f.write(text)
    os.replace(tmp, path)
