"""SERVICE clauses: the allow-list, calling the endpoints, and inlining their solutions.

micgraph executes SERVICE itself instead of leaving it to pyoxigraph, whose HTTP client (0.5) has no
timeout and no hook to vet an endpoint before connecting. For a query that calls SERVICE:

1. micgraph's SPARQL parser (micgraph.sparql) reads the query: each outermost
   `SERVICE [SILENT] endpoint { pattern }` clause, its endpoint resolved (BASE, PREFIX, escapes) and its
   exact extent in the text; a query the parser cannot read is refused, never passed on;
2. every endpoint micgraph would call must be on the allow-list, else the query is refused before any
   connection is made; a variable endpoint (`SERVICE ?x`) is always refused;
3. each clause's pattern is sent to its endpoint as `SELECT * WHERE { pattern }` (SPARQL 1.1 Protocol,
   POST, through httpclient.py), with a deadline covering connect, request and reading the whole answer;
4. the clause is replaced by a VALUES block holding the endpoint's solutions, and the rewritten query runs
   on the local store, on an engine thread that cannot open a network connection (sandbox.py).

Step 4 is exact: under SPARQL's bottom-up semantics a SERVICE clause evaluates to the endpoint's solutions
whatever surrounds it, which is what inline data at the same place evaluates to. A failed `SERVICE SILENT`
clause becomes the single empty solution (`VALUES () { () }`), as the Federated Query spec and W3C test
service07 require: it adds no rows and removes none. SERVICE clauses nested inside another are part of the
pattern sent to the outer endpoint, which executes them itself (e.g. Wikidata's `SERVICE wikibase:label`);
micgraph never contacts them.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import formats
from .constants import SERVICE_TIMEOUT
from .errors import ParseError, QueryEvaluationError, ServiceNotAllowedError, UsageError

_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
_BLANK_NODE_SPACE = "urn:micgraph:service-blank-node:"


@dataclass
class FederatedQuery:
    """The query with every SERVICE clause replaced by its solutions, and how to put remote blank nodes back."""

    text: str
    blank_nodes: dict[str, ox.BlankNode] = field(default_factory=dict)

    def restore(self, result):
        """Turn the stand-in IRIs of remote blank nodes back into blank nodes in a query result."""
        if not self.blank_nodes:
            return result

        def term(t):
            return self.blank_nodes.get(t.value, t) if isinstance(t, ox.NamedNode) else t

        if result.kind == "select":
            result.bindings = [tuple(term(t) for t in row) for row in result.bindings]
        elif result.kind == "graph":
            result.triples = [ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in result.triples]
        return result


def check_allow_list(allowed: Iterable[str]) -> tuple[str, ...]:
    """The allow-list as given, after checking each entry is an absolute http(s) URL."""
    entries = tuple(allowed)
    for url in entries:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--service-allow {url!r}: not an http:// or https:// endpoint URL")
    return entries


def resolve_services(
    text: str, parsed, allowed: Iterable[str] = (), *, timeout: float = SERVICE_TIMEOUT
) -> FederatedQuery:
    """Check every outermost SERVICE clause of `parsed` (micgraph.sparql's reading of `text`) against
    `allowed`, call the endpoints, and inline their solutions into the text."""
    allowed = check_allow_list(allowed)
    if timeout <= 0:
        raise UsageError(f"the SERVICE timeout must be a positive number of seconds, not {timeout}")
    for clause in parsed.services:  # all refusals happen before the first connection
        _check_allowed(clause, allowed)
    federated = FederatedQuery(text)
    answers: dict[tuple[str, str, bool], str] = {}
    for index, clause in reversed(list(enumerate(parsed.services))):
        request = _remote_query(text, parsed, clause)
        key = (clause.endpoint, request, clause.silent)
        if key not in answers:
            answers[key] = _inline_solutions(clause, request, allowed, timeout, federated, index)
        federated.text = federated.text[: clause.start] + answers[key] + federated.text[clause.end :]
    return federated


def _remote_query(text: str, parsed, clause) -> str:
    """`SELECT * WHERE { pattern }`, with the base and every prefix the query has in force (the endpoint
    knows none of micgraph's predeclared ones)."""
    lines = [f"BASE <{parsed.base_iri}>"] if parsed.base_iri else []
    lines += [
        f"PREFIX {name}: <{iri}>" for name, iri in sorted(parsed.prefixes.items()) if name in parsed.used_prefixes
    ]
    return "\n".join([*lines, f"SELECT * WHERE {text[clause.pattern_start : clause.pattern_end]}"])


def _check_allowed(clause, allowed: tuple[str, ...]) -> None:
    where = f"line {clause.line}: SERVICE {clause.endpoint_text}"
    if clause.endpoint is None:
        raise ServiceNotAllowedError(
            f"{where}: a variable endpoint is not allowed; name the endpoint IRI and pass it to --service-allow"
        )
    if clause.endpoint in allowed:
        return
    scheme = urllib.parse.urlsplit(clause.endpoint).scheme
    if scheme not in ("http", "https"):
        raise ServiceNotAllowedError(f"{where}: only http:// and https:// SPARQL endpoints can be called")
    known = f"allowed: {', '.join(allowed)}" if allowed else "no endpoint is allowed by default"
    raise ServiceNotAllowedError(
        f"{where} is not allowed ({known}); pass --service-allow {clause.endpoint} to let the query call it"
    )


def _inline_solutions(
    clause, request: str, allowed: tuple[str, ...], timeout: float, federated: FederatedQuery, index: int
) -> str:
    try:
        variables, rows = fetch_solutions(clause.endpoint, request, timeout, allowed)
    except QueryEvaluationError:
        if not clause.silent:
            raise
        return "VALUES () { () }"
    return _values_block(variables, rows, federated.blank_nodes, index, clause.endpoint)


def _values_block(
    variables: list[str], rows: list[tuple], blank_nodes: dict[str, ox.BlankNode], call: int, endpoint: str
) -> str:
    local: dict[str, str] = {}

    def term(t) -> str:
        if t is None:
            return "UNDEF"
        if isinstance(t, ox.BlankNode):  # VALUES cannot hold blank nodes: stand in an IRI, restored afterwards
            if t.value not in local:
                iri = f"{_BLANK_NODE_SPACE}{call}-{len(local)}"
                local[t.value] = iri
                blank_nodes[iri] = ox.BlankNode(f"service{call}b{len(blank_nodes)}")
            return f"<{local[t.value]}>"
        if isinstance(t, ox.Triple):
            raise QueryEvaluationError(f"SERVICE <{endpoint}> returned a triple term, which micgraph cannot join yet")
        return str(t)

    head = " ".join(f"?{v}" for v in variables)
    body = " ".join("(" + " ".join(term(t) for t in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


# --- calling an endpoint --------------------------------------------------------------------------


def fetch_solutions(
    endpoint: str, query: str, timeout: float = SERVICE_TIMEOUT, allowed: Iterable[str] | None = None
) -> tuple[list[str], list[tuple]]:
    """POST `query` to a SPARQL endpoint; its variables and rows. Every failure is a one-line
    QueryEvaluationError naming the endpoint; `timeout` bounds the whole exchange."""
    from .httpclient import Client

    if allowed is not None and endpoint not in tuple(allowed):
        raise QueryEvaluationError(f"SERVICE <{endpoint}> is not allowed")
    label = f"SERVICE <{endpoint}>"
    client = Client(label, timeout=timeout, error=QueryEvaluationError, timeout_option="--service-timeout")
    reply = client.request(
        "POST",
        endpoint,
        body=urllib.parse.urlencode({"query": query}).encode("utf-8"),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        accept=_ACCEPT,
    )
    answer = formats.from_media_type(reply.content_type, formats.RESULTS)
    if answer is None or answer.results is None:
        raise QueryEvaluationError(
            f"{label} answered {reply.content_type or 'without a content type'}, "
            "not SPARQL results (JSON, XML, CSV or TSV)"
        )
    try:
        if answer.name == "xml":
            import io

            from .loading import refuse_xml_entities

            refuse_xml_entities(io.BytesIO(reply.body), f"the answer of {label}")
        parsed = ox.parse_query_results(reply.body, answer.results)
        if isinstance(parsed, ox.QueryBoolean):
            raise QueryEvaluationError(f"{label} answered a boolean, not solutions")
        variables = [v.value for v in parsed.variables]
        rows = [tuple(solution[v] for v in variables) for solution in parsed]
    except (SyntaxError, ValueError, ParseError) as exc:
        raise QueryEvaluationError(f"{label} sent unreadable results: {exc}") from exc
    return variables, rows
