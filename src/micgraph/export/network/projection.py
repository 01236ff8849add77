"""The graph as a network for visualisation tools: a projection of RDF onto nodes and edges, with the
class styles and the columns every writer (graphml.py, gexf.py, dot.py, cytoscape.py, gephi.py) shares.

The projection (documented in docs/visualization.md): nodes are the IRIs and blank nodes of the data,
with a label in the chosen language, their class and their literal properties as typed attributes;
edges are the triples whose object is an IRI or blank node, labelled with the property's label. The
T-box (classes, properties, restrictions, the ontology header) is left out unless `schema=True`.
Everything is sorted and blank nodes are canonicalised, so the same graph gives byte-identical files.
"""

from __future__ import annotations

import builtins
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...canonical import canonical_quads
from ...errors import UsageError
from ...namespaces import LABEL_PROPERTIES, LANGUAGES, OWL, RDF, RDF_TYPE, RDFS, SH, XSD, compact, expand
from ...values import INTEGER_DATATYPES

SUBCLASS_OF = RDFS + "subClassOf"

# A subject with one of these types, or of one of these predicates, belongs to the T-box. Reified axioms
# (owl:Axiom, owl:Annotation: annotations on a statement, e.g. the source of an owl:sameAs link) go with
# it: they describe statements, not things, and would add a node for the annotated property.
SCHEMA_TYPES = frozenset(
    OWL + t
    for t in [
        "Axiom",
        "Annotation",
        "Class",
        "Ontology",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "Restriction",
        "TransitiveProperty",
        "SymmetricProperty",
        "AsymmetricProperty",
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "ReflexiveProperty",
        "IrreflexiveProperty",
        "AllDisjointClasses",
        "AllDisjointProperties",
        "AllDifferent",
        "DeprecatedClass",
        "DeprecatedProperty",
        "OntologyProperty",
        "DataRange",
    ]
) | {RDFS + "Class", RDFS + "Datatype", RDF + "Property", SH + "NodeShape", SH + "PropertyShape"}
SCHEMA_PREDICATES = frozenset(
    [RDFS + p for p in ["subClassOf", "subPropertyOf", "domain", "range"]]
    + [
        OWL + p
        for p in [
            "equivalentClass",
            "equivalentProperty",
            "inverseOf",
            "disjointWith",
            "propertyDisjointWith",
            "propertyChainAxiom",
            "onProperty",
            "onClass",
            "someValuesFrom",
            "allValuesFrom",
            "hasValue",
            "minCardinality",
            "maxCardinality",
            "cardinality",
            "minQualifiedCardinality",
            "maxQualifiedCardinality",
            "qualifiedCardinality",
            "oneOf",
            "unionOf",
            "intersectionOf",
            "complementOf",
            "disjointUnionOf",
            "members",
            "distinctMembers",
            "versionIRI",
            "imports",
            "hasKey",
            "withRestrictions",
            "onDatatype",
        ]
    ]
)
# Types that say nothing about what a node is: never its class.
NEUTRAL_TYPES = frozenset({OWL + "NamedIndividual", OWL + "Thing", RDFS + "Resource"})

# Class styles: a colour and a shape from a hash of the class IRI, so a class keeps its look whatever
# other classes come and go. Colours come first: a class whose colour another class of the graph already
# has takes the next free colour, so up to len(PALETTE) classes never share a colour; beyond that a colour
# repeats with another shape (see assign_styles).
#
# The palette prints in grey: sorted by lightness, each colour is at least 6 units of CIE L* and 13 of
# Rec. 601 luma (0-255) lighter than the one before, so classes stay apart on a black-and-white printer
# and to colour-blind readers (tests/test_render.py checks the steps). Labels on the four darkest are
# white (text_color). Untyped nodes are white with a dashed outline: no colour of the palette.
PALETTE = ("#173647", "#892340", "#2E6C2E", "#6169C8", "#409E93", "#F4834F", "#7CBFDE", "#E5BFCF", "#F8D799", "#D6F5E4")
UNTYPED_COLOR = "#FFFFFF"
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


def assign_styles(classes: Iterable[str], first: Iterable[str] = ()) -> dict[str, Style]:
    """A distinct style for each class: in IRI order (the `first` classes before the others), each takes
    the first slot from its own whose colour is still free, else the first free slot (a used colour with
    another shape); beyond SLOTS classes, slots are shared."""
    taken: set[int] = set()
    colours: set[str] = set()
    styles = {}
    classes = set(classes)  # once: it may be a generator
    leading = set(first) & classes
    for iri in [*sorted(leading), *sorted(classes - leading)]:
        start = preferred_slot(iri)
        probes = [(start + probe) % SLOTS for probe in range(SLOTS)]
        slot = next((s for s in probes if _slot_style(s).color not in colours), None)
        if slot is None:
            slot = next((s for s in probes if s not in taken), start)
        taken.add(slot)
        styles[iri] = _slot_style(slot)
        colours.add(styles[iri].color)
    return styles


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (#RRGGBB): white below CIE L* 50."""
    return "#FFFFFF" if lightness(fill) < 50 else "#000000"


def lightness(color: str) -> float:
    """CIE L* (0 black - 100 white) of an sRGB colour #RRGGBB."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    ]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}
_INT64 = range(-(2**63), 2**63)


def class_token(class_iri: str | None) -> str:
    """The class as a CSS/Cytoscape class name: `mic:Center` -> `mic_Center`.

    Where characters had to be replaced (`mic:创新中心`, `ex:a.b` next to `ex:a_b`), a digest of the IRI
    is appended, so two classes never share a token, and with it a style or a filter checkbox."""
    if not class_iri:
        return "untyped"
    name = compact(class_iri)
    token = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return (
        token
        if token == name.replace(":", "_", 1) and ":" in name
        else f"{token}_{hashlib.sha256(class_iri.encode('utf-8')).hexdigest()[:8]}"
    )


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

    @builtins.property  # the field `property` shadows the builtin in this class body
    def id(self) -> str:
        """Stable across graph changes (not a running number): a digest of the triple."""
        digest = hashlib.sha256(f"{self.source} {self.property} {self.target}".encode()).hexdigest()
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
        return self.label_in(term, lang)[0]

    def label_in(self, term: str | None, lang: str = "en") -> tuple[str, str | None]:
        """(label, the language it is in): as `label`, with "" for an untagged label and None where the
        term has no label at all (its compact IRI, or a blank node's class); a language other than `lang`
        is a fallback the reader should be told about."""
        if not term:
            return "", None
        by_language = self.labels.get(term, {})
        for candidate in (lang, *(x for x in LANGUAGES if x != lang), "", *sorted(by_language)):
            if by_language.get(candidate):
                return by_language[candidate], candidate
        return self._unlabelled(term, lang), None

    def _unlabelled(self, term: str, lang: str) -> str:
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
        keys: list[Attribute] = []
        table: dict[str, dict[str, object]] = defaultdict(dict)
        for key in sorted(values):
            kind = _common_type(values[key].values())
            keys.append(Attribute(key, kind))
            for node_id, literals in values[key].items():
                table[node_id][key] = (
                    _typed(literals[0], kind)
                    if len(literals) == 1
                    else " | ".join(literal.value for literal in literals)
                )
        return keys, table


def _python_value(literal: ox.Literal):
    datatype = literal.datatype.value
    try:
        if datatype in INTEGER_DATATYPES:
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


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    """A node's id: its IRI, or `_:label` for a blank node."""
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _term_id(term) -> str | None:
    """The node id of an IRI or a blank node; None for a literal or a triple term."""
    return _node_id(term) if isinstance(term, (ox.NamedNode, ox.BlankNode)) else None


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
    schema_subjects = {
        _term_id(t.subject)
        for t in triples
        if (t.predicate.value == RDF_TYPE and not isinstance(t.object, ox.Triple) and t.object.value in SCHEMA_TYPES)
        or t.predicate.value in SCHEMA_PREDICATES
    }
    schema = {s for s in schema_subjects if s is not None}
    blank_objects: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if isinstance(t.object, ox.BlankNode) and (subject := _term_id(t.subject)) is not None:
            blank_objects[subject].append(_node_id(t.object))
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
            subject = _term_id(t.subject)
            if subject is not None:  # a triple term (in the vocabulary) has no superclasses here
                direct[subject].add(t.object.value)
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
    """Quads or triples -> distinct triples with blank nodes labelled from the graph alone (canonical.py),
    in no particular order (the projection sorts what it returns); RDF-star terms dropped."""
    return [
        q.triple
        for q in canonical_quads(
            ox.Quad(s.subject, s.predicate, s.object, ox.DefaultGraph())
            for s in statements
            if not isinstance(s.subject, ox.Triple) and not isinstance(s.object, ox.Triple)
        )
    ]


def project(
    statements: Iterable, *, schema: bool = False, classes: Iterable[str] = (), vocabulary: Iterable = ()
) -> Projection:
    """Project triples (or quads: graph names are merged) onto a network.

    `schema` keeps the T-box as nodes (with rdf:type edges to the classes it defines); `classes` (IRIs
    or compact IRIs) keeps only nodes of those classes or their subclasses, and the edges between them;
    `vocabulary` gives extra triples read only for labels and rdfs:subClassOf (from the whole graph, for
    a CONSTRUCT result).
    """
    triples = _canonical_triples(statements)
    vocabulary = list(vocabulary)
    labels = label_index([*triples, *vocabulary])
    superclasses = _superclasses([*triples, *vocabulary])
    tbox = set() if schema else _schema_terms(triples)
    nodes: dict[str, Node] = {}
    types: dict[str, set[str]] = defaultdict(set)
    edges: set[Edge] = set()
    type_edges: list[Edge] = []

    def node(term_id: str) -> Node:
        return nodes.setdefault(term_id, Node(term_id))

    for t in triples:
        if isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            continue  # _canonical_triples has dropped them
        subject, prop, obj = _node_id(t.subject), t.predicate.value, t.object
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
            target = _node_id(obj)
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
    return Projection(
        nodes=[kept[k] for k in sorted(kept)],
        edges=sorted(
            (e for e in edges if e.source in kept and e.target in kept), key=lambda e: (e.source, e.property, e.target)
        ),
        labels=labels,
        styles=styles,
    )


def _filter_by_class(
    nodes: dict[str, Node], superclasses: dict[str, set[str]], classes: Iterable[str]
) -> dict[str, Node]:
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


_LABEL_TRIPLES = (
    "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    + " } ?s ?p ?o FILTER(isLiteral(?o)) }"
)
_HIERARCHY_TRIPLES = (
    f"CONSTRUCT {{ ?s <{SUBCLASS_OF}> ?o }} WHERE {{ ?s <{SUBCLASS_OF}> ?o FILTER(isIRI(?s) && isIRI(?o)) }}"
)


def project_construct(triples: Iterable[ox.Triple], store, *, classes: Iterable[str] = ()) -> Projection:
    """A CONSTRUCT result as a network: every triple kept (the query chose them), labels from `store` too,
    and each node's class the most specific of its constructed types by the class hierarchy of `store`."""
    return project(
        triples,
        schema=True,
        classes=classes,
        vocabulary=[*store.query(_LABEL_TRIPLES), *store.query(_HIERARCHY_TRIPLES)],
    )


# --- layout -----------------------------------------------------------------------------------------


def circle_positions(projection: Projection) -> dict[str, tuple[float, float]]:
    """A starting layout for yEd, Gephi and Cytoscape: one circle, each class's nodes side by side."""
    order = sorted(projection.nodes, key=lambda n: (n.cls is None, n.cls or "", n.id))
    count = max(len(order), 1)
    radius = max(200.0, count * 60.0 / (2 * math.pi))
    return {
        n.id: (
            round(radius * math.cos(2 * math.pi * i / count), 1),
            round(radius * math.sin(2 * math.pi * i / count), 1),
        )
        for i, n in enumerate(order)
    }


# --- what every writer shows ------------------------------------------------------------------------


def node_columns(projection: Projection, lang: str) -> tuple[list[Attribute], dict[str, dict[str, object]]]:
    """Every node attribute: label, class, classLabel, types, then the literal properties."""
    keys, table = projection.attributes()
    fixed = [Attribute(name, "string") for name in ("label", "class", "classLabel", "types")]
    for n in projection.nodes:
        table[n.id] = {
            "label": projection.label(n.id, lang),
            "class": compact(n.cls) if n.cls else "",
            "classLabel": projection.label(n.cls, lang) if n.cls else "",
            "types": " ".join(compact(t) for t in n.types),
            **table.get(n.id, {}),
        }
    return fixed + keys, table


def edge_columns(projection: Projection, edge: Edge, lang: str) -> dict[str, str]:
    return {"label": projection.label(edge.property, lang), "property": compact(edge.property)}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown label language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    return lang
