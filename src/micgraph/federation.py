"""SERVICE clauses: which endpoints a query calls, the allow-list, and fetching their solutions.

micgraph executes SERVICE itself instead of leaving it to pyoxigraph, whose HTTP client (0.5) has no
timeout and no hook to vet an endpoint before connecting. For a query that calls SERVICE:

1. a SPARQL lexer finds the SERVICE keywords; rdflib's SPARQL parser then reads the whole query and each
   outermost `SERVICE [SILENT] endpoint { pattern }` clause (its endpoint and its exact extent);
2. every endpoint micgraph would call must be on the allow-list, else the query is refused before any
   connection is made; a variable endpoint (`SERVICE ?x`) is always refused;
3. each clause's pattern is sent to its endpoint as `SELECT * WHERE { pattern }` (SPARQL 1.1 Protocol,
   POST), with a deadline covering connect, request and reading the whole answer;
4. the clause is replaced by a VALUES block holding the endpoint's solutions, and the rewritten query,
   which contacts nothing, runs on the local store.

Step 4 is exact: under SPARQL's bottom-up semantics a SERVICE clause evaluates to the endpoint's solutions
whatever surrounds it, which is what inline data at the same place evaluates to. A failed `SERVICE SILENT`
clause becomes the single empty solution (`VALUES () { () }`), as the Federated Query spec and W3C test
service07 require: it adds no rows and removes none. SERVICE clauses nested inside another are part of the
pattern sent to the outer endpoint, which executes them itself (e.g. Wikidata's `SERVICE wikibase:label`);
micgraph never contacts them.

rdflib's parser loops forever on nested SERVICE clauses (RDFLib/rdflib#2136), so the parser reads a copy of
the query in which each SERVICE keyword is written as GRAPH (same grammar: keyword, VarOrIri, group) and
SILENT (and tabs) as spaces; offsets are unchanged, and the copy is only read, never run.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import formats, namespaces
from .errors import (MicgraphError, ParseError, QueryEvaluationError, QuerySyntaxError, ServiceNotAllowedError,
                     UsageError)

DEFAULT_TIMEOUT = 60.0  # seconds per SERVICE call
_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
_BLANK_NODE_SPACE = "urn:micgraph:service-blank-node:"

# SPARQL 1.1 terminals, enough to tell keywords from look-alikes (?service, ex:service, "SERVICE", @service).
# Compiled on first use: 5 ms, which a query without SERVICE would otherwise pay at start-up.
_TOKEN_PATTERN = r"""
    (?P<skip>\#[^\r\n]*
      | '''(?:(?:'|'')?(?:[^'\\]|\\.))*''' | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
      | '(?:[^'\\\r\n]|\\.)*' | "(?:[^"\\\r\n]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
      | [?$]\w+ | @[A-Za-z]+(?:-[A-Za-z0-9]+)* | _:[\w.-]*)
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:.-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?\#@%-])*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>[^\s])
"""
_QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


@functools.cache
def _token_regex() -> re.Pattern:
    return re.compile(_TOKEN_PATTERN, re.X | re.S)


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.lastgroup, m.group(), m.start(), m.end()) for m in _token_regex().finditer(text)]


def _keyword(token: _Token, word: str) -> bool:
    return token.kind == "word" and token.text.upper() == word


@functools.lru_cache(maxsize=512)  # as query.declares_dataset: texts repeat
def calls_service(sparql: str) -> bool:
    """True if the query has a SERVICE clause (a keyword, not a variable, name, string or comment)."""
    if "service" not in sparql.lower():  # the common case, without tokenising
        return False
    return any(_keyword(t, "SERVICE") for t in _tokens(sparql))


@dataclass(frozen=True)
class ServiceClause:
    """One outermost `SERVICE [SILENT] endpoint { pattern }`: its endpoint and its extent in the query."""

    endpoint: str | None  # None for a variable endpoint
    endpoint_text: str  # as written in the query: <iri>, prefix:name or ?var
    silent: bool
    start: int
    end: int
    pattern: str  # the group `{ ... }` as written
    line: int


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


def find_services(sparql: str, base_iri: str | None = None, source: str = "query") -> list[ServiceClause]:
    """The outermost SERVICE clauses of a query, in order, read with rdflib's SPARQL parser."""
    return _Analysis(sparql, base_iri, source).services


def resolve_services(sparql: str, allowed: Iterable[str] = (), *, timeout: float = DEFAULT_TIMEOUT,
                     base_iri: str | None = None, source: str = "query") -> FederatedQuery:
    """Check every SERVICE endpoint against `allowed`, call them, and inline their solutions."""
    allowed = check_allow_list(allowed)
    if timeout <= 0:
        raise UsageError(f"the SERVICE timeout must be a positive number of seconds, not {timeout}")
    analysis = _Analysis(sparql, base_iri, source)
    for clause in analysis.services:  # all refusals happen before the first connection
        _check_allowed(clause, allowed)
    federated = FederatedQuery(sparql)
    answers: dict[tuple[str, str, bool], str] = {}
    text = sparql
    for index, clause in reversed(list(enumerate(analysis.services))):
        request = analysis.remote_query(clause)
        key = (clause.endpoint, request, clause.silent)
        if key not in answers:
            answers[key] = _inline_solutions(clause, request, allowed, timeout, federated, index)
        text = text[:clause.start] + answers[key] + text[clause.end:]
    if calls_service(text):  # cannot happen: every SERVICE keyword lies inside an outermost clause
        raise QueryEvaluationError(f"{source}: could not isolate every SERVICE clause; refusing to run it")
    federated.text = text
    return federated


def _check_allowed(clause: ServiceClause, allowed: tuple[str, ...]) -> None:
    where = f"line {clause.line}: SERVICE {clause.endpoint_text}"
    if clause.endpoint is None:
        raise ServiceNotAllowedError(f"{where}: a variable endpoint is not allowed; name the endpoint IRI and "
                                     "pass it to --service-allow")
    if clause.endpoint in allowed:
        return
    scheme = urllib.parse.urlsplit(clause.endpoint).scheme
    if scheme not in ("http", "https"):
        raise ServiceNotAllowedError(f"{where}: only http:// and https:// SPARQL endpoints can be called")
    known = f"allowed: {', '.join(allowed)}" if allowed else "no endpoint is allowed by default"
    raise ServiceNotAllowedError(f"{where} is not allowed ({known}); pass --service-allow {clause.endpoint} "
                                 "to let the query call it")


def _inline_solutions(clause: ServiceClause, request: str, allowed: tuple[str, ...], timeout: float,
                      federated: FederatedQuery, index: int) -> str:
    try:
        variables, rows = fetch_solutions(clause.endpoint, request, timeout, allowed)
    except QueryEvaluationError:
        if not clause.silent:
            raise
        return "VALUES () { () }"
    return _values_block(variables, rows, federated.blank_nodes, index, clause.endpoint)


def _values_block(variables: list[str], rows: list[tuple], blank_nodes: dict[str, ox.BlankNode], call: int,
                  endpoint: str) -> str:
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


# --- reading the query ----------------------------------------------------------------------------

class _Analysis:
    """The query's tokens, its prologue and its outermost SERVICE clauses (see the module docstring)."""

    def __init__(self, sparql: str, base_iri: str | None, source: str) -> None:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import parser

        self.text = sparql
        self.source = source
        self.base = base_iri
        self.tokens = _tokens(sparql)
        masked = list(sparql)
        keywords = 0  # GRAPH and SERVICE keywords: each must be one GraphGraphPattern in the parse
        service_starts = []
        for i, token in enumerate(self.tokens):
            if _keyword(token, "GRAPH"):
                keywords += 1
            elif _keyword(token, "SERVICE"):
                keywords += 1
                service_starts.append(token.start)
                masked[token.start:token.end] = "GRAPH  "
                following = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
                if following is not None and _keyword(following, "SILENT"):
                    masked[following.start:following.end] = " " * len(following.text)
        # pyparsing expands tabs before parsing, which would shift every offset after one: write them as spaces
        self.masked = "".join(masked).replace("\t", " ")
        try:
            parsed = parser.parseQuery(self.masked)
        except ParseBaseException as exc:
            raise self._syntax_error(exc) from exc
        except (RecursionError, ValueError) as exc:
            raise QueryEvaluationError(f"{source}: cannot read the SERVICE clauses: {exc}") from exc
        found = _count(parsed, "GraphGraphPattern"), _count(parsed, "ServiceGraphPattern")
        if found != (keywords, 0):
            raise QueryEvaluationError(f"{source}: could not isolate every SERVICE clause; refusing to run it")
        self.prefixes: dict[str, str] = {}
        self.declares_base = False
        for declaration in parsed[0]:
            if declaration.name == "Base":
                self.base = self._absolute(str(declaration["iri"]))
                self.declares_base = True
            else:
                self.prefixes[_part(declaration, "prefix")] = self._absolute(str(declaration["iri"]))
        self.services = self._outermost(service_starts, parser.GraphGraphPattern, ParseBaseException)

    def _syntax_error(self, exc) -> MicgraphError:
        """pyoxigraph's account of the error (the same words and position as for any other query), read from
        the masked copy, which calls nothing; rdflib's if pyoxigraph accepts what rdflib rejects."""
        try:
            ox.Store().query(self.masked, prefixes=namespaces.PREFIXES, base_iri=self.base)
        except SyntaxError as oxigraph_error:
            return QuerySyntaxError.from_oxigraph(oxigraph_error, self.source)
        return QueryEvaluationError(f"{self.source}: rdflib's SPARQL parser, which micgraph uses to read SERVICE "
                                    f"clauses, rejects this query: {exc.msg} at line {exc.lineno}, column {exc.col}")

    def _absolute(self, iri: str) -> str:
        return urllib.parse.urljoin(self.base, iri) if self.base else iri

    def _outermost(self, starts: list[int], grammar, parse_error) -> list[ServiceClause]:
        clauses: list[ServiceClause] = []
        for start in starts:
            if clauses and start < clauses[-1].end:
                continue  # nested: sent to the outer endpoint with its pattern
            try:
                (tokens, offset, end), = grammar.scan_string(self.masked[start:], max_matches=1)
            except (ValueError, parse_error) as exc:
                raise QueryEvaluationError(f"{self.source}: cannot read the SERVICE clause at line "
                                           f"{self._line(start)}") from exc
            if offset != 0:
                raise QueryEvaluationError(f"{self.source}: cannot read the SERVICE clause at line "
                                           f"{self._line(start)}")
            clause_tokens = [t for t in self.tokens if start <= t.start < start + end]
            silent = len(clause_tokens) > 1 and _keyword(clause_tokens[1], "SILENT")
            written = clause_tokens[2 if silent else 1]
            brace = next(t for t in clause_tokens if t.start > written.start and t.text == "{")
            clauses.append(ServiceClause(self._endpoint(tokens[0]["term"], written.text), written.text, silent,
                                         start, start + end, self.text[brace.start:start + end],
                                         self._line(start)))
        return clauses

    def _endpoint(self, term, written: str) -> str | None:
        from rdflib.term import URIRef, Variable

        if isinstance(term, Variable):
            return None
        if isinstance(term, URIRef):
            if not self.base and not urllib.parse.urlsplit(str(term)).scheme:
                raise QueryEvaluationError(f"{self.source}: SERVICE {written}: a relative endpoint IRI needs BASE")
            return self._absolute(str(term))
        prefix, local = _part(term, "prefix"), _part(term, "localname")
        namespace = self.prefixes.get(prefix, namespaces.PREFIXES.get(prefix))
        if namespace is None:
            raise QuerySyntaxError(f"undeclared prefix {prefix}: in SERVICE {written}", source=self.source)
        return namespace + re.sub(r"\\(.)", r"\1", local)

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def remote_query(self, clause: ServiceClause) -> str:
        """`SELECT * WHERE { pattern }` with the query's own prologue and the predeclared prefixes it uses."""
        form = next((t.start for t in self.tokens if t.kind == "word" and t.text.upper() in _QUERY_FORMS), 0)
        used = {t.text.split(":", 1)[0] for t in self.tokens
                if t.kind == "pname" and clause.start <= t.start < clause.end}
        lines = [f"PREFIX {p}: <{namespaces.PREFIXES[p]}>" for p in sorted(used)
                 if p in namespaces.PREFIXES and p not in self.prefixes]
        if self.base and not self.declares_base:
            lines.insert(0, f"BASE <{self.base}>")
        prologue = self.text[:form].strip()
        return "\n".join([*lines, *([prologue] if prologue else []), f"SELECT * WHERE {clause.pattern}"])


def _part(node, key: str) -> str:
    """A parse-tree node's text part; rdflib leaves out empty ones (the prefix of `:x`, the name of `ex:`)."""
    return str(node[key]) if key in node else ""


def _count(node, name: str) -> int:
    """How many parse-tree nodes called `name` the rdflib parse result holds."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return (node.name == name) + sum(_count(v, name) for v in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return sum(_count(v, name) for v in node)
    return 0


# --- calling an endpoint --------------------------------------------------------------------------

def fetch_solutions(endpoint: str, query: str, timeout: float = DEFAULT_TIMEOUT,
                    allowed: Iterable[str] | None = None) -> tuple[list[str], list[tuple]]:
    """POST `query` to a SPARQL endpoint; its variables and rows. Every failure is a one-line
    QueryEvaluationError naming the endpoint; `timeout` bounds the whole exchange."""
    from .httpclient import Client

    if allowed is not None and endpoint not in tuple(allowed):
        raise QueryEvaluationError(f"SERVICE <{endpoint}> is not allowed")
    label = f"SERVICE <{endpoint}>"
    client = Client(label, timeout=timeout, error=QueryEvaluationError, timeout_option="--service-timeout")
    reply = client.request("POST", endpoint, body=urllib.parse.urlencode({"query": query}).encode("utf-8"),
                           content_type="application/x-www-form-urlencoded; charset=utf-8", accept=_ACCEPT)
    answer = formats.from_media_type(reply.content_type, formats.RESULTS)
    if answer is None or answer.results is None:
        raise QueryEvaluationError(f"{label} answered {reply.content_type or 'without a content type'}, "
                                   "not SPARQL results (JSON, XML, CSV or TSV)")
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
