"""`micgraph render`: a picture of the graph drawn by Graphviz."""

from __future__ import annotations

import click

from .group import main
from .. import formats
from .common import emit, format_option, graph_options, network_options, output_option

from ..picture import LAYOUTS


@main.command()
@click.option("--layout", type=click.Choice(LAYOUTS), default="sfdp", show_default=True,
              help="Graphviz layout engine: sfdp (force-directed, scales), dot (layered), neato, fdp.")
@format_option(formats.PICTURE, help="Picture format; default from -o's extension, else svg.")
@click.option("--edge-labels/--no-edge-labels", default=None,
              help="Label the edges with their property. Default: only when there are at most 200 edges.")
@network_options
@graph_options
@output_option
def render(layout, fmt, edge_labels, lang, schema, classes, graph, output):
    """Draw the graph with Graphviz (SVG, PNG or PDF), nodes coloured and shaped by class, with a legend.

    Needs Graphviz's `dot` on PATH, and a CJK font for Chinese labels (Debian: graphviz fonts-wqy-microhei).

    \b
    micgraph render -o overview.svg
    micgraph render -o centers.png --lang zh --class mic:InnovationCenter --class mic:Program --layout dot
    """
    from ..picture import render_graph

    target = formats.for_output((formats.PICTURE,), fmt, output, "svg")
    rendering = render_graph(graph.open(), fmt=target.format.name, layout=layout, lang=lang or "en", schema=schema,
                             classes=classes, edge_labels=edge_labels)
    for warning in rendering.warnings:
        click.echo(f"warning: {warning}", err=True)
    emit(rendering.data, output, target)
