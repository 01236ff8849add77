"""`micgraph render`: a picture of the graph drawn by Graphviz."""

from __future__ import annotations

import click

from .. import formats
from ..picture import LAYOUTS
from ..views import DEFAULT_VIEW, VIEWS
from .common import emit, format_option, graph_options, network_options, output_option
from .group import main


@main.command()
@click.option(
    "--view",
    type=click.Choice(list(VIEWS)),
    default=DEFAULT_VIEW,
    show_default=True,
    help="What to draw: the programmes with their centres, fields and cities; the centres with their "
    "organisations; the policies and trade measures; the sources; or all of the graph "
    "(docs/visualization.md).",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default=None,
    help="Graphviz layout engine: dot (layered, left to right; the default for a view), sfdp "
    "(force-directed, scales; the default for --view all), neato, fdp.",
)
@format_option(formats.PICTURE, help="Picture format; default from -o's extension, else svg.")
@click.option(
    "--edge-labels/--no-edge-labels",
    default=None,
    help="Label the edges with their property. Default: as the view says; for --view all, only "
    "when there are at most 200 edges.",
)
@network_options
@graph_options
@output_option
def render(view, layout, fmt, edge_labels, lang, schema, classes, graph, output):
    """Draw a view of the graph with Graphviz (SVG, PNG or PDF): nodes coloured and shaped by class,
    boxed by programme, with a legend.

    Needs Graphviz's `dot` on PATH, and a CJK font for Chinese labels (Debian: graphviz fonts-wqy-microhei).

    \b
    micgraph render -o overview.svg
    micgraph render --view centres --lang zh -o centres.png
    micgraph render -o chinese-centres.pdf --class mic:ChineseInnovationCenter --class mic:Program --layout dot
    micgraph render --view all -o everything.svg
    """
    from ..picture import render_graph

    target = formats.for_output((formats.PICTURE,), fmt, output, "svg")
    rendering = render_graph(
        graph.open(),
        view=view,
        fmt=target.format.name,
        layout=layout,
        lang=lang or "en",
        schema=schema,
        classes=classes,
        edge_labels=edge_labels,
    )
    for warning in rendering.warnings:
        click.echo(f"warning: {warning}", err=True)
    emit(rendering.data, output, target)
