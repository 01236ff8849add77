"""Run the query engine where it cannot open a network connection.

pyoxigraph evaluates `SERVICE` (and an update's `LOAD`) with its own HTTP client, which micgraph cannot
vet or time out. micgraph decides which endpoints a query may call from the parsed query and calls them
itself (federation.py), so the engine should never need the network; this module makes sure it cannot
reach it even if that decision were wrong. The engine runs in a thread of its own under a seccomp
filter (Linux) that refuses to create Internet sockets — `socket(AF_INET|AF_INET6, ...)` fails with
EACCES — and io_uring (which could open sockets around the filter). A seccomp filter belongs to the
thread that installs it and the threads it starts, so the rest of micgraph (its own HTTP client, the
server's event loop) is untouched. Unix sockets, pipes and files work as before.

Where seccomp is not available (another OS, a container that forbids it) the thread runs without the
filter, `network_guard()` says why, and the parsed-query decision stands alone.
"""

from __future__ import annotations

import ctypes
import functools
import platform
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# <linux/audit.h>, <asm/unistd.h> of each architecture: (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup)
_ARCHITECTURES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_AF_INET, _AF_INET6 = 2, 10
_EACCES, _ENOSYS = 13, 38
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
# offsets in struct seccomp_data: nr, arch, args[0] (its low 32 bits, little-endian)
_NR, _ARCH, _ARG0 = 0, 4, 16


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _program(arch: int, socket_nr: int, io_uring_nr: int) -> list[tuple[int, int, int, int]]:
    allow, deny, no_io_uring = 8, 9, 10  # instruction indexes of the three returns
    return [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ_K, 0, allow - 2, arch),  # another syscall ABI: not ours to judge
        (_LD_W_ABS, 0, 0, _NR),
        (_JEQ_K, no_io_uring - 4, 0, io_uring_nr),
        (_JEQ_K, 0, allow - 5, socket_nr),
        (_LD_W_ABS, 0, 0, _ARG0),
        (_JEQ_K, deny - 7, 0, _AF_INET),
        (_JEQ_K, deny - 8, 0, _AF_INET6),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, _RET_ERRNO | _EACCES),
        (_RET_K, 0, 0, _RET_ERRNO | _ENOSYS),
    ]


@functools.cache
def _filter() -> tuple[_Program, ctypes.Array] | str:
    """The compiled filter, or why there is none."""
    if sys.platform != "linux":
        return f"seccomp is Linux only (this is {sys.platform})"
    machine = platform.machine()
    if machine not in _ARCHITECTURES:
        return f"no seccomp filter for the {machine} architecture"
    instructions = [_Instruction(*i) for i in _program(*_ARCHITECTURES[machine])]
    array = (_Instruction * len(instructions))(*instructions)
    return _Program(len(instructions), array), array  # the array must outlive the program


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _install() -> str | None:
    """Install the filter on the calling thread; None when done, else why not."""
    compiled = _filter()
    if isinstance(compiled, str):
        return compiled
    program, _ = compiled
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        return f"seccomp refused the filter: errno {ctypes.get_errno()}"
    return None


class _Engine:
    """A long-lived thread under the filter that runs one task at a time (a thread per query would cost
    a millisecond, twenty times a small query)."""

    def __init__(self) -> None:
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.guard: str | None = None
        ready = threading.Event()

        def loop() -> None:
            self.guard = _install()
            ready.set()
            while True:
                function, reply = self.tasks.get()
                try:
                    reply.put((True, function()))
                except BaseException as exc:
                    # the engine's objects (query results) must be dropped on this thread: the traceback
                    # keeps its line numbers, not the frames' variables
                    traceback.clear_frames(exc.__traceback__)
                    reply.put((False, exc))
                del function, reply  # hold nothing between tasks (a disk store stays locked while referenced)

        threading.Thread(target=loop, name="micgraph-engine", daemon=True).start()
        ready.wait()


_idle: list[_Engine] = []
_busy: set[_Engine] = set()
_lock = threading.Lock()


def _engine() -> _Engine:
    with _lock:
        engine = _idle.pop() if _idle else None
    engine = engine or _Engine()
    with _lock:
        _busy.add(engine)
    return engine


def _release(engine: _Engine) -> None:
    with _lock:
        _busy.discard(engine)
        _idle.append(engine)


def busy() -> bool:
    """Whether an engine thread is still running a task (one that timed out, or was interrupted): a
    process should then end with os._exit, not by unwinding into a store the engine still reads."""
    with _lock:
        return bool(_busy)


def network_guard() -> str | None:
    """None when the engine threads run without network access, else the reason they cannot."""
    engine = _engine()
    _release(engine)
    return engine.guard


def without_network(
    function: Callable[[], T], *, timeout: float | None = None, on_timeout: Callable[[], BaseException] | None = None
) -> T:
    """`function()` on an engine thread that cannot open Internet sockets; its result, or its exception.

    With `timeout`, waits that long and then raises `on_timeout()`; the engine thread cannot be stopped,
    so it is left to finish in the background (the CLI ends its process instead). The calling thread
    stays free to take signals: Ctrl-C interrupts the wait at once.
    """
    engine = _engine()
    reply: queue.SimpleQueue = queue.SimpleQueue()
    engine.tasks.put((function, reply))
    try:
        ok, value = reply.get(timeout=timeout)
    except queue.Empty:
        raise (on_timeout() if on_timeout is not None else TimeoutError(f"still running after {timeout} s")) from None
    _release(engine)
    if ok:
        return value
    raise value
