"""The validation report: as quads in the SHACL vocabulary, and as rows of display strings.

The quads are the report graph the spec describes (sh:ValidationReport, sh:conforms, one
sh:ValidationResult per violation with sh:focusNode, sh:resultPath, sh:value, sh:sourceShape,
sh:sourceConstraintComponent, sh:sourceConstraint, sh:resultSeverity, sh:resultMessage). Blank nodes of
the shapes graph that a result names (a blank-node shape, a path) are copied into the report with
their descriptions, so the report stands alone; blank labels are numbered, so the same validation
writes the same report.

The rows hold what validation.ValidationResult shows for people, written exactly as validation.py
writes pySHACL's report (compact IRIs, paths as SPARQL property paths, blank property shapes named by
the shape holding them), so both engines' results compare equal.
"""

from __future__ import annotations

import pyoxigraph as ox

from .. import namespaces
from .engine import Violation
from .shapes import RDF, SH, Path, ShapesGraph, Term

_SH = {
    name: ox.NamedNode(SH + name)
    for name in (
        "ValidationReport",
        "ValidationResult",
        "conforms",
        "result",
        "focusNode",
        "resultPath",
        "value",
        "sourceShape",
        "sourceConstraintComponent",
        "sourceConstraint",
        "resultSeverity",
        "resultMessage",
        "property",
        "path",
        "detail",
    )
}
_TYPE = ox.NamedNode(RDF + "type")


def show(value: Term | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return namespaces.compact(value.value)
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    return value.value


def show_path(path: Path | ox.NamedNode) -> str:
    """A SHACL path as validation._path writes it."""
    if isinstance(path, ox.NamedNode):
        return namespaces.compact(path.value)
    if path.kind == "predicate":
        return namespaces.compact(path.node.value)
    inner = [show_path(m) for m in path.members]
    if path.kind == "sequence":
        return "/".join(inner)
    if path.kind == "alternative":
        return "(" + "|".join(inner) + ")"
    return {"inverse": "^{}", "zeroOrMore": "({})*", "oneOrMore": "({})+", "zeroOrOne": "({})?"}[path.kind].format(
        inner[0]
    )


def shape_name(graph: ShapesGraph, node: Term, shapes: dict, depth: int = 0) -> str:
    """A shape for people; a blank property shape is named by the shape that holds it and its path."""
    if isinstance(node, ox.NamedNode):
        return namespaces.compact(node.value)
    parents = sorted(graph.subjects(SH + "property", node), key=str)
    shape = shapes.get(node)
    if not parents or shape is None or shape.path is None or depth > 16:
        return "a blank-node shape"
    return f"{shape_name(graph, parents[0], shapes, depth + 1)} / {show_path(shape.path)}"


def default_message(v: Violation) -> str:
    """A message for a constraint without sh:message (pySHACL's wording where it has one)."""
    name = v.component[len(SH) : -len("ConstraintComponent")] if v.component.startswith(SH) else None
    p = v.constraint.params
    focus, value = show(v.focus), show(v.value)
    on = f"{focus}->{show_path(v.shape.path)}" if v.shape.path is not None else focus
    messages = {
        "Class": lambda: f"Value does not have class {show(p['cls'])}",
        "Datatype": lambda: f"Value is not Literal with datatype {show(p['datatype'])}",
        "NodeKind": lambda: f"Value is not of Node Kind sh:{p['kind']}",
        "MinCount": lambda: f"Less than {p['count']} values on {on}",
        "MaxCount": lambda: f"More than {p['count']} values on {on}",
        "MinExclusive": lambda: f"Value is not > {show(p['bound'])}",
        "MinInclusive": lambda: f"Value is not >= {show(p['bound'])}",
        "MaxExclusive": lambda: f"Value is not < {show(p['bound'])}",
        "MaxInclusive": lambda: f"Value is not <= {show(p['bound'])}",
        "MinLength": lambda: f"String length not >= {p['length']}",
        "MaxLength": lambda: f"String length not <= {p['length']}",
        "Pattern": lambda: f"Value does not match pattern '{p['pattern']}'",
        "LanguageIn": lambda: f"String language is not in {p['languages']}",
        "UniqueLang": lambda: "More than one String shares the same Language",
        "Equals": lambda: f"Value of {focus}->{show(p['predicate'])} != {value}",
        "Disjoint": lambda: f"Value of {focus}->{show(p['predicate'])} == {value}",
        "LessThan": lambda: f"Value of {focus}->{show(p['predicate'])} <= {value}",
        "LessThanOrEquals": lambda: f"Value of {focus}->{show(p['predicate'])} < {value}",
        "Not": lambda: f"Node {value} must not conform to shape {_shapes([p['shape']])}",
        "And": lambda: f"Node {value} must conform to all shapes in {_shapes(p['shapes'])}",
        "Or": lambda: f"Node {value} must conform to one or more shapes in {_shapes(p['shapes'])}",
        "Xone": lambda: f"Node {value} must conform to exactly one shape in {_shapes(p['shapes'])}",
        "Node": lambda: f"Value does not conform to Shape {_shapes([p['shape']])}. See details for more information.",
        "QualifiedMinCount": lambda: (
            f"Focus node does not conform to shape MinCount {p['count']}: {_shapes([p['shape']])}"
        ),
        "QualifiedMaxCount": lambda: (
            f"Focus node does not conform to shape MaxCount {p['count']}: {_shapes([p['shape']])}"
        ),
        "Closed": lambda: f"Node {focus} is closed. It cannot have value: {value}",
        "HasValue": lambda: f"Node {on} does not contain a value in the set: {[show(p['value'])]}",
        "In": lambda: f"Value {value} not in list {[show(m) for m in p['values']]}",
    }
    if name in messages:
        return messages[name]()
    if "ask" in p:  # a SPARQL-based constraint component without a message of its own
        return "Parameterised SHACL Query generated constraint validation reports."
    return ""


def _shapes(shapes: list) -> str:
    return " , ".join(
        namespaces.compact(s.node.value) if isinstance(s.node, ox.NamedNode) else "[a blank-node shape]" for s in shapes
    )


def flatten(violations: list[Violation]) -> list[Violation]:
    """The violations and, after each, its sh:detail results (as micgraph lists pySHACL's report)."""
    out = []
    for v in violations:
        out.append(v)
        out += flatten(v.details)
    return out


def rows(violations: list[Violation], graph: ShapesGraph, shapes: dict) -> list[dict]:
    """One dict of display strings per violation (validation.ValidationResult's fields)."""
    out = []
    for v in violations:
        messages = [m.value for m in v.messages] or [default_message(v)]
        out.append(
            {
                "focus_node": show(v.focus) or "",
                "path": show_path(v.path) if v.path is not None else None,
                "value": show(v.value),
                "message": " ".join(sorted(m for m in messages if m)),
                "severity": v.shape.severity.value.removeprefix(SH),
                "source_shape": shape_name(graph, v.shape.node, shapes),
                "constraint": namespaces.compact(v.component).removeprefix("sh:"),
            }
        )
    return out


def quads(conforms: bool, violations: list[Violation], graph: ShapesGraph) -> list[ox.Quad]:
    """The report graph (in the default graph), in the standard SHACL vocabulary."""
    triples: list[tuple] = []
    copies: dict[Term, ox.BlankNode] = {}

    def copy(node: Term) -> Term:
        """A shapes-graph node for the report: blank nodes copied once, with what the shapes graph says of them."""
        if not isinstance(node, ox.BlankNode):
            return node
        if node not in copies:
            copies[node] = ox.BlankNode(f"s{len(copies)}")
            for predicate, obj in graph.pairs(node):
                triples.append((copies[node], ox.NamedNode(predicate), copy(obj)))
        return copies[node]

    paths: dict[Path, Term] = {}

    def write_path(path: Path | ox.NamedNode) -> Term:
        """A result path as SHACL writes paths, from what the engine read (not every triple of its node)."""
        if isinstance(path, ox.NamedNode):
            return path
        if path.kind == "predicate" or path in paths:
            return path.node if path.kind == "predicate" else paths[path]
        members = [write_path(m) for m in path.members]
        if path.kind == "sequence":
            node = write_list(members)
        else:
            node = ox.BlankNode(f"p{len(paths)}")
            triples.append(
                (
                    node,
                    ox.NamedNode(SH + path.kind + "Path"),
                    write_list(members) if path.kind == "alternative" else members[0],
                )
            )
        paths[path] = node
        return node

    def write_list(members: list[Term]) -> Term:
        head: Term = ox.NamedNode(RDF + "nil")
        for member in reversed(members):
            cell = ox.BlankNode(f"l{len(triples)}")
            triples.extend([(cell, ox.NamedNode(RDF + "first"), member), (cell, ox.NamedNode(RDF + "rest"), head)])
            head = cell
        return head

    report = ox.BlankNode("report")
    triples += [(report, _TYPE, _SH["ValidationReport"]), (report, _SH["conforms"], ox.Literal(conforms))]
    numbered = iter(range(10**9))

    def write_result(v: Violation) -> ox.BlankNode:
        result = ox.BlankNode(f"r{next(numbered)}")
        triples.extend(
            [
                (result, _TYPE, _SH["ValidationResult"]),
                (result, _SH["focusNode"], v.focus),
                (result, _SH["resultSeverity"], v.shape.severity),
                (result, _SH["sourceConstraintComponent"], ox.NamedNode(v.component)),
                (result, _SH["sourceShape"], copy(v.shape.node)),
            ]
        )
        if v.path is not None:
            triples.append((result, _SH["resultPath"], write_path(v.path)))
        if v.value is not None:
            triples.append((result, _SH["value"], v.value))
        if v.constraint.source is not None:
            triples.append((result, _SH["sourceConstraint"], copy(v.constraint.source)))
        messages = v.messages or ([ox.Literal(default_message(v))] if default_message(v) else [])
        triples.extend((result, _SH["resultMessage"], m) for m in messages)
        triples.extend((result, _SH["detail"], write_result(d)) for d in v.details)
        return result

    for v in violations:
        triples.append((report, _SH["result"], write_result(v)))
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]
