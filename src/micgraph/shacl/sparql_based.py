"""SHACL-SPARQL: SPARQL-based constraints and constraint components, and pre-binding.

SHACL defines a SPARQL constraint's meaning for one focus node at a time, by *pre-binding*: every
occurrence of `$this` (and of `$value`, the parameters, `$currentShape`, `$shapesGraph`) in the query's
algebra is replaced by its value, `bound($this)` is true, and the query must not rebind them (no
`AS $this`), use MINUS, VALUES or SERVICE, or hide them in a subquery that does not return them.
A query that breaks these rules is refused with ShapesError, as the spec requires ("failure").

Running the query once per focus node is what makes pySHACL slow. A query whose pre-bound variables
only occur where a join computes the same thing is run once for all focus nodes instead: the focus
nodes are joined in at the start of the outermost group, so every filter, BIND, OPTIONAL and EXISTS of
that group (and EXISTS patterns nested in them, which SPARQL evaluates by substitution) sees `$this`
bound exactly as pre-binding would. Anywhere else (a nested group, UNION branch, subquery, GRAPH block,
aggregates without GROUP BY $this, LIMIT) a join is not the same, and the query runs per focus node with
the value written into the query text. That decision is made on the query's tokens and group structure.

Blank nodes cannot be written into query text; for a blank focus node the per-node path hands the value
to Oxigraph's own substitution (`substitutions=`), which differs from SHACL pre-binding only for
`bound($this)` and `BIND($this AS ...)` in nested groups.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import ShapesError
from .shapes import OWL, RDF, RDF_TYPE, RDFS, SH, XSD, Constraint, Shape, Term, describe

_TOKEN_PATTERN = r"""
    (?P<ws>\s+) | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[\w.\-]*\w)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*))
  | (?P<number>\d+\.?\d*(?:[eE][+-]?\d+)? | \.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|\S)
"""
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_CLAUSES = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    @property
    def var(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


@dataclass
class _Select:
    """A SELECT clause (outer or subquery): where its projection and its group by conditions are."""

    projection: range
    group_by: range = range(0)
    star: bool = False


@dataclass
class ParsedQuery:
    """A SELECT or ASK from the shapes graph, tokenised, with the structure pre-binding needs."""

    text: str
    form: str  # SELECT or ASK
    tokens: list[Token]
    body: tuple[int, int]  # indexes of the outermost group's braces
    selects: list[_Select]
    frames: dict[int, tuple[str, ...]]  # token index of each variable -> kinds of the enclosing groups
    bound_calls: dict[int, range]  # token index of `bound(` -> the tokens `bound ( ?v )`
    own_prefixes: dict[str, str] = field(default_factory=dict)  # PREFIX declarations in the text itself
    own_base: bool = False
    outer_clauses: set[str] = field(default_factory=set)
    outer_grouped_by: set[str] = field(default_factory=set)
    outer_aggregates: bool = False

    def variables(self) -> set[str]:
        return {t.var for t in self.tokens if t.var}

    def occurrences(self, name: str) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.var == name]

    def joinable(self, names: set[str]) -> bool:
        """True if joining the focus nodes in at the start of the outermost group gives the same solutions
        as pre-binding `names` (see the module docstring)."""
        if self.outer_clauses & {"LIMIT", "OFFSET"}:
            return False
        if (
            self.outer_aggregates or "GROUP" in self.outer_clauses or "HAVING" in self.outer_clauses
        ) and not names <= self.outer_grouped_by:
            return False
        for name in names:
            for index in self.occurrences(name):
                chain = self.frames.get(index, ())
                if chain and not (all(kind == "exists" for kind in chain) or (chain == ("optional",))):
                    return False
        return True


@functools.cache
def _token_regex() -> re.Pattern:
    """Compiled on first use: a shapes graph without SPARQL does not pay for it at start-up."""
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.lastgroup or "op", m.group(), m.start(), m.end())
        for m in _token_regex().finditer(text)
        if m.lastgroup not in ("ws", "comment")
    ]


def parse(
    text: str, where: str, prebound: set[str], form: str = "SELECT", prefixes: dict[str, str] | None = None
) -> ParsedQuery:
    """Tokenise and check a SHACL-SPARQL query (`where` names it in errors; `prefixes`: those sh:prefixes
    declares); ShapesError for what SHACL forbids in one."""

    def fail(cause: str) -> ShapesError:
        return ShapesError(f"{where}: SPARQL query refused: {cause}")

    # micgraph's query path rules (micgraph.sparql): bounded nesting before any parser reads the text, and
    # SERVICE decided by the parser wherever the keyword may appear
    from ..errors import QuerySyntaxError
    from ..sparql import check_limits, may_contain_keyword, parse_query

    try:
        check_limits(text, source=where)
        if may_contain_keyword(text, "SERVICE") and parse_query(text, prefixes=prefixes, source=where).all_services():
            raise fail("it calls SERVICE, which a SHACL query must not")
    except QuerySyntaxError as exc:
        raise ShapesError(str(exc)) from exc
    tokens = tokenize(text)
    forms = [i for i, t in enumerate(tokens) if t.word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")]
    if not forms or tokens[forms[0]].text.upper() != form:
        raise fail(f"expected a {form} query")
    start = forms[0]
    for token in tokens:
        if token.word("MINUS", "VALUES"):
            raise fail(f"a SHACL query must not use {token.text.upper()}")
        if token.word("FROM"):
            raise fail("a SHACL query runs on the data graph and must not name its own dataset (FROM)")
    for i, token in enumerate(tokens[:-1]):
        if token.word("AS") and tokens[i + 1].var in prebound:
            raise fail(f"AS ${tokens[i + 1].var} rebinds a pre-bound variable")

    frames: dict[int, tuple[str, ...]] = {}
    bound_calls: dict[int, range] = {}
    selects: list[_Select] = []
    stack: list[str] = []
    body = None
    depth_at_select: list[int] = []  # brace depth of each open subquery
    i = start
    if form == "SELECT":
        selects.append(_read_select(tokens, start, fail))
        i = selects[0].projection.stop
    while i < len(tokens):
        token = tokens[i]
        if token.text == "{":
            if body is None:
                body = i
                stack.append("top")
            else:
                previous = tokens[i - 1]
                following = tokens[i + 1] if i + 1 < len(tokens) else None
                if following is not None and following.word("SELECT"):
                    kind = "subquery"
                elif previous.word("EXISTS"):
                    kind = "exists"
                elif previous.word("OPTIONAL"):
                    kind = "optional"
                else:
                    kind = "group"  # plain group, UNION branch, GRAPH block
                stack.append(kind)
                if kind == "subquery":
                    depth_at_select.append(len(stack))
                    sub = _read_select(tokens, i + 1, fail)
                    needed = prebound - {"currentShape", "shapesGraph"}
                    projected = {
                        tokens[j].var
                        for j in sub.projection
                        if tokens[j].var and _paren_depth(tokens, sub.projection.start, j) == 0
                    }
                    if sub.star or not needed <= projected:
                        raise fail(
                            "a subquery must SELECT every pre-bound variable ("
                            + ", ".join(f"${v}" for v in sorted(needed))
                            + "); SELECT * does not count"
                        )
                    selects.append(sub)
                    for j in sub.projection:
                        if tokens[j].var:
                            frames[j] = tuple(stack[1:])
                    i = sub.projection.stop
                    continue
        elif token.text == "}":
            if not stack:
                raise fail("unbalanced braces")
            if depth_at_select and depth_at_select[-1] == len(stack):
                depth_at_select.pop()
                selects[-1].group_by = _group_by(tokens, i + 1)
            stack.pop()
            if not stack:
                break
        elif token.var is not None:
            frames[i] = tuple(stack[1:])
        elif (
            token.word("BOUND")
            and i + 3 < len(tokens)
            and tokens[i + 1].text == "("
            and tokens[i + 2].var is not None
            and tokens[i + 3].text == ")"
        ):
            bound_calls[i + 2] = range(i, i + 4)
        i += 1
    if body is None or stack:
        raise fail("the query has no complete WHERE group")
    parsed = ParsedQuery(text, form, tokens, (body, i), selects, frames, bound_calls)
    for j in range(start):
        if tokens[j].word("PREFIX") and j + 2 < start and tokens[j + 1].kind == "pname":
            parsed.own_prefixes[tokens[j + 1].text[:-1]] = tokens[j + 2].text[1:-1]
        parsed.own_base = parsed.own_base or tokens[j].word("BASE")
    if form == "SELECT":
        outer = selects[0]
        outer.group_by = _group_by(tokens, i + 1)
        tail = tokens[i + 1 :]
        parsed.outer_clauses = {t.text.upper() for t in tail if t.word(*_CLAUSES)}
        parsed.outer_grouped_by = {name for j in outer.group_by if (name := tokens[j].var)}
        parsed.outer_aggregates = any(tokens[j].word(*_AGGREGATES) for j in outer.projection) or any(
            t.word(*_AGGREGATES) for t in tail
        )
    return parsed


def _read_select(tokens: list[Token], start: int, fail) -> _Select:
    """`SELECT [DISTINCT|REDUCED] projection` starting at tokens[start]; the range is the projection's tokens."""
    i = start + 1
    if i < len(tokens) and tokens[i].word("DISTINCT", "REDUCED"):
        i += 1
    first, depth = i, 0
    while i < len(tokens) and not (depth == 0 and (tokens[i].text == "{" or tokens[i].word("WHERE", "FROM"))):
        depth += {"(": 1, ")": -1}.get(tokens[i].text, 0)
        i += 1
    if i >= len(tokens):
        raise fail("the SELECT has no WHERE group")
    projection = range(first, i)
    star = any(tokens[j].text == "*" for j in projection if _paren_depth(tokens, first, j) == 0)
    return _Select(projection, star=star)


def _paren_depth(tokens: list[Token], start: int, at: int) -> int:
    return sum({"(": 1, ")": -1}.get(tokens[j].text, 0) for j in range(start, at))


def _group_by(tokens: list[Token], start: int) -> range:
    """The conditions of a GROUP BY clause starting at tokens[start] (empty if there is none)."""
    if start + 1 >= len(tokens) or not (tokens[start].word("GROUP") and tokens[start + 1].word("BY")):
        return range(0)
    i, depth = start + 2, 0
    while i < len(tokens) and not (depth == 0 and (tokens[i].word(*_CLAUSES) or tokens[i].text == "}")):
        depth += {"(": 1, ")": -1}.get(tokens[i].text, 0)
        i += 1
    return range(start + 2, i)


def writable(term: Term) -> bool:
    """A term that can be written into query text (a blank node cannot: it would be a fresh variable)."""
    return isinstance(term, (ox.NamedNode, ox.Literal))


def rewrite(
    query: ParsedQuery,
    values: dict[str, Term],
    *,
    path: str | None = None,
    focus: str | None = None,
    project: Sequence[str] = (),
    rename: dict[str, str] | None = None,
    body_only: bool = False,
    expand: dict[str, str] | None = None,
) -> str:
    """The query text with the pre-bound variables in `values` written in as constants, $PATH as `path`,
    `focus` (a group pattern binding ?this) joined in at the start of the outermost group, the variables
    `project` added to the outermost projection and those in `rename` renamed. `body_only`: just the
    outermost group; `expand`: prefixed names written as full IRIs with these prefixes (for a group
    that goes into another query)."""
    tokens = query.tokens
    replace: dict[int, str] = {}
    drop: set[int] = set()
    projections = {j: s for s in query.selects for j in s.projection}
    in_group_by = {j for s in query.selects for j in s.group_by}
    for index, token in enumerate(tokens):
        name = token.var
        if expand is not None and token.kind == "pname":
            replace[index] = _expand(token.text, expand)
        if rename and name in rename:
            replace[index] = rename[name]
        if name == "PATH":
            if path is None:
                raise ShapesError("a SPARQL query uses $PATH but its shape has no sh:path")
            replace[index] = path
        if name not in values:
            continue
        if index in query.bound_calls:
            span = query.bound_calls[index]
            replace[span.start] = "(true)"
            drop.update(span[1:])
        elif index in projections and _paren_depth(tokens, projections[index].projection.start, index) == 0:
            drop.add(index)  # a constant cannot be projected; the caller knows its value
        elif index in in_group_by:
            replace[index] = f"({values[name]})"
        else:
            replace[index] = str(values[name])
    for n, select in enumerate(query.selects):  # a projection left empty still needs one expression
        if select.projection and not select.star and all(j in drop for j in select.projection):
            drop.discard(select.projection.start)
            replace[select.projection.start] = f"(1 AS ?_shone{n})"
    outer = query.selects[0] if query.selects else None
    first, last_index = (query.body[0], query.body[1]) if body_only else (0, len(tokens) - 1)
    out, last = [], tokens[first].start
    for index in range(first, last_index + 1):
        token = tokens[index]
        out.append(query.text[last : token.start])
        last = token.end
        if index in drop:
            continue
        text = replace.get(index, token.text)
        if index == query.body[0] and focus is not None:
            text = "{ " + focus + " "
        if project and outer is not None and not outer.star and index == outer.projection.start:
            text = " ".join(f"?{v}" for v in project) + " " + text
        out.append(text)
    if not body_only:
        out.append(query.text[last:])
    return "".join(out)


def _expand(name: str, prefixes: dict[str, str]) -> str:
    prefix, _, local = name.partition(":")
    if prefix not in prefixes:
        raise ShapesError(f"the prefix {prefix}: is not declared for this SPARQL query (sh:prefixes)")
    try:
        return str(ox.NamedNode(prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)))
    except ValueError as exc:
        raise ShapesError(f"{name} is not a valid IRI: {exc}") from exc


def own_prologue(query: ParsedQuery) -> str:
    """The PREFIX and BASE declarations written in the query itself, before its SELECT or ASK."""
    form = next(i for i, t in enumerate(query.tokens) if t.word("SELECT", "ASK"))
    return query.text[: query.tokens[form].start]


# --- reading SPARQL constraints and components from the shapes graph ---------------------------------


@dataclass(eq=False)
class SparqlCheck:
    """A SELECT (sh:sparql, SELECT validators) or ASK (ASK validators) query of a constraint."""

    query: ParsedQuery
    prefixes: dict[str, str]  # declared through sh:prefixes
    messages: list[ox.Literal]
    params: dict[str, Term] = field(default_factory=dict)  # parameter name -> value, for components

    @property
    def prologue(self) -> str:
        return "".join(f"PREFIX {p}: {ox.NamedNode(ns)}\n" for p, ns in sorted(self.prefixes.items()))


def read_sparql_constraints(reader, shape: Shape) -> list[Constraint]:
    """The sh:sparql constraints of a shape (deactivated ones left out)."""
    from .shapes import _boolean, _message

    g, out = reader.graph, []
    for node in g.objects(shape.node, SH + "sparql"):
        deactivated = g.one(node, SH + "deactivated")
        if deactivated is not None and _boolean(deactivated, describe(node, g), "sh:deactivated"):
            continue
        select = g.one(node, SH + "select", node)
        if not isinstance(select, ox.Literal) or select.datatype.value != XSD + "string":
            raise ShapesError(f"{describe(shape.node, g)}: a SPARQL constraint (sh:sparql) needs one sh:select string")
        declared = prefixes(g, node)
        query = parse(
            select.value,
            f"{describe(shape.node, g)}: sh:sparql",
            {"this", "currentShape", "shapesGraph"},
            prefixes=declared,
        )
        messages = [_message(m, describe(node, g)) for m in g.objects(node, SH + "message")]
        check = SparqlCheck(query, declared, messages)
        out.append(Constraint(SH + "SPARQLConstraintComponent", {"check": check}, source=node))
    return out


def read_custom_constraints(reader, shape: Shape) -> list[Constraint]:
    """Constraints of SPARQL-based constraint components declared in the shapes graph that apply to
    `shape`: it has a value for every mandatory parameter (one constraint per combination of values)."""
    out = []
    for component in components(reader):
        values = {}
        for name, path, optional in component.parameters:
            found = reader.graph.objects(shape.node, path.value)
            if not found and not optional:
                break
            if found:
                values[name] = sorted(found, key=str)
        else:
            validator = component.validator_for(shape)
            if validator is None:
                continue
            for combination in itertools.product(*values.values()):
                params = dict(zip(values, combination))
                check = SparqlCheck(
                    validator.query, validator.prefixes, validator.messages or component.messages, params
                )
                out.append(Constraint(component.node.value, {"check": check, "ask": validator.ask}))
    return out


@dataclass(eq=False)
class _Validator:
    query: ParsedQuery
    prefixes: dict[str, str]
    messages: list[ox.Literal]
    ask: bool


@dataclass(eq=False)
class _Component:
    node: ox.NamedNode
    parameters: list[tuple[str, ox.NamedNode, bool]]  # (name, path, optional)
    messages: list[ox.Literal]
    validator: _Validator | None
    node_validator: _Validator | None
    property_validator: _Validator | None

    def validator_for(self, shape: Shape) -> _Validator | None:
        specific = self.property_validator if shape.is_property else self.node_validator
        return specific if specific is not None else self.validator


def components(reader) -> list[_Component]:
    """The SPARQL-based constraint components of the shapes graph (read once per reader)."""
    if reader._components is not None:
        return reader._components
    from .shapes import _boolean, _message

    g = reader.graph
    found = []
    nodes = set(g.subjects(RDF_TYPE, ox.NamedNode(SH + "ConstraintComponent")))
    for sub in g.subjects(RDFS + "subClassOf", ox.NamedNode(SH + "ConstraintComponent")):
        nodes.update(g.subjects(RDF_TYPE, sub))
    for node in sorted(nodes, key=str):
        if node.value.startswith(SH) if isinstance(node, ox.NamedNode) else False:
            continue
        if not isinstance(node, ox.NamedNode):
            raise ShapesError(f"{describe(node, g)}: a constraint component must be an IRI")
        parameters = []
        for param in g.objects(node, SH + "parameter"):
            path = g.one(param, SH + "path", node)
            if not isinstance(path, ox.NamedNode):
                raise ShapesError(f"{describe(node, g)}: each sh:parameter needs one sh:path IRI")
            name = re.split(r"[#/:]", path.value)[-1]
            if name in ("this", "shapesGraph", "currentShape", "value", "PATH", "path"):
                raise ShapesError(f"{describe(node, g)}: the parameter name {name} is reserved")
            optional = g.one(param, SH + "optional", node)
            is_optional = optional is not None and _boolean(optional, describe(node, g), "sh:optional")
            parameters.append((name, path, is_optional))
        if not any(not optional for _, _, optional in parameters):
            raise ShapesError(f"{describe(node, g)}: a constraint component needs a mandatory parameter")
        names = {name for name, _, _ in parameters}
        validators = {}
        for kind in ("validator", "nodeValidator", "propertyValidator"):
            values = g.objects(node, SH + kind)
            if len(values) > 1:
                raise ShapesError(f"{describe(node, g)}: more than one sh:{kind}")
            validators[kind] = _read_validator(g, values[0], node, names, kind) if values else None
        if all(v is None for v in validators.values()):
            continue  # not SPARQL-based (e.g. JavaScript): nothing this engine can run
        messages = [_message(m, describe(node, g)) for m in g.objects(node, SH + "message")]
        found.append(
            _Component(
                node,
                parameters,
                messages,
                validators["validator"],
                validators["nodeValidator"],
                validators["propertyValidator"],
            )
        )
    reader._components = found
    return found


def _read_validator(g, node: Term, component: Term, names: set[str], kind: str) -> _Validator:
    from .shapes import _message

    ask, select = g.one(node, SH + "ask", node), g.one(node, SH + "select", node)
    if (ask is None) == (select is None):
        raise ShapesError(f"{describe(component, g)}: a validator needs exactly one of sh:ask and sh:select")
    text = ask if ask is not None else select
    if not isinstance(text, ox.Literal):
        raise ShapesError(f"{describe(component, g)}: sh:ask / sh:select must be a string")
    if kind == "validator" and ask is None:
        raise ShapesError(f"{describe(component, g)}: sh:validator must be an ASK validator")
    if kind != "validator" and select is None:
        raise ShapesError(f"{describe(component, g)}: sh:{kind} must be a SELECT validator")
    prebound = {"this", "currentShape", "shapesGraph", *names} | ({"value"} if ask is not None else set())
    declared = prefixes(g, node)
    query = parse(
        text.value, f"{describe(component, g)}: sh:{kind}", prebound, "ASK" if ask is not None else "SELECT", declared
    )
    messages = [_message(m, describe(node, g)) for m in g.objects(node, SH + "message")]
    return _Validator(query, declared, messages, ask is not None)


def prefixes(g, node: Term) -> dict[str, str]:
    """The prefixes of a SPARQL query: rdf, rdfs and owl (as pySHACL predeclares them), and the
    sh:declare values of its sh:prefixes nodes and of the ontologies those import (owl:imports)."""
    declared = {"rdf": RDF, "rdfs": RDFS, "owl": OWL}
    ontologies = g.subjects(RDF_TYPE, ox.NamedNode(OWL + "Ontology"))
    for start in g.objects(node, SH + "prefixes"):
        pending, seen, declares = [start], set(), []
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            declares += g.objects(current, SH + "declare")
            pending += g.objects(current, OWL + "imports")
        if not g.objects(start, SH + "declare") or start not in ontologies:
            # pySHACL's reading, kept so both engines accept the same shapes: the declarations of every
            # ontology in the shapes graph apply too.
            for ontology in ontologies:
                declares += g.objects(ontology, SH + "declare")
        for declaration in declares:
            prefix, namespace = g.one(declaration, SH + "prefix", node), g.one(declaration, SH + "namespace", node)
            if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                raise ShapesError(
                    f"{describe(node, g)}: each sh:declare needs one sh:prefix and one sh:namespace literal"
                )
            try:
                ox.NamedNode(namespace.value)
            except ValueError as exc:
                raise ShapesError(f"{describe(node, g)}: sh:namespace {namespace.value!r} is not an IRI") from exc
            declared[prefix.value] = namespace.value
    return declared
