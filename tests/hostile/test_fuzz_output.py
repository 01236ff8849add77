"""Fuzzing `-o`: generated targets (what is there already, its name's extension, --format) for `export`.

Whatever the combination, micgraph either writes the output where the path leads (a symbolic link's
target, through a FIFO or a device) in the format and compression the name and --format say, or exits 2
with one line; and every file it did not write is as it was (content, kind, link), including the old file
at a path it could not write, and no temporary file stays behind.
"""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import badfiles as bad
from harness import _allowed, snapshot

KINDS = ("missing", "file", "symlink-to-file", "symlink-to-missing", "dangling-into-missing-folder", "symlink-loop",
         "folder", "symlink-to-folder", "fifo", "null-device", "full-device", "missing-folder")
NAMES = ("out", "out.ttl", "out.nt", "out.nt.gz", "out.ttl.gz", "out.json", "out.jsonld", "out.rdf", "out.trig.gz",
         "out.unknown", "out.gz", "out.graphml", "out.csv", "OUT.TTL")
FORMATS = (None, "turtle", "nt", "jsonld", "xml", "trig", "nquads", "graphml")
OLD = b"the user's own file\n"


def _make(folder: Path, kind: str, name: str) -> tuple[Path, str, dict]:
    """The target path as given on the command line, the path micgraph should write to, and what a reader
    of a FIFO got (filled in later)."""
    path = folder / name
    got: dict = {}
    if kind == "file":
        path.write_bytes(OLD)
    elif kind == "symlink-to-file":
        (folder / "real").write_bytes(OLD)
        os.symlink("real", path)
        return path, "real", got
    elif kind == "symlink-to-missing":
        os.symlink("real", path)
        return path, "real", got
    elif kind == "dangling-into-missing-folder":
        os.symlink("nowhere/real", path)
    elif kind == "symlink-loop":
        bad.symlink_loop(path)
    elif kind == "folder":
        path.mkdir()
        (path / "inside").write_bytes(OLD)
    elif kind == "symlink-to-folder":
        (folder / "dir").mkdir()
        os.symlink("dir", path)
    elif kind == "fifo":
        os.mkfifo(path)

        def read() -> None:
            with open(path, "rb") as stream:
                got["data"] = stream.read()

        got["reader"] = threading.Thread(target=read, daemon=True)
        got["reader"].start()
    elif kind == "null-device":
        bad.null_device(path)
    elif kind == "full-device":
        bad.full_device(path)
    elif kind == "missing-folder":
        path = folder / "nowhere" / name
    return path, path.relative_to(folder).as_posix(), got


def _expected(name: str, fmt: str | None):
    """The RDF syntax and compression micgraph must write, or None when it must refuse the name."""
    from micgraph import formats
    from micgraph.errors import UsageError

    try:
        target = formats.for_output((formats.RDF, formats.NETWORK, formats.MAP), fmt, name, "turtle")
    except UsageError:
        return None
    return target.format, target.compressed


def _count(data: bytes, fmt, compressed: bool) -> int:
    if compressed:
        data = gzip.decompress(data)
    if fmt.rdf is None:  # a network format: check its shape only
        assert data.startswith(b"<?xml") and b"graphml" in data[:500]
        return 3
    return len(list(ox.parse(data, fmt.rdf)))


def _unblock(got: dict, path: Path) -> None:
    """A FIFO whose writer never came: open it for writing once, so the reader thread ends."""
    reader = got.get("reader")
    if reader is not None and reader.is_alive():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
        reader.join(5)


def _event(text: str) -> None:
    try:
        event(text)
    except Exception:  # noqa: BLE001 - outside hypothesis (the exhaustive test): nothing to record
        pass


def _one(folder: Path, kind: str, name: str, fmt: str | None, runner, main) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    (folder / "data.ttl").write_bytes(bad.valid("turtle"))
    path, written, got = _make(folder, kind, name)
    before = snapshot(folder)
    args = ["export", "--no-bundled", "--data", str(folder / "data.ttl"), "-o", str(path)]
    if fmt:
        args += ["--format", fmt]
    result = runner.invoke(main, args, prog_name="micgraph")
    _unblock(got, path)
    expected = _expected(name, fmt)
    lines = result.stderr.splitlines()
    assert result.exit_code in (0, 2), (kind, name, fmt, result.exit_code, result.stderr, result.exception)
    if result.exit_code == 2:
        _event(f"refused: {kind}")
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        if expected is not None and kind in ("missing", "file", "symlink-to-file", "symlink-to-missing", "fifo",
                                             "null-device"):
            raise AssertionError(f"refused a writable target: {kind} {name} {fmt}: {lines}")
        changed = {}
    else:
        _event(f"written: {kind}")
        assert expected is not None, f"wrote {name} with --format {fmt}, which it should refuse"
        fmt_written, compressed = expected
        assert kind not in ("symlink-loop", "folder", "symlink-to-folder", "full-device", "missing-folder",
                            "dangling-into-missing-folder"), f"claimed to write {kind}"
        if kind == "fifo":
            assert _count(got["data"], fmt_written, compressed) == 3
        elif kind != "null-device":
            assert _count((folder / written).read_bytes(), fmt_written, compressed) == 3
        changed = {written}
    after = snapshot(folder)
    for entry, state in before.items():
        if not _allowed(entry, tuple(changed)):
            assert after.get(entry) == state, f"{entry} changed: {state} -> {after.get(entry)} ({kind} {name} {fmt})"
    assert not [e for e in after if e.endswith(".part")], after


def _fuzz(folder: Path, examples: int) -> None:
    from click.testing import CliRunner

    from micgraph.cli import main

    runner = CliRunner()

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(kind=st.sampled_from(KINDS), name=st.sampled_from(NAMES), fmt=st.sampled_from(FORMATS))
    def run(kind, name, fmt):
        _one(folder, kind, name, fmt, runner, main)

    run()


def test_any_output_target_is_written_or_refused_without_loss(tmp_path):
    _fuzz(tmp_path / "out", 50)


@pytest.mark.thorough
def test_every_output_target_combination(tmp_path):
    from click.testing import CliRunner

    from micgraph.cli import main

    runner = CliRunner()
    for kind in KINDS:
        for name in NAMES:
            for fmt in FORMATS:
                _one(tmp_path / "out", kind, name, fmt, runner, main)
