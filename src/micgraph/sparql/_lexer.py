"""The contextual lexer: maximal munch over the terminals the LALR parser can take.

lark's own contextual lexer compiles one regular expression per parser state (223 for this grammar,
10-40 ms each, since every one repeats the keywords and the name terminals), which made a first parse
cost hundreds of milliseconds. This one compiles each terminal of sparql11.lark once (a few ms) and
picks, at each position, the longest match among the terminals the parser accepts in its current state
(or, when none of them matches, the longest of all, so the parser reports the unexpected token). That is
the SPARQL tokenisation (19.8: longest match) except where a shorter token is the only one the grammar
can take (the parser's stack decides, see `_shifts`), e.g. `<` as less-than where an IRI cannot follow, `.` before `5` after an object.

Keywords are ASCII, matched case-insensitively except `a` (19.3), by maximal munch too: `SELECTDISTINCT`
reads as SELECT DISTINCT, as in Oxigraph, and never as a longer keyword's prefix (`STRLEN` is not STR).
"""

from __future__ import annotations

import re


class Token(str):
    """A terminal: its text, type, and offsets/position in the parsed text."""

    __slots__ = ("column", "end", "line", "start", "type")
    type: str
    start: int
    end: int
    line: int
    column: int

    def __new__(cls, kind: str, value: str, start: int, end: int, line: int, column: int) -> Token:
        token = super().__new__(cls, value)
        token.type, token.start, token.end, token.line, token.column = kind, start, end, line, column
        return token


_WORD = re.compile(r"[A-Za-z0-9_]+")
_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
# Which terminals can start with a given character (regex terminals of the grammar, by name).
_STARTS = {
    "<": ("IRIREF",),
    "?": ("VAR1",),
    "$": ("VAR2",),
    "@": ("LANGTAG",),
    "_": ("BLANK_NODE_LABEL",),
    "(": ("NIL",),
    "[": ("ANON",),
    ":": ("PNAME_LN", "PNAME_NS"),
    "'": ("STRING_LITERAL_LONG1", "STRING_LITERAL1"),
    '"': ("STRING_LITERAL_LONG2", "STRING_LITERAL2"),
    "+": ("DOUBLE_POSITIVE", "DECIMAL_POSITIVE", "INTEGER_POSITIVE"),
    "-": ("DOUBLE_NEGATIVE", "DECIMAL_NEGATIVE", "INTEGER_NEGATIVE"),
    ".": ("DOUBLE", "DECIMAL"),
    **{digit: ("DOUBLE", "DECIMAL", "INTEGER") for digit in "0123456789"},
}
_NAMES = ("PNAME_LN", "PNAME_NS")


def shifts(states, rules, stack: list, kind: str) -> bool:
    """Whether the LALR parser with this state stack shifts a token `kind` after the reductions it
    triggers. The table of the top state alone is not enough: LALR states shared by several contexts
    list the lookaheads of all of them (after `?a` in FILTER(?a<?b), an IRI could follow in a triple)."""
    base, pushed = len(stack), []  # type: int, list[int]
    while True:
        top = pushed[-1] if pushed else stack[base - 1]
        action = states[top].get(kind)
        if action is None:
            return False
        if action >= 0:
            return True
        origin, size = rules[-1 - action][:2]
        if size <= len(pushed):
            del pushed[len(pushed) - size :]
        else:
            base -= size - len(pushed)
            pushed.clear()
        top = pushed[-1] if pushed else stack[base - 1]
        pushed.append(states[top][origin])


class _Compiled(dict):
    """Terminal name -> compiled pattern, compiled on first use (a query needs a few of them)."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, str] = {}

    def __missing__(self, name: str) -> re.Pattern:
        pattern = self[name] = re.compile(self.sources[name])
        return pattern


class LexError(Exception):
    """No terminal matches at `position`."""

    def __init__(self, position: int, line: int, column: int) -> None:
        super().__init__(position)
        self.position, self.line, self.column = position, line, column


class Lexer:
    def __init__(self, table) -> None:
        self.states, self.rules = table.states, table.rules
        self.patterns = _Compiled()
        self.keywords: dict[str, str] = {}  # upper-case keyword -> terminal
        self.case_sensitive: dict[str, str] = {}  # `a`
        self.punctuation: dict[str, list[tuple[str, str]]] = {}  # first char -> [(text, terminal)], longest first
        for name, kind, value, flags, regexp in table.terminals:
            if kind == "str" and value[:1].isalpha():
                if "i" in flags:
                    self.keywords[value.upper()] = name
                else:
                    self.case_sensitive[value] = name
            elif kind == "str":
                self.punctuation.setdefault(value[0], []).append((value, name))
            elif name.startswith(("BUILTIN_", "AGGREGATE_")):
                for keyword in re.findall(r"[A-Z][A-Z0-9_]*", value):
                    self.keywords[keyword] = name
            else:
                self.patterns.sources[name] = regexp
        for options in self.punctuation.values():
            options.sort(key=lambda option: -len(option[0]))
        # Characters that can start only one terminal, a one-character one.
        self.single = {
            char: options[0][1]
            for char, options in self.punctuation.items()
            if len(options) == 1 and len(options[0][0]) == 1 and char not in _STARTS and not char.isalpha()
        }
        self.longest_keyword = max(map(len, self.keywords))

    def tokens(self, text: str, stack: list):
        """The tokens of `text`, each chosen for the parser whose (live) state stack is `stack`."""
        states, rules = self.states, self.rules
        position, end = 0, len(text)
        line, line_start = 1, 0
        while True:
            skipped = _SKIP.match(text, position)
            if skipped is not None:
                newlines = text.count("\n", position, skipped.end())
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", position, skipped.end()) + 1
                position = skipped.end()
            if position >= end:
                return
            first = text[position]
            single = self.single.get(first)
            if single is not None:  # a character that starts one token only, e.g. `{`
                kind, stop = single, position + 1
            else:
                candidates = self._candidates(text, position, end, stack)
                if not candidates:
                    raise LexError(position, line, position - line_start + 1)
                if len(candidates) == 1:
                    kind, stop = candidates[0]
                else:
                    candidates.sort(key=lambda c: -c[1])  # longest first; stable, so the order is a priority
                    kind, stop = next((c for c in candidates if shifts(states, rules, stack, c[0])), candidates[0])
            token = Token(kind, text[position:stop], position, stop, line, position - line_start + 1)
            newlines = token.count("\n")
            if newlines:
                line += newlines
                line_start = text.rfind("\n", position, stop) + 1
            yield token
            position = stop

    def _candidates(self, text: str, position: int, end: int, stack: list) -> list[tuple[str, int]]:
        """(terminal, end offset) of the terminals matching at `position`: all of them, except that a
        prefixed name the parser takes is returned alone (no keyword inside it can be longer)."""
        first = text[position]
        found: list[tuple[str, int]] = []
        names = _NAMES if first.isalpha() or first >= "\x80" else _STARTS.get(first, ())
        for name in names:
            match = self.patterns[name].match(text, position, end)
            if match is not None:
                found.append((name, match.end()))
        if first.isascii() and first.isalpha():
            if found and shifts(self.states, self.rules, stack, found[0][0]):
                return found[:1]
            word = text[position : _WORD.match(text, position, end).end()]  # type: ignore[union-attr]
            upper = word.upper()
            for size in range(min(len(word), self.longest_keyword), 0, -1):
                kind = self.keywords.get(upper[:size]) or self.case_sensitive.get(word[:size])
                if kind is not None:
                    found.append((kind, position + size))
        for value, kind in self.punctuation.get(first, ()):
            if text.startswith(value, position):
                found.append((kind, position + len(value)))
        return found
