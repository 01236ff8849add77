"""Compare query results the way the W3C SPARQL tests define equality.

Result sets are equal when a bijection between their blank nodes makes the solutions equal as
multisets (as sequences when the query orders them); graphs when they are isomorphic. Literals are
compared as RDF terms (lexical form, datatype, language tag; tags case-insensitively, as RDF 1.1 says).

`by_value=True` relaxes one thing: numeric and boolean literals of the same datatype compare by value.
SPARQL does not fix the lexical form of a computed number (AVG may give "0.2" or "2.0E-1"), the
suite's own expectations disagree on it (w3c/rdf-tests#58), and pyoxigraph's store keeps these
literals by value ("50.0"^^xsd:decimal reads back as "50", "0"^^xsd:boolean as "false"). The datatype
must still match. The runner counts and lists the tests that pass only this way.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from micgraph.loading import load_file
from conftest import SPARQL_NOISE
from micgraph.query import AskResult, SelectResult, collect

RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RESULT_FORMATS = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
                  ".tsv": ox.QueryResultsFormat.TSV}

Row = dict[str, object]


def read_expected(path: Path) -> SelectResult | AskResult | list[ox.Triple]:
    """An expected result file: a result set (.srx/.srj/.tsv, or RDF in the rs: vocabulary), a boolean,
    or the graph a CONSTRUCT must build."""
    if path.suffix in RESULT_FORMATS:
        return collect(ox.parse_query_results(path=str(path), format=RESULT_FORMATS[path.suffix]))
    store = ox.Store()
    load_file(store, path)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store]
    result_sets = [t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == RS + "ResultSet"]
    return _rs_result_set(triples, result_sets[0]) if result_sets else triples


def _rs_result_set(triples: list[ox.Triple], node) -> SelectResult | AskResult:
    """The DAWG result-set vocabulary (rs:ResultSet, rs:solution, rs:binding) as a result object."""
    about: dict = {}
    for t in triples:
        about.setdefault(t.subject, []).append((t.predicate.value, t.object))

    def values(subject, predicate):
        return [o for p, o in about.get(subject, ()) if p == RS + predicate]

    booleans = values(node, "boolean")
    if booleans:
        return AskResult(booleans[0].value == "true")
    variables = [v.value for v in values(node, "resultVariable")]
    rows = []
    for solution in values(node, "solution"):
        row = {values(b, "variable")[0].value: values(b, "value")[0] for b in values(solution, "binding")}
        rows.append(tuple(row.get(v) for v in variables))
    return SelectResult(variables, rows)


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                   "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                   "unsignedShort", "unsignedByte")}


def _canonical_value(term: ox.Literal) -> str | None:
    """A canonical spelling of a numeric or boolean literal's value, or None (other types, ill-formed)."""
    datatype, text = term.datatype.value, term.value.strip()
    if datatype == XSD + "boolean":
        return {"1": "true", "true": "true", "0": "false", "false": "false"}.get(text)
    try:
        if datatype in INTEGER_TYPES:
            return str(int(text))
        if datatype == XSD + "decimal":
            return format(Decimal(text).normalize(), "f") if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text) else None
        if datatype in (XSD + "double", XSD + "float"):
            return repr(float(text.replace("INF", "inf")))
    except (ValueError, InvalidOperation):
        return None
    return None


def read_with_rdflib(text: str, fmt: str) -> SelectResult | AskResult:
    """SPARQL results (json, xml) read by rdflib's parsers, an implementation independent of ours, with
    rdflib's literal normalisation off so lexical forms come back as written ("1050"^^xsd:double)."""
    import rdflib
    from rdflib.query import Result

    from micgraph.terms import from_rdflib

    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        parsed = Result.parse(io.StringIO(text), format=fmt)
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    if parsed.type == "ASK":
        return AskResult(bool(parsed.askAnswer))
    return SelectResult([str(v) for v in parsed.vars],
                        [tuple(None if row.get(v) is None else from_rdflib(row.get(v)) for v in parsed.vars)
                         for row in parsed.bindings])


def _term_key(term, by_value: bool = False):
    if isinstance(term, ox.Literal):
        if term.language:
            return ox.Literal(term.value, language=term.language.lower())
        if by_value and (value := _canonical_value(term)) is not None:
            return ox.Literal(value, datatype=term.datatype)
    return term


def rows_of(result: SelectResult, by_value: bool = False) -> list[Row]:
    return [{v: _term_key(t, by_value) for v, t in zip(result.variables, row) if t is not None}
            for row in result.bindings]


def _has_blank(row: Row) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in row.values())


def _extend(mapping: dict, reverse: dict, expected: Row, actual: Row) -> tuple[dict, dict] | None:
    """The blank-node bijection extended so that `actual` maps onto `expected`, or None if it cannot be."""
    if expected.keys() != actual.keys():
        return None
    mapping, reverse = dict(mapping), dict(reverse)
    for var, e in expected.items():
        a = actual[var]
        if isinstance(e, ox.BlankNode) and isinstance(a, ox.BlankNode):
            if mapping.get(a, e) != e or reverse.get(e, a) != a:
                return None
            mapping[a], reverse[e] = e, a
        elif e != a:
            return None
    return mapping, reverse


def solutions_differ(expected: SelectResult | AskResult, actual: SelectResult | AskResult,
                     ordered: bool = False, by_value: bool = False) -> str | None:
    """Why `actual` is not the expected result (None when it is)."""
    if isinstance(expected, AskResult) or isinstance(actual, AskResult):
        if type(expected) is not type(actual) or expected.boolean != actual.boolean:
            return f"expected {expected}, got {actual}"
        return None
    if set(expected.variables) != set(actual.variables):
        return f"variables differ: expected {expected.variables}, got {actual.variables}"
    want, got = rows_of(expected, by_value), rows_of(actual, by_value)
    if len(want) != len(got):
        return f"expected {len(want)} solutions, got {len(got)}:\n{_show(want, got)}"
    if ordered:
        state: tuple[dict, dict] | None = ({}, {})
        for e, a in zip(want, got):
            state = _extend(*state, e, a)
            if state is None:
                return f"solutions differ (in order):\n{_show(want, got)}"
        return None
    # Solutions without blank nodes compare as a multiset; the rest by backtracking over bijections.
    plain_want = Counter(frozenset(r.items()) for r in want if not _has_blank(r))
    plain_got = Counter(frozenset(r.items()) for r in got if not _has_blank(r))
    if plain_want != plain_got:
        return f"solutions differ:\n{_show(want, got)}"
    if not _match([r for r in want if _has_blank(r)], [r for r in got if _has_blank(r)], {}, {}):
        return f"solutions differ (blank nodes):\n{_show(want, got)}"
    return None


def _match(want: list[Row], got: list[Row], mapping: dict, reverse: dict) -> bool:
    if not want:
        return not got
    first, rest = want[0], want[1:]
    for i, candidate in enumerate(got):
        state = _extend(mapping, reverse, first, candidate)
        if state is not None and _match(rest, got[:i] + got[i + 1:], *state):
            return True
    return False


def _show(want: list[Row], got: list[Row], limit: int = 20) -> str:
    """The solutions only one side has (all of them when the difference is only their order)."""
    def fmt(rows):
        lines = ["    " + " ".join(f"?{k}={v}" for k, v in sorted(r.items())) for r in rows[:limit]]
        return "\n".join(lines + ([f"    ... {len(rows) - limit} more"] if len(rows) > limit else []))
    keys_want, keys_got = Counter(frozenset(r.items()) for r in want), Counter(frozenset(r.items()) for r in got)
    only_want = [dict(k) for k in (keys_want - keys_got).elements()]
    only_got = [dict(k) for k in (keys_got - keys_want).elements()]
    if not only_want and not only_got:
        only_want, only_got = want, got
    return f"  expected{' only' if only_want is not want else ''}:\n{fmt(only_want)}\n" \
           f"  got{' only' if only_got is not got else ''}:\n{fmt(only_got)}"


def graphs_differ(expected: list[ox.Triple], actual: list[ox.Triple], by_value: bool = False) -> str | None:
    """Why two graphs are not isomorphic (None when they are)."""
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    from micgraph.terms import to_rdflib_graph

    def graph(triples):
        return to_rdflib_graph(ox.Quad(t.subject, t.predicate, _term_key(t.object, by_value)) for t in triples)
    want, got = graph(expected), graph(actual)
    if isomorphic(want, got):
        return None
    _, only_want, only_got = graph_diff(to_isomorphic(want), to_isomorphic(got))
    return (f"graphs are not isomorphic\n  only expected:\n{only_want.serialize(format='nt')}"
            f"  only got:\n{only_got.serialize(format='nt')}")


def csv_differ(expected_text: str, actual_text: str, ordered: bool) -> str | None:
    """SPARQL CSV is lossy, so compare cells: the same columns (in any order: SELECT * fixes none), the
    same cell strings, blank-node labels (`_:x`) up to a bijection; lines may end in LF or CRLF."""
    want = list(csv.reader(io.StringIO(expected_text)))
    got = list(csv.reader(io.StringIO(actual_text)))
    if not want or not got or sorted(want[0]) != sorted(got[0]):
        return f"CSV headers differ: {want[:1]} vs {got[:1]}"

    def as_result(table) -> SelectResult:
        cells = [[ox.BlankNode(c[2:]) if c.startswith("_:") else c for c in row] for row in table[1:]]
        return SelectResult(table[0], [tuple(row) for row in cells])
    return solutions_differ(as_result(want), as_result(got), ordered)


def is_ordered(query: str) -> bool:
    """Whether the query orders its solutions: ORDER BY at nesting depth 0 (not in a sub-SELECT),
    outside comments, strings and IRIs (a test's own look at the text, not a decision micgraph makes)."""
    text, depth, top = SPARQL_NOISE.sub(" ", query), 0, []
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        top.append(ch if depth == 0 else " ")
    return re.search(r"\bORDER\s+BY\b", "".join(top), re.I) is not None
