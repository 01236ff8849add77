"""Render SELECT and ASK results: an aligned table, CSV, TSV, SPARQL JSON, SPARQL XML and Markdown.

CSV, TSV, JSON and XML follow the W3C SPARQL 1.1 result-format recommendations (the conformance
runner checks them against the W3C test suite); table and Markdown are for people and use compact IRIs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pyoxigraph as ox

from . import formats, xmlwriter
from .namespaces import RDF_LANGSTRING, XSD, XSD_STRING, compact
from .query import AskResult, SelectResult


def render(result: SelectResult | AskResult, fmt: str) -> str:
    """The result as text in `fmt`, a results format of the registry (table, csv, tsv, json, xml, md)."""
    return _RENDERERS[formats.get(fmt, formats.RESULTS).name](result)


# --- term encodings ---------------------------------------------------------------------------


def _datatype(term: ox.Literal) -> str | None:
    value = term.datatype.value
    return None if value in (XSD_STRING, RDF_LANGSTRING) else value


def json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif _datatype(term):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": json_term(term.subject),
                "predicate": json_term(term.predicate),
                "object": json_term(term.object),
            },
        }
    raise TypeError(term)


def nt_term(term) -> str:
    """N-Triples form, as SPARQL TSV wants it (numbers in their short form)."""
    if isinstance(term, ox.Literal):
        datatype = _datatype(term)
        if datatype in (XSD + "integer", XSD + "decimal", XSD + "double") and _is_canonical_number(term):
            return term.value
        if datatype == XSD + "boolean" and term.value in ("true", "false"):
            return term.value
    return str(term)


def _is_canonical_number(term: ox.Literal) -> bool:
    """A literal that Turtle would read back as the same typed number if written bare."""
    value, datatype = term.value, term.datatype.value
    if datatype == XSD + "integer":
        return re.fullmatch(r"[+-]?\d+", value) is not None
    if datatype == XSD + "decimal":
        return re.fullmatch(r"[+-]?\d*\.\d+", value) is not None
    return re.fullmatch(r"[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+", value) is not None


def csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def display_term(term) -> str:
    """What a person reads in a table cell: compact IRIs, literal values, `_:b` blank nodes."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


# --- renderers --------------------------------------------------------------------------------


def _json(result) -> str:
    if isinstance(result, AskResult):
        document = {"head": {}, "boolean": result.boolean}
    else:
        document = {
            "head": {"vars": result.variables},
            "results": {
                "bindings": [
                    {v: json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.bindings
                ]
            },
        }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xmlwriter.text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xmlwriter.text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={xmlwriter.attribute(term.language)}>{xmlwriter.text(term.value)}</literal>"
        if _datatype(term):
            return (
                f"<literal datatype={xmlwriter.attribute(term.datatype.value)}>{xmlwriter.text(term.value)}</literal>"
            )
        return f"<literal>{xmlwriter.text(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(term)


def _xml(result) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if isinstance(result, AskResult):
        lines += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append("  <head>")
        lines += [f"    <variable name={xmlwriter.attribute(v)}/>" for v in result.variables]
        lines += ["  </head>", "  <results>"]
        for row in result.bindings:
            lines.append("    <result>")
            lines += [
                f"      <binding name={xmlwriter.attribute(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(result.variables, row)
                if t is not None
            ]
            lines.append("    </result>")
        lines.append("  </results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _csv(result) -> str:
    if isinstance(result, AskResult):
        return f"{'true' if result.boolean else 'false'}\r\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([csv_term(t) for t in row] for row in result.bindings)
    return out.getvalue()


def _tsv(result) -> str:
    if isinstance(result, AskResult):
        return f"{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else nt_term(t) for t in row) for row in result.bindings]
    return "\n".join(lines) + "\n"


def text_width(text: str) -> int:
    """Terminal columns: wide (CJK) and fullwidth characters take two, combining marks and
    zero-width format characters none."""
    return sum(
        0 if unicodedata.category(ch) in ("Mn", "Me", "Cf") else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


# Control characters left after whitespace is collapsed (ESC, BEL, DEL, C1): shown, never sent to the terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _cells(result: SelectResult) -> list[list[str]]:
    """Table and Markdown cells: one line each, control characters written as \\uXXXX."""
    return [
        [_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", " ".join(display_term(t).split())) for t in row]
        for row in result.bindings
    ]


def _table(result) -> str:
    if isinstance(result, AskResult):
        return ("yes" if result.boolean else "no") + "\n"
    rows = _cells(result)
    widths = [max([text_width(v), *(text_width(r[i]) for r in rows)]) for i, v in enumerate(result.variables)]
    lines = [
        "  ".join(_pad(v, w) for v, w in zip(result.variables, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _md(result) -> str:
    if isinstance(result, AskResult):
        return f"**{'true' if result.boolean else 'false'}**\n"
    lines = ["| " + " | ".join(result.variables) + " |", "|" + "|".join(" --- " for _ in result.variables) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in _cells(result)]
    return "\n".join(lines) + "\n"


_RENDERERS = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml, "md": _md}
