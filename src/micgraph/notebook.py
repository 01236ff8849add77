"""micgraph in Jupyter: the `%%sparql` IPython extension (display.py draws results and stores).

    %load_ext micgraph
    %%sparql -o df
    SELECT ?program ?label WHERE { ?program a mic:Program ; rdfs:label ?label FILTER(LANG(?label) = "en") }

The cell runs on the bundled graph (read once per kernel and kept), plus `--data FILE` (only the files
with `--no-bundled`), or on `--store oxigraph:DIR` or `--endpoint URL`; `-n NAME` runs a named query. SELECT gives a pandas DataFrame,
ASK a bool, CONSTRUCT/DESCRIBE a graph result shown as a table of triples. A bad query or option is
one line (IPython's UsageError), not a traceback.
"""

from __future__ import annotations

import keyword

from .errors import MicgraphError, UsageError

# --- the IPython extension ------------------------------------------------------------------------

_bundled: dict[str, object] = {}  # the bundled graph per --infer, read once per kernel


def _open(options):
    """(store, whether to close it after the query)."""
    if options.endpoint:
        if options.store or options.data or options.no_bundled or options.infer != "none":
            raise UsageError("--endpoint queries the remote store: --data, --store and --infer do not apply")
        from .remote import open_endpoint

        return open_endpoint(options.endpoint), False
    from .graph import open_graph

    if not options.data and not options.store and not options.no_bundled:
        if options.infer not in _bundled:
            _bundled[options.infer] = open_graph(infer=options.infer)
        return _bundled[options.infer], False
    return open_graph(
        options.data or (), bundled=not options.no_bundled, store=options.store, infer=options.infer
    ), True


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
    @argument(
        "--infer", choices=("none", "rdfs", "owlrl"), default="none", help="Add RDFS or OWL 2 RL entailments first."
    )
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
