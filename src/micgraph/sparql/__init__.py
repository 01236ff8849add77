"""SPARQL text: the one place micgraph reads queries and updates (what they call, declare and use).

Why a parser, and this one. micgraph must know, before pyoxigraph runs a query, every SERVICE endpoint
it would call (pyoxigraph 0.5 has no switch for SERVICE). Scans of the text disagreed with pyoxigraph's
parser (`SERVICE:x`, an IRI holding `\\u`), and rdflib's parser misreads escapes and loops on nested
SERVICE, so the decision rests on a parser of our own: the grammar of SPARQL 1.1 Query and Update
(W3C Recommendation, section 19.8, productions [1]-[173]) transcribed into `sparql11.lark` from the
specification, checked against every W3C syntax test, and differentially against pyoxigraph.

Why LALR. lark turns the grammar into an LALR(1) table (shipped precomputed, read in milliseconds);
the parser is a loop over that table with an explicit stack, and every walk over the tree is a loop
too: no Python recursion per nesting level, so no depth can crash it. The lexer is contextual (it
takes the longest token the parser can accept, e.g. `<` as less-than where no IRI can follow).
Nesting is still bounded (MAX_NESTING), because pyoxigraph's recursive-descent parser is not: it is
checked on the real tokens as they are read, before the tree grows deep.

Fail closed. A text the parser rejects raises QuerySyntaxError (line, column, a cause a person can act
on); callers refuse what does not parse, they never pass it on. Two readings of codepoint escapes
exist: section 19.2 replaces `\\uXXXX`/`\\UXXXXXXXX` everywhere before parsing, while pyoxigraph 0.5
(built without spargebra's `standard-unicode-escaping` feature) decodes them only inside IRIs and
strings. The parser reads the text as pyoxigraph does; when escapes would change it, it also parses the
section 19.2 reading and refuses the text if the two readings call different SERVICE endpoints. Where
pyoxigraph's keyword matching differs from SPARQL's longest match in a way that changes an endpoint
(`SERVICE SILENT:x`), the text is refused too.

The pre-check. `may_contain_keyword(text, "SERVICE")` is False only when no reading of the text can hold
the keyword, so a query without it never pays for a parse; `nesting_depth` is as cheap (a count of
brackets) unless that count exceeds the limit.

Nothing here does I/O; `import micgraph.sparql` imports neither lark nor the parser table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import QuerySyntaxError
from ._text import may_contain_keyword, unescape, unescape_with_offsets

if TYPE_CHECKING:
    from .model import Declaration, Load, Query, ServiceClause, Update

__all__ = [
    "MAX_NESTING",
    "MAX_QUERY_BYTES",
    "Declaration",
    "Load",
    "Query",
    "ServiceClause",
    "Update",
    "check_limits",
    "may_contain_keyword",
    "nesting_depth",
    "parse_query",
    "parse_update",
    "unescape",
    "unescape_with_offsets",
    "with_prefix_declarations",
]

# The deepest bracket nesting ({, ( and [ together) a query or update may have. pyoxigraph 0.5.13's parser
# recurses per bracket and overflows its stack (SIGSEGV) beyond, measured by bench/sparql_nesting.py:
#   {  group:        2187 in the main thread (8 MiB stack), 2188 in a worker thread (Python's default,
#                    8 MiB here), 543 in a thread with a 2 MiB stack (glibc's default when `ulimit -s` is
#                    unlimited);
#   (  expression:   4668 (main), 4669 (thread), 1158 (2 MiB thread);
#   {  update WHERE: 2189 (main), 545 (2 MiB thread);
#   (  collection and [ blank node: no crash found: at 5000 levels pyoxigraph computes for over a minute.
# Real queries nest a few levels, generated ones (left-deep UNION chains) a few dozen; 256 is well above
# both and below half of the smallest figure. It bounds crashes, not time: pyoxigraph's planning grows
# with the cube of a basic graph pattern's size (a chain of 256 triple patterns: 1.5 s of CPU; collections
# nested 128 deep, which are such patterns: 3.6 s), and a few hundred OPTIONALs side by side in one group
# keep it busy for minutes. Those need a time limit on the query, which no parse can replace.
MAX_NESTING = 256
# The largest text parsed (UTF-8 bytes). Real queries are a few kB, generated ones with VALUES blocks
# tens of kB; parsing is linear, about 5 us per byte here (bench/sparql_parser.py), so this bounds a
# parse to about a second.
MAX_QUERY_BYTES = 256_000


def __getattr__(name: str):
    """The model's classes, imported when first named: the pre-checks need none of them."""
    if name in ("Declaration", "Load", "Query", "ServiceClause", "Update"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def nesting_depth(text: str, limit: int = MAX_NESTING) -> int:
    """How deeply brackets nest in `text` (either reading of its escapes), computed only as far as it
    matters: when the text has at most `limit` opening brackets (plus codepoint escapes, each of which
    could decode to one), that count is returned, an upper bound; otherwise the text is read with the
    parser and the exact depth over real tokens (brackets in strings, IRIs and comments do not count)
    is returned, or the first depth above `limit` once reading gets there. Where the parser stops at a
    syntax error, the brackets after it count as if nested. Never recurses."""
    from ._text import bracket_bound

    bound = bracket_bound(text)
    if bound <= limit:
        return bound
    depth = _exact_depth(text, limit)
    unescaped = unescape(text)
    if unescaped != text:
        depth = max(depth, _exact_depth(unescaped, limit))
    return depth


def _exact_depth(text: str, limit: int) -> int:
    """The depth over the tokens the parser reads as a query and as an update, each completed by
    counting the brackets after the point where it stops as nested: both are upper bounds, the one that
    reads the whole text (or gets above `limit`) is exact."""
    from . import _parser
    from ._text import bracket_bound

    bounds = []
    for start in ("query_unit", "update_unit"):
        deepest, current, stopped = _parser.max_depth(text, start, limit)
        bounds.append(
            deepest if stopped is None or deepest > limit else max(deepest, current + bracket_bound(text[stopped:]))
        )
    return min(bounds)


def check_limits(text: str, *, update: bool = False, source: str = "query") -> None:
    """QuerySyntaxError if the brackets of `text` nest deeper than MAX_NESTING: what every query and update
    is checked for before any parser reads it (pyoxigraph's recurses per bracket and crashes). Cheap (a
    count of brackets) unless that count is over the limit."""
    _refuse_deep_nesting(text[:MAX_QUERY_BYTES], "update_unit" if update else "query_unit", source)


def with_prefix_declarations(text: str, prefixes: dict[str, str]) -> str:
    """`text` preceded by PREFIX lines for those of `prefixes` (micgraph's predeclared ones) it uses and
    does not declare itself, as the parser reads it: what a query needs to read the same at an endpoint
    that predeclares nothing. A text the parser cannot read gets them all (SPARQL lets a PREFIX line of
    its own override them)."""
    try:
        parsed = _parse(text, "query_unit", None, prefixes, "query")
        wanted = [name for name in prefixes if name in parsed.undeclared_prefixes]
    except QuerySyntaxError:
        wanted = list(prefixes)
    lines = [f"PREFIX {name}: <{prefixes[name]}>" for name in wanted]
    return "\n".join([*lines, text]) if lines else text


def parse_query(
    text: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None, source: str = "query"
) -> Query:
    """Parse a SPARQL 1.1 query. `prefixes` are predeclared (PREFIX lines in the text override them),
    `base_iri` is the base before any BASE line. QuerySyntaxError for anything SPARQL 1.1 (or the checks
    in the package docstring) rejects, with the line and column of the cause."""
    return _parse(text, "query_unit", base_iri, prefixes, source)


def parse_update(
    text: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None, source: str = "update"
) -> Update:
    """Parse a SPARQL 1.1 update (one or more operations separated by `;`), as parse_query does."""
    return _parse(text, "update_unit", base_iri, prefixes, source)


def _parse(text: str, start: str, base_iri: str | None, prefixes: dict[str, str] | None, source: str):
    from ._text import first_lone_surrogate, is_absolute

    what = "query" if start == "query_unit" else "update"
    check_limits(text, update=start == "update_unit", source=source)  # first: the more telling refusal
    if len(text) > MAX_QUERY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise QuerySyntaxError(f"the {what} is longer than {MAX_QUERY_BYTES:,} bytes (MAX_QUERY_BYTES)", source=source)
    surrogate = first_lone_surrogate(text)
    if surrogate is not None:
        from ._text import Lines

        line, column = Lines(text).position(surrogate)
        raise QuerySyntaxError(
            f"U+{ord(text[surrogate]):04X} is half of a surrogate pair, not a character", line, column, source
        )
    if base_iri is not None and not is_absolute(base_iri):
        raise QuerySyntaxError(f"the base IRI <{base_iri}> is not absolute", source=source)
    result = _read(text, start, base_iri, prefixes, source)
    unescaped = unescape(text)
    if unescaped != text:
        try:
            other = _read(unescaped, start, base_iri, prefixes, source)
        except QuerySyntaxError:
            return result  # an engine that unescapes first would refuse the text: nothing it could call
        if _calls(other) != _calls(result):
            raise QuerySyntaxError(
                f"its \\u escapes make this {what} call different SERVICE endpoints when "
                "they are decoded before parsing (SPARQL 1.1 section 19.2) and when they "
                "are decoded in IRIs and strings only: write those characters as "
                "themselves",
                source=source,
            )
    return result


def _refuse_deep_nesting(text: str, start: str, source: str) -> None:
    """QuerySyntaxError if the brackets of `text` nest deeper than MAX_NESTING (read with the parser, which
    stops there: a few kB of text, whatever the length)."""
    from ._text import Lines, bracket_bound

    if bracket_bound(text) <= MAX_NESTING:
        return
    from . import _parser

    deepest, _, stopped = _parser.max_depth(text, start, MAX_NESTING)
    if deepest > MAX_NESTING and stopped is not None:
        line, column = Lines(text).position(stopped - 1)
        raise QuerySyntaxError(f"brackets nest deeper than {MAX_NESTING} levels (MAX_NESTING)", line, column, source)


def _calls(parsed) -> list:
    return [(c.endpoint, c.variable, c.silent) for c in parsed.all_services()] + [
        (load.source, load.graph, load.silent) for load in getattr(parsed, "loads", ())
    ]


def _read(text: str, start: str, base_iri: str | None, prefixes: dict[str, str] | None, source: str):
    from . import _parser
    from ._analysis import Analysis
    from ._lexer import LexError
    from ._text import bracket_bound

    limit = MAX_NESTING if bracket_bound(text) > MAX_NESTING else len(text) + 1
    try:
        tree = _parser.parse(text, start, limit)
    except _parser.DepthError as error:
        token = error.token
        raise QuerySyntaxError(
            f"brackets nest deeper than {error.limit} levels (MAX_NESTING)", token.line, token.column, source
        ) from None
    except LexError as error:
        char = text[error.position]
        word = re.match(r"[A-Za-z0-9_]+", text[error.position : error.position + 60])
        shown = (
            f"'{word.group()}'"
            if word
            else repr(char)
            if char.isprintable() and not char.isspace()
            else f"character U+{ord(char):04X}"
        )
        raise QuerySyntaxError(f"unexpected {shown}", error.line, error.column, source) from None
    except _parser.ParseError as error:
        raise _syntax_error(text, start, error, source) from None
    analysis = Analysis(text, base_iri, prefixes, source)
    analysis.walk(tree)
    analysis.check_scopes()
    return analysis.query() if start == "query_unit" else analysis.update()


def _syntax_error(text: str, start: str, error, source: str) -> QuerySyntaxError:
    token = error.token
    other = "update_unit" if start == "query_unit" else "query_unit"
    if (token.type != "$END" or not text.strip()) and _parses_as(text, other):
        if start == "query_unit":
            cause = "this is a SPARQL update, not a query (send it as an update)"
        else:
            cause = "this is a SPARQL query, not an update (send it as a query)"
        return QuerySyntaxError(cause, 1, 1, source)
    expected = [_terminal_text(kind) for kind in error.expected]
    shown = ", ".join(expected[:12]) + (", ..." if len(expected) > 12 else "")
    found = "end of the text" if token.type == "$END" else f"'{_clip(str(token))}'"
    cause = f"unexpected {found}" + (f"; expected {shown}" if expected else "")
    return QuerySyntaxError(cause, token.line, token.column, source)


def _parses_as(text: str, start: str) -> bool:
    from . import _parser
    from ._lexer import LexError

    try:
        _parser.parse(text, start, MAX_NESTING)
    except (_parser.ParseError, _parser.DepthError, LexError):
        return False
    return True


_TERMINAL_NAMES = {
    "IRIREF": "<IRI>",
    "PNAME_LN": "prefixed name",
    "PNAME_NS": "prefix:",
    "BLANK_NODE_LABEL": "_:blank",
    "VAR1": "?variable",
    "VAR2": "$variable",
    "LANGTAG": "@language",
    "INTEGER": "integer",
    "DECIMAL": "decimal",
    "DOUBLE": "double",
    "INTEGER_POSITIVE": "+integer",
    "DECIMAL_POSITIVE": "+decimal",
    "DOUBLE_POSITIVE": "+double",
    "INTEGER_NEGATIVE": "-integer",
    "DECIMAL_NEGATIVE": "-decimal",
    "DOUBLE_NEGATIVE": "-double",
    "STRING_LITERAL1": "'string'",
    "STRING_LITERAL2": '"string"',
    "STRING_LITERAL_LONG1": "'''string'''",
    "STRING_LITERAL_LONG2": '"""string"""',
    "NIL": "()",
    "ANON": "[]",
    "BUILTIN_0": "RAND() etc.",
    "BUILTIN_1": "STR(...) etc.",
    "BUILTIN_2": "CONTAINS(..., ...) etc.",
    "BUILTIN_N": "CONCAT(...)/COALESCE(...)",
    "AGGREGATE_1": "SUM(...) etc.",
}


def _terminal_text(kind: str) -> str:
    if kind in _TERMINAL_NAMES or kind == "end of text":
        return _TERMINAL_NAMES.get(kind, kind)
    from . import _parser

    for name, pattern_type, value, _flags, _regexp in _parser.table().terminals:
        if name == kind and pattern_type == "str":
            return value.upper() if value.isalpha() and value != "a" else f"'{value}'"
    return kind


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."
