"""Running one hostile case and checking what every case must satisfy.

A case runs micgraph on inputs made in a fresh folder, in-process (click's runner: fast) or as a real
process (for crashes, signals, memory, special files as stdin/stdout). Whatever the case, the run must:
- exit with the status the case expects, never 70 (internal error) nor a crash signal (128+, 130 only
  for SIGINT);
- print no traceback, no message twice, and, when it fails with status 2, exactly one line `error: ...`
  matching the case's pattern;
- leave every file it found as it found it (content, kind, link target), except those the case lets it
  write, and leave no temporary `.part` file behind;
- (as a process) stay under the case's memory bound, measured as the peak resident set size, and finish
  within its time limit.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import micgraph

SOURCE = Path(micgraph.__file__).resolve().parents[1]  # the src/ folder of the micgraph under test
Builder = bytes | str | Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One bad input and what micgraph must do with it.

    `args` follow `micgraph`; they are run in the case's folder, where `files` (name -> bytes, text or a
    builder called with the path) are made first. `stderr` is a regular expression searched in the
    standard error; `stdout` one searched in the standard output. `writes` names the files micgraph may
    create or replace. `check(folder, result)` asserts anything else."""

    id: str
    args: tuple[str, ...]
    exit: int
    stderr: str = ""
    stdout: str | None = None
    files: dict[str, Builder] = field(default_factory=dict)
    stdin: bytes | str | None = None
    writes: tuple[str, ...] = ()
    process: bool = False
    slow: bool = False
    max_rss_mb: int = 1024
    seconds: float = 120
    check: Callable[[Path, Result], None] | None = None
    stdout_to: str | None = None  # "full": standard output is /dev/full; "closed": a pipe nobody reads
    needs: str | None = None  # "nonroot", "dot": skipped when missing
    xfail: str | None = None  # why the case is known to fail (someone else's work in progress)

    @property
    def command(self) -> str:
        return self.args[0] if self.args else ""


@dataclass
class Result:
    exit: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float | None = None


# --- the folder a case runs in --------------------------------------------------------------------

def build(folder: Path, files: dict[str, Builder]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)


Snapshot = dict[str, tuple]


def snapshot(folder: Path) -> Snapshot:
    """What each entry under `folder` is: kind, and content digest / link target / mode."""
    entries: Snapshot = {}
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in dirs + names:
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                entries[relative] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode) and name == "LOCK":
                # a lock file is never read: closing any descriptor of it would drop this process's POSIX
                # lock on it (RocksDB's, when a case holds a store open)
                entries[relative] = ("lock", info.st_size, stat.S_IMODE(info.st_mode))
            elif stat.S_ISREG(info.st_mode):
                entries[relative] = ("file", _digest(path), stat.S_IMODE(info.st_mode))
            elif stat.S_ISDIR(info.st_mode):
                entries[relative] = ("folder", stat.S_IMODE(info.st_mode))
            else:
                entries[relative] = ("special", stat.S_IFMT(info.st_mode), info.st_rdev)
    return entries


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except PermissionError:
        return "unreadable"
    return digest.hexdigest()


def _allowed(relative: str, writes: tuple[str, ...]) -> bool:
    return any(relative == w or relative.startswith(w.rstrip("/") + "/") for w in writes)


# --- running ------------------------------------------------------------------------------------

TMPFS_BYTES = 32 * 1024


def mount_tmpfs(folder: Path) -> bool:
    """A small tmpfs at `folder` (a disk that fills up); False when this user cannot mount one."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0755", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def run_in_process(case: Case, folder: Path) -> Result:
    from click.testing import CliRunner

    from micgraph.cli import main

    from unittest import mock

    def leave(status: int):  # the CLI ends its process at once when an engine thread is still busy
        raise SystemExit(status)

    previous = os.getcwd()
    os.chdir(folder)
    started = time.perf_counter()
    try:
        with mock.patch("os._exit", leave):
            result = CliRunner().invoke(main, list(case.args), input=case.stdin, catch_exceptions=True,
                                        prog_name="micgraph")
    finally:
        os.chdir(previous)
    seconds = time.perf_counter() - started
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "Traceback (from the runner):\n" + "".join(traceback.format_exception(result.exception))
    return Result(result.exit_code, result.stdout, stderr, seconds)


def micgraph_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "micgraph", *args]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SOURCE), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("MICGRAPH_DEBUG", None)
    env["COLUMNS"] = "100"
    return env


def run_process(case: Case, folder: Path, stdin=None, stdout=None) -> Result:
    """micgraph as a real process; its peak RSS is watched, and it is killed above twice the bound."""
    if case.stdout_to == "full":
        with open("/dev/full", "wb") as full:
            return run_process(case.__class__(**{**case.__dict__, "stdout_to": None}), folder, stdin, full)
    if case.stdout_to == "closed":
        read_end, write_end = os.pipe()
        os.close(read_end)  # whoever writes gets EPIPE
        try:
            with open(write_end, "wb", closefd=True) as closed:
                return run_process(case.__class__(**{**case.__dict__, "stdout_to": None}), folder, stdin, closed)
        finally:
            pass
    if stdin is None:
        stdin = subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(micgraph_command(*case.args), cwd=folder, env=environment(), stdin=stdin,
                               stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE)
    watch = _Watch(process.pid, limit_mb=2 * case.max_rss_mb, seconds=case.seconds)
    watch.start()
    data = case.stdin.encode() if isinstance(case.stdin, str) else case.stdin
    out, err = _communicate(process, data)
    _, status, usage = os.wait4(process.pid, 0) if process.returncode is None else (0, None, None)
    if status is not None:
        process.returncode = os.waitstatus_to_exitcode(status)
    watch.stop()
    peak = usage.ru_maxrss / 1024 if usage is not None else watch.peak_mb
    code = process.returncode if process.returncode >= 0 else 128 - process.returncode
    stderr = err.decode("utf-8", "replace") + watch.verdict()
    return Result(code, out.decode("utf-8", "replace") if out else "", stderr, time.perf_counter() - started,
                  max(peak, watch.peak_mb))


def _communicate(process: subprocess.Popen, data: bytes | None) -> tuple[bytes, bytes]:
    """Feed stdin and read stdout and stderr without reaping the process (os.wait4 does, for its rusage)."""
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(stream, key):
        if stream is not None:
            while block := stream.read(1 << 16):
                chunks[key].append(block)

    readers = [threading.Thread(target=drain, args=(process.stdout, "out"), daemon=True),
               threading.Thread(target=drain, args=(process.stderr, "err"), daemon=True)]
    for reader in readers:
        reader.start()
    if process.stdin is not None:
        try:
            if data:
                process.stdin.write(data)
            process.stdin.close()
        except BrokenPipeError:
            pass
    for reader in readers:
        reader.join()
    return b"".join(chunks["out"]), b"".join(chunks["err"])


class _Watch(threading.Thread):
    """Samples the process's RSS; kills it past `limit_mb` or `seconds`, and says so."""

    def __init__(self, pid: int, limit_mb: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.limit_mb, self.deadline = pid, limit_mb, time.monotonic() + seconds
        self.peak_mb = 0.0
        self.killed_for: str | None = None
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            rss = _rss_mb(self.pid)
            if rss is None:
                return
            self.peak_mb = max(self.peak_mb, rss)
            reason = (f"memory above {self.limit_mb:.0f} MB" if rss > self.limit_mb else
                      "still running at the time limit" if time.monotonic() > self.deadline else None)
            if reason:
                self.killed_for = reason
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return

    def stop(self) -> None:
        self._done.set()
        self.join()

    def verdict(self) -> str:
        return f"\n[harness] killed: {self.killed_for}\n" if self.killed_for else ""


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return 0.0


# --- what every case must satisfy --------------------------------------------------------------

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s+File \".*\", line \d+|\w+Warning: |"
                       r"Exception ignored|\[harness\]", re.M)


def check_result(case: Case, result: Result, before: Snapshot, folder: Path) -> None:
    where = f"micgraph {' '.join(case.args)}\nexit {result.exit}\nstderr:\n{result.stderr[-3000:]}\n" \
            f"stdout:\n{result.stdout[-1500:]}"
    assert result.exit != 70, f"internal error\n{where}"
    assert result.exit < 128 or result.exit == 130, f"killed by signal {result.exit - 128}\n{where}"
    assert not TRACEBACK.search(result.stderr), f"a traceback or warning on stderr\n{where}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated, f"printed twice: {repeated}\n{where}"
    assert result.exit == case.exit, f"expected exit {case.exit}\n{where}"
    if result.exit == 2:
        assert len(lines) == 1 and lines[0].startswith("error: "), f"not one line `error: ...`\n{where}"
    if case.stderr:
        assert re.search(case.stderr, result.stderr), f"stderr does not match {case.stderr!r}\n{where}"
    if case.stdout is not None:
        assert re.search(case.stdout, result.stdout), f"stdout does not match {case.stdout!r}\n{where}"
    if result.max_rss_mb is not None:
        assert result.max_rss_mb <= case.max_rss_mb, f"peak RSS {result.max_rss_mb:.0f} MB > {case.max_rss_mb} MB\n{where}"
    after = snapshot(folder)
    for name, entry in before.items():
        if _allowed(name, case.writes):
            continue
        assert after.get(name) == entry, f"{name} was {entry}, is now {after.get(name)}: changed by micgraph\n{where}"
    leftovers = [name for name in after if name.endswith(".part") and name not in before]
    assert not leftovers, f"temporary files left behind: {leftovers}\n{where}"
    unexpected = [name for name in after if name not in before and not _allowed(name, case.writes)]
    assert not unexpected, f"created files the case does not expect: {unexpected}\n{where}"
