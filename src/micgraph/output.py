"""Write output files atomically: a temporary file in the target's folder, then a rename.

An interrupted run (Ctrl-C, a crash, a full disk) leaves the previous file, or none, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import MicgraphError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(target: Path, default: int) -> int:
    """The mode a plain write would give: the existing file's, or `default` less the umask.

    mkstemp/mkdtemp create private (0600/0700) entries; without this an export would be unreadable
    to the group and the web server that serve it.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return default & ~_umask()


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at `path` only when the block completes without error."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise MicgraphError(f"{path}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(target, 0o666))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomic(path: str | Path, data: bytes | str) -> None:
    with atomic_open(path) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """A staging folder whose content replaces `path` only when the block completes without error.

    An existing folder at `path` is moved aside, the staging folder renamed into place, and the old one
    deleted: at every moment `path` holds either the complete old content or the complete new content.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise MicgraphError(f"{path}: exists and is not a folder")
    parent = target.resolve().parent
    if not parent.is_dir():
        raise MicgraphError(f"{path}: cannot write: folder {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=parent))
    try:
        yield staging
        os.chmod(staging, _mode_for(target, 0o777))
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "content")
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
