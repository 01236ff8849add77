"""`micgraph load / dump / graphs` and `--store oxigraph:DIR`: a persistent Oxigraph store on disk.

Loading is idempotent (blank nodes included) and all-or-nothing per file, including when the loading
process is killed with SIGKILL or interrupted with SIGINT part-way (real subprocesses, real RocksDB).
"""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conftest import FIXTURES, value_normalised

TINY = FIXTURES / "core" / "tiny.ttl"
TWO = FIXTURES / "core" / "two.nt"
MALFORMED = FIXTURES / "core" / "malformed.ttl"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BLANKS = "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { { ?b ?p ?o } UNION { ?s ?p ?b } FILTER isBlank(?b) }"


def count(cli, store: str, sparql: str = COUNT) -> int:
    out = cli("query", "--no-bundled", "--store", store, sparql, "--format", "csv").stdout
    return int(out.splitlines()[1])


def raw_quads(directory: Path) -> int:
    store = ox.Store.read_only(str(directory))
    return len(store)


def test_loading_the_same_files_twice_adds_nothing_blank_nodes_included(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    first = cli("load", str(TINY), str(TWO), "--store", store)
    assert "loaded 2 files" in first.stderr
    triples, blanks = count(cli, store), count(cli, store, BLANKS)
    assert blanks >= 3  # tiny.ttl has an anonymous node and a two-element list
    cli("load", str(TINY), str(TWO), "--store", store)
    assert (count(cli, store), count(cli, store, BLANKS)) == (triples, blanks)
    expected = len(Graph().parse(TINY)) + len(Graph().parse(TWO, format="nt"))
    assert triples == expected


def test_same_content_compressed_or_from_stdin_is_the_same_content(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    packed = tmp_path / "tiny.ttl.gz"
    packed.write_bytes(gzip.compress(TINY.read_bytes()))
    cli("load", str(TINY), "--store", store)
    before = count(cli, store)
    cli("load", str(packed), "--store", store)
    cli("load", "-", "--store", store, input=TINY.read_bytes())
    assert count(cli, store) == before


def test_a_changed_file_brings_its_own_blank_nodes(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    one, other = tmp_path / "one.ttl", tmp_path / "other.ttl"
    one.write_text('<http://e/a> <http://e/p> [ <http://e/q> 1 ] .\n')
    other.write_text('<http://e/a> <http://e/p> [ <http://e/q> 1 ] .\n# another file\n')
    cli("load", str(one), str(other), "--store", store)
    assert count(cli, store, BLANKS) == 2  # two files, two nodes: only identical content is the same node


def test_named_graph_and_graph_listing(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    cli("load", str(TINY), "--store", store, "--graph", "http://example.org/g/tiny")
    cli("load", str(TWO), "--store", store)
    lines = cli("graphs", "--store", store).stdout.splitlines()
    tiny, two = len(Graph().parse(TINY)), len(Graph().parse(TWO, format="nt"))
    assert [line.split() for line in lines] == [[f"{two:,}", "(default", "graph)"],
                                                 [f"{tiny:,}", "http://example.org/g/tiny"]]
    trig = tmp_path / "x.trig"
    trig.write_text("<http://e/g> { <http://e/a> <http://e/p> 1 }")
    result = cli("load", str(trig), "--store", store, "--graph", "http://example.org/g", expect=2)
    assert "--graph applies to triple syntaxes" in result.stderr


def test_dump_round_trips_every_syntax(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    cli("load", str(TINY), "--store", store, "--graph", "http://example.org/g/tiny")
    cli("load", str(TWO), "--store", store)
    expected = Dataset()
    expected.graph("http://example.org/g/tiny").parse(TINY)
    expected.default_graph.parse(TWO, format="nt")
    for fmt, rdflib_format in (("nquads", "nquads"), ("trig", "trig")):
        out = tmp_path / f"dump.{fmt}"
        cli("dump", "--store", store, "--format", fmt, "-o", str(out))
        back = Dataset()
        back.parse(out, format=rdflib_format)
        for name in ("http://example.org/g/tiny",):
            assert isomorphic(value_normalised(back.graph(name)), value_normalised(expected.graph(name)))
        assert isomorphic(value_normalised(back.default_graph), value_normalised(expected.default_graph))
    merged = Graph().parse(TINY)
    merged.parse(TWO, format="nt")
    for fmt, rdflib_format in (("turtle", "turtle"), ("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")):
        text = cli("dump", "--store", store, "--format", fmt).stdout
        assert isomorphic(value_normalised(Graph().parse(data=text, format=rdflib_format)), value_normalised(merged))


def test_dump_is_the_same_whatever_the_load_order(cli, tmp_path):
    first, second = f"oxigraph:{tmp_path / 'a'}", f"oxigraph:{tmp_path / 'b'}"
    cli("load", str(TINY), str(TWO), "--store", first)
    cli("load", str(TWO), "--store", second)
    cli("load", str(TINY), "--store", second)
    assert cli("dump", "--store", first).stdout == cli("dump", "--store", second).stdout


def test_commands_read_the_store(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    cli("load", str(TINY), "--store", store)
    out = cli("query", "--no-bundled", "--store", store, "--format", "csv",
              "SELECT ?c WHERE { ?c a <http://example.org/ns#ChineseCenter> }").stdout
    assert out.splitlines() == ["c", "http://example.org/ns#battery"]
    stats = cli("stats", "--no-bundled", "--store", store, "--format", "json").stdout
    assert f'"triples": {len(Graph().parse(TINY))}' in stats


def test_bad_input_keeps_the_store_as_it_was(cli, tmp_path):
    store = f"oxigraph:{tmp_path / 'kg'}"
    cli("load", str(TINY), "--store", store)
    before = cli("dump", "--store", store).stdout
    broken = tmp_path / "half.ttl"  # good triples first, then a syntax error: nothing of it may stay
    broken.write_text("<http://e/a> <http://e/p> 1 .\n" * 3 + MALFORMED.read_text())
    result = cli("load", str(TWO), str(broken), "--store", store, expect=2)
    message = result.stderr.strip()
    assert message.startswith(f"error: {broken}:") and "\n" not in message
    assert count(cli, store) == len(Graph().parse(TINY)) + len(Graph().parse(TWO, format="nt"))
    cli("load", str(broken), "--store", store, expect=2)
    assert cli("dump", "--store", store).stdout != before  # two.nt went in whole: files are separate
    assert not list(tmp_path.glob("kg.micgraph*"))


def test_missing_store_missing_file_and_unknown_store(cli, tmp_path):
    result = cli("graphs", "--store", f"oxigraph:{tmp_path / 'none'}", expect=2)
    assert "no Oxigraph store there" in result.stderr
    assert not (tmp_path / "none").exists()
    result = cli("load", str(tmp_path / "absent.ttl"), "--store", f"oxigraph:{tmp_path / 'kg'}", expect=2)
    assert result.stderr == f"error: {tmp_path / 'absent.ttl'}: no such file\n"
    result = cli("graphs", "--store", "postgres:x", expect=2)
    assert "unknown store" in result.stderr


# --- interrupted loads: real processes, killed part-way ------------------------------------------

def big_ntriples(path: Path, lines: int) -> None:
    """Enough triples that the bulk loader writes several batches; blank nodes shared across lines."""
    with open(path, "w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(f'<http://e/s{i}> <http://e/p{i % 7}> _:b{i % 997} .\n'
                      f'<http://e/s{i}> <http://e/label> "thing {i}"@en .\n')


def start_load(directory: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "micgraph", "load", str(path), "--store", f"oxigraph:{directory}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_until_writing(process: subprocess.Popen, directory: Path, seconds: float = 60) -> None:
    """Until the loader has written part of the file into the store's directory."""
    rollback = directory.with_name(directory.name + ".micgraph-rollback")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if rollback.exists() and any(p.name.startswith("bulk-") or p.suffix == ".sst" and
                                     not (rollback / p.name).exists() for p in directory.iterdir()):
            return
        time.sleep(0.02)
    raise AssertionError(f"the load finished or stalled before it could be interrupted: {process.poll()}")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_load_leaves_none_or_all_of_the_file(cli, tmp_path, sig):
    directory = tmp_path / "kg"
    cli("load", str(TINY), "--store", f"oxigraph:{directory}")
    base = count(cli, f"oxigraph:{directory}")
    big = tmp_path / "big.nt"
    big_ntriples(big, 400_000)
    process = start_load(directory, big)
    wait_until_writing(process, directory)
    time.sleep(0.3)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert process.returncode == 130 and stderr.decode().strip().endswith("error: interrupted")
    else:
        assert process.returncode == -signal.SIGKILL
    after = count(cli, f"oxigraph:{directory}")  # opening the store rolls an unfinished load back
    assert after in (base, base + 800_000)
    assert not list(tmp_path.glob("kg.micgraph*"))
    cli("load", str(big), "--store", f"oxigraph:{directory}")
    assert count(cli, f"oxigraph:{directory}") == base + 800_000
    assert raw_quads(directory) == base + 800_000  # what any Oxigraph sees, not only micgraph
