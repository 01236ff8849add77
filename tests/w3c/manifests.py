"""Read the W3C test manifests (SPARQL 1.1 and SHACL) in place, into plain test descriptions.

The suites are unmodified copies kept outside the repository (`../shared/w3c/` next to the clone, or
wherever MICGRAPH_W3C_SUITES points); nothing here writes to them. Manifests are parsed with
micgraph's own loader, so their relative IRIs resolve to the same `file://` IRIs as the data files
the runners load (graph names, FROM clauses and expected results all agree).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph as ox

from micgraph.loading import load_file

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
SHT = "http://www.w3.org/ns/shacl-test#"
DAWGT = "http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def suites_root() -> Path | None:
    """The folder holding `sparql11/` and `shacl/`: $MICGRAPH_W3C_SUITES, else `shared/w3c` beside an
    ancestor of this checkout (e.g. /work/shared/w3c for /work/main or /work/wt/NAME) or, for a clone
    made elsewhere (`git clone /work/main /tmp/x`), beside an ancestor of the repository it came from."""
    if os.environ.get("MICGRAPH_W3C_SUITES"):
        candidates = [Path(os.environ["MICGRAPH_W3C_SUITES"])]
    else:
        places = [Path(__file__).resolve().parent, *_local_origin()]
        candidates = [folder / "shared" / "w3c" for place in places for folder in (place, *place.parents)]
    return next((c for c in candidates if (c / "sparql11" / "manifest-all.ttl").is_file()
                 and (c / "shacl" / "tests" / "manifest.ttl").is_file()), None)


def _local_origin() -> list[Path]:
    """The repository this checkout was cloned from, when that is a folder on this machine."""
    import subprocess

    try:
        url = subprocess.run(["git", "-C", str(Path(__file__).parent), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    path = Path(unquote(urlparse(url).path) if url.startswith("file://") else url)
    return [path.resolve()] if url and path.is_absolute() and path.is_dir() else []


def suites_missing() -> None:
    """No suites found: skip, except under CI=true, where a conformance run that silently vanished would pass."""
    import pytest

    message = ("the W3C test suites were not found: put them at ../shared/w3c beside the checkout "
               "or set MICGRAPH_W3C_SUITES to the folder holding sparql11/ and shacl/")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


def file_path(iri: str) -> Path:
    return Path(unquote(urlparse(iri).path))


class TripleIndex:
    """Triples indexed by subject, with the few lookups manifests and reports need."""

    def __init__(self, triples) -> None:
        self._index: dict[object, list[tuple[str, object]]] = defaultdict(list)
        for t in triples:
            self._index[t.subject].append((t.predicate.value, t.object))

    def objects(self, subject, predicate: str) -> list:
        return [o for p, o in self._index.get(subject, ()) if p == predicate]

    def value(self, subject, predicate: str):
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def subjects_of_type(self, rdf_type: str) -> list:
        return [s for s, pairs in self._index.items() if (RDF + "type", ox.NamedNode(rdf_type)) in pairs]

    def items(self, head) -> list:
        """The members of the RDF list starting at `head`."""
        out = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            out.append(self.value(head, RDF + "first"))
            head = self.value(head, RDF + "rest")
        return out

    def pairs(self, subject) -> list[tuple[str, object]]:
        """(predicate IRI, object) for every triple about `subject`."""
        return list(self._index.get(subject, ()))


class ManifestGraph(TripleIndex):
    """The triples of one manifest file (relative IRIs resolved against its file:// IRI)."""

    def __init__(self, path: Path) -> None:
        store = ox.Store()
        load_file(store, path)
        super().__init__(store)
        self.path = path


def walk(manifest: Path):
    """Yield (ManifestGraph, test node) for every mf:entries member of `manifest` and of what it includes."""
    graph = ManifestGraph(manifest)
    for node in graph.subjects_of_type(MF + "Manifest"):
        for include in graph.objects(node, MF + "include"):
            targets = graph.items(include) if isinstance(include, ox.BlankNode) else [include]
            for target in targets:
                yield from walk(file_path(target.value))
        for entries in graph.objects(node, MF + "entries"):
            for test in graph.items(entries):
                yield graph, test


def local_id(root: Path, graph: ManifestGraph, test) -> str:
    """`folder/fragment`: the test's name in its manifest, prefixed by its folder under the suite root."""
    folder = graph.path.parent.relative_to(root).as_posix()
    name = test.value.rsplit("#", 1)[-1] if "#" in test.value else test.value.rsplit("/", 1)[-1]
    return f"{folder}/{name}" if folder != "." else name


# --- SPARQL 1.1 ---------------------------------------------------------------------------------

@dataclass
class SparqlTest:
    id: str
    name: str
    kind: str                      # the mf: type's local name, e.g. QueryEvaluationTest
    folder: str
    query: Path | None = None
    data: list[Path] = field(default_factory=list)
    graph_data: list[Path] = field(default_factory=list)
    result: Path | None = None
    service_data: list[tuple[str, Path]] = field(default_factory=list)
    entailment: bool = False
    approved: bool = False         # dawgt:approval dawgt:Approved (the later community additions are not)

    @property
    def is_update(self) -> bool:
        return "Update" in self.kind or (self.query is not None and self.query.suffix == ".ru")


def sparql_tests(root: Path) -> list[SparqlTest]:
    suite = root / "sparql11"
    tests = []
    for graph, node in walk(suite / "manifest-all.ttl"):
        kind = graph.value(node, RDF + "type").value.rsplit("#", 1)[-1]
        test = SparqlTest(id=local_id(suite, graph, node), name=str(graph.value(node, MF + "name").value),
                          kind=kind, folder=graph.path.parent.name,
                          approved=graph.value(node, DAWGT + "approval") == ox.NamedNode(DAWGT + "Approved"))
        action = graph.value(node, MF + "action")
        if isinstance(action, ox.NamedNode):
            test.query = file_path(action.value)
        elif action is not None:
            query = graph.value(action, QT + "query")
            test.query = file_path(query.value) if query is not None else None
            test.data = [file_path(d.value) for d in graph.objects(action, QT + "data")]
            test.graph_data = [file_path(d.value) for d in graph.objects(action, QT + "graphData")]
            test.entailment = bool(graph.objects(action, "http://www.w3.org/ns/sparql-service-description#"
                                                 "entailmentRegime"))
            for service in graph.objects(action, QT + "serviceData"):
                test.service_data += [(graph.value(service, QT + "endpoint").value, file_path(d.value))
                                      for d in graph.objects(service, QT + "data")]
        result = graph.value(node, MF + "result")
        test.result = file_path(result.value) if isinstance(result, ox.NamedNode) else None
        tests.append(test)
    return sorted(tests, key=lambda t: t.id)


# --- SHACL ---------------------------------------------------------------------------------------

@dataclass
class ShaclTest:
    id: str
    label: str
    status: str                    # approved / proposed
    data: Path
    shapes: Path
    expects_failure: bool          # mf:result sht:Failure: the processor must refuse the shapes
    expected: list[ox.Triple]      # the expected report: R, its results, their paths


def shacl_tests(root: Path) -> list[ShaclTest]:
    suite = root / "shacl" / "tests"
    tests = []
    for graph, node in walk(suite / "manifest.ttl"):
        action = graph.value(node, MF + "action")
        result = graph.value(node, MF + "result")
        label = graph.value(node, "http://www.w3.org/2000/01/rdf-schema#label")
        expected = report_triples(graph, result) if isinstance(result, ox.BlankNode) else []
        tests.append(ShaclTest(
            id=local_id(suite, graph, node), label=label.value if label else "",
            status=graph.value(node, MF + "status").value.rsplit("#", 1)[-1],
            data=file_path(graph.value(action, SHT + "dataGraph").value),
            shapes=file_path(graph.value(action, SHT + "shapesGraph").value),
            expects_failure=result == ox.NamedNode(SHT + "Failure"), expected=expected))
    return sorted(tests, key=lambda t: t.id)


SH = "http://www.w3.org/ns/shacl#"


def report_triples(graph: TripleIndex, report) -> list[ox.Triple]:
    """What the SHACL test suite compares of a validation report: the report node's triples, its
    results' triples and their result paths. Focus nodes and values are not followed. Each result gets
    its own copy of a blank-node path, so a validator that shares one path node between results (as
    pySHACL does) and a manifest that writes one per result compare equal."""
    triples = []
    for predicate, obj in graph.pairs(report):
        triples.append(ox.Triple(report, ox.NamedNode(predicate), obj))
        if predicate != SH + "result":
            continue
        for result_predicate, value in graph.pairs(obj):
            if result_predicate == SH + "resultPath" and isinstance(value, ox.BlankNode):
                value = _copy_tree(graph, value, triples)
            triples.append(ox.Triple(obj, ox.NamedNode(result_predicate), value))
    return triples


def _copy_tree(graph: TripleIndex, node, out: list[ox.Triple]) -> ox.BlankNode:
    copy = ox.BlankNode()
    for predicate, obj in graph.pairs(node):
        out.append(ox.Triple(copy, ox.NamedNode(predicate), _copy_tree(graph, obj, out)
                             if isinstance(obj, ox.BlankNode) else obj))
    return copy
