"""The shapes graph read into typed shapes, paths and constraints, with its well-formedness checked.

Which nodes are shapes follows pySHACL (and the spec's definition, restricted to what can matter): the
SHACL instances of sh:NodeShape and sh:PropertyShape, the subjects of targets, sh:property and sh:node,
and every value of a shape-expecting parameter (sh:node, sh:property, sh:not, sh:qualifiedValueShape and
the members of sh:and, sh:or, sh:xone lists). A shape with sh:path is a property shape.

Each constraint is one (component, parameter values) pair; a parameter with several values makes one
constraint per value where the spec says so (sh:class, sh:minInclusive, sh:pattern, sh:node, ...). Shapes
that break a syntax rule of the spec raise ShapesError naming the shape and the rule, so a mistake in the
shapes is reported instead of silently validating less.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import ShapesError
from ..values import INTEGER_DATATYPES

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = RDF + "type"
RDF_NIL = ox.NamedNode(RDF + "nil")
VIOLATION = ox.NamedNode(SH + "Violation")
NODE_KINDS = {SH + k for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral")}
INTEGER_TYPES = INTEGER_DATATYPES  # the XSD integer types, from values.py
TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
# SHACL Advanced Features and JavaScript extensions this engine does not run: shapes using them are refused
# (with a pointer to --engine pyshacl) rather than validated as if the feature were absent.
UNSUPPORTED = {
    SH + name: name
    for name in (
        "target",
        "rule",
        "expression",
        "js",
        "jsFunctionName",
        "condition",
        "values",
        "SPARQLTarget",
        "JSTarget",
        "SPARQLRule",
        "TripleRule",
        "JSConstraint",
        "SPARQLFunction",
        "JSFunction",
        "targetValidator",
    )
}
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class ShapesGraph:
    """The triples of the shapes graph (all its graphs merged), indexed both ways."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._out: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
        self._objects: dict[tuple[Term, str], list[Term]] = defaultdict(list)
        self._in: dict[tuple[str, Term], list[Term]] = defaultdict(list)
        self._by_predicate: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        seen = set()
        for quad in store:
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            if (subject, predicate, obj) in seen:  # the same triple in several graphs
                continue
            seen.add((subject, predicate, obj))
            self._out[subject].append((predicate, obj))
            self._objects[(subject, predicate)].append(obj)
            self._in[(predicate, obj)].append(subject)
            self._by_predicate[predicate].append((subject, obj))

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return list(self._objects.get((subject, predicate), ()))

    def subjects(self, predicate: str, obj: Term) -> list[Term]:
        return list(self._in.get((predicate, obj), ()))

    def pairs(self, subject: Term) -> list[tuple[str, Term]]:
        return list(self._out.get(subject, ()))

    def subjects_with(self, predicate: str) -> list[Term]:
        return sorted({s for s, _ in self._by_predicate.get(predicate, ())}, key=str)

    def objects_of(self, predicate: str) -> list[Term]:
        return sorted({o for _, o in self._by_predicate.get(predicate, ())}, key=str)

    def one(self, subject: Term, predicate: str, shape: Term | None = None) -> Term | None:
        """The single value of `predicate`, None if absent; ShapesError if there are several."""
        values = self.objects(subject, predicate)
        if len(values) > 1:
            raise ShapesError(
                f"{describe(shape if shape is not None else subject, self)}: {compact(predicate)} "
                f"takes one value, found {len(values)}"
            )
        return values[0] if values else None

    def items(self, head: Term, owner: Term, predicate: str) -> list[Term]:
        """The members of a well-formed RDF list (SHACL syntax rule: a SHACL list)."""
        members, seen = [], set()
        while head != RDF_NIL:
            if (not isinstance(head, ox.BlankNode) and not isinstance(head, ox.NamedNode)) or head in seen:
                raise ShapesError(
                    f"{describe(owner, self)}: the value of {compact(predicate)} is not a well-formed RDF list"
                )
            seen.add(head)
            first, rest = self.objects(head, RDF + "first"), self.objects(head, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise ShapesError(
                    f"{describe(owner, self)}: the value of {compact(predicate)} is not a well-formed RDF list"
                )
            members.append(first[0])
            head = rest[0]
        return members

    def is_instance(self, node: Term, cls: str) -> bool:
        """rdf:type cls, or a type that is a subclass of cls in the shapes graph."""
        target = ox.NamedNode(cls)
        pending, seen = list(self.objects(node, RDF_TYPE)), set()
        while pending:
            current = pending.pop()
            if current == target:
                return True
            if current not in seen:
                seen.add(current)
                pending += self.objects(current, RDFS + "subClassOf")
        return False


def compact(iri: str) -> str:
    return "sh:" + iri[len(SH) :] if iri.startswith(SH) else f"<{iri}>"


def describe(node: Term, graph: ShapesGraph | None = None, depth: int = 0) -> str:
    """A shapes-graph node in an error message. A blank node is named by where it hangs, e.g.
    `shape micsh:X's sh:property [sh:path mic:y]`: its own label means nothing to the shapes' author."""
    from .. import namespaces

    def name(iri: ox.NamedNode) -> str:
        short = namespaces.compact(iri.value)
        return short if short != iri.value else str(iri)

    if isinstance(node, ox.NamedNode):
        return f"shape {name(node)}"
    if not isinstance(node, ox.BlankNode):
        return str(node)
    if graph is None or depth > 4:
        return "a blank-node shape"
    paths = [p for p in graph.objects(node, SH + "path") if isinstance(p, ox.NamedNode)]
    inside = f" [sh:path {name(paths[0])}]" if paths else ""
    member = ""
    holders = _holders(graph, node)
    if holders and holders[0][0] == RDF + "first":  # a member of a list (sh:or, sh:and, ...): name the list
        head, seen = holders[0][1], set()
        while (rest := graph.subjects(RDF + "rest", head)) and head not in seen:
            seen.add(head)
            head = rest[0]
        holders, member = _holders(graph, head), " member"
    if not holders:
        return f"a blank-node shape{inside}"
    predicate, holder = holders[0]
    return f"{describe(holder, graph, depth + 1)}'s {name(ox.NamedNode(predicate))}{member}{inside}"


def _holders(graph: ShapesGraph, node: Term) -> list[tuple[str, Term]]:
    """(predicate, subject) of the triples whose object is `node`, SHACL's predicates first."""
    return sorted(
        ((p, s) for (p, o), subjects in graph._in.items() if o == node for s in subjects),
        key=lambda pair: (not pair[0].startswith(SH), pair[0], str(pair[1])),
    )


# --- paths ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Path:
    """A SHACL property path; `node` is the path's own node in the shapes graph (the IRI of a predicate path)."""

    kind: str  # predicate, inverse, sequence, alternative, zeroOrMore, oneOrMore, zeroOrOne
    node: ox.NamedNode | ox.BlankNode
    members: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path as a SPARQL property path (IRIs serialised by pyoxigraph)."""
        if self.kind == "predicate":
            return str(self.node)
        inner = [m.sparql() for m in self.members]
        if self.kind == "inverse":
            return f"^({inner[0]})"
        if self.kind == "sequence":
            return "(" + "/".join(inner) + ")"
        if self.kind == "alternative":
            return "(" + "|".join(inner) + ")"
        return f"({inner[0]}){ {'zeroOrMore': '*', 'oneOrMore': '+', 'zeroOrOne': '?'}[self.kind] }"

    def walk(self, subject: str, obj: str, fresh) -> str:
        """A graph pattern joining `subject` to `obj` along the path. Sequences become chains of triple
        patterns through fresh variables (`fresh()` names one): Oxigraph plans those from the bound end
        inside EXISTS, where it would evaluate a sequence property path over the whole graph."""
        if self.kind == "predicate":
            return f"{subject} {self.node} {obj} ."
        if self.kind == "inverse":
            return self.members[0].walk(obj, subject, fresh)
        if self.kind == "sequence":
            ends = [subject, *(fresh() for _ in self.members[1:]), obj]
            return " ".join(m.walk(a, b, fresh) for m, a, b in zip(self.members, ends, ends[1:]))
        return f"{subject} {self.sparql()} {obj} ."

    @property
    def one_route(self) -> bool:
        """True if no (subject, object) pair is reached twice: a predicate or its inverse, one triple each."""
        return self.kind == "predicate" or (self.kind == "inverse" and self.members[0].kind == "predicate")

    @property
    def predicate(self) -> ox.NamedNode | None:
        return self.node if self.kind == "predicate" else None  # type: ignore[return-value]


_REPETITIONS = ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")


def read_path(graph: ShapesGraph, node: Term, shape: Term, depth: int = 0) -> Path:
    """SHACL syntax rules for property paths: an IRI, a list of at least two paths (sequence), or a blank
    node with exactly one of sh:alternativePath (a list of at least two), inversePath or a repetition."""
    where = f"{describe(shape, graph)}: sh:path"
    if depth > 64:
        raise ShapesError(f"{where} is nested too deeply (or is recursive)")
    if isinstance(node, ox.NamedNode) and node != RDF_NIL:
        return Path("predicate", node)
    if not isinstance(node, ox.BlankNode):
        raise ShapesError(f"{where} must be an IRI or a blank node, not {node}")
    if graph.objects(node, RDF + "first"):
        members = graph.items(node, shape, SH + "path")
        if len(members) < 2:
            raise ShapesError(f"{where}: a sequence path needs at least two members")
        return Path("sequence", node, tuple(read_path(graph, m, shape, depth + 1) for m in members))
    kinds = [(p, o) for p, o in graph.pairs(node) if p in (SH + "alternativePath", *(SH + k for k in _REPETITIONS))]
    if len(kinds) != 1:
        raise ShapesError(
            f"{where}: a blank-node path needs exactly one of sh:alternativePath, sh:inversePath, "
            "sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath"
        )
    predicate, value = kinds[0]
    if predicate == SH + "alternativePath":
        members = graph.items(value, shape, predicate)
        if len(members) < 2:
            raise ShapesError(f"{where}: sh:alternativePath needs a list of at least two paths")
        return Path("alternative", node, tuple(read_path(graph, m, shape, depth + 1) for m in members))
    kind = predicate[len(SH) :].removesuffix("Path")
    return Path(kind, node, (read_path(graph, value, shape, depth + 1),))


# --- shapes and constraints -------------------------------------------------------------------------


@dataclass(eq=False)
class Constraint:
    """One constraint: its component (an IRI) and the parameter values it was declared with."""

    component: str
    params: dict[str, Any]
    source: Term | None = None  # sh:sourceConstraint: the SPARQL constraint node


@dataclass(eq=False)
class Shape:
    node: ox.NamedNode | ox.BlankNode
    path: Path | None = None
    deactivated: bool = False
    severity: ox.NamedNode = VIOLATION
    messages: list[ox.Literal] = field(default_factory=list)
    target_classes: list[ox.NamedNode] = field(default_factory=list)
    target_nodes: list[Term] = field(default_factory=list)
    target_subjects_of: list[ox.NamedNode] = field(default_factory=list)
    target_objects_of: list[ox.NamedNode] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        return self.path is not None

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


# Shape-expecting parameters whose single value is a shape, and the list-taking ones.
SHAPE_VALUED = ("node", "property", "not", "qualifiedValueShape")
SHAPE_LISTS = ("and", "or", "xone")


class ShapesReader:
    """Reads every shape once; `shape(node)` gives the Shape object for a node (shared, so cycles terminate).

    `extra_readers` read the constraints this module does not know (SHACL-SPARQL's, in sparql_based.py,
    which builds on this module: passing them in keeps the dependency one way)."""

    def __init__(self, graph: ShapesGraph, extra_readers: Sequence[Callable[[ShapesReader, Shape], list]] = ()) -> None:
        self.graph = graph
        self.extra_readers = tuple(extra_readers)
        self.shapes: dict[Term, Shape] = {}
        self._components = None

    def where(self, node: Term) -> str:
        return describe(node, self.graph)

    def read_all(self) -> list[Shape]:
        g = self.graph
        for iri in UNSUPPORTED:
            if g.subjects_with(iri) or g.subjects(RDF_TYPE, ox.NamedNode(iri)):
                raise ShapesError(
                    f"the shapes use {compact(iri)} (SHACL Advanced Features), which the oxigraph "
                    "engine does not run; validate with --engine pyshacl"
                )
        candidates: set[Term] = set()
        for cls in ("NodeShape", "PropertyShape"):
            candidates.update(g.subjects(RDF_TYPE, ox.NamedNode(SH + cls)))
        for name in (*TARGETS, "property", "node"):
            candidates.update(g.subjects_with(SH + name))
        for name in SHAPE_VALUED:
            candidates.update(g.objects_of(SH + name))
        for name in SHAPE_LISTS:
            for subject in g.subjects_with(SH + name):
                for head in g.objects(subject, SH + name):
                    candidates.update(g.items(head, subject, SH + name))
        return [self.shape(node) for node in sorted(candidates, key=str)]

    def shape(self, node: Term) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        g = self.graph
        if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
            raise ShapesError(f"a shape must be an IRI or a blank node, not the literal {node}")
        paths = g.objects(node, SH + "path")
        is_node_shape = g.is_instance(node, SH + "NodeShape")
        if paths and is_node_shape:
            raise ShapesError(f"{self.where(node)}: a sh:NodeShape cannot have sh:path")
        if len(paths) > 1:
            raise ShapesError(f"{self.where(node)}: a property shape has exactly one sh:path, found {len(paths)}")
        if not paths and g.is_instance(node, SH + "PropertyShape"):
            raise ShapesError(f"{self.where(node)}: a sh:PropertyShape needs a sh:path")
        shape = Shape(node)
        self.shapes[node] = shape  # before reading the constraints: shapes may refer to each other
        shape.path = read_path(g, paths[0], node) if paths else None
        deactivated = g.one(node, SH + "deactivated")
        if deactivated is not None:
            shape.deactivated = _boolean(deactivated, self.where(node), "sh:deactivated")
        severity = g.one(node, SH + "severity")
        if severity is not None:
            if not isinstance(severity, ox.NamedNode):
                raise ShapesError(f"{self.where(node)}: sh:severity must be an IRI")
            shape.severity = severity
        shape.messages = [_message(m, self.where(node)) for m in g.objects(node, SH + "message")]
        self._read_targets(shape)
        self._read_constraints(shape)
        return shape

    def _read_targets(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        for name, attribute in zip(
            TARGETS, ("target_classes", "target_nodes", "target_subjects_of", "target_objects_of")
        ):
            values = g.objects(node, SH + name)
            if name != "targetNode" and any(not isinstance(v, ox.NamedNode) for v in values):
                raise ShapesError(f"{self.where(node)}: the values of sh:{name} must be IRIs")
            getattr(shape, attribute).extend(sorted(values, key=str))
        # Implicit class target: a shape that is also a SHACL instance of rdfs:Class in the shapes graph.
        if isinstance(node, ox.NamedNode) and g.is_instance(node, RDFS + "Class") and node not in shape.target_classes:
            shape.target_classes.append(node)

    def _read_constraints(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        out = shape.constraints

        def add(component: str, **params) -> None:
            out.append(Constraint(SH + component + "ConstraintComponent", params))

        for cls in g.objects(node, SH + "class"):
            if not isinstance(cls, ox.NamedNode):
                raise ShapesError(f"{self.where(node)}: sh:class must be an IRI")
            add("Class", cls=cls)
        datatype = g.one(node, SH + "datatype", node)
        if datatype is not None:
            if not isinstance(datatype, ox.NamedNode):
                raise ShapesError(f"{self.where(node)}: sh:datatype must be an IRI")
            add("Datatype", datatype=datatype)
        kind = g.one(node, SH + "nodeKind", node)
        if kind is not None:
            if kind.value not in NODE_KINDS or not isinstance(kind, ox.NamedNode):
                raise ShapesError(
                    f"{self.where(node)}: sh:nodeKind must be one of sh:IRI, sh:BlankNode, sh:Literal, "
                    "sh:BlankNodeOrIRI, sh:BlankNodeOrLiteral, sh:IRIOrLiteral"
                )
            add("NodeKind", kind=kind.value[len(SH) :])
        for name in ("minCount", "maxCount"):
            value = g.one(node, SH + name, node)
            if value is not None:
                if not shape.is_property:
                    raise ShapesError(f"{self.where(node)}: sh:{name} is only allowed on property shapes")
                add(name[0].upper() + name[1:], count=_count(value, self.where(node), name))
        for name in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive"):
            for value in g.objects(node, SH + name):
                if not isinstance(value, ox.Literal):
                    raise ShapesError(f"{self.where(node)}: sh:{name} must be a literal")
                add(name[0].upper() + name[1:], bound=value)
        for name in ("minLength", "maxLength"):
            value = g.one(node, SH + name, node)
            if value is not None:
                add(name[0].upper() + name[1:], length=_count(value, self.where(node), name))
        flags = g.one(node, SH + "flags", node)
        if flags is not None and (not isinstance(flags, ox.Literal) or flags.datatype.value != XSD + "string"):
            raise ShapesError(f"{self.where(node)}: sh:flags must be a string literal")
        for pattern in g.objects(node, SH + "pattern"):
            if not isinstance(pattern, ox.Literal) or pattern.datatype.value != XSD + "string":
                raise ShapesError(f"{self.where(node)}: sh:pattern must be a string literal")
            _check_regex(pattern.value, flags.value if flags is not None else "", self.where(node))
            add("Pattern", pattern=pattern.value, flags=flags.value if flags is not None else "")
        languages = g.one(node, SH + "languageIn", node)
        if languages is not None:
            tags = g.items(languages, node, SH + "languageIn")
            if any(not isinstance(t, ox.Literal) or t.datatype.value != XSD + "string" for t in tags):
                raise ShapesError(f"{self.where(node)}: the members of sh:languageIn must be string literals")
            add("LanguageIn", languages=[t.value for t in tags], list=languages)
        unique = g.one(node, SH + "uniqueLang", node)
        if unique is not None:
            if not shape.is_property:
                raise ShapesError(f"{self.where(node)}: sh:uniqueLang is only allowed on property shapes")
            if _boolean(unique, self.where(node), "sh:uniqueLang"):
                add("UniqueLang")
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for predicate in g.objects(node, SH + name):
                if not isinstance(predicate, ox.NamedNode):
                    raise ShapesError(f"{self.where(node)}: sh:{name} must be an IRI")
                if name.startswith("less") and not shape.is_property:
                    raise ShapesError(f"{self.where(node)}: sh:{name} is only allowed on property shapes")
                add(name[0].upper() + name[1:], predicate=predicate)
        for value in g.objects(node, SH + "not"):
            add("Not", shape=self.shape(value))
        for name in SHAPE_LISTS:
            for head in g.objects(node, SH + name):
                members = [self.shape(m) for m in g.items(head, node, SH + name)]
                add(name[0].upper() + name[1:], shapes=members, list=head)
        for value in g.objects(node, SH + "node"):
            add("Node", shape=self.shape(value))
        for value in g.objects(node, SH + "property"):
            nested = self.shape(value)
            if nested.path is None and not self.graph.is_instance(value, SH + "PropertyShape"):
                raise ShapesError(
                    f"{self.where(node)}: the value of sh:property must be a property shape (with sh:path)"
                )
            add("Property", shape=nested)
        self._read_qualified(shape)
        closed = g.one(node, SH + "closed", node)
        ignored = g.one(node, SH + "ignoredProperties", node)
        if closed is not None and _boolean(closed, self.where(node), "sh:closed"):
            allowed = [m for m in (g.items(ignored, node, SH + "ignoredProperties") if ignored is not None else [])]
            if any(not isinstance(m, ox.NamedNode) for m in allowed):
                raise ShapesError(f"{self.where(node)}: the members of sh:ignoredProperties must be IRIs")
            for value in g.objects(node, SH + "property"):
                path = self.shape(value).path
                if path is not None and path.predicate is not None:
                    allowed.append(path.predicate)
            add("Closed", allowed=allowed)
        for value in g.objects(node, SH + "hasValue"):
            add("HasValue", value=value)
        listed = g.one(node, SH + "in", node)
        if listed is not None:
            add("In", values=g.items(listed, node, SH + "in"), list=listed)
        for read in self.extra_readers:
            out.extend(read(self, shape))

    def _read_qualified(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        qualified = g.objects(node, SH + "qualifiedValueShape")
        counts = {name: g.one(node, SH + name, node) for name in ("qualifiedMinCount", "qualifiedMaxCount")}
        if not qualified:
            return
        if not shape.is_property:
            raise ShapesError(f"{self.where(node)}: sh:qualifiedValueShape is only allowed on property shapes")
        if counts["qualifiedMinCount"] is None and counts["qualifiedMaxCount"] is None:
            raise ShapesError(
                f"{self.where(node)}: sh:qualifiedValueShape needs sh:qualifiedMinCount or sh:qualifiedMaxCount"
            )
        disjoint_value = g.one(node, SH + "qualifiedValueShapesDisjoint", node)
        disjoint = disjoint_value is not None and _boolean(
            disjoint_value, self.where(node), "sh:qualifiedValueShapesDisjoint"
        )
        for value in qualified:
            siblings: list[Shape] = []
            if disjoint:  # the qualified value shapes of the other property shapes of this shape's parents
                for parent in g.subjects(SH + "property", node):
                    for sibling in g.objects(parent, SH + "property"):
                        siblings += [
                            self.shape(q)
                            for q in g.objects(sibling, SH + "qualifiedValueShape")
                            if q != value and self.shape(q) not in siblings
                        ]
            for name, count in counts.items():
                if count is not None:
                    shape.constraints.append(
                        Constraint(
                            SH + name[0].upper() + name[1:] + "ConstraintComponent",
                            {
                                "shape": self.shape(value),
                                "count": _count(count, self.where(node), name),
                                "siblings": siblings,
                            },
                        )
                    )


def _count(value: Term, where: str, name: str) -> int:
    if not isinstance(value, ox.Literal) or value.datatype.value not in INTEGER_TYPES:
        raise ShapesError(f"{where}: sh:{name} must be an integer literal, not {value}")
    try:
        number = int(value.value)
    except ValueError:
        raise ShapesError(f"{where}: sh:{name} must be an integer literal, not {value}") from None
    if number < 0:
        raise ShapesError(f"{where}: sh:{name} must be at least 0, not {number}")
    return number


def _boolean(value: Term, where: str, name: str) -> bool:
    if (
        not isinstance(value, ox.Literal)
        or value.datatype.value != XSD + "boolean"
        or value.value not in ("true", "false")
    ):
        raise ShapesError(f"{where}: {name} must be true or false (xsd:boolean), not {value}")
    return value.value == "true"


def _message(value: Term, where: str) -> ox.Literal:
    if not isinstance(value, ox.Literal) or value.datatype.value not in (XSD + "string", RDF + "langString"):
        raise ShapesError(f"{where}: sh:message must be a string literal, not {value}")
    return value


def _check_regex(pattern: str, flags: str, where: str) -> None:
    """Refuse a pattern or flags Oxigraph's REGEX cannot read here, rather than let every value fail it."""
    query = f'ASK {{ BIND(REGEX("", {ox.Literal(pattern)}, {ox.Literal(flags)}) AS ?ok) FILTER(!BOUND(?ok)) }}'
    if bool(ox.Store().query(query)):
        raise ShapesError(f"{where}: sh:pattern {pattern!r} with sh:flags {flags!r} is not a valid regular expression")
