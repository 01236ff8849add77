"""Dataset statistics: triple count, classes with instance counts, properties with usage counts, VoID."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from . import namespaces

DEFAULT_TITLE = "micgraph: manufacturing-innovation networks (NIST AMS 600-17)"
_COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
             WHERE { ?s ?p ?o }"""
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) STR(?c)"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) STR(?p)"
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
_LANGUAGES = """SELECT ?lang (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o) && LANG(?o) != "")
                BIND(LANG(?o) AS ?lang) } GROUP BY ?lang ORDER BY DESC(?n) ?lang"""


@dataclass
class Stats:
    triples: int
    subjects: int
    objects: int
    entities: int
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    languages: list[tuple[str, int]] = field(default_factory=list)


def _pairs(store, sparql: str) -> list[tuple[str, int]]:
    return [(row[0].value, int(row[1].value)) for row in store.query(sparql)]


def compute_stats(store) -> Stats:
    counts = next(iter(store.query(_COUNTS)))
    entities = next(iter(store.query(_ENTITIES)))
    return Stats(
        int(counts[0].value),
        int(counts[1].value),
        int(counts[2].value),
        int(entities[0].value),
        _pairs(store, _CLASSES),
        _pairs(store, _PROPERTIES),
        _pairs(store, _LANGUAGES),
    )


def render_stats(stats: Stats) -> str:
    lines = [
        f"triples    {stats.triples:>9,}",
        f"subjects   {stats.subjects:>9,}",
        f"objects    {stats.objects:>9,}",
        f"entities   {stats.entities:>9,}  (IRIs in subject position)",
        "",
    ]
    for title, pairs in (("classes", stats.classes), ("properties", stats.properties), ("languages", stats.languages)):
        lines.append(f"{title} ({len(pairs)})")
        names = [namespaces.compact(iri) if title != "languages" else f"@{iri}" for iri, _ in pairs]
        width = max((len(n) for n in names), default=0)
        lines += [f"  {n:<{width}}  {count:>7,}" for n, (_, count) in zip(names, pairs)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def void_description(store, stats: Stats | None = None) -> str:
    """A VoID description of the dataset in Turtle, with class and property partitions."""
    from .export.rdf import serialize_triples

    stats = stats or compute_stats(store)
    dataset = ox.NamedNode(namespaces.DATASET_IRI)
    triples: list[ox.Triple] = []

    def add(s, p, o):
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(namespaces.XSD + "integer"))

    add(dataset, namespaces.RDF + "type", ox.NamedNode(namespaces.VOID + "Dataset"))
    # Title and licence as data/dataset.ttl states them, so the two descriptions of one dataset agree.
    described = list(
        store.query(
            f"SELECT ?p ?o WHERE {{ <{namespaces.DATASET_IRI}> ?p ?o "
            f"VALUES ?p {{ <{namespaces.DCTERMS}title> <{namespaces.DCTERMS}license> }} }}"
        )
    )
    for row in [tuple(r) for r in described] or [
        (ox.NamedNode(namespaces.DCTERMS + "title"), ox.Literal(DEFAULT_TITLE, language="en"))
    ]:
        add(dataset, row[0].value, row[1])
    add(dataset, namespaces.VOID + "uriSpace", ox.Literal(namespaces.MICR))
    add(dataset, namespaces.VOID + "vocabulary", ox.NamedNode(namespaces.ONTOLOGY_IRI))
    for name, value in (
        ("triples", stats.triples),
        ("distinctSubjects", stats.subjects),
        ("distinctObjects", stats.objects),
        ("entities", stats.entities),
        ("classes", len(stats.classes)),
        ("properties", len(stats.properties)),
    ):
        add(dataset, namespaces.VOID + name, integer(value))
    for kind, pairs, count_property in (
        ("class", stats.classes, "entities"),
        ("property", stats.properties, "triples"),
    ):
        for iri, count in pairs:
            partition = ox.BlankNode()
            add(dataset, namespaces.VOID + f"{kind}Partition", partition)
            add(partition, namespaces.VOID + kind, ox.NamedNode(iri))
            add(partition, namespaces.VOID + count_property, integer(count))
    return serialize_triples(triples, "turtle").decode("utf-8")
