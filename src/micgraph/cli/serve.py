"""`micgraph serve`: the graph as a SPARQL 1.1 endpoint with Linked Data pages."""

from __future__ import annotations

import os

import click

from ..constants import SERVE_HEADER_TIMEOUT, SERVE_MAX_CONNECTIONS, SERVE_QUERY_TIMEOUT
from .common import graph_options
from .group import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port; the URL is printed).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=SERVE_QUERY_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Stop each query or update after S seconds; its client gets 503.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    metavar="N",
    help="Cut SELECT results after N rows (the response says so in X-SPARQL-MaxRows).",
)
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) from clients with the bearer token.",
)
@click.option(
    "--token-env",
    metavar="VAR",
    help="Environment variable holding the bearer token updates must carry (with --allow-update).",
)
@click.option(
    "--cors",
    multiple=True,
    metavar="ORIGIN",
    help="Let web pages from ORIGIN query the server (repeatable; * for any).",
)
@click.option(
    "--service-allow",
    multiple=True,
    metavar="URL",
    help="Allow SERVICE calls to this endpoint, and updates to LOAD this URL (repeatable). None are "
    "allowed by default.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Query worker processes (default: the number of CPUs, at least 2).",
)
@click.option(
    "--max-body",
    "max_body_bytes",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    metavar="BYTES",
    help="Refuse request bodies larger than this (413).",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=SERVE_HEADER_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Wait at most S seconds for a request's headers, for its body, and for a client that stopped "
    "reading a response; then close the connection (408).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=SERVE_MAX_CONNECTIONS,
    show_default=True,
    metavar="N",
    help="Keep at most N connections open (fewer if the descriptor limit is lower); at the "
    "cap a new client closes the one that has waited longest for its headers.",
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@graph_options
def serve(
    host,
    port,
    timeout,
    max_rows,
    allow_update,
    token_env,
    cors,
    service_allow,
    workers,
    max_body_bytes,
    header_timeout,
    max_connections,
    access_log,
    graph,
):
    """Serve the graph over HTTP until interrupted (Ctrl-C).

    \b
    /sparql     SPARQL 1.1 Protocol endpoint (GET, POST); its service description on a plain GET
    /id/...     the resources https://w3id.org/micgraph/id/...: 303 to /data/....ttl etc. or /page/...
    /ontology   the ontology: 303 to /ontology.ttl etc. or /ontology.html
    /           a query page (YASGUI) with the named queries

    Read-only unless --allow-update; updates then need `Authorization: Bearer $VAR`.

    \b
    micgraph serve --port 8000 --timeout 10 --max-rows 10000
    MICGRAPH_TOKEN=s3cret micgraph serve --allow-update --token-env MICGRAPH_TOKEN --store oxigraph:db
    """
    token = None
    if token_env and not allow_update:
        raise click.UsageError("--token-env only applies with --allow-update")
    if allow_update:
        if not token_env:
            raise click.UsageError("--allow-update needs --token-env VAR: the environment variable holding the token")
        token = os.environ.get(token_env, "").strip()  # secrets files end in a newline; clients' tokens are stripped
        if not token:
            raise click.UsageError(f"--token-env {token_env}: the environment variable is not set or empty")
    from ..server import serve as run_server

    store = graph.open()
    triples, description = len(store), store.description  # the update worker may hold the store from now on

    def ready(url: str) -> None:
        click.echo(
            f"micgraph serve: {triples} triples ({description}) at {url} — SPARQL endpoint {url}sparql; Ctrl-C stops",
            err=True,
        )

    run_server(
        store,
        host=host,
        port=port,
        access_log=access_log,
        on_ready=ready,
        timeout=timeout,
        max_rows=max_rows,
        allow_update=allow_update,
        token=token,
        cors=tuple(cors),
        service_allow=tuple(service_allow),
        workers=workers,
        max_body_bytes=max_body_bytes,
        header_timeout=header_timeout,
        max_connections=max_connections,
    )
