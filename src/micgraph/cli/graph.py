"""Commands over the graph: query, queries, validate, reason, export, stats, docs."""

from __future__ import annotations

import click

from .. import formats
from ..constants import ENDPOINT_TIMEOUT, QUERY_TIMEOUT, REASONING_PROFILES, SERVICE_TIMEOUT, ExitStatus
from . import common
from .common import LANG_CHOICE, emit, format_option, graph_options, network_options, output_option
from .group import main


def _read_query(query: str | None, query_file: str | None, name: str | None) -> tuple[str | None, str | None]:
    """(text, name) from exactly one of QUERY, `-` (stdin), -f FILE, -n NAME."""
    given = [x for x in (query, query_file, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a QUERY argument, -f FILE or -n NAME")
    if name is not None:
        from ..bundle import named_query

        named_query(name)  # an unknown name fails before any data is read
        return None, name
    if query == "-" or query_file is not None:
        from ..loading import read_text

        return read_text(query_file if query_file is not None else "-"), None
    return query, None


def _result_target(fmt: str | None, output: str | None, kind: str) -> formats.Target:
    """--format, else -o's extension, else a table on a terminal (CSV into a pipe), Turtle for graphs."""
    if kind == "graph":
        target = formats.for_output(
            (formats.RDF, formats.NETWORK), fmt, output, "turtle", what="a CONSTRUCT or DESCRIBE result"
        )
        if target.format.folder:
            raise click.UsageError(
                f"--format {target.format.name} does not apply to a CONSTRUCT/DESCRIBE result "
                "(it writes a folder: see `micgraph export`)"
            )
        return target
    if fmt is not None and fmt not in formats.names(formats.RESULTS):
        raise click.UsageError(
            f"--format {fmt} does not apply to a SELECT/ASK result; use one of: "
            f"{', '.join(formats.names(formats.RESULTS))}"
        )
    default = "table" if common.stdout_is_terminal() and not output else "csv"
    return formats.for_output((formats.RESULTS,), fmt, output, default, what=f"{kind.upper()} results")


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", metavar="FILE", help="Read the query from FILE (- for stdin).")
@click.option("-n", "--name", metavar="NAME", help="Run the named query NAME (see `micgraph queries`).")
@format_option(
    formats.RESULTS,
    formats.RDF,
    formats.NETWORK,
    help="SELECT/ASK: table, csv, tsv, json, xml, md. CONSTRUCT/DESCRIBE: an RDF syntax, or a network "
    "(graphml, gexf, dot, cytoscape, html). Default: from -o's extension, else a table on a terminal "
    "(csv in a pipe), turtle.",
)
@click.option(
    "--lang",
    type=LANG_CHOICE,
    default="en",
    show_default=True,
    help="Label language of a CONSTRUCT result written as a network.",
)
@click.option(
    "--timeout",
    type=common.SECONDS,
    default=QUERY_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Stop a local query after S seconds (0: no limit).",
)
@click.option(
    "--service-allow",
    multiple=True,
    metavar="URL",
    help="Allow SERVICE calls to this endpoint (repeatable). None are allowed by default.",
)
@click.option(
    "--service-timeout",
    type=common.POSITIVE_SECONDS,
    default=SERVICE_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Time allowed for each SERVICE call (connect, query, answer).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run the query on this SPARQL 1.1 endpoint instead of the local graph. Credentials come from "
    "MICGRAPH_ENDPOINT_USER / MICGRAPH_ENDPOINT_PASSWORD or ~/.netrc.",
)
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="With --endpoint: query this graph as the default graph (repeatable; sent as default-graph-uri).",
)
@click.option(
    "--endpoint-timeout",
    type=common.POSITIVE_SECONDS,
    default=ENDPOINT_TIMEOUT,
    show_default=True,
    metavar="S",
    help="With --endpoint: seconds for the whole exchange.",
)
@graph_options
@output_option
def query(
    query,
    query_file,
    name,
    fmt,
    lang,
    timeout,
    service_allow,
    service_timeout,
    endpoint,
    default_graphs,
    endpoint_timeout,
    graph,
    output,
):
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    QUERY is the query text, or - to read it from stdin. The prefixes mic:, micr:, rdf:, rdfs:, owl:, xsd:,
    skos:, prov:, dcterms:, schema:, org: (and more: see docs/cli.md) are predeclared. ASK exits 0 when
    true and 1 when false. SERVICE clauses may call only the --service-allow endpoints (docs/federation.md).

    \b
    micgraph query 'SELECT ?p ?label WHERE { ?p a mic:Program ; rdfs:label ?label }'
    micgraph query -n centers-per-program --format md
    micgraph query -n centers-per-program --endpoint http://localhost:7878/query
    """
    from ..query import run_query

    text, name = _read_query(query, query_file, name)
    if endpoint:
        if graph.data or graph.store or graph.infer != "none":
            raise click.UsageError("--endpoint queries the remote store: --data, --store and --infer do not apply")
        from ..remote import open_endpoint

        store = open_endpoint(endpoint, default_graphs=default_graphs, timeout=endpoint_timeout)
    else:
        store = graph.open()
    result = run_query(
        store,
        text,
        name=name,
        service_allow=tuple(service_allow),
        service_timeout=service_timeout,
        timeout=timeout or None,
    )
    target = _result_target(fmt, output, result.kind)
    if result.kind == "graph" and target.format.kind == formats.NETWORK:
        from ..export import export_construct

        emit(export_construct(result.triples, store, target.format.name, lang=lang), output, target)
    elif result.kind == "graph":
        from ..export.rdf import serialize_triples

        emit(serialize_triples(result.triples, target.format.name), output, target)
    else:
        from ..results import render

        emit(render(result, target.format.name), output, target)
        if result.kind == "ask" and not result.boolean:
            raise click.exceptions.Exit(ExitStatus.NO)


@main.command()
@click.argument("name", required=False)
def queries(name):
    """List the named queries with their descriptions, or print the text of one (NAME)."""
    from ..bundle import named_queries, named_query

    if name:
        emit(named_query(name).text, None)
        return
    entries = named_queries()
    width = max((len(n) for n in entries), default=0)
    emit("".join(f"{query_name:<{width}}  {entry.description}\n" for query_name, entry in entries.items()), None)


@main.command()
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    metavar="FILE",
    help="Validate against these shapes (repeatable) instead of the bundled ones.",
)
@format_option(
    formats.REPORT,
    formats.RDF,
    default="text",
    help="text for people; json: the results as a list; an RDF syntax: the SHACL validation report.",
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "pyshacl"]),
    default="oxigraph",
    show_default=True,
    help="oxigraph: micgraph's engine, SPARQL on the store; pyshacl: pySHACL, the reference.",
)
@graph_options
@output_option
def validate(shapes, fmt, engine, graph, output):
    """Validate the graph against micgraph's SHACL shapes (or --shapes).

    The data is always read with the ontology: `--no-bundled --data mine.ttl` validates your file (with
    the ontology that gives it meaning) alone. Exit status: 0 conforms, 1 does not conform, 2 unreadable
    input.

    \b
    micgraph validate
    micgraph validate --no-bundled --data my-centres.ttl --infer rdfs
    """
    from ..validation import render_report
    from ..validation import validate as run_validation

    report = run_validation(shapes=list(shapes) or None, store=graph.open(with_ontology=True), engine=engine)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    emit(render_report(report, fmt), output)
    if not report.conforms:
        raise click.exceptions.Exit(ExitStatus.NO)


@main.command()
@click.option(
    "--profile",
    type=click.Choice(REASONING_PROFILES),
    default="owlrl",
    show_default=True,
    help="rdfs and owlrl materialise entailments; hermit classifies with HermiT (needs Java).",
)
@click.option(
    "--check", is_flag=True, help="Check consistency and unsatisfiable classes with HermiT instead; exit 1 if any."
)
@format_option(
    formats.RDF,
    help="Output syntax (default trig, the entailments in their own named graph; "
    "triple syntaxes give the bare entailed triples).",
)
@graph_options(infer=False)
@output_option
def reason(profile, check, fmt, graph, output):
    """Materialise entailments into their own named graph, or check consistency with HermiT.

    \b
    micgraph reason --profile owlrl -o inferred.trig
    micgraph reason --check
    """
    from .. import reason as reasoning

    if check and fmt:
        raise click.UsageError("--format does not apply to --check, which prints a report")
    store = graph.open(with_ontology=True)
    if check:
        report = reasoning.check_consistency(store)
        emit("\n".join(reasoning.consistency_lines(report)) + "\n", output)
        if not report.ok:
            raise click.exceptions.Exit(ExitStatus.NO)
        return
    target = formats.for_output((formats.RDF,), fmt, output, "trig")
    inferred = reasoning.entailments(store, profile)
    from ..export.rdf import serialize

    emit(serialize(inferred, target.format.name), output, target)
    click.echo(f"{profile}: {len(inferred)} entailed triples", err=True)


@main.command()
@format_option(
    formats.RDF,
    formats.NETWORK,
    formats.MAP,
    help="RDF: turtle (default), nt, jsonld, xml, trig, nquads. Networks: graphml (yEd), gexf (Gephi), "
    "dot (Graphviz), cytoscape (Cytoscape.js JSON), csv (Gephi nodes.csv and edges.csv in the "
    "folder -o DIR), html (a self-contained explorer page). Map: geojson (cities, and centres and "
    "institutes at their city). Default: from -o's extension.",
)
@network_options
@click.option("--force", is_flag=True, help="--format csv: write into a folder that holds other files too.")
@click.option(
    "--preserve-lexical-forms",
    is_flag=True,
    help='RDF formats: keep every literal as the files write it ("01"^^xsd:integer stays 01) instead of '
    "in Oxigraph's canonical form. Not with --store.",
)
@graph_options
@output_option
def export(fmt, lang, schema, classes, force, preserve_lexical_forms, graph, output):
    """Export the merged graph as RDF, or as a network for Gephi, yEd, Cytoscape, Graphviz or a browser.

    RDF output is sorted, byte-identical run to run, and reads back as the graph in every format: each
    literal keeps its lexical form and datatype. The graph is read into Oxigraph, though, which keeps
    the values of the XSD datatypes it knows, not their lexical forms: those come out in canonical form
    ("01"^^xsd:integer as 1, "9.50"^^xsd:decimal as "9.5", "1.0E0"^^xsd:double as "1", "1"^^xsd:boolean
    as true, "2020-01-01+00:00"^^xsd:date as "2020-01-01Z", P12M as P1Y), and xsd:int, xsd:long,
    xsd:byte, xsd:nonNegativeInteger and the other integer types become xsd:integer (even out of their
    range); other ill-typed literals ("abc"^^xsd:integer) and other datatypes are kept as written, and
    language tags are lower-cased. --preserve-lexical-forms keeps every literal as written. See
    docs/export.md. A network holds the instances (the T-box only
    with --schema): nodes with labels, classes and literal properties, edges for the object properties.
    See docs/visualization.md.

    \b
    micgraph export -o graph.ttl
    micgraph export -o graph.nt.gz
    micgraph export --no-bundled --data mine.ttl --preserve-lexical-forms -o mine.nt
    micgraph export -o graph.graphml --lang zh
    micgraph export --format csv -o gephi/ --class mic:InnovationCenter --class mic:Program
    micgraph export -o explorer.html
    micgraph export -o places.geojson --lang zh
    """
    from ..export import export_csv, export_network, export_rdf

    target = formats.for_output((formats.RDF, formats.NETWORK, formats.MAP), fmt, output, "turtle")
    chosen = target.format
    if chosen.kind != formats.NETWORK and (schema or classes or (lang and chosen.kind == formats.RDF)):
        raise click.UsageError(
            "--lang, --schema and --class apply to the network formats "
            f"({', '.join(formats.names(formats.NETWORK))}; --lang to geojson too), "
            f"not to {chosen.name}"
        )
    if chosen.folder and not output:
        raise click.UsageError(f"--format {chosen.name} writes {chosen.title} into a folder: give it with -o DIR")
    if preserve_lexical_forms and chosen.kind != formats.RDF:
        raise click.UsageError(f"--preserve-lexical-forms applies to the RDF formats, not to {chosen.name}")
    store = graph.open(preserve_lexical_forms=preserve_lexical_forms)
    if chosen.folder:
        written = export_csv(store, output, lang=lang or "en", schema=schema, classes=classes, force=force)
        emit("".join(f"{path}\n" for path in written), None)
    elif chosen.kind == formats.MAP:
        from ..export.geojson import export_geojson

        emit(export_geojson(store, lang=lang or "en"), output, target)
    elif chosen.kind == formats.NETWORK:
        emit(export_network(store, chosen.name, lang=lang or "en", schema=schema, classes=classes), output, target)
    else:
        emit(export_rdf(store, chosen.name), output, target)


@main.command()
@click.option("--void", "void", is_flag=True, help="Print a VoID description of the dataset in Turtle.")
@format_option(formats.REPORT, default="text", help="text for people, json for programs.")
@graph_options
@output_option
def stats(void, fmt, graph, output):
    """Triples, classes with instance counts, properties with usage counts."""
    from ..stats import compute_stats, render_stats, void_description

    store = graph.open()
    figures = compute_stats(store)
    if void:
        emit(void_description(store, figures), output)
    elif fmt == "json":
        import dataclasses
        import json

        emit(json.dumps(dataclasses.asdict(figures), indent=2) + "\n", output)
    else:
        emit(render_stats(figures), output)


@main.command()
@click.option(
    "-o",
    "--output",
    "directory",
    required=True,
    metavar="DIR",
    help="Folder to write: index.html, micgraph.ttl, context.jsonld.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that holds files micgraph did not write (none of them is removed).",
)
def docs(directory, force):
    """Write HTML documentation of the ontology (pyLODE), English and Chinese labels side by side.

    DIR is created if needed. micgraph writes only its own files there: a folder holding anything else is
    refused unless --force; a folder written by an earlier `micgraph docs` is updated.
    """
    from ..docs import write_docs

    emit("".join(f"{path}\n" for path in write_docs(directory, force=force)), None)
