"""SHACL validation: the data is always validated together with the ontology.

Two engines give the same results: micgraph's own (`engine="oxigraph"`, the default; micgraph/shacl/),
which evaluates each constraint as SPARQL over all focus nodes on the store itself, and pySHACL
(`engine="pyshacl"`), the reference, described below.

Entailment for `--infer rdfs` is computed natively on the Oxigraph store (see reason.rdfs_closure) and
handed to pySHACL with `inference='none'`: pySHACL's own RDFS pass is an order of magnitude slower and,
for these shapes, gives the same report (tests/test_validate_reason_stats.py checks that).

At scale (bench/RESULTS.md), two things make it faster than plain pySHACL with the same report
(tests/test_validate_scale.py proves the equality on the W3C SHACL suite, the bundled shapes and the
benchmark graph):
- the data graph handed to pySHACL holds only the triples the shapes can read (`shape_predicates`):
  rdf:type and rdfs:subClassOf (targets, sh:class) and the predicates the shapes name in paths,
  targets and property-pair constraints. Shapes that can read anything (SPARQL constraints or
  targets, SHACL rules, sh:closed, custom components) get the whole graph;
- pySHACL validates that graph in place: it is ours, built for this call, so pySHACL's defensive copy
  of the data graph (a third of its time on 100k triples) is not needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import bundle, formats, namespaces
from .errors import ShapesError, UsageError
from .namespaces import SH

ENGINES = ("oxigraph", "pyshacl")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str
    constraint: str


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    graph: object = None  # pySHACL's report graph (rdflib), when pySHACL validated
    quads: list[ox.Quad] = field(default_factory=list)  # the report graph in the SHACL vocabulary
    warnings: list[str] = field(default_factory=list)  # what pySHACL noted (recursive shapes, say)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.severity] = out.get(r.severity, 0) + 1
        return out


def validate(
    data: Iterable[str | Path] | None = None,
    shapes: Iterable[str | Path] | None = None,
    infer: str = "none",
    *,
    input_format: str | None = None,
    store=None,
    engine: str = "oxigraph",
) -> ValidationReport:
    """Validate `data` files (the bundled data when None), read with the ontology, against `shapes` (the
    bundled shapes when None). `store`, if given, is validated as it is (`infer` added) instead. `engine`:
    micgraph's own (oxigraph, micgraph/shacl/) or pySHACL."""
    from .graph import open_graph
    from .loading import load_files
    from .reason import materialise

    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r}; use {' or '.join(ENGINES)}")
    if store is None:
        store = open_graph(data or (), bundled=data is None, with_ontology=True, input_format=input_format, infer=infer)
    else:
        materialise(store, infer)
    shapes_store = load_files(bundle.shapes_paths() if shapes is None else shapes)
    return validate_store(store, shapes_store, engine)


def _prepared_query_graph():
    """An rdflib Graph that parses each SPARQL text once.

    pySHACL runs a SPARQL constraint once per focus node, as text with $this in the initial bindings, and
    rdflib parses text anew on every call: on the bundled graph 1,161 parses took 90 % of validation.
    The text is the same for every focus node, so the parsed and translated query is kept; rdflib's
    prepared queries are made for exactly this reuse with other initial bindings.
    """
    import functools

    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    prepared = functools.lru_cache(maxsize=256)(prepareQuery)

    class PreparedQueryGraph(Graph):
        def query(
            self,
            query_object,
            processor="sparql",
            result="sparql",
            initNs=None,
            initBindings=None,
            use_store_provided=True,
            **kwargs,
        ):
            if isinstance(query_object, str) and not initNs and not kwargs.get("base"):
                query_object = prepared(query_object)
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    return PreparedQueryGraph()


def validate_store(store, shapes_store: ox.Store, engine: str = "oxigraph") -> ValidationReport:
    """The store's triples (all graphs merged) validated against the shapes; ShapesError if it cannot run."""
    if engine == "oxigraph":
        from .shacl import validate_store as run

        outcome = run(store, shapes_store)
        results = [ValidationResult(**{**row, "message": _compact_iris(row["message"])}) for row in outcome.rows]
        return ValidationReport(outcome.conforms, _sorted(results), quads=outcome.quads)
    if engine != "pyshacl":
        raise UsageError(f"unknown validation engine {engine!r}; use {' or '.join(ENGINES)}")
    return _validate_with_pyshacl(store, shapes_store)


def _validate_with_pyshacl(store, shapes_store: ox.Store) -> ValidationReport:
    """pySHACL over the store's triples (all graphs merged) and the shapes; ShapesError if it cannot run.

    The shapes are input like any other: their SPARQL is checked first (check_shapes_sparql), pySHACL
    runs on an engine thread that cannot open Internet sockets (sandbox.py), and whatever pySHACL or
    rdflib raise about the shapes becomes one ShapesError. pySHACL's own logging to stderr is silenced
    (it would print the error a second time) and its warnings are kept in the report."""
    import logging
    import warnings

    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ValidationFailure

    from . import sandbox
    from .terms import to_rdflib_graph

    check_shapes_sparql(shapes_store)
    data_graph = to_rdflib_graph(narrowed_quads(store, shape_predicates(shapes_store)), _prepared_query_graph())
    shapes_graph = to_rdflib_graph(iter(shapes_store))
    logging.getLogger("pyshacl-validate").disabled = True

    def run():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference="none",
                abort_on_first=False,
                allow_infos=False,
                allow_warnings=False,
                advanced=True,
                inplace=True,
            )
        return outcome, _warnings(caught)

    try:
        (conforms, report_graph, _), noted = sandbox.without_network(run)
    except ReportableRuntimeError as exc:  # shapes pySHACL cannot load
        raise ShapesError(f"the shapes cannot be used: {_brief(exc)}") from exc
    except NotImplementedError as exc:  # e.g. $shapesGraph in a SPARQL constraint
        raise ShapesError(f"the shapes use a feature pySHACL does not implement: {_brief(exc)}") from exc
    except re.error as exc:
        raise ShapesError(f"a sh:pattern of the shapes is not a regular expression: {exc}") from exc
    except RecursionError as exc:
        raise ShapesError("the shapes nest too deeply for pySHACL (a path or a list of shapes)") from exc
    except Exception as exc:
        raise ShapesError(f"the shapes cannot be used: {type(exc).__name__}: {_brief(exc)}") from exc
    if isinstance(report_graph, ValidationFailure):  # pySHACL returns this failure instead of raising it
        raise ShapesError(f"SHACL validation failed: {_brief(report_graph)}")
    from .terms import from_rdflib

    quads = [ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.DefaultGraph()) for s, p, o in report_graph]
    return ValidationReport(bool(conforms), _results(report_graph, shapes_graph), report_graph, quads, noted)


def _brief(exc: object, limit: int = 400) -> str:
    """pySHACL's message on one line and at most `limit` characters (some print a whole evaluation path)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _warnings(caught) -> list[str]:
    """pySHACL's warnings as sentences, each once."""
    found: dict[str, None] = {}
    for warning in caught:
        if type(warning.message).__name__ == "ShapeRecursionWarning":
            text = (
                "a shape refers to itself, directly or through others: SHACL leaves recursive shapes undefined, "
                "and pySHACL stops following them after a few levels"
            )
        else:
            text = _brief(str(warning.message).split("\n", 1)[0], 200)
        found[text] = None
    return list(found)


# Where SHACL (and SHACL-AF) hold SPARQL text that pySHACL runs with rdflib, and the query form each holds.
_SPARQL_TEXTS = {
    SH + "select": ("sh:select", "SelectQuery"),
    SH + "ask": ("sh:ask", "AskQuery"),
    SH + "construct": ("sh:construct", "ConstructQuery"),
}


def check_shapes_sparql(shapes_store: ox.Store) -> None:
    """Read every SPARQL text of the shapes (sh:select, sh:ask, sh:construct) with rdflib's SPARQL parser, the
    one pySHACL runs them with, before any of them runs: a text that does not parse is named (ShapesError),
    and so is one that would read beyond the data graph, which micgraph refuses: SERVICE (rdflib calls the
    endpoint) and FROM or FROM NAMED (rdflib loads the graph from its IRI: a file, a URL). The decision rests
    on the parse, not on the text: comments, prefixed names and nesting cannot hide a SERVICE."""
    from rdflib.plugins.sparql.parser import parseQuery

    for quad in shapes_store:
        sparql_text = _SPARQL_TEXTS.get(quad.predicate.value)
        if sparql_text is None or not isinstance(quad.object, ox.Literal):
            continue
        kind, form = sparql_text
        where = f"the {kind} of {_owner(shapes_store, quad.subject)}"
        try:
            parsed = parseQuery(quad.object.value)
        except Exception as exc:
            raise ShapesError(f"{where} does not parse as a SPARQL query: {_parse_problem(exc)}") from exc
        if parsed[1].name != form:
            raise ShapesError(
                f"{where} is a {parsed[1].name.removesuffix('Query').upper()} query; {kind} holds a "
                f"{form.removesuffix('Query').upper()} query"
            )
        refused = _reaches_out(parsed)
        if refused:
            raise ShapesError(
                f"{where} uses {refused}: micgraph runs the shapes' SPARQL on the data graph only "
                "(no SERVICE, FROM or FROM NAMED)"
            )


def _owner(shapes_store: ox.Store, node) -> str:
    """The shape a SPARQL text belongs to, for people: the nearest IRI above its (usually blank) node."""
    seen = set()
    while isinstance(node, ox.BlankNode) and node not in seen:
        seen.add(node)
        parent = next(iter(shapes_store.quads_for_pattern(None, None, node)), None)
        if parent is None:
            break
        node = parent.subject
    return namespaces.compact(node.value) if isinstance(node, ox.NamedNode) else "a blank-node shape"


def _parse_problem(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it nests too deeply"
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    message = getattr(exc, "msg", None) or str(exc)
    return f"{message} (line {line}, column {column})" if line is not None else str(message)


def _reaches_out(parsed) -> str | None:
    """ "SERVICE", "FROM" or None: what in a parsed query (rdflib's tree) reads beyond the data graph."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    pending = [parsed]
    while pending:  # a loop, not a recursion: the tree may be as deep as the text nests
        node = pending.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return "SERVICE"
            if node.name == "DatasetClause":
                return "FROM" if node.get("default") is not None else "FROM NAMED"
            pending.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend(node)
        elif isinstance(node, dict):
            pending.extend(node.values())
    return None


# Shapes with any of these read triples that no path names: they are validated against the whole graph.
_READS_ANYTHING = {
    SH + name
    for name in (
        "closed",
        "sparql",
        "select",
        "ask",
        "validator",
        "nodeValidator",
        "propertyValidator",
        "parameter",
        "target",
        "rule",
        "condition",
        "expression",
        "values",
        "this",
        "shapesGraph",
        "entailment",
        "declare",
        "prefixes",
        "targetValidator",
        "SPARQLTarget",
        "SPARQLTargetType",
        "SPARQLConstraint",
        "JSTarget",
        "JSConstraint",
        "JSFunction",
        "SPARQLFunction",
        "TripleRule",
        "SPARQLRule",
    )
}
# Objects of these name predicates of the data graph (paths are followed through their blank nodes).
_NAMES_PREDICATES = {
    SH + name
    for name in ("path", "targetSubjectsOf", "targetObjectsOf", "equals", "disjoint", "lessThan", "lessThanOrEquals")
}
_ALWAYS_READ = (namespaces.RDF + "type", namespaces.RDFS + "subClassOf")


def shape_predicates(shapes_store: ox.Store) -> set[str] | None:
    """The predicates whose triples the shapes can read in the data graph; None if they can read any."""
    for quad in shapes_store:
        if quad.predicate.value in _READS_ANYTHING or quad.object.value in _READS_ANYTHING:
            return None
    predicates = set(_ALWAYS_READ)
    pending = [q.object for q in shapes_store if q.predicate.value in _NAMES_PREDICATES]
    seen = set()
    while pending:  # a path is an IRI or a blank node structure (lists, inverse, alternative, repetition)
        node = pending.pop()
        if isinstance(node, ox.NamedNode):
            predicates.add(node.value)
        elif isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            pending += [q.object for q in shapes_store.quads_for_pattern(node, None, None)]
    return predicates


def narrowed_quads(store, predicates: set[str] | None):
    """The store's quads, or only those whose predicate is in `predicates` (read through the index)."""
    if predicates is None:
        return store.quads()
    if not hasattr(store, "oxigraph"):
        return (q for q in store.quads() if q.predicate.value in predicates)
    index = store.oxigraph
    return (q for p in sorted(predicates) for q in index.quads_for_pattern(None, ox.NamedNode(p), None))


def _results(report_graph, shapes_graph) -> list[ValidationResult]:
    from rdflib import RDF, Namespace

    sh = Namespace(SH)
    results = []
    for node in report_graph.subjects(RDF.type, sh.ValidationResult):

        def one(predicate, node=node):
            value = report_graph.value(node, predicate)
            return None if value is None else _show(report_graph, value)

        severity = report_graph.value(node, sh.resultSeverity)
        results.append(
            ValidationResult(
                focus_node=one(sh.focusNode) or "",
                path=one(sh.resultPath),
                value=one(sh.value),
                message=_compact_iris(" ".join(str(m) for m in sorted(report_graph.objects(node, sh.resultMessage)))),
                severity=str(severity).removeprefix(SH) if severity is not None else "Violation",
                source_shape=_shape_name(shapes_graph, report_graph.value(node, sh.sourceShape)),
                constraint=(one(sh.sourceConstraintComponent) or "").removeprefix("sh:"),
            )
        )
    return _sorted(results)


def _sorted(results: list[ValidationResult]) -> list[ValidationResult]:
    return sorted(
        results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.focus_node, r.path or "", r.message, r.value or "")
    )


_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"'(),;]+[^\s<>\"'(),;.:]")


def _compact_iris(message: str) -> str:
    """A message with its IRIs compact (`micr:x`), as the rest of the report shows them: SPARQL
    constraints write `{$this}` as a whole IRI."""
    return _IRI_IN_TEXT.sub(lambda m: namespaces.compact(m.group()), message)


def _shape_name(shapes_graph, shape) -> str:
    """A shape for people. A blank property shape has no name, and its parser-given label changes run to
    run: it is named by the node shape that holds it and its path, e.g. `micsh:ProgramShape / mic:country`."""
    from rdflib import BNode, Namespace

    sh = Namespace(SH)
    if shape is None:
        return ""
    if not isinstance(shape, BNode):
        return _show(shapes_graph, shape)
    parent = shapes_graph.value(None, sh.property, shape)
    path = shapes_graph.value(shape, sh.path)
    if parent is None or path is None:
        return "a blank-node shape"
    return f"{_shape_name(shapes_graph, parent)} / {_show(shapes_graph, path)}"


def _show(graph, term) -> str:
    """A report term for people: compact IRIs, literal values, SHACL paths as SPARQL property paths."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return namespaces.compact(str(term))
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode):
        return _path(graph, term) or f"_:{term}"
    return str(term)


def _path(graph, node) -> str | None:
    from rdflib import RDF, BNode, Namespace, URIRef
    from rdflib.collection import Collection

    sh = Namespace(SH)
    if isinstance(node, URIRef):
        return namespaces.compact(str(node))
    if not isinstance(node, BNode):
        return None
    if (node, RDF.first, None) in graph:
        return "/".join(_path(graph, n) or "?" for n in Collection(graph, node))
    for predicate, template in (
        (sh.inversePath, "^{}"),
        (sh.zeroOrMorePath, "({})*"),
        (sh.oneOrMorePath, "({})+"),
        (sh.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(node, predicate)
        if inner is not None:
            return template.format(_path(graph, inner))
    alternatives = graph.value(node, sh.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(graph, n) or "?" for n in Collection(graph, alternatives)) + ")"
    return None


def render_report(report: ValidationReport, fmt: str = "text") -> str:
    if fmt == "json":
        return (
            json.dumps(
                {"conforms": report.conforms, "results": [asdict(r) for r in report.results]},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    if fmt in formats.names(formats.RDF):
        from .export.rdf import serialize

        return serialize(report.quads, fmt).decode("utf-8")
    if fmt != "text":
        raise UsageError(
            f"unknown report format {fmt!r}; use one of: text, json, {', '.join(formats.names(formats.RDF))}"
        )
    lines = []
    for r in report.results:
        lines.append(f"{r.severity}: {r.focus_node}")
        if r.path:
            lines.append(f"  path:     {r.path}")
        if r.value is not None:
            lines.append(f"  value:    {r.value}")
        lines.append(f"  message:  {r.message}")
        lines.append(f"  shape:    {r.source_shape} ({r.constraint})")
    counts = report.counts()
    summary = ", ".join(
        f"{n} {s.lower()}{'s' if n != 1 else ''}"
        for s, n in sorted(counts.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 3))
    )
    lines.append("conforms" if report.conforms else f"does not conform: {summary}")
    return "\n".join(lines) + "\n"
