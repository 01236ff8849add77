"""`micgraph chart`: a chart of a named query or SELECT, drawn in Vega-Lite (micgraph.charts)."""

from __future__ import annotations

import click

from .. import formats
from ..constants import CHART_KINDS
from .common import LANG_CHOICE, emit, format_option, graph_options, output_option
from .group import main

KIND_CHOICE = click.Choice(CHART_KINDS)


@main.command()
@click.argument("query", metavar="NAME|QUERY")
@click.option(
    "--kind",
    type=KIND_CHOICE,
    default=None,
    help="bar, grouped-bar, line (over periods) or range (bounds). Default: from the result's shape.",
)
@click.option(
    "--lang",
    type=LANG_CHOICE,
    default="en",
    show_default=True,
    help="Language of the labels read from the graph (Chinese needs a CJK font).",
)
@format_option(
    formats.CHART,
    help="svg, png, html (self-contained) or vega-lite (the spec). Default: from -o's "
    "extension (.svg .png .html .vl.json), else svg.",
)
@graph_options
@output_option
def chart(query, kind, lang, fmt, graph, output):
    """Draw a chart of a named query or a SELECT (- reads it from stdin), with axis titles and units from
    the graph and a caption citing each figure's source documents.

    The format comes from --format or -o's extension: .svg, .png, .html (self-contained) or .vl.json (the
    Vega-Lite spec); SVG on stdout without either. Needs the `chart` extra: pip install 'micgraph[chart]'.

    \b
    micgraph chart china-investment-growth-2024 -o growth.svg
    micgraph chart china-investment-growth-2024 --lang zh -o growth-zh.png
    micgraph chart 'SELECT ?year ?share WHERE { ... }' --kind line -o share.html
    """
    from ..charts import render_chart

    target = formats.for_output((formats.CHART,), fmt, output, "svg")
    if query == "-":
        from ..loading import read_text

        query = read_text("-")
    emit(render_chart(query, target.format.name, graph.open(), kind=kind, lang=lang), output, target)
