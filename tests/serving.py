"""Start `micgraph serve` for the tests: a real process on a free loopback port (`--port 0`; the port is
read from the line the server prints once its query workers answer)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

READY = re.compile(r"micgraph serve: .* at (http://[^ ]+/) ")


@dataclass
class Served:
    url: str  # ends with /
    process: subprocess.Popen
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(args: list[str], log: Path, env: dict[str, str] | None = None, seconds: float = 120) -> Served:
    """`micgraph serve --port 0 ARGS...`, returned once it answers queries."""
    command = [sys.executable, "-m", "micgraph", "serve", "--port", "0", *args]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = READY.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return Served(match.group(1), process, log)
        if process.poll() is not None:
            raise RuntimeError(f"micgraph serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"micgraph serve did not get ready within {seconds} s:\n{log.read_text()[-3000:]}")
