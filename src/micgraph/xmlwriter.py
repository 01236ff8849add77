"""XML text written by hand, for every XML micgraph writes (SPARQL results XML, GraphML, GEXF).

Escaping is done here once, with translate tables: xml.sax.saxutils would import urllib.request (and
http, email, ssl) — a fifth of a query's start-up — for two replacements, and an ElementTree is three
times slower to build than the lines themselves. A value holding a character XML 1.0 cannot carry, not
even as a character reference (most C0 controls), is refused rather than altered: every serialisation
micgraph writes reads back as what the graph says.
"""

from __future__ import annotations

import re

from .errors import UsageError

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A raw CR in text would be read back as LF, so it is written as a reference.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# In attribute values a parser turns raw newlines and tabs into spaces: they are references too.
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _checked(value: object) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value)
    bad = _NOT_XML.search(text)
    if bad:
        raise UsageError(
            f"cannot write XML: a value holds U+{ord(bad.group()):04X}, which XML 1.0 cannot "
            f"represent ({text[:40]!r}); choose a format that is not XML"
        )
    return text


def text(value: object) -> str:
    """Element content that parses back to `value`."""
    return _checked(value).translate(_TEXT)


def attribute(value: object) -> str:
    """A double-quoted attribute value that parses back to `value`."""
    return '"' + _checked(value).translate(_ATTRIBUTE) + '"'


class XmlWriter:
    """Indented XML built line by line."""

    def __init__(self) -> None:
        self.lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        self.depth = 0

    @staticmethod
    def _attributes(attributes: dict[str, object] | None) -> str:
        return "".join(f" {name}={attribute(value)}" for name, value in (attributes or {}).items())

    def open(self, tag: str, attributes: dict[str, object] | None = None) -> None:
        self.lines.append(f"{'  ' * self.depth}<{tag}{self._attributes(attributes)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append(f"{'  ' * self.depth}</{tag}>")

    def leaf(self, tag: str, attributes: dict[str, object] | None = None, content: object = None) -> None:
        head = f"{'  ' * self.depth}<{tag}{self._attributes(attributes)}"
        self.lines.append(head + "/>" if content is None else f"{head}>{text(content)}</{tag}>")

    def document(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")
