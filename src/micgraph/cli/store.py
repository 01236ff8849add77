"""Commands over persistent and remote stores: load, dump, graphs, push."""

from __future__ import annotations

import sys
import time

import click

from .. import formats
from ..constants import ENDPOINT_TIMEOUT
from .common import POSITIVE_SECONDS, emit, format_option, graph_options, output_option
from .group import main

ENDPOINT_HELP = (
    "Credentials come from MICGRAPH_ENDPOINT_USER / MICGRAPH_ENDPOINT_PASSWORD or ~/.netrc, "
    "never from the command line."
)


class ProgressLine:
    """One self-rewriting line on stderr while a terminal watches; silent otherwise."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.file: str | None = None  # the file being loaded

    def __call__(self, name: str, quads: int, read: int, size: int) -> None:
        if not self.enabled:
            return
        if name != self.file:
            self.file, self.started = name, time.perf_counter()
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        share = f"{100 * read / size:3.0f}% " if size else ""
        width = 24
        filled = int(width * read / size) if size else 0
        bar = f"[{'#' * filled}{'.' * (width - filled)}] " if size else ""
        click.echo(
            f"\r{name}: {bar}{share}{quads:,} triples  {quads / elapsed:,.0f} triples/s  "
            f"{read / 1e6:,.1f}/{size / 1e6:,.1f} MB\x1b[K",
            err=True,
            nl=False,
        )

    def done(self) -> None:
        if self.enabled and self.file is not None:
            click.echo("\r\x1b[K", err=True, nl=False)


def _store_option(required: bool = True):
    return click.option(
        "--store", metavar="oxigraph:DIR", required=required, help="The persistent Oxigraph store (a directory)."
    )


@main.command()
@click.argument("files", nargs=-1, metavar="FILE...")
@_store_option()
@click.option("--graph", metavar="IRI", help="Load triple files into this named graph (default: the default graph).")
@click.option(
    "--bundled/--no-bundled", default=False, show_default=True, help="Also load micgraph's bundled ontology and data."
)
@click.option(
    "--input-format",
    type=click.Choice(formats.names(formats.RDF, writable=False)),
    help="Syntax of FILEs when the extension does not tell.",
)
def load(files, store, graph, bundled, input_format):
    """Bulk-load RDF files (any syntax, .gz, - for stdin) into a persistent Oxigraph store.

    Loading the same file again adds nothing, blank nodes included. Each file goes in whole or not at
    all: a load that is interrupted (Ctrl-C, kill -9) is rolled back the next time the store is opened.

    \b
    micgraph load wikidata-extract.nt.gz oecd.ttl --store oxigraph:kg
    micgraph load --bundled --store oxigraph:kg
    """
    from ..stores import load_store

    if not files and not bundled:
        raise click.UsageError("give FILEs to load, or --bundled")
    progress = ProgressLine()
    started = time.perf_counter()
    try:  # the bundled files in their own syntax; --input-format is for the FILEs
        loads, total = load_store(
            store, files, bundled=bundled, input_format=input_format, graph=graph, progress=progress
        )
    finally:
        progress.done()
    triples = sum(item.quads for item in loads)
    seconds = time.perf_counter() - started
    speed = (
        f" in {seconds:.1f} s ({triples / max(seconds, 1e-6):,.0f} triples/s)" if sys.stderr.isatty() else ""
    )  # logs stay diffable
    click.echo(
        f"loaded {len(loads)} file{'s' if len(loads) != 1 else ''}: {triples:,} triples{speed}; "
        f"{store} holds {total:,} quads",
        err=True,
    )


@main.command()
@_store_option()
@format_option(formats.RDF, help="Default nquads, or from -o's extension. Triple syntaxes merge the named graphs.")
@output_option
def dump(store, fmt, output):
    """Write the whole store out, streamed (fit for millions of quads)."""
    from ..output import open_output
    from ..stores import dump as dump_store
    from ..stores import open_store

    target = formats.for_output((formats.RDF,), fmt, output, "nquads")
    with open_store(store) as source, open_output(output, compressed=target.compressed) as stream:
        dump_store(source, stream, target.format.name)


@main.command()
@_store_option(required=False)
@click.option(
    "--endpoint", metavar="URL", help="List the named graphs of this SPARQL endpoint instead. " + ENDPOINT_HELP
)
@click.option(
    "--endpoint-timeout",
    type=POSITIVE_SECONDS,
    default=ENDPOINT_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Seconds for the whole exchange with the endpoint.",
)
def graphs(store, endpoint, endpoint_timeout):
    """The graphs of a store with their triple counts (the default graph first)."""
    from ..stores import graph_counts, open_store

    if (store is None) == (endpoint is None):
        raise click.UsageError("give --store oxigraph:DIR or --endpoint URL")
    if endpoint:
        from ..remote import open_endpoint

        source = open_endpoint(endpoint, timeout=endpoint_timeout)
    else:
        source = open_store(store)
    with source:
        counts = graph_counts(source)
    lines = [f"{count:>12,}  {'(default graph)' if name is None else name}" for name, count in counts]
    emit("\n".join(lines) + ("\n" if lines else ""), None)
    if endpoint:
        click.echo("(an endpoint's default graph is not counted: it may be the union of its graphs)", err=True)


@main.command()
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="A Graph Store Protocol endpoint, or a SPARQL Update endpoint (used when the URL is no "
    "Graph Store). " + ENDPOINT_HELP,
)
@click.option(
    "--graph", "target_graph", metavar="IRI", help="Target named graph (default: the endpoint's default graph)."
)
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option(
    "--query-endpoint", metavar="URL", help="Where to count the uploaded triples afterwards (default: --endpoint)."
)
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Triples per request (blank nodes are never split across requests).",
)
@click.option(
    "--endpoint-timeout",
    type=POSITIVE_SECONDS,
    default=ENDPOINT_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Seconds for each request to the endpoint.",
)
@graph_options
def push(endpoint, target_graph, replace, query_endpoint, chunk, endpoint_timeout, graph):
    """Upload the merged graph to a remote store (Graph Store Protocol, else SPARQL Update INSERT DATA).

    \b
    micgraph push --endpoint http://localhost:7878/store --graph https://example.org/micgraph --replace
    micgraph push --endpoint http://localhost:8890/sparql-auth --graph https://example.org/micgraph
    """
    from ..remote import push as push_graph

    report = push_graph(
        graph.open(),
        endpoint,
        graph=target_graph,
        replace=replace,
        query_url=query_endpoint,
        chunk=chunk,
        timeout=endpoint_timeout,
    )
    check = "count verified" if report.verified else "count not verified"
    timing = f"{report.seconds:.1f} s, " if sys.stderr.isatty() else ""  # logs stay diffable
    click.echo(
        f"pushed {report.triples:,} triples to {report.graph or 'the default graph'} at {report.endpoint} "
        f"by {report.method} in {report.requests} request{'s' if report.requests != 1 else ''} "
        f"({timing}{check})",
        err=True,
    )
