"""Writing output without destroying anything: files, folders of files, standard output.

- A regular file (or a new one) is written to a temporary file in its folder, then renamed into place:
  an interrupted run (Ctrl-C, kill -9, a full disk) leaves the old file whole, or none. Temporary files
  carry their writer's process id (`.NAME.PID.RANDOM.part`); the next write to the same path removes
  those whose process is gone.
- What is not a regular file is written through, never replaced: a FIFO, a device (`-o /dev/null`), the
  target of a symbolic link (resolved first, so the link stays a link).
- A folder is never written as a file, and a folder output (`micgraph docs -o DIR`, Gephi's CSV pair)
  writes only its own files: a folder holding anything else is refused unless the caller forces it, and
  then micgraph's files go in beside the others. A `.micgraph` file in the folder lists what micgraph
  wrote there, so the next run may replace exactly those and remove the ones it no longer writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import MicgraphError, OutputClosedError, UsageError

MANIFEST = ".micgraph"  # in a folder micgraph wrote: which files are its own


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(target: Path, default: int) -> int:
    """The mode a plain write would give: the existing file's, or `default` less the umask.

    mkstemp creates private (0600) files; without this an export would be unreadable to the group and to
    the web server that serves it.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return default & ~_umask()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_leftovers(target: Path) -> None:
    """Temporary files of earlier writes to `target` whose writer died (killed before its rename)."""
    for part in target.parent.glob(f".{target.name}.*.part"):
        pid = part.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                part.unlink()


def _resolve(path: str | Path) -> Path:
    """The path a write goes to: symbolic links followed (a loop is a one-line error)."""
    try:
        return Path(os.path.realpath(path, strict=False))
    except OSError as exc:  # ELOOP on some platforms
        raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _kind(path: Path) -> str:
    """ "missing", "file", "folder" or "special" (FIFO, device, socket)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special"


@contextlib.contextmanager
def open_output(path: str | Path | None, *, compressed: bool = False) -> Iterator[IO[bytes]]:
    """A binary stream to `path` (standard output for None or `-`), gzipped when `compressed`.

    A regular file's content appears only when the block completes; a FIFO or a device is written straight
    through; a folder is refused.
    """
    with _raw_output(path) as stream:
        if not compressed:
            yield stream
            return
        import gzip

        # no name and no time in the header: the same bytes give the same file
        with gzip.GzipFile(filename="", fileobj=stream, mode="wb", mtime=0) as zipped:
            yield zipped  # type: ignore[misc]


@contextlib.contextmanager
def _raw_output(path: str | Path | None) -> Iterator[IO[bytes]]:
    if path is None or str(path) == "-":
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except BrokenPipeError as exc:
            raise OutputClosedError("standard output was closed") from exc
        except OSError as exc:
            raise MicgraphError(f"cannot write to standard output: {exc.strerror or exc}") from exc
        return
    if not str(path):
        raise UsageError("the output's file name is empty; give a file name, or - for standard output")
    target = _resolve(path)
    kind = _kind(target)
    if kind == "folder":
        raise UsageError(f"{path}: is a folder; give a file name")
    if kind == "special":
        try:
            with open(target, "wb") as stream:
                yield stream
        except OSError as exc:
            raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        return
    folder = target.parent
    if not folder.is_dir():
        raise MicgraphError(f"{path}: cannot write: folder {folder} does not exist")
    _remove_leftovers(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(target, 0o666))
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise MicgraphError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_output(path: str | Path | None, data: bytes | str, *, compressed: bool = False) -> None:
    """`data` to the file `path`, or to standard output when `path` is None or `-` (see open_output)."""
    with open_output(path, compressed=compressed) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


def check_folder(path: str | Path, *, force: bool = False) -> set[str]:
    """Refuse now, as write_folder would, a folder output that cannot be written (a file, a folder of files
    micgraph did not write, a broken manifest): before the work of making its files. Returns the names
    the folder's manifest lists (empty for a new folder)."""
    target = _resolve(path)
    kind = _kind(target)
    if kind in ("file", "special"):
        raise UsageError(f"{path}: exists and is not a folder")
    if kind == "missing":
        if not target.parent.is_dir():
            raise MicgraphError(f"{path}: cannot create the folder: folder {target.parent} does not exist")
        return set()
    manifest = target / MANIFEST
    if manifest.is_file():
        try:
            return set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"{manifest}: not a micgraph manifest ({exc}); remove it or choose another folder"
            ) from exc
    if any(target.iterdir()) and not force:
        raise UsageError(
            f"{path}: the folder holds files micgraph did not write; give a new or empty folder, "
            "or --force to add micgraph's files beside them (none of them is removed)"
        )
    return set()


def write_folder(path: str | Path, files: dict[str, bytes], *, force: bool = False) -> list[Path]:
    """Write `files` (name -> bytes) into the folder `path`, creating it if needed, each file atomically;
    the paths written, under `path` as given.

    Files micgraph wrote there before (listed in its manifest) and no longer writes are removed; files it
    did not write are never touched, and a non-empty folder without a manifest is refused unless `force`.
    """
    previous = check_folder(path, force=force)
    target = _resolve(path)
    if _kind(target) == "missing":
        try:
            target.mkdir(parents=False)
        except OSError as exc:
            raise MicgraphError(f"{path}: cannot create the folder: {exc.strerror or exc}") from exc
    for name in files:
        if Path(name).name != name or name in ("", ".", "..", MANIFEST):
            raise ValueError(f"not a file name: {name!r}")  # a bug in the caller, not user input
    # the manifest first names every file this run may leave there: a run that fails half-way (a full disk)
    # leaves a folder the next run recognises as its own
    write_output(target / MANIFEST, json.dumps({"files": sorted(previous | set(files))}, indent=1) + "\n")
    for name, data in sorted(files.items()):
        write_output(target / name, data)
    for name in sorted(previous - set(files)):
        stale = target / Path(name).name
        if _kind(stale) == "file":
            stale.unlink()
    write_output(target / MANIFEST, json.dumps({"files": sorted(files)}, indent=1) + "\n")
    return [Path(path) / name for name in sorted(files)]  # as the user named the folder
