"""Worker processes that answer the server's queries and run its updates, so that a request running past
the timeout can be stopped and a request that crashes the engine costs a worker, not the server.

pyoxigraph cannot cancel a running query, and a thread cannot be killed: a runaway query (a cartesian
product) would keep a core busy long after its client was told it timed out, and a few of them would
take the server down; a query nested a few thousand brackets deep overflows the stack of pyoxigraph's
parser and kills its process. So every task runs in a worker process; a worker whose task outlives the
timeout is killed (SIGKILL), one that dies is noticed, and a fresh one takes its place.

Query workers each hold a read-only copy of the graph, a snapshot, immutable once written: an N-Quads
file each worker parses into memory (blank-node labels are kept, so all workers answer alike), or, for
a persistent store, an Oxigraph checkpoint (hard links, taken in an instant) that every worker opens
read-only. The update worker (`Updater`) holds the one writable copy; after an update it writes a new
snapshot, the server publishes it, a query worker switches to it before its next task, and a snapshot no
worker uses is deleted.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import signal
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..stores import OxigraphStore

STARTUP_SECONDS = 300  # a worker parsing a large snapshot may take a while


class QueryTimeout(Exception):
    """A task that did not finish (or did not get a worker) within its time limit; its worker was killed."""


class WorkerFailed(Exception):
    """A worker died or raised an unexpected exception (a bug, or the machine ran out of memory)."""


# --- snapshots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    generation: int
    path: str
    kind: str  # "nquads": a file to parse into memory; "oxigraph": a checkpoint to open read-only


def take_snapshot(store, folder: Path, generation: int) -> Snapshot:
    """Write the store's current content into `folder` as snapshot number `generation`."""
    if isinstance(store, OxigraphStore) and store.path is not None:
        target = folder / f"snapshot-{generation}"
        store.oxigraph.backup(str(target))
        return Snapshot(generation, str(target), "oxigraph")
    target = folder / f"snapshot-{generation}.nq"
    with open(target, "wb") as output:
        if isinstance(store, OxigraphStore):
            store.oxigraph.dump(output, ox.RdfFormat.N_QUADS)
        else:
            ox.serialize(store.quads(), output, ox.RdfFormat.N_QUADS)
    return Snapshot(generation, str(target), "nquads")


def open_snapshot(snapshot: Snapshot) -> OxigraphStore:
    if snapshot.kind == "oxigraph":
        return OxigraphStore.read_only(snapshot.path)
    store = OxigraphStore()
    store.add_quads(ox.parse(path=snapshot.path, format=ox.RdfFormat.N_QUADS))
    return store


def remove_snapshot(snapshot: Snapshot) -> None:
    path = Path(snapshot.path)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# --- the worker process -------------------------------------------------------------------------


def _worker_main(connection, open_graph, source) -> None:
    """Open the graph (`open_graph(source)`), say "ready", then answer (snapshot, function, kwargs) messages
    until None. A query worker moves to the message's snapshot first when it is a newer one; the update
    worker's messages carry no snapshot (its graph is the one it writes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    try:
        store = open_graph(source)
    except Exception as exc:
        connection.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    generation = getattr(source, "generation", None)
    connection.send(("ready", None))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        wanted, function, kwargs = message
        try:
            if wanted is not None and wanted.generation != generation:
                store = open_snapshot(wanted)
                generation = wanted.generation
            outcome = ("ok", function(store, **kwargs))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            outcome = ("error", f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        connection.send(outcome)


class _Worker:
    """A worker process: `open_graph(source)` in it, then tasks one at a time over a pipe."""

    def __init__(self, context, open_graph, source, name: str, generation: int | None = None) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, open_graph, source), daemon=True, name=name)
        self.process.start()
        child.close()
        self.generation = generation

    def wait_ready(self) -> None:
        if not self.connection.poll(STARTUP_SECONDS):
            self.kill()
            raise WorkerFailed(f"a {self.process.name} did not start within {STARTUP_SECONDS} s")
        try:
            status, detail = self.connection.recv()
        except (EOFError, OSError):
            self.kill()
            raise WorkerFailed(
                f"a {self.process.name} exited while starting (exit code {self.process.exitcode})"
            ) from None
        if status != "ready":
            self.kill()
            raise WorkerFailed(f"a {self.process.name} could not open the graph: {detail}")

    def call(self, message):
        self.connection.send(message)
        return self.connection.recv()

    def death(self) -> str:
        """How the process ended, once it has (a signal such as SIGSEGV, or an exit code)."""
        self.process.join(5)
        code = self.process.exitcode
        if code is None:
            return "still running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.connection.close()


# --- the pool -----------------------------------------------------------------------------------


class QueryPool:
    """`size` worker processes over the current snapshot; `run` gives a task to an idle one."""

    def __init__(self, snapshot: Snapshot, size: int) -> None:
        self.snapshot = snapshot
        self.size = size
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        # One thread per busy worker waits on its pipe, plus room for killed workers' threads to drain.
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 2, thread_name_prefix="micgraph-pool")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._starting: dict[int, int] = {}  # generation -> workers being started on it
        self._retired: list[Snapshot] = []
        self._replacing: set[asyncio.Task] = set()
        self._closed = False

    def prepare(self) -> None:
        """Start the workers and wait until each has opened the snapshot (blocking; before the event loop
        runs, so that a graph the workers cannot open stops the server before it listens)."""
        workers = [self._new_worker(self.snapshot) for _ in range(self.size - len(self._workers))]
        try:
            for worker in workers:
                worker.wait_ready()
        except WorkerFailed:
            for worker in workers:
                if worker.process.is_alive():
                    worker.kill()
            raise
        self._workers.update(workers)

    async def start(self) -> None:
        """Hand the workers (started here unless `prepare` was called) to the running event loop."""
        if len(self._workers) < self.size:
            await asyncio.get_running_loop().run_in_executor(self._threads, self.prepare)
        self._idle = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    @property
    def _idle_workers(self) -> asyncio.Queue[_Worker]:
        """The workers waiting for a task, once `start` has handed them to the event loop."""
        if self._idle is None:
            raise RuntimeError("the query pool has not been started")
        return self._idle

    async def _spawn(self) -> None:
        snapshot = self.snapshot
        self._starting[snapshot.generation] = self._starting.get(snapshot.generation, 0) + 1
        try:
            worker = await asyncio.get_running_loop().run_in_executor(self._threads, self._start_worker, snapshot)
        finally:
            self._starting[snapshot.generation] -= 1
        if self._closed:
            worker.stop()
            return
        self._workers.add(worker)
        self._idle_workers.put_nowait(worker)

    def _new_worker(self, snapshot: Snapshot) -> _Worker:
        return _Worker(self._context, open_snapshot, snapshot, "query worker", snapshot.generation)

    def _start_worker(self, snapshot: Snapshot) -> _Worker:
        worker = self._new_worker(snapshot)
        worker.wait_ready()
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Kill `worker` and start its replacement in the background."""
        self._workers.discard(worker)
        worker.kill()
        if not self._closed:
            task = asyncio.get_running_loop().create_task(self._replace())
            self._replacing.add(task)
            task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        while not self._closed:
            try:
                await self._spawn()
                return
            except WorkerFailed as exc:
                print(f"micgraph serve: {exc}; retrying", file=sys.stderr)
                await asyncio.sleep(2)

    async def run(self, function, timeout: float, **kwargs):
        """`function(store, **kwargs)` in a worker; QueryTimeout once `timeout` seconds have passed
        (waiting for a worker included), after killing the worker that was running it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle_workers.get(), timeout)
        except TimeoutError:
            raise QueryTimeout(f"it waited {timeout:g} s for a free query worker") from None
        worker.generation = self.snapshot.generation
        pending = loop.run_in_executor(self._threads, worker.call, (self.snapshot, function, kwargs))
        try:
            status, value = await asyncio.wait_for(pending, max(0.0, deadline - loop.time()))
        except TimeoutError:
            self._discard(worker)
            raise QueryTimeout(f"it ran longer than {timeout:g} s") from None
        except (EOFError, OSError):
            death = await loop.run_in_executor(self._threads, worker.death)
            self._discard(worker)
            raise WorkerFailed(f"the query worker died ({death}); it has been replaced") from None
        except asyncio.CancelledError:  # the server is shutting down, or the request was abandoned
            self._discard(worker)
            raise
        self._idle_workers.put_nowait(worker)
        self._delete_unused_snapshots()
        if status == "error":
            raise WorkerFailed(value)
        return value

    def publish(self, snapshot: Snapshot) -> None:
        """Make `snapshot` the one every following task reads."""
        self._retired.append(self.snapshot)
        self.snapshot = snapshot
        self._delete_unused_snapshots()

    def _delete_unused_snapshots(self) -> None:
        if not self._retired:
            return
        in_use = {w.generation for w in self._workers} | {g for g, n in self._starting.items() if n}
        for snapshot in [s for s in self._retired if s.generation not in in_use]:
            remove_snapshot(snapshot)
            self._retired.remove(snapshot)

    async def stop(self) -> None:
        self._closed = True
        for task in list(self._replacing):
            task.cancel()
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def close(self) -> None:
        """Stop every worker (blocking); nothing is started afterwards."""
        self._closed = True
        workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)


# --- the update worker ------------------------------------------------------------------------------


def open_for_update(source: Snapshot | str) -> OxigraphStore:
    """The graph updates write: the store on disk at `source` (a folder), or an in-memory copy of the
    snapshot `source`."""
    if isinstance(source, Snapshot):
        return open_snapshot(source)
    return OxigraphStore(source, create=False)


class Updater:
    """The worker process that runs updates, one at a time, on the only writable copy of the graph: the
    store on disk (this process holds it; the server process has let go of it), or, for a store in
    memory, a copy of the latest snapshot. The update's function writes the next snapshot itself.

    Like a query, an update that outlives its time limit, or crashes its process, kills the worker and
    leaves the graph as it was: pyoxigraph applies an update in one transaction, which a dead process
    never commits (and a copy in memory dies with its process; the next worker opens the latest
    snapshot). A new worker is started for the next update."""

    def __init__(self, source) -> None:
        self._source = source  # () -> what open_for_update opens now
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="micgraph-updater")
        self._worker: _Worker | None = None

    def prepare(self) -> _Worker:
        """Start the worker and wait until it holds the graph (blocking); the worker."""
        if self._worker is None:
            worker = _Worker(self._context, open_for_update, self._source(), "update worker")
            worker.wait_ready()
            self._worker = worker
        return self._worker

    async def run(self, function, timeout: float, **kwargs):
        """`function(store, **kwargs)` in the update worker; QueryTimeout after `timeout` seconds (the
        worker is killed), WorkerFailed if it dies or raises."""
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self._threads, self.prepare)
        pending = loop.run_in_executor(self._threads, worker.call, (None, function, kwargs))
        try:
            status, value = await asyncio.wait_for(pending, timeout)
        except TimeoutError:
            self._discard()
            raise QueryTimeout(f"it ran longer than {timeout:g} s") from None
        except (EOFError, OSError):
            death = await loop.run_in_executor(self._threads, worker.death)
            self._discard()
            raise WorkerFailed(f"the update worker died ({death}); nothing was changed") from None
        except asyncio.CancelledError:
            self._discard()
            raise
        if status == "error":
            self._discard()  # its graph may be ahead of the published snapshot: start afresh from that
            raise WorkerFailed(value)
        return value

    def _discard(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        self._threads.shutdown(wait=False, cancel_futures=True)
