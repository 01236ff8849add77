"""Conversions between pyoxigraph terms (the query engine's) and rdflib terms (pySHACL's, OWL RL's).

rdflib is imported lazily here and only here among the hot paths, so `micgraph --help` and plain
queries never pay for it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .namespaces import XSD, XSD_STRING


def to_rdflib(term):
    """pyoxigraph NamedNode/BlankNode/Literal/DefaultGraph -> rdflib term (None for the default graph)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib(term):
    """rdflib URIRef/BNode/Literal -> pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


def to_rdflib_graph(quads: Iterable[ox.Quad], graph=None):
    """All quads, their graph names dropped, as one rdflib Graph (what pySHACL and OWL RL read), added
    to `graph` if given."""
    from rdflib import Graph

    graph = Graph() if graph is None else graph
    add = graph.add
    converted: dict = {}  # terms repeat (predicates, classes, shared objects): convert each once

    def term(value):
        out = converted.get(value)
        if out is None:
            out = converted[value] = to_rdflib(value)
        return out

    for quad in quads:
        add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


def rdflib_triples_to_quads(triples: Iterable, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """rdflib triples -> pyoxigraph quads in `graph`; triples RDF 1.1 cannot hold (literal subjects) are dropped."""
    from rdflib import Literal

    graph = graph if graph is not None else ox.DefaultGraph()
    return [
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), graph)
        for s, p, o in triples
        if not isinstance(s, Literal) and not isinstance(p, Literal)
    ]


NUMERIC_DATATYPES = frozenset(
    XSD + t
    for t in [
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)


def comparable(term):
    """A query answer's term (pyoxigraph or rdflib) as a value that compares equal across engines.

    Engines agree on values, not on forms: Oxigraph keeps "50.0"^^xsd:decimal as "50", a COUNT may come
    back as xsd:integer or xsd:int, language tags differ in case, and blank node labels are each engine's
    own. So numbers compare by value (doubles to 12 significant digits), tags case-folded, blank nodes
    all alike.
    """
    from decimal import Decimal, InvalidOperation

    if term is None:
        return None
    if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        term = from_rdflib(term)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    if term.language:
        return ("text", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMERIC_DATATYPES:
        try:
            number = Decimal(term.value.strip())
        except InvalidOperation:
            return ("literal", term.value, datatype)
        if datatype in (XSD + "double", XSD + "float"):
            number = Decimal(f"{float(number):.12g}")
        return ("number", number.normalize())
    return ("text", term.value, "") if datatype == XSD_STRING else ("literal", term.value, datatype)
