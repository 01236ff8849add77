"""Validation: every shape with targets, constraint by constraint, as SPARQL queries over all its focus nodes.

For a shape with focus nodes F (its targets, or the value nodes of the shape that holds it through
sh:property), the engine runs:

- one query for all its value-level constraints (sh:class, sh:datatype, ranges, strings, sh:in, sh:node,
  the logical components, ASK validators): F joined with the path, each constraint's condition bound
  to a flag, only rows with a raised flag returned;
- for a property shape with counting constraints (sh:minCount, sh:maxCount, qualified counts), one
  aggregate query instead, which also flags the focus nodes with a bad value: the value-level query
  then runs on those alone (usually none);
- one query per other focus-level constraint (pairs, sh:closed, sh:hasValue, sh:uniqueLang);
- one query per SPARQL constraint when pre-binding allows a join (sparql_based.py), else one per focus node;
- the same again for each of its property shapes, with F = its value nodes.

A shape without focus nodes is skipped after one ASK. Recursive shapes (SHACL leaves them undefined)
and SPARQL constraints inside nested shapes are decided node by node through custom SPARQL functions:
a node whose conformance to a recursive shape is being decided counts as conforming (pySHACL's
reading), so every recursion ends.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import ShapesError
from . import sparql_based
from .compile import FN, VALUE_LEVEL, Compiler, check_writable, target_pattern
from .shapes import (
    RDFS,
    SH,
    Constraint,
    Path,
    Shape,
    ShapesGraph,
    ShapesReader,
    Term,
    describe,
)

COUNTING = {
    SH + name + "ConstraintComponent" for name in ("MinCount", "MaxCount", "QualifiedMinCount", "QualifiedMaxCount")
}
TRUE = ox.Literal(True)


@dataclass(eq=False)
class Violation:
    """One validation result, before it is written as a report."""

    shape: Shape
    constraint: Constraint
    focus: Term
    value: Term | None = None
    path: Path | ox.NamedNode | None = None
    messages: list[ox.Literal] = field(default_factory=list)  # substituted; none: report.py writes a default
    details: list[Violation] = field(default_factory=list)  # sh:detail

    @property
    def component(self) -> str:
        return self.constraint.component


@dataclass(frozen=True)
class Focus:
    """The focus nodes of a shape: `pattern(var)` is a group pattern binding `var` to them. `context` names
    the variables that hold the focus nodes of the enclosing property shapes: SHACL validates a value node
    against a nested sh:property once for each focus node it is a value of, and reports each time."""

    pattern: Callable[[str], str]
    context: tuple[str, ...] = ()

    def __call__(self, var: str) -> str:
        return self.pattern(var)

    @property
    def keys(self) -> str:
        return " ".join(self.context)


class Engine:
    """Runs the shapes' queries; the shapes with targets are validated side by side in `threads` threads
    (Oxigraph evaluates a query without holding Python's lock)."""

    def __init__(self, data: ox.Store, shapes: ox.Store, *, in_memory: bool = True, threads: int | None = None) -> None:
        self.data = data
        self.union = next(iter(data.named_graphs()), None) is not None
        self.in_memory = in_memory
        self.threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self.graph = ShapesGraph(shapes)
        self.reader = ShapesReader(
            self.graph, (sparql_based.read_sparql_constraints, sparql_based.read_custom_constraints)
        )
        self.compiler = Compiler(self)
        self.functions: dict[ox.NamedNode, object] = {}
        self._shapes_graph: ox.NamedNode | None = None
        self._memo: dict[tuple, bool] = {}
        self._subclasses: dict[ox.NamedNode, list[ox.NamedNode] | None] = {}
        self._conforms_functions: dict[Shape, str] = {}
        self._function_numbers = itertools.count()

    # --- running ----------------------------------------------------------------------------------

    def run(self) -> list[Violation]:
        shapes = self.reader.read_all()
        for shape in shapes:
            check_writable(shape, self.graph)
        tops = [shape for shape in shapes if shape.has_targets and not shape.deactivated]
        for shape in shapes:  # $shapesGraph: in place before any query runs
            if any(
                "check" in c.params and "shapesGraph" in c.params["check"].query.variables() for c in shape.constraints
            ):
                self._add_shapes_graph(shape)
                break
        try:
            parts = (
                self._side_by_side(tops)
                if self.threads > 1 and len(tops) > 1
                else [self._validate_top(shape) for shape in tops]
            )
        finally:
            if self._shapes_graph is not None:
                self.data.remove_graph(self._shapes_graph)
        return [v for part in parts for v in part]

    def _side_by_side(self, shapes: list[Shape]) -> list[list[Violation]]:
        """Each shape's violations, validated by `threads` threads taking the next shape in turn (plain
        threads: concurrent.futures would import logging, a tenth of `micgraph validate`'s start-up)."""
        parts: list[list[Violation]] = [[] for _ in shapes]
        pending = iter(enumerate(shapes))
        lock, failures = threading.Lock(), list[BaseException]()

        def work() -> None:
            while not failures:
                with lock:
                    item = next(pending, None)
                if item is None:
                    return
                try:
                    parts[item[0]] = self._validate_top(item[1])
                except BaseException as exc:
                    failures.append(exc)

        workers = [threading.Thread(target=work) for _ in range(min(self.threads, len(shapes)))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if failures:
            raise failures[0]
        return parts

    def _validate_top(self, shape: Shape) -> list[Violation]:
        out: list[Violation] = []
        focus = self._target_focus(shape)
        if self._any(focus):
            self.validate(shape, focus, out)
        return out

    def query(self, text: str, owner: Term | None = None, substitutions: dict | None = None):
        options: dict = {"custom_functions": dict(self.functions)} if self.functions else {}
        if self._shapes_graph is not None:  # the shapes graph is a named graph, not part of the data graph
            graphs = [g for g in self.data.named_graphs() if g != self._shapes_graph]
            options.update(default_graph=[ox.DefaultGraph(), *graphs], named_graphs=[*graphs, self._shapes_graph])
        else:
            options["use_default_graph_as_union"] = self.union
        try:
            return self.data.query(text, substitutions=substitutions, **options)
        except SyntaxError as exc:
            where = describe(owner, self.graph) if owner is not None else "a shape"
            cause = " ".join(str(exc).split()).split(" expected one of ")[0]  # not Oxigraph's list of characters
            raise ShapesError(f"{where}: SPARQL query cannot be parsed: {cause}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            where = describe(owner, self.graph) if owner is not None else "a shape"
            raise ShapesError(f"{where}: SPARQL query failed: {' '.join(str(exc).split())}") from exc

    def _any(self, focus) -> bool:
        return bool(self.query(f"ASK {{ {focus('?this')} }}"))

    def _target_focus(self, shape: Shape) -> Focus:
        def pattern(var: str) -> str:
            found = target_pattern(shape, var, self.subclasses)
            assert found is not None  # only shapes with targets are validated from them
            return found[0]

        found = target_pattern(shape, "?this", self.subclasses)
        if found is not None and not found[1] and not self.union:  # each node comes once: no DISTINCT needed
            return Focus(pattern)
        return Focus(lambda var: f"{{ SELECT DISTINCT {var} WHERE {{ {pattern(var)} }} }}")

    def subclasses(self, cls: ox.NamedNode) -> list[ox.NamedNode] | None:
        """`cls` and its subclasses (rdfs:subClassOf*) in the data graph; None if one is a blank node
        (which no query text can name: the caller follows rdfs:subClassOf* instead)."""
        if cls not in self._subclasses:
            found = {row["c"] for row in self.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {cls} }}")}
            named = found | {cls}
            self._subclasses[cls] = None if any(isinstance(c, ox.BlankNode) for c in named) else sorted(named, key=str)
        return self._subclasses[cls]

    def _value_focus(self, focus: Focus, path: Path) -> Focus:
        parent = f"?_ctx{len(focus.context)}"
        return Focus(
            lambda var: (
                f"{{ SELECT DISTINCT {focus.keys} {parent} {var} WHERE {{ {focus(parent)} "
                f"{path.walk(parent, var, self.compiler.var)} }} }}"
            ),
            (*focus.context, parent),
        )

    def validate(self, shape: Shape, focus: Focus, out: list[Violation], detailing: tuple[Shape, ...] = ()) -> None:
        """Add to `out` the violations of `shape` for the focus nodes `focus` selects (`detailing`: the node
        shapes whose sh:detail results this validation is for)."""
        if shape.deactivated:
            return
        value_level = [c for c in shape.constraints if c.component in VALUE_LEVEL or c.params.get("ask")]
        counting = [c for c in shape.constraints if c.component in COUNTING]
        if counting:  # value-level constraints screened in the same pass: most focus nodes have no bad value
            screened = self._counting(shape, focus, counting, out, value_level)
            if screened:
                self._value_level(shape, screened, value_level, out, detailing)
        elif value_level:
            self._value_level(shape, focus, value_level, out, detailing)
        for c in shape.constraints:
            if c in value_level or c in counting:
                continue
            if c.component == SH + "PropertyConstraintComponent":
                nested = c.params["shape"]
                self.validate(
                    nested, focus if shape.path is None else self._value_focus(focus, shape.path), out, detailing
                )
            elif "check" in c.params:
                self._sparql(shape, c, focus, out)
            else:
                self._focus_level(shape, c, focus, out)

    def _value_level(
        self,
        shape: Shape,
        focus: Focus,
        constraints: list[Constraint],
        out: list[Violation],
        detailing: tuple[Shape, ...],
    ) -> None:
        value = "?value" if shape.path is not None else "?this"
        flags = [f"?_flag{i}" for i in range(len(constraints))]
        binds = " ".join(
            f"BIND({self.compiler.condition(c, value, '?this', shape, (shape,))} AS {flag})"
            for c, flag in zip(constraints, flags)
        )
        walk = shape.path.walk("?this", "?value", self.compiler.var) if shape.path is not None else ""
        raised = " || ".join(f"COALESCE({flag}, false)" for flag in flags)
        text = (
            f"SELECT DISTINCT {focus.keys} ?this {value if shape.path is not None else ''} {' '.join(flags)} "
            f"WHERE {{ {focus('?this')} {walk} {binds} FILTER({raised}) }}"
        )
        nested: dict[Constraint, list[Violation]] = {}
        for row in self.query(text, shape.node):
            for c, flag in zip(constraints, flags):
                if row[flag[1:]] == TRUE:
                    v = row["value"] if shape.path is not None else row["this"]
                    messages = (
                        self._messages(shape, c.params["check"], {"this": row["this"], "value": v})
                        if "check" in c.params
                        else None
                    )  # an ASK validator: its messages, {$param}s filled in
                    self._add(out, shape, c, row["this"], v, messages=messages)
                    if c.component == SH + "NodeConstraintComponent":
                        nested.setdefault(c, []).append(out[-1])
        for c, parents in nested.items():
            self._details(shape, c, focus, parents, detailing)

    def _details(
        self, shape: Shape, c: Constraint, focus: Focus, parents: list[Violation], detailing: tuple[Shape, ...]
    ) -> None:
        """sh:detail of sh:node results, as pySHACL gives them: the results of validating each value that
        does not conform against the node shape."""
        target: Shape = c.params["shape"]
        if target in detailing:
            return  # a recursive shape: its details stop where it recurs
        walk = (
            shape.path.walk("?_d", "?x", self.compiler.var) if shape.path is not None else "BIND(COALESCE(?_d) AS ?x)"
        )
        failing = Focus(
            lambda var: (
                f"{{ SELECT DISTINCT {var} WHERE {{ {{ SELECT DISTINCT ?x WHERE {{ "
                f"{focus('?_d')} {walk} FILTER(!{self.compiler.conforms(target, '?x', (shape,))}) "
                f"}} }} BIND(?x AS {var}) }} }}"
            )
        )
        details: list[Violation] = []
        self.validate(target, failing, details, (*detailing, target))
        by_focus: dict[Term, list[Violation]] = {}
        for detail in details:
            by_focus.setdefault(detail.focus, []).append(detail)
        for parent in parents:
            parent.details = by_focus.get(parent.value, []) if parent.value is not None else []

    def _counting(
        self, shape: Shape, focus: Focus, constraints: list[Constraint], out: list[Violation], screen: list[Constraint]
    ) -> Focus | None:
        """All counting constraints of a property shape in one aggregate query over its focus nodes, which
        also finds the focus nodes with a value that breaks one of the value-level constraints `screen`:
        returned as the focus to check them on (None if there are none)."""
        counts, binds, tests = [], [], []
        assert shape.path is not None  # counting constraints belong to property shapes
        # Each value comes once unless the path has several routes or the graphs repeat a triple; counting
        # without DISTINCT spares a set per focus node.
        distinct = "" if shape.path.one_route and not self.union else "DISTINCT "
        for i, c in enumerate(constraints):
            name = c.component[len(SH) : -len("ConstraintComponent")]
            counted = "?v"
            if name.startswith("Qualified"):
                counted = f"?_q{i}"
                binds.append(
                    f"BIND(IF({self.compiler.qualifies(c.params, '?v', (shape,))}, ?v, ?_unbound) AS {counted})"
                )
            counts.append(f"(COUNT({distinct}{counted}) AS ?_n{i})")
            op = "<" if name.endswith("MinCount") else ">"
            tests.append(f"COUNT({distinct}{counted}) {op} {c.params['count']}")
        if screen:
            bad = " || ".join(self.compiler.condition(c, "?v", "?this", shape, (shape,)) for c in screen)
            binds.append(f"BIND(IF(COALESCE({bad}, false), 1, 0) AS ?_bad)")
            counts.append("(SUM(?_bad) AS ?_nbad)")
            tests.append("SUM(?_bad) > 0")
        needs_zero = any(c.component.endswith("MinCountConstraintComponent") for c in constraints)
        walk = f"{shape.path.walk('?this', '?v', self.compiler.var)} {' '.join(binds)}"
        walk = f"OPTIONAL {{ {walk} }}" if needs_zero else walk
        text = (
            f"SELECT {focus.keys} ?this {' '.join(counts)} WHERE {{ {focus('?this')} {walk} }} "
            f"GROUP BY {focus.keys} ?this "
            f"HAVING ({' || '.join(tests)})"
        )
        flagged = []
        for row in self.query(text, shape.node):
            for i, c in enumerate(constraints):
                n, limit = int(row[f"_n{i}"].value), c.params["count"]
                if (n < limit) if c.component.endswith("MinCountConstraintComponent") else (n > limit):
                    self._add(out, shape, c, row["this"], None)
            if screen and row["_nbad"] is not None and int(row["_nbad"].value) > 0:
                flagged.append(row["this"])
        if not flagged:
            return None
        if focus.context or not all(sparql_based.writable(node) for node in flagged):
            return focus
        listed = " ".join(str(node) for node in dict.fromkeys(flagged))
        return Focus(lambda var: f"VALUES {var} {{ {listed} }}")

    def _focus_level(self, shape: Shape, c: Constraint, focus: Focus, out: list[Violation]) -> None:
        name = c.component[len(SH) : -len("ConstraintComponent")]
        stack = (shape,)
        if name == "UniqueLang":
            pattern = self.compiler.violations(c, "?this", shape, stack, value="?value")
            text = (
                f"SELECT DISTINCT {focus.keys} ?this (LCASE(LANG(?value)) AS ?lang) "
                f"WHERE {{ {focus('?this')} {pattern} }}"
            )
            for row in self.query(text, shape.node):
                self._add(out, shape, c, row["this"], None)
            return
        if name == "Equals":
            where = self.compiler.violations(c, "?this", shape, stack, value="?value", prefix=focus("?this"))
        else:
            pattern = self.compiler.violations(c, "?this", shape, stack, value="?value", extra="?other")
            where = f"{focus('?this')} {pattern}"
        text = f"SELECT DISTINCT {focus.keys} ?this ?value ?other WHERE {{ {where} }}"
        for row in self.query(text, shape.node):
            value = None if name == "HasValue" else row["value"]
            path = row["other"] if name == "Closed" else None
            self._add(out, shape, c, row["this"], value, path=path)

    @staticmethod
    def _add(
        out: list[Violation],
        shape: Shape,
        c: Constraint,
        focus: Term,
        value: Term | None,
        path: Path | ox.NamedNode | None = None,
        messages: list[ox.Literal] | None = None,
    ) -> None:
        out.append(
            Violation(
                shape,
                c,
                focus,
                value,
                path if path is not None else shape.path,
                messages if messages is not None else list(shape.messages),
            )
        )

    # --- SHACL-SPARQL -----------------------------------------------------------------------------

    def _constants(self, shape: Shape, check: sparql_based.SparqlCheck) -> dict[str, Term]:
        constants: dict[str, Term] = dict(check.params)
        names = check.query.variables()
        if "currentShape" in names:
            constants["currentShape"] = shape.node
        if "shapesGraph" in names and self._shapes_graph is not None:
            constants["shapesGraph"] = self._shapes_graph
        return constants

    def _add_shapes_graph(self, shape: Shape) -> None:
        """$shapesGraph: the shapes graph as a named graph of the store for the time of the validation."""
        if not self.in_memory:
            raise ShapesError(
                f"{describe(shape.node, self.graph)}: $shapesGraph needs the shapes graph beside the "
                "data; validate an in-memory graph (not --store) to use it"
            )
        self._shapes_graph = ox.NamedNode(f"urn:micgraph:shacl:shapes-graph:{os.urandom(16).hex()}")
        self.data.extend(ox.Quad(q.subject, q.predicate, q.object, self._shapes_graph) for q in self.graph.store)

    def _sparql(self, shape: Shape, c: Constraint, focus: Focus, out: list[Violation]) -> None:
        """A SPARQL constraint (sh:sparql) or a SELECT validator: once for all focus nodes if a join is
        pre-binding, else once per focus node."""
        check: sparql_based.SparqlCheck = c.params["check"]
        query, constants = check.query, self._constants(shape, c.params["check"])
        path = shape.path.sparql() if shape.path is not None else None
        projected = self._projected(query)
        context = [name[1:] for name in focus.context]
        if query.joinable({"this"}) and all(sparql_based.writable(v) for v in constants.values()):
            text = check.prologue + sparql_based.rewrite(
                query,
                constants,
                path=path,
                focus=focus("?this"),
                project=[v for v in ("this", *context) if v not in projected],
            )
            result = self.query(text, c.source or shape.node)
            rows = [(row["this"], {v.value: row[v] for v in result.variables if row[v] is not None}) for row in result]
        else:
            nodes = self.query(f"SELECT {focus.keys} ?this WHERE {{ {focus('?this')} }}")
            per_node: dict[Term, list[dict]] = {}
            rows = [
                (row["this"], {**found, **{k: row[k] for k in context}})
                for row in nodes
                for found in per_node.setdefault(row["this"], self._rows_for(shape, c, row["this"]))
            ]
        seen = set()
        for node, bindings in rows:
            key = (node, tuple(sorted((k, v) for k, v in bindings.items())))
            if key in seen:
                continue
            seen.add(key)
            for name in context:
                bindings.pop(name, None)
            if "failure" in bindings and bindings["failure"] == TRUE:
                raise ShapesError(
                    f"{describe(c.source or shape.node, self.graph)}: the SPARQL query reported a "
                    f"failure (?failure true) for {node}"
                )
            value = bindings.get("value", node if shape.path is None else None)
            result_path = bindings.get("path")
            bindings.update(this=node, **({"value": value} if value is not None else {}))
            self._add(out, shape, c, node, value, path=result_path, messages=self._messages(shape, check, bindings))

    @staticmethod
    def _projected(query: sparql_based.ParsedQuery) -> set[str]:
        outer = query.selects[0]
        return {name for j in outer.projection if (name := query.tokens[j].var)} | ({"*"} if outer.star else set())

    def _rows_for(self, shape: Shape, c: Constraint, node: Term) -> list[dict]:
        """The solutions of a SPARQL constraint for one focus node, pre-bound as SHACL defines it."""
        check: sparql_based.SparqlCheck = c.params["check"]
        query, constants = check.query, self._constants(shape, check)
        path = shape.path.sparql() if shape.path is not None else None
        values = {"this": node, **constants}
        written = {k: v for k, v in values.items() if sparql_based.writable(v)}
        handed = {k: v for k, v in values.items() if k not in written}
        projected = self._projected(query)
        text = check.prologue + sparql_based.rewrite(
            query, written, path=path, project=[k for k in handed if k not in projected]
        )
        result = self.query(
            text, c.source or shape.node, substitutions={ox.Variable(k): v for k, v in handed.items()} or None
        )
        return [{v.value: row[v] for v in result.variables if row[v] is not None} for row in result]

    def _messages(self, shape: Shape, check: sparql_based.SparqlCheck, bindings: dict) -> list[ox.Literal]:
        """The constraint's messages, then the shape's, with {$var} / {?var} replaced by the solution's values."""
        values = {**{k: v for k, v in check.params.items()}, **bindings}
        if shape.path is not None and "path" not in values:
            values["path"] = shape.path.node
        out = []
        for message in [*check.messages, *(m for m in shape.messages if m not in check.messages)]:
            text = message.value
            for name, value in values.items():
                if value is not None:
                    text = text.replace("{$" + name + "}", value.value).replace("{?" + name + "}", value.value)
            out.append(ox.Literal(text, language=message.language) if message.language else ox.Literal(text))
        return out

    def ask_condition(self, c: Constraint, shape: Shape, focus: str, value: str) -> str:
        """The condition of an ASK validator (true when the value violates): the ASK body as a NOT EXISTS
        pattern where pre-binding allows, else a per-pair custom function."""
        check: sparql_based.SparqlCheck = c.params["check"]
        query, constants = check.query, self._constants(shape, check)
        if not query.own_base and self._inlinable(query, constants):
            body = sparql_based.rewrite(
                query,
                constants,
                path=shape.path.sparql() if shape.path else None,
                rename={"this": focus, "value": value},
                body_only=True,
                expand={**check.prefixes, **query.own_prefixes},
            )
            return f"NOT EXISTS {body}"
        name = self._function_name("ask")

        def violates(this: Term, node: Term) -> ox.Literal:
            key = ("ask", name, this, node)
            if key not in self._memo:
                self._memo[key] = not self._ask(shape, c, this, node)
            return ox.Literal(self._memo[key])

        self.functions[name] = violates
        return f"{name}({focus}, {value})"

    @staticmethod
    def _inlinable(query: sparql_based.ParsedQuery, constants: dict) -> bool:
        return all(sparql_based.writable(v) for v in constants.values()) and not any(
            "subquery" in query.frames.get(i, ()) for name in ("this", "value") for i in query.occurrences(name)
        )

    def _ask(self, shape: Shape, c: Constraint, this: Term, node: Term) -> bool:
        check: sparql_based.SparqlCheck = c.params["check"]
        query = check.query
        values = {"this": this, "value": node, **self._constants(shape, check)}
        written = {k: v for k, v in values.items() if sparql_based.writable(v)}
        handed = {k: v for k, v in values.items() if k not in written}
        body = sparql_based.rewrite(query, written, path=shape.path.sparql() if shape.path else None, body_only=True)
        projection = " ".join(f"?{k}" for k in handed) or "(1 AS ?shacl_one)"
        text = f"{check.prologue}{sparql_based.own_prologue(query)}SELECT {projection} WHERE {body} LIMIT 1"
        return bool(list(self.query(text, shape.node, {ox.Variable(k): v for k, v in handed.items()} or None)))

    def count_function(self, where: str, value: str) -> str:
        """A custom function: the number of distinct `value`s in `where` for ?x bound to a node."""
        name = self._function_name("count")
        text = f"SELECT ?x (COUNT(DISTINCT {value}) AS ?n) WHERE {{ {where} }} GROUP BY ?x"

        def count(node: Term) -> ox.Literal:
            rows = list(self.query(text, None, {ox.Variable("x"): node}))
            return rows[0]["n"] if rows else ox.Literal(0)

        self.functions[name] = count
        return str(name)

    def check_function(self, c: Constraint, shape: Shape) -> str:
        """A custom function: true when a node, as focus node of `shape`, violates the SPARQL constraint `c`."""
        name = self._function_name("check")

        def violates(node: Term) -> ox.Literal:
            key = ("check", name, node)
            if key not in self._memo:
                self._memo[key] = bool(self._rows_for(shape, c, node))
            return ox.Literal(self._memo[key])

        self.functions[name] = violates
        return str(name)

    def conforms_function(self, shape: Shape) -> str:
        """A custom function deciding conformance to a shape node by node: for a recursive shape, and for
        one whose conditions would make a query too large to write out (one per shape)."""
        if shape in self._conforms_functions:
            return self._conforms_functions[shape]
        name = self._function_name("conforms")
        deciding = threading.local()  # the nodes this thread is deciding, assumed to conform meanwhile
        compiled: list[str] = []

        def conforms(node: Term) -> ox.Literal:
            key = ("conforms", shape, node)
            if key in self._memo:
                return ox.Literal(self._memo[key])
            nodes = deciding.__dict__.setdefault("nodes", set())
            if node in nodes:
                return TRUE  # assumed while deciding it (a recursion through this node)
            if not compiled:
                compiled.append(self.compiler.conforms(shape, "?x", (shape,), inline=False))
            nodes.add(node)
            try:
                found = list(
                    self.query(
                        f"SELECT ?x WHERE {{ FILTER(!{compiled[0]}) }} LIMIT 1", shape.node, {ox.Variable("x"): node}
                    )
                )
            finally:
                nodes.discard(node)
            self._memo[key] = not found
            return ox.Literal(not found)

        self.functions[name] = conforms
        self._conforms_functions[shape] = str(name)
        return str(name)

    def _function_name(self, kind: str) -> ox.NamedNode:
        return ox.NamedNode(f"{FN}{kind}{next(self._function_numbers)}")
