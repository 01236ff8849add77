"""`micgraph render`: a picture of the graph drawn by Graphviz."""

from __future__ import annotations

import click

from . import main
from .common import emit, extension, graph_options, network_options, open_graph_from, output_option

_PICTURE_FORMATS = ("svg", "png", "pdf")
_LAYOUTS = ("sfdp", "dot", "neato", "fdp")


@main.command()
@click.option("--layout", type=click.Choice(_LAYOUTS), default="sfdp", show_default=True,
              help="Graphviz layout engine: sfdp (force-directed, scales), dot (layered), neato, fdp.")
@click.option("--format", "fmt", type=click.Choice(_PICTURE_FORMATS), default=None,
              help="Picture format; default from -o's extension, else svg.")
@click.option("--edge-labels/--no-edge-labels", default=None,
              help="Label the edges with their property. Default: only when there are at most 200 edges.")
@network_options
@graph_options
@output_option
def render(layout, fmt, edge_labels, lang, schema, classes, data, input_format, no_bundled, store, infer, output):
    """Draw the graph with Graphviz (SVG, PNG or PDF), nodes coloured and shaped by class, with a legend.

    Needs Graphviz's `dot` on PATH, and a CJK font for Chinese labels (Debian: graphviz fonts-wqy-microhei).

    \b
    micgraph render -o overview.svg
    micgraph render -o centers.png --lang zh --class mic:InnovationCenter --class mic:Program --layout dot
    """
    from ..picture import render_graph

    suffix = extension(output)
    if fmt is None and output and suffix not in _PICTURE_FORMATS:
        raise click.UsageError(f"cannot tell the picture format from {output!r}; name it .svg, .png or .pdf, "
                               "or pass --format")
    graph = open_graph_from(data, input_format, no_bundled, store, infer)
    rendering = render_graph(graph, fmt=fmt or suffix or "svg", layout=layout, lang=lang or "en", schema=schema,
                             classes=classes, edge_labels=edge_labels)
    for warning in rendering.warnings:
        click.echo(f"warning: {warning}", err=True)
    emit(rendering.data, output)
