"""The LALR(1) parser for sparql11.lark: lark's table, driven by a loop of a few lines.

lark computes the LALR(1) table from the grammar (seconds); `sparql11.lark.table` ships it as plain data
(lists, dicts, strings and numbers: a pickle that names no class, read by an unpickler that refuses any,
zlib-compressed) behind a first line naming the grammar's CRC-32, which tells an edited grammar (no
cryptographic hash is needed, and importing hashlib costs more than reading the table). The first parse
reads it in a few milliseconds (lark's own `Lark.load` takes a quarter of a second to rebuild its
objects, and importing lark another tenth) and `_Run.feed` drives it: the shift/reduce loop of lark's
LALR parser with lark's tree shaping (rules named `_...`/`__...` are inlined into their parent, `?rule`s
with one child are replaced by it; all tokens are kept). The loop never recurses: any nesting depth
parses in bounded stack.

When the table does not match the grammar (an edited grammar), it is built in memory with lark and not
written; `python tools/sparql_table.py` rewrites the shipped file, and tests/test_sparql_parser.py
fails while it is stale.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import zlib

from ._lexer import Token

GRAMMAR = "sparql11.lark"
TABLE = "sparql11.lark.table"
_FORMAT = 2
OPENING = frozenset({"LBRACE", "LPAR", "LSQB"})
CLOSING = frozenset({"RBRACE", "RPAR", "RSQB"})


class Node:
    """A parse-tree node: the grammar rule and its children (Nodes and Tokens, in text order)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Node({self.data!r}, {len(self.children)} children)"


class _Inline(list):
    """The children of an inlined rule, spliced into the parent's."""

    __slots__ = ()


class ParseError(Exception):
    """The parser cannot take `token` (type "$END" at the end of the text)."""

    def __init__(self, token: Token, expected: list[str]) -> None:
        super().__init__(token)
        self.token = token
        self.expected = expected


class DepthError(Exception):
    def __init__(self, token: Token, limit: int) -> None:
        super().__init__(limit)
        self.token = token
        self.limit = limit


class Table:
    def __init__(self, terminals: list, rules: list, states: list, start: dict, end: dict) -> None:
        self.terminals = terminals  # [name, "str" | "re", value, flags, regexp]
        self.rules = rules  # [origin, size, expand1, inline]
        self.states = states  # state -> {symbol: target state (>= 0) | -1 - rule index}
        self.start = start
        self.end = end


_HERE = os.path.dirname(os.path.abspath(__file__))  # not importlib.resources: importing it costs 40 ms


def _read(name: str) -> bytes:
    with open(os.path.join(_HERE, name), "rb") as file:
        return file.read()


def _grammar() -> str:
    return _read(GRAMMAR).decode("utf-8")


class _PlainData(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{TABLE} may hold plain data only, not {module}.{name}")


def _stamp(grammar: str) -> bytes:
    return f"crc32 {zlib.crc32(grammar.encode()):08x} format {_FORMAT}\n".encode()


@functools.cache
def table() -> Table:
    grammar = _grammar()
    stamp = _stamp(grammar)
    try:
        shipped = _read(TABLE)
    except OSError:
        shipped = b""
    if shipped.startswith(stamp):
        data = _PlainData(io.BytesIO(zlib.decompress(shipped[len(stamp) :]))).load()
    else:
        data = build(grammar)
    return Table(data["terminals"], data["rules"], data["states"], data["start"], data["end"])


@functools.cache
def lexer():
    from ._lexer import Lexer

    return Lexer(table())


def build(grammar: str) -> dict:
    """The LALR(1) table of `grammar`, computed by lark."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    built = Lark(grammar, parser="lalr", lexer="basic", start=["query_unit", "update_unit"], maybe_placeholders=False)
    parse_table = built.parser.parser.parser.parse_table
    rules = sorted(
        {rule for actions in parse_table.states.values() for action, rule in actions.values() if action is not Shift},
        key=str,
    )
    index = {rule: i for i, rule in enumerate(rules)}
    states: list[dict[str, int]] = [{} for _ in parse_table.states]
    for state, actions in parse_table.states.items():
        states[state] = {
            str(symbol): (target if action is Shift else -1 - index[target])
            for symbol, (action, target) in actions.items()
        }
    ignored = set(built.ignore_tokens)
    return {
        "terminals": [
            [str(t.name), t.pattern.type, str(t.pattern.value), sorted(t.pattern.flags), str(t.pattern.to_regexp())]
            for t in built.terminals
            if t.name not in ignored
        ],
        "rules": [
            [str(r.origin.name), len(r.expansion), bool(r.options.expand1), r.origin.name.startswith("_")]
            for r in rules
        ],
        "states": states,
        "start": {str(k): v for k, v in parse_table.start_states.items()},
        "end": {str(k): v for k, v in parse_table.end_states.items()},
    }


def write_table(path) -> None:
    grammar = _grammar()
    payload = pickle.dumps(build(grammar), protocol=4)
    with open(path, "wb") as out:
        out.write(_stamp(grammar) + zlib.compress(payload, 9))


def table_is_current() -> bool:
    try:
        shipped = _read(TABLE)
    except OSError:
        return False
    return shipped.startswith(_stamp(_grammar()))


class _Run:
    """One parse: the LALR state and value stacks."""

    def __init__(self, start: str) -> None:
        self.table = table()
        self.states = self.table.states
        self.rules = self.table.rules
        self.stack = [self.table.start[start]]
        self.values: list = []
        self.end = self.table.end[start]

    def feed(self, token: Token):
        states, stack, values, rules = self.states, self.stack, self.values, self.rules
        kind = token.type
        at_end = kind == "$END"
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                raise ParseError(token, self.expected())
            if action >= 0:
                stack.append(action)
                values.append(token)
                return None
            origin, size, expand1, inline = rules[-1 - action]
            if size == 1 and expand1 and type(values[-1]) is not _Inline:
                stack[-1] = states[stack[-2]][origin]  # a `?rule` with one child: the child stands for it
                if at_end and stack[-1] == self.end:
                    return values[-1]
                continue
            children: list
            if size:
                taken = values[-size:]
                del values[-size:]
                del stack[-size:]
                # A repetition (`x*`) is a left-recursive inlined rule: extend its list in place, which no
                # one else holds, rather than copy it at each item (quadratic in the items).
                first = taken[0]
                children = first if type(first) is _Inline else _Inline((first,))
                for child in taken[1:]:
                    if type(child) is _Inline:
                        children.extend(child)
                    else:
                        children.append(child)
            else:
                children = _Inline()
            value: object
            if inline:
                value = children
            elif expand1 and len(children) == 1:
                value = children[0]
            else:
                value = Node(origin, children)
            stack.append(states[stack[-1]][origin])
            values.append(value)
            if at_end and stack[-1] == self.end:
                return value

    def expected(self) -> list[str]:
        """The terminals the parser could shift here (after the reductions each would trigger)."""
        from ._lexer import shifts

        return sorted(
            kind
            for kind in self.states[self.stack[-1]]
            if kind.isupper() and kind != "$END" and shifts(self.states, self.rules, self.stack, kind)
        ) + (["end of text"] if shifts(self.states, self.rules, self.stack, "$END") else [])


def parse(text: str, start: str, limit: int):
    """The tree of `text` from rule `start`; DepthError as soon as brackets nest deeper than `limit`."""
    run = _Run(start)
    depth = 0
    last = None
    for last in lexer().tokens(text, run.stack):
        kind = last.type
        if kind in OPENING:
            depth += 1
            if depth > limit:
                raise DepthError(last, limit)
        elif kind in CLOSING:
            depth -= 1
        run.feed(last)
    end = len(text)
    line = text.count("\n") + 1
    return run.feed(Token("$END", "", end, end, line, end - text.rfind("\n")))


def max_depth(text: str, start: str, stop_above: int) -> tuple[int, int, int | None]:
    """(deepest nesting seen, nesting where reading stopped, offset where it stopped or None at the end):
    tokens are read with the parser until the end, a syntax error, or nesting deeper than `stop_above`."""
    from ._lexer import LexError

    run = _Run(start)
    depth = deepest = 0
    try:
        for token in lexer().tokens(text, run.stack):
            if token.type in OPENING:
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > stop_above:
                        return deepest, depth, token.end
            elif token.type in CLOSING:
                depth -= 1
            run.feed(token)
    except LexError as error:
        return deepest, depth, error.position
    except ParseError as error:
        return deepest, depth, error.token.start
    return deepest, depth, None
