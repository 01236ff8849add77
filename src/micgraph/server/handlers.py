"""What the server computes for a request, from the graph: each function takes a store and one request's
parameters and returns a `Reply` (status, content type, body) ready to send.

They run inside the worker processes (pool.py: queries and Linked Data in the query workers, updates in
the update worker), so their arguments and replies are plain picklable values, and they know nothing of
HTTP beyond status codes and media types.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import namespaces
from ..errors import (
    EndpointError,
    MicgraphError,
    QueryEvaluationError,
    QuerySyntaxError,
    ServiceNotAllowedError,
    UsageError,
)
from ..export.rdf import serialize, serialize_triples
from ..query import Term, run_ask, run_query, run_select
from .negotiation import (
    BOOLEAN_FORMATS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    negotiate,
    with_charset,
)

TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, TEXT, f"{message}\n".encode())


def status_for(exc: MicgraphError) -> int:
    """403 for a refused SERVICE or LOAD; 400 for a request that does not parse or fails as it runs (an
    update's LOAD of an unreadable document, CREATE of a graph that exists: the request's doing, not the
    server's); 502 for a remote endpoint that failed; 500 for the rest (the store, the disk)."""
    if isinstance(exc, ServiceNotAllowedError):
        return 403
    if isinstance(exc, (QuerySyntaxError, UsageError, QueryEvaluationError)):
        return 400
    if isinstance(exc, EndpointError):
        return 502
    return 500


def error_reply(exc: MicgraphError) -> Reply:
    return text_reply(status_for(exc), f"error: {exc}")


def not_acceptable(offers) -> Reply:
    return text_reply(
        406, "error: none of the media types in Accept can be produced here; available: " + ", ".join(offers)
    )


# --- SPARQL queries -----------------------------------------------------------------------------


def sparql_query(
    store,
    *,
    text: str,
    accept: str | None,
    base_iri: str | None = None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_rows: int | None = None,
    service_allow: tuple[str, ...] = (),
) -> Reply:
    """Run a query and write its result in the negotiated format; results past `max_rows` (rows, or
    triples of a CONSTRUCT/DESCRIBE) are cut, and the reply says so in an `X-SPARQL-MaxRows` header."""
    from ..results import render

    try:
        result = run_query(
            store,
            text,
            base_iri=base_iri,
            service_allow=service_allow,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_rows=max_rows,
        )
    except MicgraphError as exc:
        return error_reply(exc)
    headers = {"X-SPARQL-MaxRows": str(max_rows)} if getattr(result, "truncated", False) else {}
    if result.kind == "graph":
        media = negotiate(accept, list(GRAPH_FORMATS))
        if media is None:
            return not_acceptable(GRAPH_FORMATS)
        return Reply(200, with_charset(media), serialize_triples(result.triples, GRAPH_FORMATS[media].name), headers)
    offers = RESULT_FORMATS if result.kind == "select" else BOOLEAN_FORMATS
    media = negotiate(accept, list(offers))
    if media is None:
        return not_acceptable(offers)
    return Reply(200, with_charset(media), render(result, offers[media].name).encode("utf-8"), headers)


# --- Linked Data ------------------------------------------------------------------------------


def exists(store, *, iri: str) -> Reply | bool:
    """Whether the graph describes or mentions `iri` (an error Reply if `iri` is no IRI)."""
    from ..describe import resource_node

    try:
        node = resource_node(iri)
        return run_ask(store, f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")
    except MicgraphError as exc:
        return error_reply(exc)


def resource(store, *, iri: str, media: str, lang: str = "en") -> Reply:
    """The resource's CBD in the RDF `media` type, or its HTML page in `lang` (pages.page_language) for
    text/html; 404 if the graph neither describes nor mentions it."""
    from ..describe import cbd, describe, resource_node
    from .pages import message_page, resource_page

    try:
        if media == "text/html":
            description = describe(store, iri)
            if not description.found:
                return Reply(404, HTML, message_page(404, f"The graph says nothing about {iri}.").encode("utf-8"))
            return Reply(
                200,
                HTML,
                resource_page(description, lang).encode("utf-8"),
                {"Content-Language": lang, "Vary": "Accept, Accept-Language"},
            )
        triples = cbd(store, iri)
        if not triples and not run_ask(store, f"ASK {{ ?s ?p {resource_node(iri)} }}"):
            return text_reply(404, f"error: the graph says nothing about {iri}")
        return Reply(200, with_charset(media), serialize_triples(triples, GRAPH_FORMATS[media].name))
    except MicgraphError as exc:
        return error_reply(exc)


# --- the ontology document --------------------------------------------------------------------------

OWL_VERSION_IRI = namespaces.OWL + "versionIRI"


@dataclass(frozen=True)
class OntologyDocument:
    """What /ontology serves: the bundled ontology file, whole, or the ontology as a store holds it."""

    triples: list[ox.Triple]
    version_iri: str | None
    path: Path | None = None  # the bundled file, served as it is in Turtle and given to pyLODE


def _version_iri(triples: list[ox.Triple]) -> str | None:
    return next(
        (
            t.object.value
            for t in triples
            if t.subject == ox.NamedNode(namespaces.ONTOLOGY_IRI)
            and t.predicate.value == OWL_VERSION_IRI
            and isinstance(t.object, ox.NamedNode)
        ),
        None,
    )


@functools.cache
def _bundled_ontology() -> OntologyDocument | None:
    from .. import bundle

    try:
        path = bundle.ontology_path()
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (FileNotFoundError, OSError):
        return None  # running without the bundled graph
    return OntologyDocument(triples, _version_iri(triples), path)


def ontology_document(store) -> OntologyDocument:
    """The bundled ontology file when the store holds that very version of the ontology (its
    owl:versionIRI), which is the case for the bundled graph and for a store loaded from it; otherwise
    (a graph of one's own, an older store) the ontology as the store holds it: the ontology resource and
    every mic: term, with their blank nodes."""
    from ..describe import ontology_triples

    bundled = _bundled_ontology()
    if bundled is not None and bundled.version_iri is not None:
        ask = f"ASK {{ <{namespaces.ONTOLOGY_IRI}> <{OWL_VERSION_IRI}> <{bundled.version_iri}> }}"
        if run_ask(store, ask):
            return bundled
    triples = ontology_triples(store)
    return OntologyDocument(triples, _version_iri(triples))


def ontology_version(store) -> str | None:
    """The owl:versionIRI of the ontology document this server serves."""
    return ontology_document(store).version_iri


def ontology(store, *, media: str) -> Reply:
    """The ontology document in the RDF `media` type (the bundled file as it is for Turtle), or its
    pyLODE documentation for text/html."""
    try:
        document = ontology_document(store)
    except MicgraphError as exc:
        return error_reply(exc)
    if not document.triples:
        return text_reply(404, f"error: the graph holds no ontology <{namespaces.ONTOLOGY_IRI}>")
    if media == "text/html":
        from ..docs import ontology_html

        if document.path is not None:
            return Reply(200, HTML, ontology_html(document.path).encode("utf-8"))
        with tempfile.TemporaryDirectory(prefix="micgraph-ontology-") as folder:
            path = Path(folder) / "ontology.ttl"
            path.write_bytes(serialize_triples(document.triples, "turtle"))
            return Reply(200, HTML, ontology_html(path).encode("utf-8"))
    syntax = GRAPH_FORMATS[media]
    if syntax.name == "turtle" and document.path is not None:
        return Reply(200, with_charset(syntax.media_type), document.path.read_bytes())
    return Reply(200, with_charset(media), serialize_triples(document.triples, syntax.name))


# --- updates -------------------------------------------------------------------------------------------


def update(store, *, text: str, base_iri: str | None, service_allow: tuple[str, ...], folder: str, generation: int):
    """Run the update on the writable graph (in the update worker), all of it or none of it, and write
    the resulting graph as snapshot `generation` into `folder`: that Snapshot, or an error Reply."""
    from ..query import run_update
    from .pool import take_snapshot

    try:
        run_update(store, text, base_iri=base_iri, load_allow=service_allow)
    except MicgraphError as exc:
        return error_reply(exc)
    return take_snapshot(store, Path(folder), generation)


# --- the service description ----------------------------------------------------------------------


def dataset_summary(store) -> dict:
    """Triples in the default graph (the union of all graphs) and in each named graph."""
    [(total,)] = run_select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").bindings
    graphs = run_select(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY STR(?g)"
    ).bindings
    if not isinstance(total, ox.Literal):
        raise TypeError(f"COUNT gave {total!r}")  # a COUNT is always bound to an integer literal
    return {
        "triples": int(total.value),
        "graphs": [
            (g.value, int(n.value)) for g, n in graphs if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)
        ],
    }


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
# The W3C names (https://www.w3.org/ns/formats/) of the formats this endpoint answers in.
RESULT_FORMAT_IRIS = tuple(
    dict.fromkeys(
        FORMATS + (f.results or f.rdf).iri.rsplit("/", 1)[1]
        for f in [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()]
    )
)


def service_description(
    endpoint: str,
    summary: dict | None,
    *,
    allow_update: bool,
    service_allow: tuple[str, ...],
    timeout: float,
    max_rows: int | None,
) -> list[ox.Quad]:
    """The SPARQL 1.1 Service Description of this endpoint (sd: vocabulary, with VoID counts)."""

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    rdf_type = iri(namespaces.RDF + "type")
    void = namespaces.VOID
    service = iri(endpoint)
    triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]] = [
        (service, rdf_type, iri(SD + "Service")),
        (service, iri(SD + "endpoint"), service),
        (service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        (service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        (service, iri(namespaces.DCTERMS + "title"), ox.Literal("micgraph SPARQL endpoint", language="en")),
    ]
    triples += [(service, iri(SD + "resultFormat"), iri(name)) for name in RESULT_FORMAT_IRIS]
    if allow_update:
        triples.append((service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Update")))
    if service_allow:
        triples.append((service, iri(SD + "feature"), iri(SD + "BasicFederatedQuery")))
    limits = f"Each query stops after {timeout:g} s"
    limits += (
        f"; SELECT results stop at {max_rows} rows and CONSTRUCT/DESCRIBE results at {max_rows} triples "
        "(X-SPARQL-MaxRows says so)."
        if max_rows
        else "."
    )
    limits += " Read-only." if not allow_update else " Updates need a bearer token."
    triples.append((service, iri(namespaces.RDFS + "comment"), ox.Literal(limits, language="en")))
    if summary is not None:
        dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
        triples += [
            (service, iri(SD + "defaultDataset"), dataset),
            (dataset, rdf_type, iri(SD + "Dataset")),
            (dataset, iri(SD + "defaultGraph"), default),
            (default, rdf_type, iri(SD + "Graph")),
            (
                default,
                iri(void + "triples"),
                ox.Literal(str(summary["triples"]), datatype=iri(namespaces.XSD + "integer")),
            ),
        ]
        for number, (name, count) in enumerate(summary["graphs"]):
            named, graph = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
            triples += [
                (dataset, iri(SD + "namedGraph"), named),
                (named, rdf_type, iri(SD + "NamedGraph")),
                (named, iri(SD + "name"), iri(name)),
                (named, iri(SD + "graph"), graph),
                (graph, rdf_type, iri(SD + "Graph")),
                (graph, iri(void + "triples"), ox.Literal(str(count), datatype=iri(namespaces.XSD + "integer"))),
            ]
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]


def service_description_reply(quads: list[ox.Quad], media: str) -> Reply:
    prefixes = {**namespaces.PREFIXES, "sd": SD, "formats": FORMATS}
    return Reply(200, with_charset(media), serialize(quads, GRAPH_FORMATS[media].name, prefixes))
