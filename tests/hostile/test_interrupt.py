"""Stopping micgraph: Ctrl-C and --timeout during a query that would run for hours, and kill -9 in the
middle of writing a file. Real processes, real signals.

- SIGINT during a cartesian COUNT(*) ends the process within a second: exit 130, `error: interrupted`.
- `--timeout 1` ends the same query with one line and exit 2, about a second after it started.
- SIGKILL while `export -o` or `dump -o` writes leaves the old file whole; the next write to the same
  path removes the dead writer's temporary file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness import environment, micgraph_command

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _engine_started(pid: int) -> bool:
    """Whether the process has started the thread that runs its query (sandbox.py): a second task."""
    try:
        return len(os.listdir(f"/proc/{pid}/task")) > 1
    except OSError:
        return False


def _start_query(*extra: str) -> tuple[subprocess.Popen, float]:
    process = subprocess.Popen(micgraph_command("query", CARTESIAN, "--format", "csv", *extra), env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not _engine_started(process.pid):
        assert process.poll() is None, process.communicate()  # (the query may not end before it started)
        assert time.monotonic() < deadline, "the query never started"
        time.sleep(0.02)
    return process, time.monotonic()


def test_ctrl_c_stops_a_cartesian_count_within_a_second():
    process, started = _start_query()
    try:
        time.sleep(1.0)  # well into the query
        assert process.poll() is None, "the query ended by itself"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, (process.returncode, err)
    # click ends the terminal's "^C" line first: one empty line, then the message
    assert [line for line in err.decode().splitlines() if line] == ["error: interrupted"]
    assert took < 1.0, f"SIGINT took {took:.2f} s to stop the query"


def test_timeout_stops_a_cartesian_count_with_one_line():
    process, started = _start_query("--timeout", "1")
    try:
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    lines = err.decode().splitlines()
    assert process.returncode == 2, (process.returncode, lines)
    assert len(lines) == 1 and lines[0].startswith("error: query stopped after 1 s (--timeout)"), lines
    assert took < 2.5, f"--timeout 1 took {took:.2f} s after the query started"


def _kill_while_writing(command: list[str], target: Path, cwd: Path) -> None:
    """Run `command`, SIGKILL it as soon as its temporary file for `target` exists."""
    process = subprocess.Popen(command, env=environment(), cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while not list(target.parent.glob(f".{target.name}.*.part")):
            assert process.poll() is None, "it finished before it could be killed while writing"
            assert time.monotonic() < deadline
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL


def _big_data(folder: Path, triples: int = 300_000) -> Path:
    path = folder / "big.nt"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(triples):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "a value long enough to take a while {i}" .\n')
    return path


@pytest.mark.slow
def test_kill_9_during_export_keeps_the_old_file_and_the_next_write_cleans_up(tmp_path):
    data = _big_data(tmp_path)
    target = tmp_path / "out.nt"
    target.write_bytes(b"the previous export\n")
    command = micgraph_command("export", "--no-bundled", "--data", str(data), "-o", str(target))
    _kill_while_writing(command, target, tmp_path)
    assert target.read_bytes() == b"the previous export\n"
    assert list(tmp_path.glob(".out.nt.*.part")), "the killed writer's temporary file should still be there"
    subprocess.run(command, env=environment(), cwd=tmp_path, check=True, capture_output=True)
    assert target.read_bytes().count(b"\n") == 300_000
    assert not list(tmp_path.glob(".out.nt.*.part"))


@pytest.mark.slow
def test_kill_9_during_dump_keeps_the_old_file(tmp_path):
    data = _big_data(tmp_path)
    store = f"oxigraph:{tmp_path / 'store'}"
    subprocess.run(micgraph_command("load", str(data), "--store", store), env=environment(), check=True,
                   capture_output=True)
    target = tmp_path / "dump.nq"
    target.write_bytes(b"an older dump\n")
    command = micgraph_command("dump", "--store", store, "-o", str(target))
    _kill_while_writing(command, target, tmp_path)
    assert target.read_bytes() == b"an older dump\n"
    subprocess.run(command, env=environment(), cwd=tmp_path, check=True, capture_output=True)
    assert target.read_bytes().count(b"\n") == 300_000
    assert not list(tmp_path.glob(".dump.nq.*.part"))
