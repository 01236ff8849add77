"""Rich HTML for Jupyter: SELECT and CONSTRUCT results and stores show themselves as tables
(`_repr_html_` on the result and store classes calls these). Everything from the graph is escaped."""

from __future__ import annotations

import html

import pyoxigraph as ox

from .namespaces import XSD, compact

MAX_HTML_ROWS = 100  # rows a result shows in a notebook; the rest are counted, not drawn
MAX_HTML_CLASSES = 12


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def term_html(term) -> str:
    """One RDF term as escaped HTML: compact IRIs (linked when http/https), tagged and typed literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        full = _escape(term.value)
        shown = _escape(compact(term.value))
        if term.value.lower().startswith(("http://", "https://")):
            return f'<a href="{full}" title="{full}">{shown}</a>'
        return f'<span title="{full}">{shown}</span>'
    if isinstance(term, ox.BlankNode):
        return f"_:{_escape(term.value)}"
    if isinstance(term, ox.Literal):
        text = _escape(term.value)
        if term.language:
            return f"{text} <sub>@{_escape(term.language)}</sub>"
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return text
        return f'<span title="{_escape(compact(datatype))}">{text}</span>'
    if isinstance(term, ox.Triple):
        return f"&lt;&lt; {term_html(term.subject)} {term_html(term.predicate)} {term_html(term.object)} &gt;&gt;"
    return _escape(str(term))


def _table(header: list[str], rows, total: int, what: str, truncated: bool = False) -> str:
    head = "".join(f"<th>{_escape(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(f"<td>{term_html(t)}</td>" for t in row) + "</tr>" for row in rows)
    shown = min(total, MAX_HTML_ROWS)
    note = f"{total:,} {what}{'s' if total != 1 else ''}"
    if shown < total:
        note += f", the first {shown:,} shown"
    if truncated:
        note += " (cut at the row limit)"
    return (
        f'<div class="micgraph-result"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"<small>{note}</small></div>"
    )


def select_html(result) -> str:
    """A SELECT result as an HTML table: compact IRIs, escaped literals with their tags and datatypes."""
    return _table(
        ["?" + v for v in result.variables],
        result.bindings[:MAX_HTML_ROWS],
        len(result.bindings),
        "row",
        result.truncated,
    )


def graph_html(result) -> str:
    """A CONSTRUCT/DESCRIBE result as a table of its triples."""
    rows = [(t.subject, t.predicate, t.object) for t in result.triples[:MAX_HTML_ROWS]]
    return _table(["subject", "predicate", "object"], rows, len(result.triples), "triple", result.truncated)


_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CLASSES = f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class }}
               GROUP BY ?class ORDER BY DESC(?n) STR(?class) LIMIT {MAX_HTML_CLASSES + 1}"""


def store_html(store) -> str:
    """A store in a notebook: its triples, named graphs, and its most used classes."""
    triples = int(next(iter(store.query(_TRIPLES)))[0].value)
    graphs = [name for name, _ in store.graph_counts() if name is not None]
    classes = [(row[0], int(row[1].value)) for row in store.query(_CLASSES)]
    more = len(classes) > MAX_HTML_CLASSES
    rows = "".join(f"<tr><td>{term_html(cls)}</td><td>{count:,}</td></tr>" for cls, count in classes[:MAX_HTML_CLASSES])
    heading = (
        f"<b>{_escape(store.description)}</b>: {triples:,} triples"
        f"{f' in {len(graphs):,} named graphs and the default graph' if graphs else ''}"
    )
    return (
        f'<div class="micgraph-store">{heading}<table><thead><tr><th>class</th><th>instances</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
        f"<small>{'the ' + str(MAX_HTML_CLASSES) + ' most used classes' if more else 'every class'}</small></div>"
    )
