"""Reading SPARQL text below the grammar: codepoint escapes, the keyword pre-check, positions, IRIs.

Pure Python, no lark: `import micgraph.sparql` loads this and nothing heavier.
"""

from __future__ import annotations

import bisect
import functools
import re

_ESCAPE_START = re.compile(r"\\[uU]")


def unescape(text: str) -> str:
    """The text after the SPARQL 1.1 section 19.2 codepoint-escape pass, as Oxigraph performs it."""
    return unescape_with_offsets(text)[0]


def unescape_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The unescaped text and, for each of its characters, the offset in `text` where it came from
    (None when nothing was unescaped: offsets are then the identity).

    Oxigraph's pass (spargebra, feature `standard-unicode-escaping`) reads the text once, left to right:
    `\\u` and the next 4 characters, or `\\U` and the next 8, become one character when those characters
    are hexadecimal (Rust's `u32::from_str_radix`, which also takes one leading `+`) and name a Unicode
    scalar value (not a surrogate, at most U+10FFFF). Otherwise the backslash is kept and the characters
    it read are copied as they are, never read again as the start of an escape: `\\u005C` gives a
    backslash that starts nothing, and after a bad escape (`\\uZZZZ`, `\\uD800`, too few characters) a
    backslash among the copied characters reads the next unread character and keeps it with them.
    """
    if _ESCAPE_START.search(text) is None:
        return text, None
    out: list[str] = []
    origin: list[int] = []
    size = len(text)
    read = 0  # the next character not yet read
    copied = 0  # characters text[copied:read] were read but are still to be copied out verbatim
    while True:
        if copied < read:
            char, at = text[copied], copied
            copied += 1
        elif read < size:
            char, at = text[read], read
            read += 1
            copied = read
        else:
            break
        out.append(char)
        origin.append(at)
        if char != "\\" or read >= size:
            continue
        marker = text[read]
        read += 1
        if marker not in "uU":
            continue
        width = 4 if marker == "u" else 8
        if size - read < width:
            read = size
            continue
        read += width
        digits = text[copied + 1 : read]  # Oxigraph parses what it buffered after its first character
        value = _rust_hex(digits) if copied + 1 == read - width else None
        if value is not None and value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
            out[-1] = chr(value)
            copied = read
    return "".join(out), origin


def _rust_hex(digits: str) -> int | None:
    """`u32::from_str_radix(digits, 16)`: hexadecimal digits after an optional `+`."""
    body = digits.removeprefix("+")
    if not body or any(c not in "0123456789abcdefABCDEF" for c in body):
        return None
    return int(body, 16)


@functools.lru_cache(maxsize=64)
def _keyword_pattern(keyword: str) -> re.Pattern:
    return re.compile(re.escape(keyword), re.IGNORECASE)


def may_contain_keyword(text: str, keyword: str) -> bool:
    """False only if no reading of `text` can hold `keyword` (case-insensitively): neither the text as
    written (as pyoxigraph 0.5 reads it) nor its section 19.2 unescaped form. Case-insensitive as Python's
    `re.I` is, which also matches e.g. 'ſ' (U+017F) for 's' and 'K' (U+212A) for 'k': an over-approximation
    of SPARQL's ASCII case-insensitive keywords, so sound."""
    pattern = _keyword_pattern(keyword)
    if pattern.search(text) is not None:
        return True
    if _ESCAPE_START.search(text) is None:
        return False
    return pattern.search(unescape(text)) is not None


def bracket_bound(text: str) -> int:
    """An upper bound of the bracket nesting depth of any reading of `text`: its opening brackets, plus
    one per codepoint escape (each of which may decode to a bracket)."""
    bound = text.count("{") + text.count("(") + text.count("[")
    if "\\" in text:
        bound += len(_ESCAPE_START.findall(text))
    return bound


class Lines:
    """Line and column (both from 1) of offsets in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def first_lone_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate (text that is not Unicode: no SPARQL engine can read it)."""
    match = re.search("[\ud800-\udfff]", text)
    return match.start() if match else None


# --- IRIs ---------------------------------------------------------------------------------------

_IRI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)  # RFC 3986 B
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# Characters 19.8 [139] IRIREF excludes (after escapes are decoded they must still not appear).
_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def bad_iri_character(iri: str) -> str | None:
    match = _NOT_IN_IRI.search(iri)
    return match.group() if match else None


def is_absolute(iri: str) -> bool:
    scheme = iri.split(":", 1)[0] if ":" in iri else ""
    return bool(scheme) and _SCHEME.fullmatch(scheme) is not None


def resolve(base: str | None, reference: str) -> str | None:
    """RFC 3986 section 5.2 resolution of `reference` against `base` (no normalisation), or None when the
    reference is relative and there is no base."""
    if is_absolute(reference):
        scheme, authority, path, query, fragment = _split(reference)
        return _join(scheme, authority, _remove_dot_segments(path), query, fragment)
    if base is None:
        return None
    b_scheme, b_authority, b_path, b_query, _ = _split(base)
    _, authority, path, query, fragment = _split(reference)
    if authority is not None:
        path = _remove_dot_segments(path)
    elif path == "":
        path, authority = b_path, b_authority
        query = query if query is not None else b_query
    else:
        if not path.startswith("/"):
            if b_authority is not None and b_path == "":
                path = "/" + path
            else:
                path = b_path[: b_path.rfind("/") + 1] + path
        path = _remove_dot_segments(path)
        authority = b_authority
    return _join(b_scheme, authority, path, query, fragment)


def _split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    match = _IRI_PARTS.match(iri)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3), match.group(4), match.group(5)


def _join(scheme, authority, path, query, fragment) -> str:
    parts = [f"{scheme}:" if scheme is not None else ""]
    if authority is not None:
        parts.append(f"//{authority}")
    parts.append(path)
    if query is not None:
        parts.append(f"?{query}")
    if fragment is not None:
        parts.append(f"#{fragment}")
    return "".join(parts)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            segment, path = (path, "") if cut < 0 else (path[:cut], path[cut:])
            output.append(segment)
    return "".join(output)
