"""SHACL constraints compiled to SPARQL that Oxigraph evaluates over all focus nodes at once.

Two forms of each constraint:

- a *condition*: a SPARQL expression, true exactly when a value node (or, for focus-level components
  such as sh:minCount, a focus node) violates the constraint. Conditions never raise an evaluation
  error (comparisons that cannot be made count as violations, as SHACL says), so they combine with
  `&&`, `||` and `!` safely. A shape's conformance is the conjunction of its constraints' negated
  conditions, so sh:node, sh:not, sh:and, sh:or, sh:xone and sh:qualifiedValueShape nest shapes inside
  one query as correlated EXISTS tests;
- a *report query* (engine.py): the focus nodes of a shape selected by a subquery (its targets, or the
  value nodes of the shape that holds it), joined with the path, filtered by the conditions; only the
  violations come back. All value-level constraints of one shape are evaluated by one query, each
  condition bound to its own flag.

Every IRI and literal that comes from the shapes graph is written into the query text by pyoxigraph's
own serialiser (`str(term)`), never spliced from raw text. Blank nodes of the shapes graph (e.g. in
sh:in) cannot occur in the data graph and never match.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from ..errors import ShapesError
from ..values import INTEGER_RANGES
from .shapes import INTEGER_TYPES, RDF, RDFS, SH, XSD, Constraint, Shape, Term, describe

TYPE_PATH = f"<{RDF}type>/<{RDFS}subClassOf>*"
FN = "urn:micgraph:shacl:function:"  # custom functions: nested SPARQL constraints, recursive shapes
MAX_NESTING = 100  # shapes inside shapes (sh:node, sh:or, ...): a deeper shapes graph is refused
MAX_INLINE = 100_000  # characters of one shape's conformance test, beyond which it is decided node by node

# Components whose condition is about one value node (with the focus node in scope); the others are
# about the focus node and all its values together.
VALUE_LEVEL = {
    SH + name + "ConstraintComponent"
    for name in (
        "Class",
        "Datatype",
        "NodeKind",
        "MinExclusive",
        "MinInclusive",
        "MaxExclusive",
        "MaxInclusive",
        "MinLength",
        "MaxLength",
        "Pattern",
        "LanguageIn",
        "In",
        "Not",
        "And",
        "Or",
        "Xone",
        "Node",
    )
}

# Datatypes Oxigraph reads into values: a well-formed literal is stored in canonical form, so it equals
# the cast of its own lexical form; an ill-typed one keeps its text and the cast fails.
_CASTABLE = {
    XSD + name
    for name in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "time",
        "dateTime",
        "duration",
        "yearMonthDuration",
        "dayTimeDuration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gDay",
        "gMonthDay",
    )
}
_LEXICAL = {  # lexical spaces of datatypes Oxigraph keeps as text
    XSD + "hexBinary": "^([0-9a-fA-F]{2})*$",
    XSD + "base64Binary": "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
}


def term(value: Term) -> str:
    """An IRI or literal as SPARQL text, serialised by pyoxigraph (N-Triples syntax is valid SPARQL)."""
    if not isinstance(value, (ox.NamedNode, ox.Literal)):
        raise TypeError(f"{value!r} cannot be written into a query")
    return str(value)


def string(text: str) -> str:
    return str(ox.Literal(text))


class Compiler:
    """Writes conditions and patterns; what must be decided node by node it asks the engine to turn into
    custom functions (recursive shapes, SPARQL inside nested shapes, large counts)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.numbers = itertools.count()  # next() is atomic: threads compile side by side
        self.too_large: set[Shape] = set()

    def var(self, hint: str = "v") -> str:
        return f"?_sh{hint}{next(self.numbers)}"

    def instance_of(self, node: str, cls: ox.NamedNode) -> str:
        """A pattern: `node` is a SHACL instance of `cls` (rdf:type one of its subclasses in the data graph,
        which the engine lists once per class: cheaper than following rdfs:subClassOf* for each node)."""
        classes = self.engine.subclasses(cls)
        if classes is None:
            return f"{node} {TYPE_PATH} {term(cls)}"
        if len(classes) == 1:
            return f"{node} <{RDF}type> {term(classes[0])}"
        t = self.var("t")
        return f"{node} <{RDF}type> {t} VALUES {t} {{ {' '.join(term(c) for c in classes)} }}"

    # --- value-level conditions -------------------------------------------------------------------

    def condition(self, c: Constraint, value: str, focus: str, shape: Shape, stack: tuple) -> str:
        """True when `value` violates the value-level constraint `c` (`focus` is its focus node)."""
        name = c.component[len(SH) : -len("ConstraintComponent")] if c.component.startswith(SH) else None
        p = c.params
        if name == "Class":
            return f"NOT EXISTS {{ {self.instance_of(value, p['cls'])} }}"
        if name == "Datatype":
            return f"!COALESCE({datatype_matches(value, p['datatype'])}, false)"
        if name == "NodeKind":
            tests = {"IRI": "isIRI", "BlankNode": "isBlank", "Literal": "isLiteral"}
            return "!(" + " || ".join(f"{tests[k]}({value})" for k in tests if k in p["kind"]) + ")"
        if name in ("MinExclusive", "MinInclusive", "MaxExclusive", "MaxInclusive"):
            bound = term(p["bound"])
            comparison = {
                "MinExclusive": f"{bound} < {value}",
                "MinInclusive": f"{bound} <= {value}",
                "MaxExclusive": f"{value} < {bound}",
                "MaxInclusive": f"{value} <= {bound}",
            }[name]
            return f"!COALESCE({comparison}, false)"
        if name in ("MinLength", "MaxLength"):
            op = "<" if name == "MinLength" else ">"
            return f"(isBlank({value}) || STRLEN(STR({value})) {op} {p['length']})"
        if name == "Pattern":
            return (
                f"(isBlank({value}) || !COALESCE(REGEX(STR({value}), {string(p['pattern'])}, "
                f"{string(p['flags'])}), false))"
            )
        if name == "LanguageIn":
            ranges = " || ".join(f"langMatches(LANG({value}), {string(r)})" for r in p["languages"])
            return f"!COALESCE(isLiteral({value}) && ({ranges or 'false'}), false)"
        if name == "In":
            members = [f"sameTerm({value}, {term(m)})" for m in p["values"] if not isinstance(m, ox.BlankNode)]
            return "!(" + (" || ".join(members) or "false") + ")"
        if name == "Node":
            return f"!{self.conforms(p['shape'], value, stack)}"
        if name == "Not":
            return self.conforms(p["shape"], value, stack)
        if name == "And":
            return (
                "!(" + " && ".join(self.conforms(s, value, stack) for s in p["shapes"]) + ")"
                if p["shapes"]
                else "false"
            )
        if name == "Or":
            return "!(" + (" || ".join(self.conforms(s, value, stack) for s in p["shapes"]) or "false") + ")"
        if name == "Xone":
            count = " + ".join(f"IF({self.conforms(s, value, stack)}, 1, 0)" for s in p["shapes"]) or "0"
            return f"({count}) != 1"
        if p.get("ask"):  # a SPARQL-based component with an ASK validator: the value is valid if ASK is true
            return self.engine.ask_condition(c, shape, focus, value)
        raise AssertionError(f"not a value-level component: {c.component}")

    # --- focus-level conditions -------------------------------------------------------------------

    def focus_condition(self, c: Constraint, focus: str, shape: Shape, stack: tuple) -> str:
        """True when the focus node `focus` violates the focus-level constraint `c` of `shape`."""
        name = c.component[len(SH) : -len("ConstraintComponent")] if c.component.startswith(SH) else None
        p = c.params
        path = shape.path
        if name == "MinCount":
            return "!" + self._at_least(focus, path, p["count"], "")
        if name == "MaxCount":
            return self._at_least(focus, path, p["count"] + 1, "")
        if name in ("QualifiedMinCount", "QualifiedMaxCount"):

            def qualifies(v):
                return self.qualifies(p, v, stack)

            if name == "QualifiedMinCount":
                return "!" + self._at_least(focus, path, p["count"], qualifies)
            return self._at_least(focus, path, p["count"] + 1, qualifies)
        if name == "Property":
            return "!" + self.conforms(p["shape"], focus, stack)
        return f"EXISTS {{ {self.violations(c, focus, shape, stack)} }}"

    def qualifies(self, p: dict, value: str, stack: tuple) -> str:
        """A value counted by sh:qualifiedMin/MaxCount: conforms to the shape and to none of its siblings."""
        tests = [self.conforms(p["shape"], value, stack)] + [
            f"!{self.conforms(s, value, stack)}" for s in p["siblings"]
        ]
        return " && ".join(tests)

    def _at_least(self, focus: str, path, n: int, condition=None) -> str:
        """An expression: `focus` has at least n distinct values along `path` (for which `condition(var)`
        holds). Up to three values as a join of distinct values; more are counted node by node by a
        custom function (a count inside EXISTS would be recomputed over the whole graph each time)."""
        if n <= 0:
            return "true"
        if n <= 3:
            names = [self.var() for _ in range(n)]
            patterns = " ".join(path.walk(focus, v, self.var) for v in names)
            tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
            tests += [condition(v) for v in names] if condition else []
            return f"EXISTS {{ {patterns} {'FILTER(' + ' && '.join(tests) + ')' if tests else ''} }}"
        v = self.var()
        where = path.walk("?x", v, self.var) + (f" FILTER({condition(v)})" if condition else "")
        return f"({self.engine.count_function(where, v)}({focus}) >= {n})"

    def violations(
        self,
        c: Constraint,
        focus: str,
        shape: Shape,
        stack: tuple,
        value: str | None = None,
        extra: str | None = None,
        prefix: str = "",
    ) -> str:
        """A group pattern whose solutions are the violations of a focus-level constraint for the bound
        `focus`, binding `value` (and `extra`: the predicate for sh:closed, the other value for sh:lessThan).
        `prefix` is a pattern binding `focus`, repeated in each UNION branch (branches do not see it)."""
        name = c.component[len(SH) : -len("ConstraintComponent")]
        p = c.params
        path = shape.path
        value = value or self.var()

        def walk(subject: str, obj: str) -> str:
            assert path is not None  # only property shapes walk a path
            return path.walk(subject, obj, self.var)

        if name == "UniqueLang":
            other = self.var()
            return (
                f"{walk(focus, value)} {walk(focus, other)} "
                f'FILTER(isLiteral({value}) && LANG({value}) != "" && !sameTerm({value}, {other}) '
                f"&& LCASE(LANG({value})) = LCASE(LANG({other})))"
            )
        if name == "HasValue":
            wanted = p["value"]
            if isinstance(wanted, ox.BlankNode):
                return "FILTER(true)"  # a blank node of the shapes graph is never a value in the data
            if path is None:
                return f"FILTER(!sameTerm({focus}, {term(wanted)}))"
            return f"FILTER NOT EXISTS {{ {walk(focus, term(wanted))} }}"
        if name in ("Equals", "Disjoint", "LessThan", "LessThanOrEquals"):
            other = term(p["predicate"])
            values = walk(focus, value) if path else f"BIND(COALESCE({focus}) AS {value})"
            if name == "Equals":  # the second anti-join as OPTIONAL: Oxigraph evaluates it from the bound focus
                w = self.var()
                missing = (
                    f"OPTIONAL {{ {walk(focus, w)} FILTER(sameTerm({w}, {value})) }} FILTER(!BOUND({w}))"
                    if path
                    else f"FILTER(!sameTerm({value}, {focus}))"
                )
                return (
                    f"{{ {prefix} {values} FILTER NOT EXISTS {{ {focus} {other} {value} }} }} UNION "
                    f"{{ {prefix} {focus} {other} {value} {missing} }}"
                )
            if name == "Disjoint":
                return f"{values} {focus} {other} {value}"
            compare = "<" if name == "LessThan" else "<="
            against = extra or self.var()
            return f"{values} {focus} {other} {against} FILTER(!COALESCE({value} {compare} {against}, false))"
        if name == "Closed":
            predicate, subject = extra or self.var(), self.var() if path else focus
            values = walk(focus, subject) if path else ""
            allowed = ", ".join(term(a) for a in p["allowed"])
            return f"{values} {subject} {predicate} {value} " + (
                f"FILTER({predicate} NOT IN ({allowed}))" if allowed else ""
            )
        if "check" in p:  # a SPARQL constraint or SELECT validator inside a nested shape
            return f"FILTER({self.engine.check_function(c, shape)}({focus}))"
        raise AssertionError(f"not a focus-level component: {c.component}")

    # --- conformance of a nested shape --------------------------------------------------------------

    def conforms(self, shape: Shape, node: str, stack: tuple = (), inline: bool = True) -> str:
        """An expression: `node` conforms to `shape` (validated with `node` as its focus node). Written out
        in full, unless the shape is recursive or its conditions too large (shapes that use a shape twice
        at each of many levels would double the text at each): then decided node by node (engine.py)."""
        if shape.deactivated:
            return "true"
        if inline and (shape in stack or shape in self.too_large):
            return f"{self.engine.conforms_function(shape)}({node})"
        if len(stack) > MAX_NESTING:
            raise ShapesError(f"{describe(shape.node, self.engine.graph)}: shapes nested more than {MAX_NESTING} deep")
        stack = (*stack, shape)
        tests = []
        value_level = [c for c in shape.constraints if c.component in VALUE_LEVEL or c.params.get("ask")]
        if value_level:
            if shape.path is None:
                tests += [f"!({self.condition(c, node, node, shape, stack)})" for c in value_level]
            else:
                v = self.var()
                conditions = " || ".join(self.condition(c, v, node, shape, stack) for c in value_level)
                tests.append(f"NOT EXISTS {{ {shape.path.walk(node, v, self.var)} FILTER({conditions}) }}")
        for c in shape.constraints:
            if c not in value_level:
                tests.append(f"!({self.focus_condition(c, node, shape, stack)})")
        text = "(" + (" && ".join(tests) or "true") + ")"
        if inline and len(text) > MAX_INLINE:
            self.too_large.add(shape)
            return f"{self.engine.conforms_function(shape)}({node})"
        return text


def datatype_matches(value: str, datatype: ox.NamedNode) -> str:
    """SHACL's datatype match: same datatype IRI and, for datatypes with a known lexical space, not ill-typed."""
    iri = datatype.value
    if iri == RDF + "langString":
        return f'(isLiteral({value}) && LANG({value}) != "")'
    same = f"(isLiteral({value}) && DATATYPE({value}) = {term(datatype)})"
    if iri in _CASTABLE:
        return f"({same} && sameTerm({value}, {term(datatype)}(STR({value}))))"
    local = iri[len(XSD) :] if iri.startswith(XSD) else None
    if iri in INTEGER_TYPES and local is not None:
        low, high = INTEGER_RANGES[local]
        number = f"<{XSD}integer>(STR({value}))"
        tests = [same, f'REGEX(STR({value}), "^[+-]?[0-9]+$")']
        tests += [f"{number} >= {low}"] if low is not None else []
        tests += [f"{number} <= {high}"] if high is not None else []
        return "(" + " && ".join(tests) + ")"
    if iri in _LEXICAL:
        return f'({same} && REGEX(REPLACE(STR({value}), "\\\\s", ""), {string(_LEXICAL[iri])}))'
    return same


def target_pattern(shape: Shape, var: str, subclasses) -> tuple[str, bool] | None:
    """A group pattern binding `var` to the shape's target nodes, and whether a node can come out more than
    once; None without targets. `subclasses(cls)` lists a class and its subclasses in the data graph."""
    listed = [subclasses(target) for target in shape.target_classes]
    classes = sorted({c for found in listed if found is not None for c in found}, key=str)
    parts = [f"{var} {TYPE_PATH} {term(t)}" for t, found in zip(shape.target_classes, listed) if found is None]
    if len(classes) == 1:
        parts.append(f"{var} <{RDF}type> {term(classes[0])}")
    elif classes:
        parts.append(f"{var} <{RDF}type> ?_shtype VALUES ?_shtype {{ {' '.join(term(c) for c in classes)} }}")
    nodes = [term(n) for n in shape.target_nodes if not isinstance(n, ox.BlankNode)]
    if nodes:
        parts.append(f"VALUES {var} {{ {' '.join(nodes)} }}")
    parts += [f"{var} {term(p)} []" for p in shape.target_subjects_of]
    parts += [f"[] {term(p)} {var}" for p in shape.target_objects_of]
    if not parts:
        return None
    repeats = (
        len(parts) > 1
        or len(classes) > 1
        or bool(shape.target_subjects_of or shape.target_objects_of)
        or None in listed
    )
    return " UNION ".join(f"{{ {p} }}" for p in parts), repeats


def check_writable(shape: Shape, graph) -> None:
    """Refuse parameters the compiler must write into a query but cannot."""
    for c in shape.constraints:
        for key in ("cls", "datatype", "bound", "predicate"):
            if key in c.params and not isinstance(c.params[key], (ox.NamedNode, ox.Literal)):
                raise ShapesError(
                    f"{describe(shape.node, graph)}: {c.component} needs an IRI or literal, not {c.params[key]}"
                )
