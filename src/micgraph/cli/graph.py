"""Commands over the graph: query, queries, validate, reason, export, stats, docs."""

from __future__ import annotations

import sys

import click

from . import common, main
from .common import (INFER_CHOICES, LANG_CHOICE, emit, extension, graph_options, network_options, open_graph_from,
                     output_option)

TABULAR = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld", "xml", "trig", "nquads")
NETWORK_FORMATS = ("graphml", "gexf", "dot", "cytoscape", "html")
_TABULAR_EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "srj": "json", "xml": "xml", "srx": "xml",
                       "md": "md", "txt": "table"}
_GRAPH_EXTENSIONS = {"ttl": "turtle", "nt": "nt", "jsonld": "jsonld", "rdf": "xml", "xml": "xml", "owl": "xml",
                     "trig": "trig", "nq": "nquads"}
_NETWORK_EXTENSIONS = {"graphml": "graphml", "gexf": "gexf", "dot": "dot", "gv": "dot", "cyjs": "cytoscape",
                       "html": "html", "htm": "html"}


def _read_query(query: str | None, query_file: str | None, name: str | None) -> tuple[str | None, str | None]:
    """(text, name) from exactly one of QUERY, `-` (stdin), -f FILE, -n NAME."""
    given = [x for x in (query, query_file, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a QUERY argument, -f FILE or -n NAME")
    if name is not None:
        from ..bundle import named_query

        named_query(name)  # an unknown name fails before any data is read
        return None, name
    if query == "-" or query_file == "-":
        return sys.stdin.read(), None
    if query_file is not None:
        from ..errors import InputNotFoundError

        try:
            with open(query_file, encoding="utf-8") as stream:
                return stream.read(), None
        except OSError as exc:
            raise InputNotFoundError(query_file, exc.strerror or str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise InputNotFoundError(query_file, f"not UTF-8 text ({exc.reason})") from exc
    return query, None


def _result_format(fmt: str | None, output: str | None, kind: str) -> str:
    """--format, else the -o extension, else table/turtle on a terminal and csv/turtle in a pipe."""
    choices = GRAPH_FORMATS + NETWORK_FORMATS if kind == "graph" else TABULAR
    if fmt:
        if fmt not in choices:
            what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
            raise click.UsageError(f"--format {fmt} does not apply to a {what} result; use one of: "
                                   f"{', '.join(choices)}")
        return fmt
    by_extension = ({**_GRAPH_EXTENSIONS, **_NETWORK_EXTENSIONS} if kind == "graph"
                    else _TABULAR_EXTENSIONS).get(extension(output))
    if by_extension:
        return by_extension
    if kind == "graph":
        return "turtle"
    return "table" if common.stdout_is_terminal() and not output else "csv"


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", metavar="FILE", help="Read the query from FILE (- for stdin).")
@click.option("-n", "--name", metavar="NAME", help="Run the named query NAME (see `micgraph queries`).")
@click.option("--format", "fmt", metavar="FORMAT",
              help="SELECT/ASK: table, csv, tsv, json, xml, md. CONSTRUCT/DESCRIBE: turtle, nt, jsonld, xml, "
                   "trig, nquads, or a network: graphml, gexf, dot, cytoscape, html. Default: from -o's extension, "
                   "else table on a terminal (csv in a pipe), turtle.")
@click.option("--lang", type=LANG_CHOICE, default="en", show_default=True,
              help="Label language of a CONSTRUCT result written as a network.")
@click.option("--service-allow", multiple=True, metavar="URL",
              help="Allow SERVICE calls to this endpoint (repeatable). None are allowed by default.")
@click.option("--service-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="Time allowed for each SERVICE call (connect, query, read the answer).")
@click.option("--endpoint", metavar="URL",
              help="Run the query on this SPARQL 1.1 endpoint instead of the local graph. Credentials come from "
                   "MICGRAPH_ENDPOINT_USER / MICGRAPH_ENDPOINT_PASSWORD or ~/.netrc.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: query this graph as the default graph (repeatable; sent as default-graph-uri).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="With --endpoint: seconds to wait.")
@graph_options
@output_option
def query(query, query_file, name, fmt, lang, service_allow, service_timeout, endpoint, default_graphs, timeout,
          data, input_format, no_bundled, store, infer, output):
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    QUERY is the query text, or - to read it from stdin. The prefixes mic:, micr:, rdf:, rdfs:, owl:, xsd:,
    skos:, prov:, dcterms:, schema:, org: (and more: see the README) are predeclared. ASK exits 0 when
    true and 1 when false. SERVICE clauses may call only the --service-allow endpoints (docs/federation.md).

    \b
    micgraph query 'SELECT ?p ?label WHERE { ?p a mic:Program ; rdfs:label ?label }'
    micgraph query -n centers-per-program --format md
    micgraph query -n centers-per-program --endpoint http://localhost:7878/query
    """
    from ..query import run_query

    text, name = _read_query(query, query_file, name)
    if endpoint:
        if data or store or infer != "none":
            raise click.UsageError("--endpoint queries the remote store: --data, --store and --infer do not apply")
        from ..remote import open_endpoint

        graph = open_endpoint(endpoint, default_graphs=default_graphs, timeout=timeout)
    else:
        graph = open_graph_from(data, input_format, no_bundled, store, infer)
    result = run_query(graph, text, name=name, service_allow=tuple(service_allow), service_timeout=service_timeout)
    chosen = _result_format(fmt, output, result.kind)
    if result.kind == "graph" and chosen in NETWORK_FORMATS:
        from ..export import export_construct

        emit(export_construct(result.triples, graph, chosen, lang=lang), output)
        return
    if result.kind == "graph":
        from ..export.rdf import serialize_triples

        emit(serialize_triples(result.triples, chosen), output)
        return
    from ..results import render

    emit(render(result, chosen), output)
    if result.kind == "ask" and not result.boolean:
        raise click.exceptions.Exit(1)


@main.command()
@click.argument("name", required=False)
def queries(name):
    """List the named queries with their descriptions, or print the text of one (NAME)."""
    from ..bundle import named_queries, named_query

    if name:
        click.echo(named_query(name).text, nl=False)
        return
    entries = named_queries()
    width = max((len(n) for n in entries), default=0)
    for query_name, entry in entries.items():
        click.echo(f"{query_name:<{width}}  {entry.description}")


@main.command()
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--shapes", "shapes", multiple=True, metavar="FILE",
              help="Validate against these shapes (repeatable) instead of the bundled ones.")
@click.option("--infer", type=INFER_CHOICES, default="none", show_default=True,
              help="Add RDFS or OWL 2 RL entailments of the ontology and data before validating.")
@click.option("--input-format", metavar="FORMAT", help="Syntax of FILEs when the extension does not tell.")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
@click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph", show_default=True,
              help="oxigraph: micgraph's engine, SPARQL on the store; pyshacl: pySHACL, the reference.")
@output_option
def validate(files, shapes, infer, input_format, fmt, engine, output):
    """Validate RDF files against micgraph's SHACL shapes (or --shapes).

    The FILEs are validated together with the ontology; with no FILE, the bundled data is validated.
    Exit status: 0 conforms, 1 does not conform, 2 unreadable input.
    """
    from ..validation import render_report, validate as run_validation

    report = run_validation(list(files) or None, list(shapes) or None, infer, input_format=input_format,
                            engine=engine)
    emit(render_report(report, fmt), output)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@main.command()
@click.option("--profile", type=click.Choice(["rdfs", "owlrl", "hermit"]), default="owlrl", show_default=True,
              help="rdfs and owlrl materialise entailments; hermit classifies with HermiT (needs Java).")
@click.option("--check", is_flag=True,
              help="Check consistency and unsatisfiable classes with HermiT instead; exit 1 if any.")
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "nt"]), default=None,
              help="Output syntax: trig (default; entailments in their own named graph), nquads, or the bare "
                   "entailed triples as turtle or nt.")
@click.option("--data", "data", multiple=True, metavar="FILE", help="RDF file to add (repeatable).")
@click.option("--input-format", metavar="FORMAT", help="Syntax of --data files when the extension does not tell.")
@click.option("--no-bundled", is_flag=True, help="Reason over the --data files only.")
@click.option("--store", metavar="oxigraph:DIR", help="Reason over a persistent Oxigraph store.")
@output_option
def reason(profile, check, fmt, data, input_format, no_bundled, store, output):
    """Materialise entailments into their own named graph, or check consistency with HermiT.

    \b
    micgraph reason --profile owlrl -o inferred.trig
    micgraph reason --check
    """
    from ..reason import check_consistency, hermit_entailments, materialise, INFERRED

    graph = open_graph_from(data, input_format, no_bundled, store, "none")
    if check:
        report = check_consistency(store=graph)
        from ..bundle import compact

        unsatisfiable = len(report.unsatisfiable)
        lines = [f"{report.reasoner}: consistent; "
                 f"{unsatisfiable or 'no'} unsatisfiable class{'es' if unsatisfiable != 1 else ''}"
                 if report.consistent else f"{report.reasoner}: INCONSISTENT"]
        lines += [f"unsatisfiable: {compact(iri)}" for iri in report.unsatisfiable]
        for datatype, count in sorted(report.replaced_datatypes.items()):
            lines.append(f"note: {count} literal(s) of {compact(datatype)} checked as strings "
                         "(HermiT does not support the datatype)")
        emit("\n".join(lines) + "\n", output)
        if not report.ok:
            raise click.exceptions.Exit(1)
        return
    if profile == "hermit":
        quads, report = hermit_entailments(graph)
        if not report.ok:
            from ..errors import ReasonerError

            raise ReasonerError("the graph is inconsistent or has unsatisfiable classes: run `micgraph reason --check`")
        graph.add_quads(quads)
    else:
        materialise(graph, profile)
    from ..export.rdf import serialize

    inferred = [q for q in graph.quads() if q.graph_name == INFERRED]
    chosen = fmt or {"nq": "nquads", "ttl": "turtle", "nt": "nt"}.get(extension(output), "trig")
    emit(serialize(inferred, chosen), output)
    click.echo(f"{profile}: {len(inferred)} entailed triples", err=True)


@main.command()
@click.option("--format", "fmt", metavar="FORMAT", default=None,
              help="RDF: turtle (default), nt, jsonld, xml, trig, nquads. Networks: graphml (yEd), gexf (Gephi), "
                   "dot (Graphviz), cytoscape (Cytoscape.js JSON), csv (Gephi nodes.csv and edges.csv in the "
                   "folder -o DIR), html (a self-contained explorer page). Default: from -o's extension.")
@network_options
@graph_options
@output_option
def export(fmt, lang, schema, classes, data, input_format, no_bundled, store, infer, output):
    """Export the merged graph as RDF, or as a network for Gephi, yEd, Cytoscape, Graphviz or a browser.

    RDF output is sorted and byte-identical run to run; so are the network formats. A network holds the
    instances (the T-box only with --schema): nodes with labels, classes and literal properties, edges
    for the object properties. See docs/visualization.md.

    \b
    micgraph export -o graph.ttl
    micgraph export -o graph.graphml --lang zh
    micgraph export --format csv -o gephi/ --class mic:InnovationCenter --class mic:Program
    micgraph export -o explorer.html
    """
    from ..export import NETWORK_EXPORT_FORMATS, RDF_EXPORT_FORMATS, export_csv, export_network, export_rdf

    suffix = extension(output)
    chosen = fmt or _GRAPH_EXTENSIONS.get(suffix) or _NETWORK_EXTENSIONS.get(suffix) or "turtle"
    known = RDF_EXPORT_FORMATS + NETWORK_EXPORT_FORMATS + ("csv",)
    if chosen not in known:
        raise click.UsageError(f"unknown export format {chosen!r}; use one of: {', '.join(known)}")
    if chosen in RDF_EXPORT_FORMATS and (lang or schema or classes):
        raise click.UsageError("--lang, --schema and --class apply to the network formats "
                               f"({', '.join(NETWORK_EXPORT_FORMATS)}, csv), not to {chosen}")
    if chosen == "csv" and not output:
        raise click.UsageError("--format csv writes nodes.csv and edges.csv into a folder: give it with -o DIR")
    graph = open_graph_from(data, input_format, no_bundled, store, infer)
    if chosen == "csv":
        for path in export_csv(graph, output, lang=lang or "en", schema=schema, classes=classes):
            click.echo(str(path))
    elif chosen in NETWORK_EXPORT_FORMATS:
        emit(export_network(graph, chosen, lang=lang or "en", schema=schema, classes=classes), output)
    else:
        emit(export_rdf(graph, chosen), output)


@main.command()
@click.option("--void", "void", is_flag=True, help="Print a VoID description of the dataset in Turtle.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@graph_options
@output_option
def stats(void, fmt, data, input_format, no_bundled, store, infer, output):
    """Triples, classes with instance counts, properties with usage counts."""
    from ..stats import compute_stats, render_stats, void_description

    graph = open_graph_from(data, input_format, no_bundled, store, infer)
    figures = compute_stats(graph)
    if void:
        emit(void_description(graph, figures), output)
    elif fmt == "json":
        import dataclasses
        import json

        emit(json.dumps(dataclasses.asdict(figures), indent=2) + "\n", output)
    else:
        emit(render_stats(figures), output)


@main.command()
@click.option("-o", "--output", "directory", required=True, metavar="DIR",
              help="Folder to write (replaced atomically): index.html, micgraph.ttl, context.jsonld.")
def docs(directory):
    """Write HTML documentation of the ontology (pyLODE), English and Chinese labels side by side."""
    from ..docs import write_docs

    for path in write_docs(directory):
        click.echo(str(path))
