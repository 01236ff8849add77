"""The W3C SPARQL 1.1 Protocol tests (sparql11/protocol/manifest.ttl), sent over HTTP to `micgraph serve`.

Each test is a list of HTTP requests with the status class, result format and boolean each must get.
Adaptations, as the manifest itself asks: the requests' `/sparql/` path becomes the server's `/sparql`.
The graphs the tests name (ut:graphData: data1.nt as <http://kasei.us/.../data1.rdf>, ...) are loaded
into the served dataset as named graphs of those names, so `default-graph-uri` / `named-graph-uri`
select them as the tests expect (the server does not dereference graph IRIs from the web).

Query tests go to a read-only server. Update tests go to a second server started with --allow-update,
each request carrying that server's bearer token (the read-only one refuses every update with 403).
"""

from __future__ import annotations

import io

import httpx
import pytest
from conftest import SERVE_TOKEN
from rdflib import Graph
from rdflib.query import Result
from serving import start_server

from .manifests import MF, ManifestGraph, file_path, suites_missing, suites_root

HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
STATUS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

SKIP = {
    name: "using-graph-uri / using-named-graph-uri: pyoxigraph's update API takes no protocol dataset, so the "
          "server answers 400 instead of ignoring the parameters"
    for name in ("update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
                 "update_dataset_full")
}
BOOLEAN_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}


def _manifest():
    root = suites_root()
    return None if root is None else ManifestGraph(root / "sparql11" / "protocol" / "manifest.ttl")


def _tests() -> list[tuple[str, object]]:
    graph = _manifest()
    if graph is None:
        return [("suites-missing", None)]
    [manifest] = graph.subjects_of_type(MF + "Manifest")
    entries = graph.items(graph.value(manifest, MF + "entries"))
    return [(node.value.rsplit("#", 1)[-1], node) for node in entries]


def _requests(graph: ManifestGraph, node) -> list[dict]:
    action = graph.value(node, MF + "action")
    requests = []
    for request in graph.items(graph.value(action, HT + "requests")):
        body = graph.value(request, HT + "body")
        headers = graph.value(request, HT + "headers")
        response = graph.value(request, HT + "resp")
        requests.append({
            "method": graph.value(request, HT + "methodName").value,
            "path": graph.value(request, HT + "absolutePath").value,
            "headers": {graph.value(h, HT + "fieldName").value: graph.value(h, HT + "fieldValue").value
                        for h in (graph.items(headers) if headers is not None else [])},
            "body": None if body is None else graph.value(body, CNT + "chars").value.encode(
                graph.value(body, CNT + "characterEncoding").value.lower()),
            "statuses": {s.value.removeprefix(STATUS)[0] for s in graph.objects(response, MF + "expectedStatus")},
            "boolean": graph.value(response, MF + "expectedBoolean"),
            "format": graph.value(response, MF + "expectedFormat"),
        })
    return requests


def _is_update(request: dict) -> bool:
    body = request["body"] or b""
    return (request["headers"].get("content-type", "").startswith("application/sparql-update")
            or "update=" in request["path"] or body.startswith(b"update=")
            or (request["headers"].get("content-type") == "application/sparql-update; charset=UTF-16"))


@pytest.fixture(scope="module")
def protocol_data(tmp_path_factory):
    """The graphs the tests name, as one TriG file: each ut:graphData file in a graph named by its label."""
    graph = _manifest()
    if graph is None:
        suites_missing()
    graphs = {}
    for node in graph.subjects_of_type(MF + "ProtocolTest"):
        for data in graph.objects(node, UT + "graphData"):
            graphs[graph.value(data, RDFS + "label").value] = file_path(graph.value(data, UT + "graph").value)
    trig = tmp_path_factory.mktemp("protocol") / "protocol-data.trig"
    trig.write_text("".join(f"<{name}> {{\n{path.read_text()}}}\n" for name, path in sorted(graphs.items())))
    return trig


@pytest.fixture(scope="module")
def read_only_server(protocol_data, tmp_path_factory):
    server = start_server(["--no-bundled", "--data", str(protocol_data), "--workers", "1"],
                          tmp_path_factory.mktemp("protocol-ro") / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def update_server(protocol_data, tmp_path_factory):
    server = start_server(["--no-bundled", "--data", str(protocol_data), "--workers", "1", "--allow-update",
                           "--token-env", "MICGRAPH_TEST_TOKEN"], tmp_path_factory.mktemp("protocol-rw") / "serve.log",
                          env={"MICGRAPH_TEST_TOKEN": SERVE_TOKEN})
    yield server
    server.stop()


def _check_format(response: httpx.Response, request: dict, name: str) -> None:
    media = response.headers.get("content-type", "").split(";")[0].strip()
    expected = request["format"].value if request["format"] is not None else None
    if expected == "boolean":
        assert media in BOOLEAN_TYPES, f"{name}: boolean result as {media}"
        answer = Result.parse(io.BytesIO(response.content), format=BOOLEAN_TYPES[media]).askAnswer
        if request["boolean"] is not None:
            assert answer is (request["boolean"].value == "true"), f"{name}: ASK answered {answer}"
    elif expected == "tabular":
        assert media in TABULAR_TYPES, f"{name}: tabular result as {media}"
        rows = list(Result.parse(io.BytesIO(response.content), format=TABULAR_TYPES[media]))
        assert rows, f"{name}: no rows"
    elif expected == "RDF":
        assert media in RDF_TYPES, f"{name}: RDF result as {media}"
        Graph().parse(data=response.content, format=RDF_TYPES[media])


@pytest.mark.parametrize("name, node", _tests(), ids=[name for name, _ in _tests()])
def test_protocol(name, node, request):
    if node is None:
        suites_missing()
    if name in SKIP:
        pytest.skip(SKIP[name])
    graph = _manifest()
    requests = _requests(graph, node)
    updates = any(_is_update(r) for r in requests)
    server = request.getfixturevalue("update_server" if updates else "read_only_server")
    for number, sent in enumerate(requests, 1):
        headers = dict(sent["headers"])
        if updates:
            headers["Authorization"] = f"Bearer {SERVE_TOKEN}"
        url = server.url + "sparql" + sent["path"].removeprefix("/sparql/")
        response = httpx.request(sent["method"], url, headers=headers, content=sent["body"])
        where = f"{name} request {number}"
        status_class = str(response.status_code)[0]
        assert status_class in sent["statuses"], (
            f"{where}: HTTP {response.status_code}, expected {sorted(sent['statuses'])}xx: {response.text[:300]}")
        if status_class == "2":
            _check_format(response, sent, where)


def test_the_update_tests_are_refused_by_the_read_only_server(read_only_server):
    response = httpx.post(read_only_server.sparql, content=b"CLEAR ALL",
                          headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403
    assert httpx.get(read_only_server.sparql, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).json()["boolean"]


# --- the Service Description tests (sparql11/service-description/manifest.ttl) ------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


def _service_description_tests() -> list[str]:
    root = suites_root()
    if root is None:
        return ["suites-missing"]
    graph = ManifestGraph(root / "sparql11" / "service-description" / "manifest.ttl")
    [manifest] = graph.subjects_of_type(MF + "Manifest")
    return [node.value.rsplit("#", 1)[-1] for node in graph.items(graph.value(manifest, MF + "entries"))]


def _schema_problems(description: Graph) -> list[str]:
    """What the SD vocabulary's domains and ranges (SPARQL 1.1 Service Description, section 3) rule out."""
    from rdflib import RDF as R
    from rdflib import URIRef

    def is_a(node, local: str) -> bool:
        return (node, R.type, URIRef(SD + local)) in description

    domains = {"endpoint": "Service", "supportedLanguage": "Service", "resultFormat": "Service",
               "feature": "Service", "defaultDataset": "Service", "defaultGraph": "Dataset",
               "namedGraph": "Dataset", "name": "NamedGraph", "graph": "NamedGraph"}
    ranges = {"defaultDataset": "Dataset", "defaultGraph": "Graph", "namedGraph": "NamedGraph", "graph": "Graph"}
    languages = {URIRef(SD + name) for name in ("SPARQL10Query", "SPARQL11Query", "SPARQL11Update")}
    problems = []
    if len(set(description.subjects(R.type, URIRef(SD + "Service")))) != 1:
        problems.append("not exactly one sd:Service")
    for s, p, o in description:
        local = str(p).removeprefix(SD)
        if not str(p).startswith(SD):
            continue
        if local in domains and not is_a(s, domains[local]):
            problems.append(f"sd:{local} on a node that is not an sd:{domains[local]}")
        if local in ranges and not is_a(o, ranges[local]):
            problems.append(f"sd:{local} points to a node that is not an sd:{ranges[local]}")
        if local in ("endpoint", "name", "resultFormat", "feature", "supportedLanguage") and not isinstance(o, URIRef):
            problems.append(f"sd:{local} must be an IRI, not {o!r}")
        if local == "supportedLanguage" and o not in languages:
            problems.append(f"sd:supportedLanguage {o} is not one of the SD languages")
    return problems


@pytest.mark.parametrize("name", _service_description_tests())
def test_service_description(name, read_only_server):
    if name == "suites-missing":
        suites_missing()
    from rdflib import URIRef

    response = httpx.get(read_only_server.sparql, headers={"Accept": "text/turtle, application/rdf+xml;q=0.9"})
    assert response.status_code == 200
    media = response.headers["content-type"].split(";")[0]
    assert media in RDF_TYPES
    description = Graph().parse(data=response.content, format=RDF_TYPES[media])
    endpoint = URIRef(read_only_server.sparql)
    if name == "returns-rdf":
        assert len(description) > 0
    elif name == "has-endpoint-triple":
        assert list(description.subjects(URIRef(SD + "endpoint"), endpoint)), "no ?s sd:endpoint <this endpoint>"
    elif name == "conforms-to-schema":
        assert _schema_problems(description) == []
    else:
        pytest.fail(f"{name}: a service description test this runner does not know")
