"""Where the workbench may create a new contest folder (the workspace).

The secretary's rights and the back-off after wrong PINs moved into the store
package with the other access rules (evalkit.store.access, evalkit.store.backoff);
their old names stay importable from here.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import AccessError
from .store.access import has_secretary_rights, require_secretary  # noqa: F401  (old import path)
from .store.backoff import (FREE_ATTEMPTS, GUARD_SUFFIX, MAX_WAIT, PinBackoffError, PinGuard,  # noqa: F401
                            delay_after, no_pin)

WORKSPACE_ENV = "EVALKIT_WORKSPACE"  # extra folders (os.pathsep-separated) where new contests may go


# --- where new contests may go -------------------------------------------------------
def workspace_bases(contest) -> list[Path]:
    """The folders the workbench may create a contest in: the open contest's parent
    folder, and those named in EVALKIT_WORKSPACE (os.pathsep-separated)."""
    bases = [Path(contest.dir).resolve().parent]
    for part in os.environ.get(WORKSPACE_ENV, "").split(os.pathsep):
        if part.strip():
            bases.append(Path(part.strip()).expanduser().resolve())
    return list(dict.fromkeys(bases))


def contest_folder_under(folder, bases) -> Path:
    """``folder`` resolved (a relative one against the first base, symbolic links
    followed), when it lies strictly inside one of ``bases``; AccessError otherwise."""
    bases = [Path(b).resolve() for b in bases]
    text = str(folder or "").strip()
    path = Path(text).expanduser()
    target = (path if path.is_absolute() else bases[0] / path).resolve()
    if not text or not any(base in target.parents for base in bases):
        raise AccessError("a new contest folder must lie inside the workspace", where="new contest folder",
                          key="folder", expected="a folder inside " + " or ".join(str(b) for b in bases),
                          found=text or "nothing", zh="新大赛目录必须位于工作区内")
    return target
