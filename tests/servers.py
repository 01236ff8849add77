"""Real SPARQL servers for the integration tests, started on 127.0.0.1 with their own temporary storage.

- Oxigraph server (`oxigraph serve`, PyPI package `oxigraph`): /query, /update, /store (Graph Store).
- Virtuoso Open Source 7 (`virtuoso-t`, Debian package virtuoso-opensource-7-bin): a fresh database
  in a temporary directory, a loopback-only virtuoso.ini written here (the packaged one listens on all
  interfaces), dba/dba as in any fresh database; /sparql (anonymous, read-only), /sparql-auth (Digest,
  may update), /sparql-graph-crud-auth (Graph Store, Digest).
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log: Path | None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}\n{detail}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Oxigraph:
    base: str
    process: subprocess.Popen

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"


def start_oxigraph(executable: str, location: Path) -> Oxigraph:
    port = free_port()
    log = location.with_suffix(".log")
    process = subprocess.Popen([executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/query?query=ASK%7B%7D", process, log)
    return Oxigraph(base, process)


@dataclass
class Virtuoso:
    base: str
    process: subprocess.Popen
    folder: Path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def sparql_auth(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        return self.base + "/sparql-graph-crud-auth"


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 120
"""


def start_virtuoso(executable: str, folder: Path) -> Virtuoso:
    """A fresh Virtuoso on loopback ports; ResultSetMaxRows stays at its default 10,000 on purpose."""
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, http_port=http_port, sql_port=sql_port), encoding="utf-8")
    process = subprocess.Popen([executable, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=open(folder / "stdout.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    base = f"http://127.0.0.1:{http_port}"
    wait_for_http(base + "/sparql?query=ASK%7B%7D", process, folder / "virtuoso.log", seconds=120)
    return Virtuoso(base, process, folder)
