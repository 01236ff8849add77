"""The graph as a network for visualisation tools: a projection of RDF onto nodes and edges, and its
writers (GraphML with yEd graphics, GEXF with viz attributes, DOT, Cytoscape.js JSON, Gephi CSV).

The projection (documented in docs/visualization.md): nodes are the IRIs and blank nodes of the data,
with a label in the chosen language, their class and their literal properties as typed attributes;
edges are the triples whose object is an IRI or blank node, labelled with the property's label. The
T-box (classes, properties, restrictions, the ontology header) is left out unless `schema=True`.
Everything is sorted and blank nodes are canonicalised, so the same graph gives byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import (LABEL_PROPERTIES, LANGUAGES, OWL, RDF, RDF_TYPE, RDFS, SH, SOURCE_PROPERTIES, XSD, compact,
                          expand)
from ..errors import UsageError

SUBCLASS_OF = RDFS + "subClassOf"

# A subject with one of these types, or of one of these predicates, belongs to the T-box. Reified axioms
# (owl:Axiom, owl:Annotation: annotations on a statement, e.g. the source of an owl:sameAs link) go with
# it: they describe statements, not things, and would add a node for the annotated property.
SCHEMA_TYPES = frozenset(OWL + t for t in (
    "Axiom Annotation Class Ontology ObjectProperty DatatypeProperty AnnotationProperty Restriction "
    "TransitiveProperty SymmetricProperty AsymmetricProperty FunctionalProperty InverseFunctionalProperty "
    "ReflexiveProperty IrreflexiveProperty AllDisjointClasses AllDisjointProperties AllDifferent DeprecatedClass "
    "DeprecatedProperty OntologyProperty DataRange").split()) | {
    RDFS + "Class", RDFS + "Datatype", RDF + "Property", SH + "NodeShape", SH + "PropertyShape"}
SCHEMA_PREDICATES = frozenset([RDFS + p for p in "subClassOf subPropertyOf domain range".split()] + [OWL + p for p in (
    "equivalentClass equivalentProperty inverseOf disjointWith propertyDisjointWith propertyChainAxiom "
    "onProperty onClass someValuesFrom allValuesFrom hasValue minCardinality maxCardinality cardinality "
    "minQualifiedCardinality maxQualifiedCardinality qualifiedCardinality oneOf unionOf intersectionOf "
    "complementOf disjointUnionOf members distinctMembers versionIRI imports hasKey withRestrictions "
    "onDatatype").split()])
# Types that say nothing about what a node is: never its class.
NEUTRAL_TYPES = frozenset({OWL + "NamedIndividual", OWL + "Thing", RDFS + "Resource"})

# Class styles: a colour and a shape from a hash of the class IRI, so a class keeps its look whatever
# other classes come and go; when two classes of one graph hash to the same (colour, shape) slot, the one
# later in IRI order takes the next free slot. Colours: Tableau 10 without its grey, plus two; grey marks
# untyped nodes.
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
           "#9C755F", "#17BECF", "#BCBD22", "#D37295")
UNTYPED_COLOR = "#BAB0AC"
# canonical shape: (yEd ShapeNode, GEXF viz:shape, DOT shape, DOT extra style, Cytoscape.js shape)
SHAPES = {
    "ellipse": ("ellipse", "disc", "ellipse", "", "ellipse"),
    "rectangle": ("rectangle", "square", "box", "", "rectangle"),
    "roundrectangle": ("roundrectangle", "square", "box", "rounded", "round-rectangle"),
    "hexagon": ("hexagon", "diamond", "hexagon", "", "hexagon"),
    "octagon": ("octagon", "disc", "octagon", "", "octagon"),
    "parallelogram": ("parallelogram", "triangle", "parallelogram", "", "rhomboid"),
}
SHAPE_NAMES = tuple(SHAPES)
SLOTS = len(PALETTE) * len(SHAPE_NAMES)
FONTS = "WenQuanYi Micro Hei,Noto Sans CJK SC,sans-serif"  # CJK-capable first: Graphviz draws boxes without one


@dataclass(frozen=True)
class Style:
    color: str
    shape: str


UNTYPED_STYLE = Style(UNTYPED_COLOR, "ellipse")


def _slot_style(slot: int) -> Style:
    return Style(PALETTE[slot % len(PALETTE)], SHAPE_NAMES[slot // len(PALETTE) % len(SHAPE_NAMES)])


def preferred_slot(class_iri: str) -> int:
    """The class's own slot: from SHA-256 of its IRI (Python's hash() is randomised per process)."""
    return int.from_bytes(hashlib.sha256(class_iri.encode("utf-8")).digest()[:8], "big") % SLOTS


def assign_styles(classes: Iterable[str]) -> dict[str, Style]:
    """A distinct style for each class (up to SLOTS classes; beyond that slots are shared)."""
    taken: set[int] = set()
    styles = {}
    for iri in sorted(set(classes)):
        slot = preferred_slot(iri)
        for probe in range(SLOTS):
            if (slot + probe) % SLOTS not in taken:
                slot = (slot + probe) % SLOTS
                break
        taken.add(slot)
        styles[iri] = _slot_style(slot)
    return styles


_INTEGER_TYPES = {XSD + t for t in (
    "integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte").split()}
_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}
_INT64 = range(-2**63, 2**63)


def class_token(class_iri: str | None) -> str:
    """The class as a CSS/Cytoscape class name: `mic:Center` -> `mic_Center`.

    Where characters had to be replaced (`mic:创新中心`, `ex:a.b` next to `ex:a_b`), a digest of the IRI
    is appended, so two classes never share a token, and with it a style or a filter checkbox."""
    if not class_iri:
        return "untyped"
    name = compact(class_iri)
    token = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return token if token == name.replace(":", "_", 1) and ":" in name else \
        f"{token}_{hashlib.sha256(class_iri.encode('utf-8')).hexdigest()[:8]}"


def safe_link(iri: str) -> str | None:
    """The IRI as a link target if it is an http(s) IRI: data can hold `javascript:` and `data:` IRIs,
    which a picture or page must not make clickable."""
    return iri if iri.lower().startswith(("http://", "https://")) else None


@dataclass
class Node:
    id: str  # the IRI, or `_:label` for a (canonicalised) blank node
    types: tuple[str, ...] = ()
    cls: str | None = None  # the one class that styles the node: its most specific type
    literals: list[tuple[str, ox.Literal]] = field(default_factory=list)  # (property IRI, value), sorted


@dataclass(frozen=True)
class Edge:
    source: str
    property: str
    target: str

    @property
    def id(self) -> str:
        """Stable across graph changes (not a running number): a digest of the triple."""
        digest = hashlib.sha256(f"{self.source} {self.property} {self.target}".encode("utf-8")).hexdigest()
        return "e" + digest[:16]


@dataclass(frozen=True)
class Attribute:
    name: str  # `label`, `class`, ... or the property's compact IRI, `@lang` appended for tagged literals
    type: str  # boolean, long, double or string (GraphML's and GEXF's names)


@dataclass
class Projection:
    nodes: list[Node]
    edges: list[Edge]
    labels: dict[str, dict[str, str]]  # term -> {language ("" untagged): label}
    styles: dict[str, Style] = field(default_factory=dict)  # class -> style, for every class of the graph
    _by_id: dict[str, Node] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {n.id: n for n in self.nodes}

    def style(self, cls: str | None) -> Style:
        if cls is None:
            return UNTYPED_STYLE
        return self.styles.get(cls) or _slot_style(preferred_slot(cls))

    def label(self, term: str | None, lang: str = "en") -> str:
        """The term's label in `lang`, else in the other language, untagged, any; else its compact IRI."""
        if not term:
            return ""
        by_language = self.labels.get(term, {})
        for candidate in (lang, *(x for x in LANGUAGES if x != lang), "", *sorted(by_language)):
            if by_language.get(candidate):
                return by_language[candidate]
        if term.startswith("_:"):
            node = self.node(term)
            if node is not None and node.cls:
                return f"[{self.label(node.cls, lang)}]"
            return term
        return compact(term)

    def node(self, node_id: str) -> Node | None:
        return self._by_id.get(node_id)

    @property
    def classes(self) -> list[str | None]:
        """The classes that style nodes, sorted (None, for untyped nodes, last)."""
        present = {n.cls for n in self.nodes}
        return sorted(c for c in present if c) + ([None] if None in present else [])

    def attributes(self) -> tuple[list[Attribute], dict[str, dict[str, object]]]:
        """The literal properties as typed attributes: (keys sorted, {node id: {key: value}}).

        A key is the property's compact IRI, with `@lang` for a language-tagged literal. Its type is the
        narrowest that holds every value: boolean, long, double, else string. A node with several values
        for one key gets them joined with " | " (and the key becomes a string).
        """
        values: dict[str, dict[str, list[ox.Literal]]] = defaultdict(lambda: defaultdict(list))
        for node in self.nodes:
            for prop, literal in node.literals:
                key = compact(prop) + (f"@{literal.language}" if literal.language else "")
                values[key][node.id].append(literal)
        keys, table = [], defaultdict(dict)
        for key in sorted(values):
            kind = _common_type(values[key].values())
            keys.append(Attribute(key, kind))
            for node_id, literals in values[key].items():
                table[node_id][key] = _typed(literals[0], kind) if len(literals) == 1 else \
                    " | ".join(literal.value for literal in literals)
        return keys, table


def _python_value(literal: ox.Literal):
    datatype = literal.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(literal.value)
        if datatype in _FLOAT_TYPES:
            number = float(literal.value)
            return number if math.isfinite(number) else literal.value
    except ValueError:
        return literal.value
    if datatype == XSD + "boolean" and literal.value in ("true", "false", "1", "0"):
        return literal.value in ("true", "1")
    return literal.value


def _common_type(groups: Iterable[list[ox.Literal]]) -> str:
    kinds = set()
    for literals in groups:
        if len(literals) > 1:
            return "string"
        value = _python_value(literals[0])
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("long" if value in _INT64 else "string")
        elif isinstance(value, float):
            kinds.add("double")
        else:
            return "string"
    if kinds <= {"long", "double"} and "double" in kinds:
        return "double"
    return kinds.pop() if len(kinds) == 1 else "string"


def _typed(literal: ox.Literal, kind: str):
    value = _python_value(literal)
    if kind == "double":
        return float(value)
    return literal.value if kind == "string" else value


# --- the projection ---------------------------------------------------------------------------------

def _term_id(term) -> str | None:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return None


def _language(literal: ox.Literal) -> str:
    return (literal.language or "").split("-")[0]


def label_index(triples: Iterable) -> dict[str, dict[str, str]]:
    """term -> {language: label}; rdfs:label beats skos:prefLabel, then the smallest string wins."""
    best: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for t in triples:
        if t.predicate.value in LABEL_PROPERTIES and isinstance(t.object, ox.Literal) and t.object.value.strip():
            subject = _term_id(t.subject)
            if subject is None:
                continue
            candidate = (LABEL_PROPERTIES.index(t.predicate.value), " ".join(t.object.value.split()))
            lang = _language(t.object)
            if lang not in best[subject] or candidate < best[subject][lang]:
                best[subject][lang] = candidate
    return {term: {lang: value for lang, (_, value) in langs.items()} for term, langs in best.items()}


def _schema_terms(triples: list[ox.Triple]) -> set[str]:
    """The T-box: typed as a class, property, restriction or ontology, or the subject of an axiom,
    and every blank node hanging off one (restrictions, RDF lists)."""
    schema = {_term_id(t.subject) for t in triples
              if (t.predicate.value == RDF_TYPE and t.object.value in SCHEMA_TYPES)
              or t.predicate.value in SCHEMA_PREDICATES}
    schema.discard(None)
    blank_objects: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if isinstance(t.object, ox.BlankNode):
            blank_objects[_term_id(t.subject)].append(_term_id(t.object))
    frontier = list(schema)
    while frontier:
        for child in blank_objects.get(frontier.pop(), ()):
            if child not in schema:
                schema.add(child)
                frontier.append(child)
    return schema


def _superclasses(triples: list[ox.Triple]) -> dict[str, set[str]]:
    """class -> every class it is a subclass of (transitively, itself excluded)."""
    direct: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == SUBCLASS_OF and isinstance(t.object, ox.NamedNode):
            direct[_term_id(t.subject)].add(t.object.value)
    closure: dict[str, set[str]] = {}
    for start in direct:
        seen, frontier = set(), list(direct[start])
        while frontier:
            current = frontier.pop()
            if current not in seen:
                seen.add(current)
                frontier.extend(direct.get(current, ()))
        seen.discard(start)
        closure[start] = seen
    return closure


def _most_specific(types: Iterable[str], superclasses: dict[str, set[str]]) -> str | None:
    candidates = [t for t in types if t not in NEUTRAL_TYPES]
    specific = [t for t in candidates if not any(t in superclasses.get(other, ()) for other in candidates)]
    return min(specific) if specific else None


def _canonical_triples(statements: Iterable) -> list[ox.Triple]:
    """Quads or triples -> distinct triples with blank nodes relabelled by RDF canonicalisation (RDFC-1.0),
    in no particular order (the projection sorts what it returns); RDF-star terms dropped."""
    dataset = ox.Dataset(ox.Quad(s.subject, s.predicate, s.object, ox.DefaultGraph()) for s in statements
                         if not isinstance(s.subject, ox.Triple) and not isinstance(s.object, ox.Triple))
    if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in dataset):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [q.triple for q in dataset]


def project(statements: Iterable, *, schema: bool = False, classes: Iterable[str] = (),
            vocabulary: Iterable = ()) -> Projection:
    """Project triples (or quads: graph names are merged) onto a network.

    `schema` keeps the T-box as nodes (with rdf:type edges to the classes it defines); `classes` (IRIs
    or compact IRIs) keeps only nodes of those classes or their subclasses, and the edges between them;
    `vocabulary` gives extra triples read only for labels (the whole graph, for a CONSTRUCT result).
    """
    triples = _canonical_triples(statements)
    labels = label_index([*triples, *vocabulary])
    superclasses = _superclasses(triples)
    tbox = set() if schema else _schema_terms(triples)
    nodes: dict[str, Node] = {}
    types: dict[str, set[str]] = defaultdict(set)
    edges: set[Edge] = set()
    type_edges: list[Edge] = []

    def node(term_id: str) -> Node:
        return nodes.setdefault(term_id, Node(term_id))

    for t in triples:
        subject, prop, obj = _term_id(t.subject), t.predicate.value, t.object
        if subject in tbox:
            continue
        current = node(subject)
        if prop == RDF_TYPE:
            if isinstance(obj, ox.NamedNode):
                types[subject].add(obj.value)
                type_edges.append(Edge(subject, prop, obj.value))
        elif isinstance(obj, ox.Literal):
            current.literals.append((prop, obj))
        else:
            target = _term_id(obj)
            if target not in tbox:
                node(target)
                edges.add(Edge(subject, prop, target))
    if schema:  # typing edges to the classes the graph itself defines
        edges.update(e for e in type_edges if e.target in nodes)
    for term_id, current in nodes.items():
        current.literals.sort(key=lambda pair: (pair[0], pair[1].value, pair[1].datatype.value, pair[1].language or ""))
        current.types = tuple(sorted(types.get(term_id, ())))
        current.cls = _most_specific(current.types, superclasses)
    styles = assign_styles(n.cls for n in nodes.values() if n.cls)  # before filtering: filters keep colours
    kept = _filter_by_class(nodes, superclasses, classes)
    return Projection(nodes=[kept[k] for k in sorted(kept)],
                      edges=sorted((e for e in edges if e.source in kept and e.target in kept),
                                   key=lambda e: (e.source, e.property, e.target)),
                      labels=labels, styles=styles)


def _filter_by_class(nodes: dict[str, Node], superclasses: dict[str, set[str]],
                     classes: Iterable[str]) -> dict[str, Node]:
    wanted = [expand(c) for c in classes]
    if not wanted:
        return nodes

    def kinds(n: Node) -> set[str]:
        return set(n.types).union(*(superclasses.get(t, set()) for t in n.types))

    kept = {k: n for k, n in nodes.items() if kinds(n) & set(wanted)}
    for iri in wanted:
        if not any(iri in kinds(n) for n in kept.values()):
            raise UsageError(f"--class {compact(iri)}: no node in the graph has this class")
    return kept


def project_store(store, *, schema: bool = False, classes: Iterable[str] = ()) -> Projection:
    return project(store.quads(), schema=schema, classes=classes)


_LABEL_TRIPLES = ("CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?p { " + " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
                  + " } ?s ?p ?o FILTER(isLiteral(?o)) }")


def project_construct(triples: Iterable[ox.Triple], store) -> Projection:
    """A CONSTRUCT result as a network: every triple kept (the query chose them), labels from `store` too."""
    return project(triples, schema=True, vocabulary=list(store.query(_LABEL_TRIPLES)))


# --- layout -----------------------------------------------------------------------------------------

def circle_positions(projection: Projection) -> dict[str, tuple[float, float]]:
    """A starting layout for yEd, Gephi and Cytoscape: one circle, each class's nodes side by side."""
    order = sorted(projection.nodes, key=lambda n: (n.cls is None, n.cls or "", n.id))
    count = max(len(order), 1)
    radius = max(200.0, count * 60.0 / (2 * math.pi))
    return {n.id: (round(radius * math.cos(2 * math.pi * i / count), 1),
                   round(radius * math.sin(2 * math.pi * i / count), 1)) for i, n in enumerate(order)}


# --- writers ----------------------------------------------------------------------------------------

_XML_INVALID = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def xml_text(value: object) -> str:
    """A value as XML 1.0 text: characters XML cannot carry (control characters) become U+FFFD."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return _XML_INVALID.sub("\uFFFD", str(value))


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# in attribute values a parser turns raw newlines and tabs into spaces: write them as references
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                                    "\r": "&#13;", "\t": "&#9;"})


class XmlWriter:
    """Indented XML built line by line, every text and attribute value escaped here (three times faster
    than building an ElementTree, and the output is exactly what is written)."""

    def __init__(self) -> None:
        self.lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        self.depth = 0

    @staticmethod
    def _attributes(attributes: dict[str, object] | None) -> str:
        return "".join(f' {name}="{xml_text(value).translate(_ATTRIBUTE_ESCAPES)}"'
                       for name, value in (attributes or {}).items())

    def open(self, tag: str, attributes: dict[str, object] | None = None) -> None:
        self.lines.append(f"{'  ' * self.depth}<{tag}{self._attributes(attributes)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append(f"{'  ' * self.depth}</{tag}>")

    def leaf(self, tag: str, attributes: dict[str, object] | None = None, text: object = None) -> None:
        head = f"{'  ' * self.depth}<{tag}{self._attributes(attributes)}"
        if text is None:
            self.lines.append(head + "/>")
        else:
            self.lines.append(f"{head}>{xml_text(text).translate(_TEXT_ESCAPES)}</{tag}>")

    def document(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def _node_columns(projection: Projection, lang: str) -> tuple[list[Attribute], dict[str, dict[str, object]]]:
    """Every node attribute: label, class, classLabel, types, then the literal properties."""
    keys, table = projection.attributes()
    fixed = [Attribute(name, "string") for name in ("label", "class", "classLabel", "types")]
    for n in projection.nodes:
        table[n.id] = {"label": projection.label(n.id, lang), "class": compact(n.cls) if n.cls else "",
                       "classLabel": projection.label(n.cls, lang) if n.cls else "",
                       "types": " ".join(compact(t) for t in n.types), **table.get(n.id, {})}
    return fixed + keys, table


def _edge_columns(projection: Projection, edge: Edge, lang: str) -> dict[str, str]:
    return {"label": projection.label(edge.property, lang), "property": compact(edge.property)}


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YFILES_NS = "http://www.yworks.com/xml/graphml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GEXF_NS = "http://www.gexf.net/1.2draft"
GEXF_VIZ_NS = "http://www.gexf.net/1.2draft/viz"


def _label_width(text: str) -> float:
    from ..results import text_width

    return float(max(40, 7 * text_width(text) + 16))


def to_graphml(projection: Projection, lang: str = "en") -> bytes:
    """GraphML with typed keys, and yEd's ShapeNode/PolyLineEdge graphics (colour, shape, label)."""
    out = XmlWriter()
    out.open("graphml", {"xmlns": GRAPHML_NS, "xmlns:xsi": XSI_NS, "xmlns:y": YFILES_NS,
                         "xsi:schemaLocation": f"{GRAPHML_NS} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"})
    node_keys, node_values = _node_columns(projection, lang)
    key_ids = {}
    for i, attribute in enumerate(node_keys):
        key_ids["node", attribute.name] = f"n{i}"
        out.leaf("key", {"id": f"n{i}", "for": "node", "attr.name": attribute.name, "attr.type": attribute.type})
    for i, name in enumerate(("label", "property")):
        key_ids["edge", name] = f"e{i}"
        out.leaf("key", {"id": f"e{i}", "for": "edge", "attr.name": name, "attr.type": "string"})
    out.leaf("key", {"id": "ng", "for": "node", "yfiles.type": "nodegraphics"})
    out.leaf("key", {"id": "eg", "for": "edge", "yfiles.type": "edgegraphics"})
    out.open("graph", {"id": "micgraph", "edgedefault": "directed"})
    positions = circle_positions(projection)
    for n in projection.nodes:
        out.open("node", {"id": n.id})
        for name, value in node_values[n.id].items():
            out.leaf("data", {"key": key_ids["node", name]}, value)
        style, label = projection.style(n.cls), node_values[n.id]["label"]
        out.open("data", {"key": "ng"})
        out.open("y:ShapeNode")
        x, y = positions[n.id]
        out.leaf("y:Geometry", {"x": x, "y": y, "width": _label_width(label), "height": 30.0})
        out.leaf("y:Fill", {"color": style.color, "transparent": "false"})
        out.leaf("y:BorderStyle", {"color": "#333333", "type": "line", "width": "1.0"})
        out.leaf("y:NodeLabel", None, label)
        out.leaf("y:Shape", {"type": SHAPES[style.shape][0]})
        out.close("y:ShapeNode")
        out.close("data")
        out.close("node")
    for edge in projection.edges:
        out.open("edge", {"id": edge.id, "source": edge.source, "target": edge.target})
        columns = _edge_columns(projection, edge, lang)
        for name, value in columns.items():
            out.leaf("data", {"key": key_ids["edge", name]}, value)
        out.open("data", {"key": "eg"})
        out.open("y:PolyLineEdge")
        out.leaf("y:LineStyle", {"color": "#888888", "type": "line", "width": "1.0"})
        out.leaf("y:Arrows", {"source": "none", "target": "standard"})
        out.leaf("y:EdgeLabel", None, columns["label"])
        out.close("y:PolyLineEdge")
        out.close("data")
        out.close("edge")
    out.close("graph")
    out.close("graphml")
    return out.document()


def to_gexf(projection: Projection, lang: str = "en") -> bytes:
    """GEXF 1.2 with typed attributes and viz colour, shape, size and a starting position."""
    out = XmlWriter()
    out.open("gexf", {"xmlns": GEXF_NS, "xmlns:viz": GEXF_VIZ_NS, "xmlns:xsi": XSI_NS, "version": "1.2",
                      "xsi:schemaLocation": f"{GEXF_NS} http://www.gexf.net/1.2draft/gexf.xsd"})
    out.open("meta")
    out.leaf("creator", None, "micgraph")
    out.leaf("description", None, f"micgraph network projection (labels: {lang})")
    out.close("meta")
    out.open("graph", {"mode": "static", "defaultedgetype": "directed"})
    node_keys, node_values = _node_columns(projection, lang)
    key_ids = {}
    out.open("attributes", {"class": "node", "mode": "static"})
    for i, attribute in enumerate(k for k in node_keys if k.name != "label"):  # GEXF has its own label
        key_ids[attribute.name] = str(i)
        out.leaf("attribute", {"id": i, "title": attribute.name, "type": attribute.type})
    out.close("attributes")
    out.open("attributes", {"class": "edge", "mode": "static"})
    out.leaf("attribute", {"id": "property", "title": "property", "type": "string"})
    out.close("attributes")
    positions = circle_positions(projection)
    out.open("nodes")
    for n in projection.nodes:
        values = node_values[n.id]
        out.open("node", {"id": n.id, "label": values["label"]})
        out.open("attvalues")
        for name, value in values.items():
            if name in key_ids:
                out.leaf("attvalue", {"for": key_ids[name], "value": value})
        out.close("attvalues")
        style = projection.style(n.cls)
        red, green, blue = (int(style.color[i:i + 2], 16) for i in (1, 3, 5))
        out.leaf("viz:color", {"r": red, "g": green, "b": blue})
        x, y = positions[n.id]
        out.leaf("viz:position", {"x": x, "y": y, "z": 0.0})
        out.leaf("viz:size", {"value": 10.0})
        out.leaf("viz:shape", {"value": SHAPES[style.shape][1]})
        out.close("node")
    out.close("nodes")
    out.open("edges")
    for edge in projection.edges:
        columns = _edge_columns(projection, edge, lang)
        out.open("edge", {"id": edge.id, "source": edge.source, "target": edge.target, "label": columns["label"]})
        out.open("attvalues")
        out.leaf("attvalue", {"for": "property", "value": columns["property"]})
        out.close("attvalues")
        out.close("edge")
    out.close("edges")
    out.close("graph")
    out.close("gexf")
    return out.document()


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def wrap_label(text: str, width: int = 24) -> str:
    """Break a long label on spaces (CJK text has none and stays on one line)."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join([*lines, current])


def dot_node_style(projection: Projection, cls: str | None, label: str) -> str:
    """The DOT attributes that draw a node of class `cls`: label, shape, fill colour, SVG class."""
    style = projection.style(cls)
    _, _, shape, extra, _ = SHAPES[style.shape]
    styles = "filled" + (f",{extra}" if extra else "")
    return (f"label={dot_string(wrap_label(label))}, shape={shape}, style={dot_string(styles)}, "
            f"fillcolor={dot_string(style.color)}, class={dot_string(class_token(cls))}")


def to_dot(projection: Projection, lang: str = "en", *, edge_labels: bool = True) -> bytes:
    """Graphviz DOT: nodes filled with their class colour and shape, CJK-capable fonts, IRIs as links."""
    font = dot_string(FONTS)
    lines = ["digraph micgraph {",
             f"  graph [fontname={font}, fontsize=12, overlap=false, outputorder=edgesfirst];",
             f"  node [fontname={font}, fontsize=10, style=filled, penwidth=0.6, color=\"#333333\"];",
             f"  edge [fontname={font}, fontsize=8, color=\"#888888\", fontcolor=\"#555555\", arrowsize=0.6];"]

    for n in projection.nodes:
        link = f", URL={dot_string(n.id)}" if safe_link(n.id) else ""
        lines.append(f"  {dot_string(n.id)} [{dot_node_style(projection, n.cls, projection.label(n.id, lang))}, "
                     f"tooltip={dot_string(compact(n.id) if not n.id.startswith('_:') else n.id)}{link}];")
    for edge in projection.edges:
        label = f" [label={dot_string(projection.label(edge.property, lang))}]" if edge_labels else ""
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)}{label};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def cytoscape_elements(projection: Projection, lang: str = "en") -> dict:
    """The Cytoscape.js element JSON ({nodes, edges}, each with `data` and `classes`) with positions."""
    _, node_values = _node_columns(projection, lang)
    positions = circle_positions(projection)
    nodes = [{"data": {"id": n.id, **node_values[n.id]}, "position": dict(zip("xy", positions[n.id])),
              "classes": class_token(n.cls)} for n in projection.nodes]
    edges = [{"data": {"id": e.id, "source": e.source, "target": e.target, **_edge_columns(projection, e, lang)},
              "classes": class_token(e.property)} for e in projection.edges]
    return {"nodes": nodes, "edges": edges}


def cytoscape_style(projection: Projection) -> list[dict]:
    style = [{"selector": "node", "style": {"label": "data(label)", "font-size": 10, "text-valign": "center",
                                            "text-wrap": "wrap", "text-max-width": 140}},
             {"selector": "edge", "style": {"curve-style": "bezier", "target-arrow-shape": "triangle",
                                            "width": 1, "line-color": "#888888",
                                            "target-arrow-color": "#888888"}}]
    for cls in projection.classes:
        colours = projection.style(cls)
        style.append({"selector": f"node.{class_token(cls)}",
                      "style": {"background-color": colours.color, "shape": SHAPES[colours.shape][4]}})
    return style


def to_cytoscape(projection: Projection, lang: str = "en") -> bytes:
    """Cytoscape.js JSON as Cytoscape desktop writes it (`elements`, `data`), plus a `style` for the classes."""
    document = {"format_version": "1.0", "generated_by": "micgraph", "target_cytoscapejs_version": "~3",
                "data": {"name": "micgraph", "lang": lang},
                "elements": cytoscape_elements(projection, lang), "style": cytoscape_style(projection)}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_tables(projection: Projection, lang: str = "en") -> dict[str, bytes]:
    """nodes.csv and edges.csv as Gephi's spreadsheet import reads them (Id, Label; Source, Target, Type...)."""
    keys, node_values = _node_columns(projection, lang)
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\r\n")
    writer.writerow(["Id", "Label", *(k.name for k in keys if k.name != "label")])
    for n in projection.nodes:
        values = node_values[n.id]
        writer.writerow([n.id, values["label"], *(_csv_cell(values.get(k.name, "")) for k in keys
                                                  if k.name != "label")])
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\r\n")
    writer.writerow(["Source", "Target", "Type", "Id", "Label", "property"])
    for e in projection.edges:
        columns = _edge_columns(projection, e, lang)
        writer.writerow([e.source, e.target, "Directed", e.id, columns["label"], columns["property"]])
    return {"nodes.csv": nodes.getvalue().encode("utf-8"), "edges.csv": edges.getvalue().encode("utf-8")}


def write_csv(projection: Projection, directory: str | Path, lang: str = "en") -> list[Path]:
    """Write nodes.csv and edges.csv into `directory`, replaced as a whole or not at all.

    A folder that holds anything else is refused rather than replaced: `-o .` must not wipe a project.
    """
    from ..output import atomic_directory

    target = Path(directory)
    tables = csv_tables(projection, check_language(lang))
    if target.is_dir() and any(p.name not in tables for p in target.iterdir()):
        raise UsageError(f"{directory}: the folder holds other files; give a new or empty folder for the CSV export")
    with atomic_directory(target) as staging:
        for name, data in tables.items():
            (staging / name).write_bytes(data)
    return [target / name for name in tables]


WRITERS = {"graphml": to_graphml, "gexf": to_gexf, "dot": to_dot, "cytoscape": to_cytoscape}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown label language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    return lang


def serialize_network(projection: Projection, fmt: str, lang: str = "en") -> bytes:
    if fmt not in WRITERS:
        raise UsageError(f"unknown network format {fmt!r}; use one of: {', '.join(WRITERS)}")
    return WRITERS[fmt](projection, check_language(lang))
