"""What micgraph says about one resource: its concise bounded description (CBD), and for the Linked Data
page the labels (English, Chinese) and classes of everything it mentions, the resources that point to
it, the figures (observations) about it, and the sources of the resource and of each fact.

A fact's own sources are those stated for that very statement (an `owl:Axiom` annotation or a reified
`rdf:Statement` carrying `prov:wasDerivedFrom`, `prov:wasQuotedFrom` or `dcterms:source`). The resource's
sources (its own such properties) back the rest of its description, as the data model records most
provenance: the page lists them once, and beside a fact only the sources it has of its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import UsageError
from .namespaces import LABEL_PROPERTIES, LANGUAGES, MIC, ONTOLOGY_IRI, RDF_TYPE, SOURCE_PROPERTIES, compact
from .query import Term, run_graph_query, run_select

INBOUND_LIMIT = 500

_SOURCE_PATH = "|".join(f"<{p}>" for p in SOURCE_PROPERTIES)
_STATEMENT_SOURCES = (
    """SELECT DISTINCT ?p ?o ?source WHERE {{
  {{ ?statement rdf:subject {iri} ; rdf:predicate ?p ; rdf:object ?o }}
  UNION {{ ?statement owl:annotatedSource {iri} ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o }}
  ?statement """
    + _SOURCE_PATH
    + """ ?source . FILTER(isIRI(?source)) }}"""
)
# Reified statements and axiom annotations about the resource are shown as sources, not as references.
_INBOUND = """SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {iri}
              FILTER(isIRI(?s) && ?p NOT IN (rdf:subject, rdf:object, owl:annotatedSource, owl:annotatedTarget)) }}
              ORDER BY STR(?p) STR(?s) LIMIT {limit}"""
_LABELS = """SELECT ?x ?label WHERE {{ VALUES ?x {{ {iris} }} ?x rdfs:label|skos:prefLabel ?label
             FILTER(isLiteral(?label)) }}"""
_ONTOLOGY = f"""DESCRIBE ?term WHERE {{ ?term ?p ?o
    FILTER(?term = <{ONTOLOGY_IRI}> || STRSTARTS(STR(?term), "{MIC}")) }}"""
# The observations whose subject is the resource (mic:about or one of its subproperties: mic:refArea,
# mic:refProgram, ...), with what the page shows of each.
FIGURE_LIMIT = 200
_FIGURES = """SELECT ?figure ?value ?min ?max ?unit ?approximate ?start ?end WHERE {{
  {{ SELECT DISTINCT ?figure WHERE {{ ?figure ?about {iri} . ?about rdfs:subPropertyOf* mic:about .
                                     ?figure a mic:Observation FILTER(isIRI(?figure)) }} LIMIT {limit} }}
  OPTIONAL {{ ?figure mic:value ?value }} OPTIONAL {{ ?figure mic:minValue ?min }}
  OPTIONAL {{ ?figure mic:maxValue ?max }} OPTIONAL {{ ?figure mic:unit ?unit }}
  OPTIONAL {{ ?figure mic:isApproximate ?approximate }}
  OPTIONAL {{ ?figure mic:periodStart ?start }} OPTIONAL {{ ?figure mic:periodEnd ?end }}
}}"""
# Of the things a page mentions: their classes, a unit's symbol, a document's web address.
_KINDS = """SELECT ?x ?type WHERE {{ VALUES ?x {{ {iris} }} ?x a ?type FILTER(isIRI(?type)) }}"""
_NOTATIONS = (
    """SELECT ?x ?notation WHERE {{ VALUES ?x {{ {iris} }} ?x skos:notation ?notation FILTER(isLiteral(?notation)) }}"""
)
_ADDRESSES = """SELECT ?x ?url WHERE {{ VALUES ?x {{ {iris} }} ?x schema:url ?url }}"""
_RANGES = """SELECT ?x ?range WHERE {{ VALUES ?x {{ {iris} }} ?x rdfs:range ?range FILTER(isIRI(?range)) }}"""
_SOURCES_OF = (
    "SELECT ?x ?source WHERE {{ VALUES ?x {{ {iris} }} ?x " + _SOURCE_PATH + " ?source FILTER(isIRI(?source)) }}"
)


def resource_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"not an IRI: {iri!r} ({exc})") from exc


def cbd(store, iri: str) -> list[ox.Triple]:
    """The concise bounded description of `iri`: its triples, and those of the blank nodes they reach."""
    return run_graph_query(store, f"DESCRIBE {resource_node(iri)}")


def ontology_triples(store) -> list[ox.Triple]:
    """The ontology as the store holds it: the ontology resource and every term in the mic: namespace."""
    return run_graph_query(store, _ONTOLOGY)


@dataclass
class Fact:
    predicate: ox.NamedNode
    value: Term  # a triple term too, in RDF 1.2 data
    sources: list[ox.NamedNode] = field(default_factory=list)  # stated for this very statement


@dataclass
class Figure:
    """An observation about the resource: a value or bounds, a unit, a period."""

    iri: str
    value: ox.Literal | None = None
    minimum: ox.Literal | None = None
    maximum: ox.Literal | None = None
    unit: str | None = None
    approximate: bool = False
    start: ox.Literal | None = None
    end: ox.Literal | None = None
    sources: list[ox.NamedNode] = field(default_factory=list)  # the observation's own


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple]
    facts: dict  # subject (the resource, or a blank node of its CBD) -> [Fact], sorted
    sources: list[ox.NamedNode]  # the resource's own sources
    inbound: list[tuple[ox.NamedNode, ox.NamedNode]]  # (subject, predicate) pointing here
    inbound_truncated: bool
    labels: dict[str, dict[str, str]]  # IRI -> {language ("" for none): label}
    figures: list[Figure] = field(default_factory=list)  # observations about the resource, latest first
    kinds: dict[str, set[str]] = field(default_factory=dict)  # IRI mentioned -> its classes
    notations: dict[str, str] = field(default_factory=dict)  # IRI (a unit) -> its skos:notation
    addresses: dict[str, str] = field(default_factory=dict)  # IRI (a document) -> its schema:url
    ranges: dict[str, set[str]] = field(default_factory=dict)  # IRI (a property) -> its rdfs:range

    @property
    def found(self) -> bool:
        return bool(self.triples or self.inbound)

    def label(self, iri: str, language: str) -> str | None:
        return self.labels.get(iri, {}).get(language)


def _term_order(term) -> tuple:
    return (isinstance(term, ox.Literal), isinstance(term, ox.BlankNode), str(term))


def _fact_order(fact: Fact) -> tuple:
    """rdf:type, then labels, then the other properties by compact name, then the sources."""
    predicate = fact.predicate.value
    group = (
        0
        if fact.predicate == RDF_TYPE
        else 1
        if predicate in LABEL_PROPERTIES
        else 3
        if predicate in SOURCE_PROPERTIES
        else 2
    )
    return (group, compact(predicate), _term_order(fact.value))


def describe(store, iri: str) -> Description:
    node = resource_node(iri)
    triples = cbd(store, iri)
    facts: dict = defaultdict(list)
    for triple in triples:
        facts[triple.subject].append(Fact(triple.predicate, triple.object))
    stated: dict[tuple[Term | None, Term | None], set[Term | None]] = defaultdict(set)
    for row in run_select(store, _STATEMENT_SOURCES.format(iri=node)).bindings:
        stated[(row[0], row[1])].add(row[2])
    for fact in facts.get(node, []):
        fact.sources = sorted(stated.get((fact.predicate, fact.value), ()), key=str)
    for subject_facts in facts.values():
        subject_facts.sort(key=_fact_order)
    own_sources = sorted(
        {
            f.value
            for f in facts.get(node, [])
            if f.predicate.value in SOURCE_PROPERTIES and isinstance(f.value, ox.NamedNode)
        },
        key=str,
    )
    inbound_rows = run_select(store, _INBOUND.format(iri=node, limit=INBOUND_LIMIT + 1)).bindings
    inbound = [
        (subject, predicate)
        for subject, predicate in inbound_rows[:INBOUND_LIMIT]
        if isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode)  # as the query filters
    ]
    found_figures = figures(store, node)
    mentioned = {node} | {t for t in _named_terms(triples)} | {t for pair in inbound for t in pair}
    mentioned |= {s for f in facts.get(node, []) for s in f.sources}
    mentioned |= {ox.NamedNode(x) for f in found_figures for x in (f.iri, f.unit) if x}
    mentioned |= {s for f in found_figures for s in f.sources}
    return Description(
        iri,
        triples,
        dict(facts),
        own_sources,
        inbound,
        len(inbound_rows) > INBOUND_LIMIT,
        labels(store, mentioned),
        found_figures,
        kinds=_values(store, _KINDS, mentioned, many=True),
        notations=_values(store, _NOTATIONS, mentioned),
        addresses=_values(store, _ADDRESSES, mentioned),
        ranges=_values(store, _RANGES, mentioned, many=True),
    )


def figures(store, node: ox.NamedNode) -> list[Figure]:
    """The observations about `node` (at most FIGURE_LIMIT), latest period first, then by IRI."""
    found: dict[str, Figure] = {}
    for row in run_select(store, _FIGURES.format(iri=node, limit=FIGURE_LIMIT)).bindings:
        observation, value, minimum, maximum, unit, approximate, start, end = row
        if not isinstance(observation, ox.NamedNode):  # as the query filters: a figure is linked by its IRI
            continue
        figure = found.setdefault(observation.value, Figure(observation.value))
        figure.value = figure.value or (value if isinstance(value, ox.Literal) else None)
        figure.minimum = figure.minimum or (minimum if isinstance(minimum, ox.Literal) else None)
        figure.maximum = figure.maximum or (maximum if isinstance(maximum, ox.Literal) else None)
        figure.unit = figure.unit or (unit.value if isinstance(unit, ox.NamedNode) else None)
        figure.approximate = figure.approximate or (
            isinstance(approximate, ox.Literal) and approximate.value in ("true", "1")
        )
        figure.start = figure.start or (start if isinstance(start, ox.Literal) else None)
        figure.end = figure.end or (end if isinstance(end, ox.Literal) else None)
    sources = _values(store, _SOURCES_OF, {ox.NamedNode(iri) for iri in found}, many=True)
    for figure in found.values():
        figure.sources = sorted((ox.NamedNode(s) for s in sources.get(figure.iri, ())), key=str)
    latest_first = sorted(found.values(), key=lambda f: f.iri)
    latest_first.sort(key=_period_end, reverse=True)
    return latest_first


def _period_end(figure: Figure) -> str:
    """The end of the figure's period (its start if it has no end), "" if it has neither."""
    period = figure.end or figure.start
    return period.value if period else ""


def _values(store, query: str, iris, *, many: bool = False) -> dict:
    """IRI -> its value (or, with `many`, the set of its values) by a two-column `query` over VALUES ?x."""
    named = sorted({str(i) for i in iris if isinstance(i, ox.NamedNode)})
    found: dict = {}
    for start in range(0, len(named), 500):
        for subject, value in run_select(store, query.format(iris=" ".join(named[start : start + 500]))).bindings:
            if not isinstance(subject, ox.NamedNode) or value is None or isinstance(value, ox.Triple):
                continue  # the queries bind ?x to the IRIs given, and their value to an IRI or a literal
            if many:
                found.setdefault(subject.value, set()).add(value.value)
            else:  # the smallest, so that the page is the same every time
                found[subject.value] = min(found.get(subject.value, value.value), value.value)
    return found


def _named_terms(triples: list[ox.Triple]):
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                yield term


def labels(store, iris) -> dict[str, dict[str, str]]:
    """IRI -> {language: label} for rdfs:label / skos:prefLabel in English, Chinese or without a language
    (the smallest label where a resource has several in one language, so pages are deterministic)."""
    iris = sorted({str(i) for i in iris})
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(iris), 500):
        chunk = " ".join(iris[start : start + 500])
        for subject, label in run_select(store, _LABELS.format(iris=chunk)).bindings:
            if not isinstance(subject, ox.NamedNode) or not isinstance(label, ox.Literal):
                continue  # as the query binds them
            language = label.language or ""
            if language.split("-")[0] in LANGUAGES:
                language = language.split("-")[0]
            elif language:
                continue
            current = found.setdefault(subject.value, {})
            if language not in current or label.value < current[language]:
                current[language] = label.value
    return found
