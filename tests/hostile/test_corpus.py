"""Every case of the hostile-input corpus (corpus.py), run and checked by harness.py.

Fast cases run in-process; cases that need a real process (crashes, memory, special files as standard
streams) run as one. Under `-m slow` in-process cases run once more as a real process, where a crash, a
native library's own output on stderr or a stray flush at exit would show: the first of each group
(`query-text/`, `shapes/`, ...) under `-m slow`, the others under `-m thorough` (ten minutes on two cores).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter, defaultdict

import pytest

from corpus import CASES
from harness import Case, build, check_result, mount_tmpfs, run_in_process, run_process, snapshot, unmount

IDS = [case.id for case in CASES]
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom")
assert len(IDS) == len(set(IDS)), [name for name, n in Counter(IDS).items() if n > 1]


@pytest.fixture(autouse=True, scope="module")
def _the_machines_devices_stay_devices():
    """A case that turned /dev/null into a file would break every process on the machine: say so loudly."""
    before = {path: (os.stat(path).st_mode, os.stat(path).st_rdev) for path in DEVICES}
    yield
    after = {path: (os.stat(path).st_mode, os.stat(path).st_rdev) for path in DEVICES}
    assert after == before, f"a device was replaced: {before} -> {after}"


def _marks(case: Case, *, as_process: bool = False) -> list:
    marks = []
    if case.slow:
        marks.append(pytest.mark.slow)
    if case.xfail:
        marks.append(pytest.mark.xfail(reason=case.xfail, strict=False))
    return marks


def _skip_reason(case: Case) -> str | None:
    if case.needs == "nonroot" and os.geteuid() == 0:
        return "root reads any file: the permission case needs another user"
    if case.needs == "dot" and shutil.which("dot") is None:
        return "Graphviz (dot) is not installed"
    return None


def run_case(case: Case, folder, *, as_process: bool) -> None:
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    if case.needs == "tmpfs":
        if not mount_tmpfs(folder):
            pytest.skip("cannot mount a tmpfs here (it needs root): /dev/full stands in for a full disk elsewhere")
    else:
        folder.mkdir()
    try:
        build(folder, case.files)
        before = snapshot(folder)
        result = run_process(case, folder) if as_process else run_in_process(case, folder)
        check_result(case, result, before, folder)
        if case.check is not None:
            case.check(folder, result)
    finally:
        if case.needs == "tmpfs":
            unmount(folder)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c)) for c in CASES])
def test_case(case: Case, tmp_path):
    run_case(case, tmp_path / "case", as_process=case.process)


def _as_processes(cases: list[Case]) -> list:
    """The in-process cases again as a process: the first of each group `slow`, the others `thorough`.
    A NUL cannot be passed in a process's arguments, so cases with one stay in-process."""
    runnable = [c for c in cases if not c.process and not any("\x00" in a for a in c.args)]
    groups: defaultdict[str, list[Case]] = defaultdict(list)
    for case in runnable:
        groups[case.id.rsplit("/", 1)[0]].append(case)
    return [pytest.param(case, id=case.id, marks=[*_marks(case), pytest.mark.slow if i == 0 else pytest.mark.thorough])
            for group in groups.values() for i, case in enumerate(group)]


@pytest.mark.parametrize("case", _as_processes(CASES))
def test_case_as_a_process(case: Case, tmp_path):
    run_case(case, tmp_path / "case", as_process=True)


def test_the_corpus_covers_every_command():
    commands = {"query", "queries", "validate", "reason", "export", "stats", "docs", "links", "load", "dump",
                "graphs", "push", "render", "chart"}
    counts = Counter(next((a for a in case.args if a in commands), "other") for case in CASES)
    assert commands <= set(counts), commands - set(counts)
    assert len(CASES) >= 250, len(CASES)
