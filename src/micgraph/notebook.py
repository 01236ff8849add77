"""micgraph in Jupyter: rich HTML for results and stores, and the `%%sparql` IPython extension.

    %load_ext micgraph
    %%sparql -o df
    SELECT ?program ?label WHERE { ?program a mic:Program ; rdfs:label ?label FILTER(LANG(?label) = "en") }

The cell runs on the bundled graph (read once per kernel and kept), plus `--data FILE` (only the files
with `--no-bundled`), or on `--store oxigraph:DIR` or `--endpoint URL`; `-n NAME` runs a named query. SELECT gives a pandas DataFrame,
ASK a bool, CONSTRUCT/DESCRIBE a graph result shown as a table of triples. A bad query or option is
one line (IPython's UsageError), not a traceback.
"""

from __future__ import annotations

import html
import keyword

import pyoxigraph as ox

from .bundle import compact
from .errors import MicgraphError, UsageError

MAX_HTML_ROWS = 100  # rows a result shows in a notebook; the rest are counted, not drawn
MAX_HTML_CLASSES = 12
_XSD = "http://www.w3.org/2001/XMLSchema#"


# --- HTML -----------------------------------------------------------------------------------------

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
            return f'{text} <sub>@{_escape(term.language)}</sub>'
        datatype = term.datatype.value
        if datatype == _XSD + "string":
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
    return (f'<div class="micgraph-result"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"<small>{note}</small></div>")


def select_html(result) -> str:
    """A SELECT result as an HTML table: compact IRIs, escaped literals with their tags and datatypes."""
    return _table(["?" + v for v in result.variables], result.bindings[:MAX_HTML_ROWS], len(result.bindings),
                  "row", result.truncated)


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
    rows = "".join(f"<tr><td>{term_html(cls)}</td><td>{count:,}</td></tr>"
                   for cls, count in classes[:MAX_HTML_CLASSES])
    heading = (f"<b>{_escape(store.description)}</b>: {triples:,} triples"
               f"{f' in {len(graphs):,} named graphs and the default graph' if graphs else ''}")
    return (f'<div class="micgraph-store">{heading}<table><thead><tr><th>class</th><th>instances</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
            f"<small>{'the ' + str(MAX_HTML_CLASSES) + ' most used classes' if more else 'every class'}</small></div>")


# --- the IPython extension ------------------------------------------------------------------------

_bundled: dict[str, object] = {}  # the bundled graph per --infer, read once per kernel


def _open(options):
    """(store, whether to close it after the query)."""
    if options.endpoint:
        if options.store or options.data or options.no_bundled or options.infer != "none":
            raise UsageError("--endpoint queries the remote store: --data, --store and --infer do not apply")
        from .remote import open_endpoint

        return open_endpoint(options.endpoint), False
    from .stores import open_graph

    if not options.data and not options.store and not options.no_bundled:
        if options.infer not in _bundled:
            _bundled[options.infer] = open_graph(infer=options.infer)
        return _bundled[options.infer], False
    return open_graph(options.data or (), bundled=not options.no_bundled, store=options.store,
                      infer=options.infer), True


def run_cell(options, cell: str | None):
    """What a `%%sparql` cell evaluates to: a DataFrame (SELECT), a bool (ASK), a GraphResult."""
    from .query import AskResult, SelectResult, run_query

    text = (cell or "").strip()
    if options.name and text:
        raise UsageError("give a query in the cell or a named query (-n NAME), not both")
    if not options.name and not text:
        raise UsageError("the cell holds no query: write one below %%sparql, or name one with -n NAME")
    if options.output is not None and (not options.output.isidentifier() or keyword.iskeyword(options.output)):
        raise UsageError(f"-o {options.output!r}: not a Python variable name")
    store, close = _open(options)
    try:
        result = run_query(store, None if options.name else text, name=options.name)
    finally:
        if close:
            store.close()
    if isinstance(result, SelectResult):
        return result.to_dataframe()
    if isinstance(result, AskResult):
        return result.boolean
    return result


def _magic():
    from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

    @magic_arguments()
    @argument("-n", "--name", metavar="NAME", help="Run the named query NAME (the cell stays empty).")
    @argument("--data", action="append", metavar="FILE", help="Add this RDF file to the graph (repeatable).")
    @argument("--no-bundled", action="store_true", help="Query only the --data files, not the bundled graph.")
    @argument("--store", metavar="oxigraph:DIR", help="Query a persistent Oxigraph store instead.")
    @argument("--endpoint", metavar="URL", help="Query a SPARQL 1.1 endpoint instead.")
    @argument("--infer", choices=("none", "rdfs", "owlrl"), default="none",
              help="Add RDFS or OWL 2 RL entailments first.")
    @argument("-o", "--output", metavar="VAR", help="Also store the answer in the variable VAR.")
    def sparql(line: str, cell: str | None = None):
        """Run SPARQL on micgraph's bundled graph (or --data, --store, --endpoint): a DataFrame for SELECT,
        a bool for ASK, the triples for CONSTRUCT/DESCRIBE."""
        from IPython import get_ipython
        from IPython.core.error import UsageError as IPythonUsageError

        options = parse_argstring(sparql, line)
        try:
            answer = run_cell(options, cell)
        except MicgraphError as exc:
            raise IPythonUsageError(str(exc)) from None
        if options.output:
            get_ipython().user_ns[options.output] = answer
        return answer

    return sparql


def load_ipython_extension(ipython) -> None:
    """`%load_ext micgraph`: registers `%%sparql` (and `%sparql -n NAME` as a line magic)."""
    ipython.register_magic_function(_magic(), magic_kind="line_cell", magic_name="sparql")
