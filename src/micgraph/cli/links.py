"""`micgraph links`: list the links to other datasets or check them; `links discover` finds new ones in a
target dataset and `links accept` turns a reviewed sheet of candidates into links."""

from __future__ import annotations

import click

from .. import formats
from ..constants import ExitStatus
from .common import emit, graph_options, output_option
from .group import main

TARGET_CHOICES = ("wikidata", "dbpedia", "geonames", "isic", "ror")


@main.group(invoke_without_command=True)
@click.option("--target", type=click.Choice(TARGET_CHOICES), help="Only the links to this dataset.")
@click.option(
    "--check",
    is_flag=True,
    help="Check the links instead of listing them: identifier IRI forms, entities with two identifiers "
    "of one target, identifiers shared by two entities, links from entities not in the graph, "
    "provenance and linkset counts. Exit 1 on any problem.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.names(formats.RESULTS)),
    default="table",
    show_default=True,
    help="A results format (json is the SPARQL 1.1 results JSON format).",
)
@graph_options
@output_option
@click.pass_context
def links(ctx, target, check, fmt, graph, output):
    """List micgraph's links to Wikidata, DBpedia, GeoNames and ROR, and its ISIC Rev.4 codes, with their sources.

    \b
    micgraph links --target wikidata
    micgraph links --check
    micgraph links discover --class mic:City --target cities.ttl -o links.ttl --review-out review.csv
    micgraph links accept review.csv -o reviewed.ttl
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..links import check_links, links_result, list_links, problems_result
    from ..results import render

    store = graph.open()
    if not check:
        emit(render(links_result(list_links(store, target)), fmt), output)
        return
    report = check_links(store, target)
    if report.problems or fmt != "table" or output:  # an empty table says less than the summary line
        emit(render(problems_result(report.problems), fmt), output)
    click.echo(
        f"{_count(len(report.links), 'link')} to {_count(len({link.target for link in report.links}), 'dataset')} "
        f"checked: {_count(len(report.problems), 'problem')}",
        err=True,
    )
    if report.problems:
        raise click.exceptions.Exit(ExitStatus.NO)


@links.command()
@click.option(
    "--class",
    "classes",
    multiple=True,
    required=True,
    metavar="CLASS",
    help="Link the resources of this class or its subclasses (mic:City, mic:Organization; repeatable).",
)
@click.option(
    "--target",
    "target",
    required=True,
    metavar="FILE|URL",
    help="The dataset to link to: an RDF file (any syntax, .gz allowed) or a SPARQL endpoint's URL.",
)
@click.option(
    "--target-format",
    type=click.Choice(formats.names(formats.RDF, writable=False)),
    help="Syntax of the target file when its extension does not tell.",
)
@click.option(
    "--target-class",
    "target_classes",
    multiple=True,
    metavar="IRI",
    help="Only target resources of this class (rdf:type, wdt:P31 or gn:featureClass, with subclasses; repeatable).",
)
@click.option(
    "--target-label",
    "target_labels",
    multiple=True,
    metavar="IRI",
    help="A label property of the target besides rdfs:label, skos:prefLabel, skos:altLabel and "
    "schema:name (gn:name, gn:alternateName ...; repeatable).",
)
@click.option(
    "--accept",
    "accept",
    type=float,
    default=0.9,
    show_default=True,
    help="Score from which an unambiguous candidate becomes a link.",
)
@click.option(
    "--review",
    "review",
    type=float,
    default=0.7,
    show_default=True,
    help="Score from which a candidate is put to a person (--review-out).",
)
@click.option(
    "--margin",
    type=float,
    default=0.05,
    show_default=True,
    help="Candidates within this of the best one make a source ambiguous: all go to review.",
)
@click.option(
    "--predicate",
    default="owl:sameAs",
    show_default=True,
    metavar="IRI",
    help="The link predicate (skos:exactMatch, skos:closeMatch ...).",
)
@click.option(
    "--review-out",
    metavar="FILE",
    help="Write the candidates for review to this CSV (its `decision` column is for a person).",
)
@graph_options
@output_option
def discover(
    classes,
    target,
    target_format,
    target_classes,
    target_labels,
    accept,
    review,
    margin,
    predicate,
    review_out,
    graph,
    output,
):
    """Find the resources of a target dataset that are the same as the graph's resources of CLASS.

    Accepted links are written as Turtle (owl:sameAs with a void:Linkset and each link's score and evidence);
    candidates between --review and --accept, and ambiguous ones, go to --review-out. docs/linking.md explains
    the blocking, the score and the review loop.

    \b
    micgraph links discover --class mic:City --target geonames.ttl --target-label gn:name \\
        --target-label gn:alternateName --target-class gn:P -o cities.ttl --review-out review.csv
    """
    from ..linking.discover import discover as find_links
    from ..linking.linkset import discovery_turtle, review_csv

    found = find_links(
        graph.open(),
        classes,
        target,
        target_format=target_format,
        target_classes=target_classes,
        target_labels=target_labels,
        accept=accept,
        review=review,
        margin=margin,
        predicate=predicate,
    )
    if review_out:
        emit(review_csv(found), review_out)
    emit(discovery_turtle(found), output)
    where = f" (in {review_out})" if review_out else " (write them with --review-out FILE)" if found.review else ""
    click.echo(
        f"{_count(found.sources, 'resource')}: {_count(len(found.accepted), 'link')} accepted, "
        f"{_count(len(found.review), 'candidate')} for review{where}, "
        f"{found.unmatched} without a candidate",
        err=True,
    )


@links.command(name="accept")
@click.argument("review_sheet", metavar="REVIEW.csv")
@click.option(
    "--into",
    metavar="LINKS.ttl",
    help="Add the accepted links to this linkset written by `links discover` (one linkset per target, "
    "as `links --check` wants); write the whole with -o (it may name the same file).",
)
@output_option
def accept_command(review_sheet, into, output):
    """Turn the rows of a review sheet marked yes/accept in its `decision` column into links (Turtle, the form
    `links discover` writes). Rows marked no/reject or left empty are skipped; anything else is an error.

    \b
    micgraph links accept review.csv --into links.ttl -o links.ttl
    """
    from ..linking.linkset import accepted_turtle

    emit(accepted_turtle(review_sheet, into), output)


def _count(n: int, noun: str) -> str:
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"
