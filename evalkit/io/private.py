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



def private_path(path, *, create: bool = True) -> Path:
    """Make ``path`` a file only the secretary's account can read before anything writes
    to it. A missing file is created empty with mode 0600 (``create``); an existing one
    of ours is set to 0600; someone else's file is left as it is (reading it still works)."""
    path = Path(path)
    if create:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            pass        # it exists already (set below), or the folder is not writable (the writer says so)
    try:
        if path.is_file() and path.stat().st_uid == os.getuid():
            os.chmod(path, 0o600)
    except OSError:
        pass
    return path


def private_database(path) -> Path:
    """A SQLite file and its -wal and -shm side files, readable by the secretary's
    account only (a store holds the PIN's and the tokens' hashes and, before the lock,
    scores no judge may see). Side files SQLite makes later take the file's mode."""
    path = private_path(path)
    for side in ("-wal", "-shm", "-journal"):
        private_path(path.with_name(path.name + side), create=False)
    return path
