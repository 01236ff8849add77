"""What micgraph says about one resource: its concise bounded description (CBD), and for the Linked Data
page the labels (English, Chinese) of everything it mentions, the resources that point to it and the
sources of each fact.

A fact's sources are those stated for that very statement (an `owl:Axiom` annotation or a reified
`rdf:Statement` carrying `prov:wasDerivedFrom`, `prov:wasQuotedFrom` or `dcterms:source`); a fact with
none is backed by the sources of the resource itself (its own such properties), as the data model
records most provenance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import LABEL_PROPERTIES, LANGUAGES, MIC, ONTOLOGY_IRI, RDF_TYPE, SOURCE_PROPERTIES, compact
from .errors import UsageError
from .query import run_query

INBOUND_LIMIT = 500

_SOURCE_PATH = "|".join(f"<{p}>" for p in SOURCE_PROPERTIES)
_STATEMENT_SOURCES = """SELECT DISTINCT ?p ?o ?source WHERE {{
  {{ ?statement rdf:subject {iri} ; rdf:predicate ?p ; rdf:object ?o }}
  UNION {{ ?statement owl:annotatedSource {iri} ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o }}
  ?statement """ + _SOURCE_PATH + """ ?source . FILTER(isIRI(?source)) }}"""
# Reified statements and axiom annotations about the resource are shown as sources, not as references.
_INBOUND = """SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {iri}
              FILTER(isIRI(?s) && ?p NOT IN (rdf:subject, rdf:object, owl:annotatedSource, owl:annotatedTarget)) }}
              ORDER BY STR(?p) STR(?s) LIMIT {limit}"""
_LABELS = """SELECT ?x ?label WHERE {{ VALUES ?x {{ {iris} }} ?x rdfs:label|skos:prefLabel ?label
             FILTER(isLiteral(?label)) }}"""
_ONTOLOGY = f"""DESCRIBE ?term WHERE {{ ?term ?p ?o
    FILTER(?term = <{ONTOLOGY_IRI}> || STRSTARTS(STR(?term), "{MIC}")) }}"""


def resource_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"not an IRI: {iri!r} ({exc})") from exc


def cbd(store, iri: str) -> list[ox.Triple]:
    """The concise bounded description of `iri`: its triples, and those of the blank nodes they reach."""
    return run_query(store, f"DESCRIBE {resource_node(iri)}").triples


def ontology_triples(store) -> list[ox.Triple]:
    """The ontology as the store holds it: the ontology resource and every term in the mic: namespace."""
    return run_query(store, _ONTOLOGY).triples


@dataclass
class Fact:
    predicate: ox.NamedNode
    value: ox.NamedNode | ox.BlankNode | ox.Literal
    sources: list[ox.NamedNode] = field(default_factory=list)  # stated for this very statement


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple]
    facts: dict  # subject (the resource, or a blank node of its CBD) -> [Fact], sorted
    sources: list[ox.NamedNode]  # the resource's own sources
    inbound: list[tuple[ox.NamedNode, ox.NamedNode]]  # (subject, predicate) pointing here
    inbound_truncated: bool
    labels: dict[str, dict[str, str]]  # IRI -> {language ("" for none): label}

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
    group = 0 if fact.predicate == RDF_TYPE else 1 if predicate in LABEL_PROPERTIES else \
        3 if predicate in SOURCE_PROPERTIES else 2
    return (group, compact(predicate), _term_order(fact.value))


def describe(store, iri: str) -> Description:
    node = resource_node(iri)
    triples = cbd(store, iri)
    facts: dict = defaultdict(list)
    for triple in triples:
        facts[triple.subject].append(Fact(triple.predicate, triple.object))
    stated = defaultdict(set)
    for row in run_query(store, _STATEMENT_SOURCES.format(iri=node)).bindings:
        stated[(row[0], row[1])].add(row[2])
    for fact in facts.get(node, []):
        fact.sources = sorted(stated.get((fact.predicate, fact.value), ()), key=str)
    for subject_facts in facts.values():
        subject_facts.sort(key=_fact_order)
    own_sources = sorted({f.value for f in facts.get(node, []) if f.predicate.value in SOURCE_PROPERTIES
                          and isinstance(f.value, ox.NamedNode)}, key=str)
    inbound_rows = run_query(store, _INBOUND.format(iri=node, limit=INBOUND_LIMIT + 1)).bindings
    inbound = [(row[0], row[1]) for row in inbound_rows[:INBOUND_LIMIT]]
    mentioned = {node} | {t for t in _named_terms(triples)} | {t for pair in inbound for t in pair}
    mentioned |= {s for f in facts.get(node, []) for s in f.sources}
    return Description(iri, triples, dict(facts), own_sources, inbound, len(inbound_rows) > INBOUND_LIMIT,
                       labels(store, mentioned))


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
        chunk = " ".join(iris[start:start + 500])
        for subject, label in run_query(store, _LABELS.format(iris=chunk)).bindings:
            language = label.language or ""
            if language.split("-")[0] in LANGUAGES:
                language = language.split("-")[0]
            elif language:
                continue
            current = found.setdefault(subject.value, {})
            if language not in current or label.value < current[language]:
                current[language] = label.value
    return found
