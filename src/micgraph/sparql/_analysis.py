"""From the parse tree to the model, with the checks section 19.8 states in prose. Every walk is a loop over
an explicit stack: no recursion, whatever the nesting."""

from __future__ import annotations

import bisect

from ..errors import QuerySyntaxError
from . import _text
from ._parser import Node, Token
from .model import Declaration, Load, Query, ServiceClause, Update

# Context flags of the walk.
_DATA = 1  # INSERT DATA / DELETE DATA: no variables
_NO_BLANK = 2  # DELETE DATA, DELETE WHERE, DELETE templates: no blank nodes
_INSERT_DATA = 4  # blank node labels may not be shared between INSERT DATA operations
_NAME_TOKENS = {"PNAME_LN", "PNAME_NS", "VAR1", "VAR2", "BLANK_NODE_LABEL"}
_STRINGS = {"STRING_LITERAL1": 1, "STRING_LITERAL2": 1, "STRING_LITERAL_LONG1": 3, "STRING_LITERAL_LONG2": 3}
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_OPERATIONS = {
    "load": "LOAD",
    "clear": "CLEAR",
    "drop": "DROP",
    "add": "ADD",
    "move": "MOVE",
    "copy": "COPY",
    "create": "CREATE",
    "insert_data": "INSERT DATA",
    "delete_data": "DELETE DATA",
    "delete_where": "DELETE WHERE",
    "modify": "MODIFY",
}
# Non-ASCII characters of 19.8 [164] PN_CHARS_BASE, and those [166]/[167] add after the first character.
_BASE_RANGES = (
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0x2FF),
    (0x370, 0x37D),
    (0x37F, 0x1FFF),
    (0x200C, 0x200D),
    (0x2070, 0x218F),
    (0x2C00, 0x2FEF),
    (0x3001, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD),
    (0x10000, 0xEFFFF),
)
_LATER_RANGES = tuple(sorted((*_BASE_RANGES, (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040))))


def _in(ranges: tuple, char: str) -> bool:
    code = ord(char)
    at = bisect.bisect_right(ranges, (code, 0x110000)) - 1
    return at >= 0 and ranges[at][0] <= code <= ranges[at][1]


class _ServiceRecord:
    __slots__ = ("children", "clause_args", "parent")

    def __init__(self, clause_args: dict, parent: _ServiceRecord | None) -> None:
        self.clause_args = clause_args
        self.parent = parent
        self.children: list[ServiceClause] = []


class Analysis:
    def __init__(self, text: str, base_iri: str | None, prefixes: dict[str, str] | None, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = _text.Lines(text)
        self.base = base_iri
        self.prefixes = dict(prefixes or {})
        self.declarations: list[Declaration] = []
        self.used: set[str] = set()
        self.records: list[_ServiceRecord] = []
        self.loads: list[Load] = []
        self.operations: list[str] = []
        self.default_graphs: list[str] = []
        self.named_graphs: list[str] = []
        self.form = "SELECT"
        self.selects: list[Node] = []  # select_query and sub_select nodes, for the projection checks
        self.binding_groups: list[Node] = []  # group_graph_pattern_sub nodes holding a BIND
        self.insert_data_labels: dict[str, int] = {}
        self._scopes: dict[int, frozenset[str]] = {}

    # --- errors and positions ----------------------------------------------------------------

    def error(self, cause: str, at: Token | Node | int) -> QuerySyntaxError:
        offset = at if isinstance(at, int) else _first_token(at).start
        line, column = self.lines.position(offset)
        return QuerySyntaxError(cause, line, column, self.source)

    # --- the walk ------------------------------------------------------------------------------

    def walk(self, tree: Node) -> None:
        stack: list[tuple[object, _ServiceRecord | None, int]] = [(tree, None, 0)]
        while stack:
            node, service, flags = stack.pop()
            if isinstance(node, Token):
                self.token(node, flags)
                continue
            assert isinstance(node, Node)
            kind = node.data
            if kind in ("base_decl", "prefix_decl"):
                self.declare(node)
                continue
            if kind == "update1":
                self.operations.append(_OPERATIONS[node.children[0].data])
            elif kind in ("select_query", "construct_query", "describe_query", "ask_query"):
                self.form = kind.split("_")[0].upper()
                if kind == "select_query":
                    self.selects.append(node)
            elif kind == "sub_select":
                self.selects.append(node)
            elif kind == "dataset_clause":
                clause = node.children[1]
                iri = self.iri_value(_nodes(clause)[-1] if clause.data == "named_graph_clause" else clause)
                (self.named_graphs if clause.data == "named_graph_clause" else self.default_graphs).append(iri)
            elif kind == "service_graph_pattern":
                service = self.service(node, service)
            elif kind == "load":
                self.load(node)
            elif kind == "insert_data":
                flags |= _DATA | _INSERT_DATA
            elif kind == "delete_data":
                flags |= _DATA | _NO_BLANK
            elif kind in ("delete_where", "delete_clause"):
                flags |= _NO_BLANK
            elif kind == "group_graph_pattern_sub" and any(_is(c, "bind") for c in node.children):
                self.binding_groups.append(node)
            elif kind == "inline_data_full":
                self.check_values(node)
            elif flags & _NO_BLANK and kind in ("collection", "blank_node_property_list"):
                raise self.error("blank nodes are not allowed in DELETE DATA, DELETE WHERE or a DELETE template", node)
            for child in reversed(node.children):
                stack.append((child, service, flags))

    def token(self, token: Token, flags: int) -> None:
        kind = token.type
        if kind in _NAME_TOKENS:
            self.check_name(token)
        if kind in ("PNAME_LN", "PNAME_NS"):
            self.expand(token)
        elif kind == "IRIREF":
            self.iri_ref(token)
        elif kind in _STRINGS:
            self.string_value(token)
        elif kind in ("VAR1", "VAR2"):
            if flags & _DATA:
                raise self.error(f"variable {token} in INSERT DATA or DELETE DATA: data may not hold variables", token)
        elif kind in ("BLANK_NODE_LABEL", "ANON"):
            if flags & _NO_BLANK:
                raise self.error(
                    f"blank node {token} is not allowed in DELETE DATA, DELETE WHERE or a DELETE template", token
                )
            if flags & _INSERT_DATA and kind == "BLANK_NODE_LABEL":
                operation = len(self.operations)
                if self.insert_data_labels.setdefault(str(token), operation) != operation:
                    raise self.error(f"blank node {token} is used in two INSERT DATA operations", token)

    # --- prologue, IRIs, names, strings -----------------------------------------------------------

    def declare(self, node: Node) -> None:
        iri_token = node.children[-1]
        iri = self.iri_ref(iri_token)
        end = iri_token.end
        start = _first_token(node).start
        if node.data == "base_decl":
            self.base = iri
            self.declarations.append(Declaration("BASE", None, iri, start, end))
        else:
            name = str(node.children[1])[:-1]
            self.check_name(node.children[1])
            self.prefixes[name] = iri
            self.declarations.append(Declaration("PREFIX", name, iri, start, end))

    def iri_ref(self, token: Token) -> str:
        """An IRIREF's IRI: escapes decoded, resolved against the base."""
        raw = token[1:-1]
        iri = self.decode(raw, token) if "\\" in raw else raw
        bad = _text.bad_iri_character(iri)
        if bad is not None:
            raise self.error(f"IRI {token} holds {_shown(bad)}, which IRIs may not hold", token)
        resolved = _text.resolve(self.base, iri)
        if resolved is None:
            raise self.error(f"relative IRI {token} and no base IRI to resolve it against (declare BASE)", token)
        return resolved

    def expand(self, token: Token) -> str:
        prefix, _, local = str(token).partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            raise self.error(f"unknown prefix '{prefix}:' (declare it with PREFIX {prefix}: <...>)", token)
        self.used.add(prefix)
        return namespace + local.replace("\\", "")

    def iri_value(self, node: Node | Token) -> str:
        """The IRI of an `iri`-like subtree (its only IRIREF or prefixed-name token)."""
        token = next(t for t in _tokens(node) if t.type in ("IRIREF", "PNAME_LN", "PNAME_NS"))
        return self.iri_ref(token) if token.type == "IRIREF" else self.expand(token)

    def check_name(self, token: Token) -> None:
        """19.8 [164]-[167]: the non-ASCII characters of a name (the lexer lets any through)."""
        text = str(token)
        if text.isascii():
            return
        if token.type in ("PNAME_LN", "PNAME_NS"):
            parts: tuple[str, ...] = tuple(text.partition(":")[::2])
        else:
            parts = (text[2:] if token.type == "BLANK_NODE_LABEL" else text[1:],)
        for part in parts:
            for index, char in enumerate(part):
                if char >= "\x80" and not _in(_LATER_RANGES if index else _BASE_RANGES, char):
                    raise self.error(
                        f"{_shown(char)} may not appear in the name {token} (SPARQL 1.1 section 19.8)", token
                    )

    def string_value(self, token: Token) -> str:
        quotes = _STRINGS[token.type]
        body = token[quotes:-quotes]
        return self.decode(body, token) if "\\" in body else body

    def decode(self, body: str, token: Token) -> str:
        """ECHAR and UCHAR escapes, as Oxigraph decodes them in IRIs and strings: a code point that is a
        surrogate or above U+10FFFF is an error."""
        out = []
        index = 0
        while True:
            cut = body.find("\\", index)
            if cut < 0:
                out.append(body[index:])
                return "".join(out)
            out.append(body[index:cut])
            marker = body[cut + 1]
            if marker in "uU":
                width = 4 if marker == "u" else 8
                code = int(body[cut + 2 : cut + 2 + width], 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise self.error(
                        f"{body[cut : cut + 2 + width]} in {_short(token)} is not a Unicode character "
                        "(a surrogate or beyond U+10FFFF)",
                        token,
                    )
                out.append(chr(code))
                index = cut + 2 + width
            else:
                out.append(_ECHAR[marker])
                index = cut + 2

    # --- SERVICE and LOAD ---------------------------------------------------------------------------

    def service(self, node: Node, parent: _ServiceRecord | None) -> _ServiceRecord:
        keyword = node.children[0]
        silent = _is_token(node.children[1], "SILENT")
        target = node.children[2 if silent else 1]
        group = node.children[-1]
        written = next(iter(_tokens(target)))
        if written.type in ("VAR1", "VAR2"):
            endpoint, variable = None, str(written)[1:]
        else:
            if written.type in ("PNAME_LN", "PNAME_NS") and str(written)[:6].upper() == "SILENT":
                # Oxigraph reads `SERVICE SILENT:x` as SERVICE SILENT with endpoint `:x` (its parser matches
                # keywords by prefix); SPARQL's longest match reads the prefixed name SILENT:x. Ambiguous.
                raise self.error(
                    f"SERVICE {written}: a prefixed name whose prefix starts with SILENT is read "
                    "differently by SPARQL engines; write the endpoint as <IRI>",
                    written,
                )
            endpoint, variable = self.iri_value(written), None
        line, column = keyword.line, keyword.column
        record = _ServiceRecord(
            {
                "endpoint": endpoint,
                "variable": variable,
                "endpoint_text": str(written),
                "silent": silent,
                "start": keyword.start,
                "end": _last_token(group).end,
                "pattern_start": _first_token(group).start,
                "pattern_end": _last_token(group).end,
                "line": line,
                "column": column,
            },
            parent,
        )
        self.records.append(record)
        return record

    def load(self, node: Node) -> None:
        keyword = node.children[0]
        silent = _is_token(node.children[1], "SILENT")
        iris = [c for c in node.children if _is(c, "iri")]
        graph = node.children[-1]
        self.loads.append(
            Load(
                self.iri_value(iris[0]),
                silent,
                self.iri_value(graph) if _is(graph, "graph_ref") else None,
                keyword.start,
                _last_token(node).end,
                keyword.line,
                keyword.column,
            )
        )

    def services(self) -> tuple[ServiceClause, ...]:
        """The clause tree, built from the innermost out (records are in text order, parents first)."""
        top: list[ServiceClause] = []
        for record in reversed(self.records):
            clause = ServiceClause(**record.clause_args, services=tuple(reversed(record.children)))
            (record.parent.children if record.parent else top).append(clause)
        return tuple(reversed(top))

    # --- checks 19.8 states in prose ------------------------------------------------------------------

    def check_values(self, node: Node) -> None:
        width = len([c for c in node.children if _is(c, "var")])
        for row in node.children:
            if _is(row, "data_row"):
                values = len([c for c in row.children if _is(c, "data_block_value")])
                if values != width:
                    raise self.error(f"VALUES row has {values} values for {width} variables", row)

    def check_scopes(self) -> None:
        for group in self.binding_groups:
            seen: set[str] = set()
            for child in group.children:
                if _is(child, "bind"):
                    variable = _var_name(_nodes(child)[-1])
                    if variable in seen:
                        raise self.error(
                            f"BIND (... AS ?{variable}): ?{variable} is already in scope in this group", child
                        )
                if isinstance(child, Node):
                    seen |= self.scope(child)
        for select in self.selects:
            self.check_select(select)

    def check_select(self, select: Node) -> None:
        clause = _child(select, "select_clause")
        where = _child(select, "where_clause")
        modifier = _child(select, "solution_modifier")
        items = [c for c in clause.children if _is(c, "select_item")]
        star = any(_is_token(c, "STAR") for c in clause.children)
        group_clause = _optional_child(modifier, "group_clause")
        in_where = self.scope(where)
        projected: set[str] = set()
        for item in items:
            variable = _var_name(_nodes(item)[-1])
            if len(_nodes(item)) > 1 and (variable in in_where or variable in projected):
                raise self.error(
                    f"SELECT (... AS ?{variable}): ?{variable} is already "
                    f"{'in scope' if variable in in_where else 'projected'}",
                    item,
                )
            projected.add(variable)
        aggregates = any(_has_aggregate(node) for node in [*items, *modifier.children])
        if group_clause is None and not aggregates:
            return
        if star:
            raise self.error(
                "SELECT * cannot be used with GROUP BY or aggregates: name the projected variables", clause
            )
        grouped: set[str] = set()
        if group_clause is not None:
            for condition in _nodes(group_clause):
                parts = _nodes(condition)
                if _is_token(condition.children[0], "LPAR"):  # ( expression [AS ?var] )
                    if len(parts) == 2:
                        grouped.add(_var_name(parts[1]))
                elif parts[0].data == "var":
                    grouped.add(_var_name(parts[0]))
        defined: set[str] = set()
        for item in items:
            parts = _nodes(item)
            used = _free_variables(parts[0]) if len(parts) > 1 else {_var_name(parts[0])}
            stray = sorted(used - grouped - defined)
            if stray:
                raise self.error(f"?{stray[0]} is projected but neither grouped (GROUP BY) nor aggregated", item)
            if len(parts) > 1:
                defined.add(_var_name(parts[-1]))

    def scope(self, root: Node) -> frozenset[str]:
        """The in-scope variables of a graph pattern (SPARQL 1.1 section 18.2.1), computed bottom-up."""
        pending: list[tuple[Node, bool]] = [(root, False)]
        while pending:
            node, ready = pending.pop()
            if id(node) in self._scopes:
                continue
            parts = _scope_parts(node)
            if not ready and parts:
                pending.append((node, True))
                pending.extend((part, False) for part in parts if id(part) not in self._scopes)
                continue
            self._scopes[id(node)] = self._own_scope(node, parts)
        return self._scopes[id(root)]

    def _own_scope(self, node: Node, parts: list[Node]) -> frozenset[str]:
        kind = node.data
        inner: set[str] = set()
        for part in parts:
            inner |= self._scopes[id(part)]
        if kind in ("triples_block",):
            return frozenset(_var_name(t) for t in _tokens(node) if t.type in ("VAR1", "VAR2"))
        if kind in ("graph_graph_pattern", "service_graph_pattern"):
            target = next(c for c in node.children if _is(c, "var_or_iri"))
            return frozenset(inner | {_var_name(t) for t in _tokens(target) if t.type in ("VAR1", "VAR2")})
        if kind == "bind":
            return frozenset({_var_name(_nodes(node)[-1])})
        if kind == "inline_data":
            block = _nodes(node)[0]
            return frozenset(_var_name(v) for v in _nodes(block) if v.data == "var")
        if kind == "sub_select":
            clause = _child(node, "select_clause")
            if any(_is_token(c, "STAR") for c in clause.children):
                projected = set(inner)
            else:
                projected = {_var_name(_nodes(item)[-1]) for item in _nodes(clause) if item.data == "select_item"}
            values = _optional_child(node, "values_clause")
            if values is not None and values.children:
                block = _nodes(values)[0]
                projected |= {_var_name(v) for v in _nodes(block) if v.data == "var"}
            return frozenset(projected)
        if kind in ("minus_graph_pattern", "filter"):
            return frozenset()
        return frozenset(inner)

    # --- results ------------------------------------------------------------------------------------

    def query(self) -> Query:
        return Query(
            self.base,
            tuple(self.declarations),
            dict(self.prefixes),
            frozenset(self.used),
            self.services(),
            form=self.form,
            default_graphs=tuple(self.default_graphs),
            named_graphs=tuple(self.named_graphs),
        )

    def update(self) -> Update:
        return Update(
            self.base,
            tuple(self.declarations),
            dict(self.prefixes),
            frozenset(self.used),
            self.services(),
            operations=tuple(self.operations),
            loads=tuple(self.loads),
        )


# --- tree helpers (all iterative) ------------------------------------------------------------------

_PATTERN_PARTS = {
    "group_graph_pattern",
    "group_graph_pattern_sub",
    "group_or_union_graph_pattern",
    "optional_graph_pattern",
    "graph_graph_pattern",
    "service_graph_pattern",
    "where_clause",
    "sub_select",
}
_PATTERNS = _PATTERN_PARTS | {"triples_block", "minus_graph_pattern", "filter", "bind", "inline_data"}


def _scope_parts(node: Node) -> list[Node]:
    if node.data not in _PATTERN_PARTS:
        return []
    if node.data == "sub_select":
        return [_child(node, "where_clause")]
    return [c for c in node.children if isinstance(c, Node) and c.data in _PATTERNS]


def _is(node, data: str) -> bool:
    return isinstance(node, Node) and node.data == data


def _is_token(node, kind: str) -> bool:
    return isinstance(node, Token) and node.type == kind


def _nodes(node: Node) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node)]


def _child(node: Node, data: str) -> Node:
    """The child `data` the grammar says `node` has."""
    return next(c for c in node.children if _is(c, data))


def _optional_child(node: Node, data: str) -> Node | None:
    return next((c for c in node.children if _is(c, data)), None)


def _tokens(node) -> list[Token]:
    """The tokens of a subtree, in text order."""
    if isinstance(node, Token):
        return [node]
    out: list[Token] = []
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, Token):
            out.append(item)
        else:
            pending.extend(reversed(item.children))
    return out


def _first_token(node) -> Token:
    while isinstance(node, Node):
        node = node.children[0]
    return node


def _last_token(node) -> Token:
    while isinstance(node, Node):
        node = node.children[-1]
    return node


def _var_name(node) -> str:
    return str(_first_token(node))[1:]


def _has_aggregate(root) -> bool:
    """Whether an expression holds an aggregate (not counting those of subqueries in EXISTS)."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, Node):
            if node.data == "aggregate":
                return True
            if node.data != "group_graph_pattern":
                pending.extend(node.children)
    return False


def _free_variables(root) -> set[str]:
    """The variables of an expression outside its aggregates and EXISTS patterns."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, Token):
            if node.type in ("VAR1", "VAR2"):
                found.add(str(node)[1:])
        elif node.data not in ("aggregate", "group_graph_pattern"):
            pending.extend(node.children)
    return found


def _shown(char: str) -> str:
    return repr(char) if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def _short(token: Token) -> str:
    text = str(token)
    return text if len(text) <= 40 else text[:37] + "..."
