"""`micgraph chart`: a chart of a named query or SELECT, drawn in Vega-Lite (micgraph.charts)."""

from __future__ import annotations

import sys

import click

from . import main
from .common import LANG_CHOICE, emit, graph_options, open_graph_from, output_option

# charts.KINDS, restated so that `micgraph --help` does not import the charts module (a test keeps them equal)
KIND_CHOICE = click.Choice(["bar", "grouped-bar", "line", "range"])


@main.command()
@click.argument("query", metavar="NAME|QUERY")
@click.option("--kind", type=KIND_CHOICE, default=None,
              help="bar, grouped-bar, line (over periods) or range (bounds). Default: from the result's shape.")
@click.option("--lang", type=LANG_CHOICE, default="en", show_default=True,
              help="Language of the labels read from the graph (Chinese needs a CJK font).")
@graph_options
@output_option
def chart(query, kind, lang, data, input_format, no_bundled, store, infer, output):
    """Draw a chart of a named query or a SELECT (- reads it from stdin), with axis titles and units from
    the graph and a caption citing each figure's source documents.

    The format comes from -o's extension: .svg, .png, .html (self-contained) or .vl.json (the Vega-Lite
    spec); SVG on stdout without -o. Needs the `chart` extra: pip install 'micgraph[chart]'.

    \b
    micgraph chart china-investment-growth-2024 -o growth.svg
    micgraph chart china-investment-growth-2024 --lang zh -o growth-zh.png
    micgraph chart 'SELECT ?year ?share WHERE { ... }' --kind line -o share.html
    """
    from ..charts import format_of, render_chart

    fmt = format_of(output) if output else "svg"
    if query == "-":
        query = sys.stdin.read()
    graph = open_graph_from(data, input_format, no_bundled, store, infer)
    emit(render_chart(query, fmt, graph, kind=kind, lang=lang), output)
