"""`micgraph links`: list the links to other datasets, or check them."""

from __future__ import annotations

import click

from .group import main
from .. import formats
from ..constants import ExitStatus
from .common import emit, graph_options, output_option

TARGET_CHOICES = ("wikidata", "dbpedia", "geonames", "isic", "ror")


@main.command()
@click.option("--target", type=click.Choice(TARGET_CHOICES), help="Only the links to this dataset.")
@click.option("--check", is_flag=True,
              help="Check the links instead of listing them: identifier IRI forms, entities with two identifiers "
                   "of one target, identifiers shared by two entities, links from entities not in the graph, "
                   "provenance and linkset counts. Exit 1 on any problem.")
@click.option("--format", "fmt", type=click.Choice(formats.names(formats.RESULTS)), default="table", show_default=True,
              help="A results format (json is the SPARQL 1.1 results JSON format).")
@graph_options
@output_option
def links(target, check, fmt, graph, output):
    """List micgraph's links to Wikidata, DBpedia, GeoNames and ROR, and its ISIC Rev.4 codes, with their sources.

    \b
    micgraph links --target wikidata
    micgraph links --check
    """
    from ..links import check_links, links_result, list_links, problems_result
    from ..results import render

    store = graph.open()
    if not check:
        emit(render(links_result(list_links(store, target)), fmt), output)
        return
    report = check_links(store, target)
    if report.problems or fmt != "table" or output:  # an empty table says less than the summary line
        emit(render(problems_result(report.problems), fmt), output)
    click.echo(f"{_count(len(report.links), 'link')} to {_count(len({l.target for l in report.links}), 'dataset')} "
               f"checked: {_count(len(report.problems), 'problem')}", err=True)
    if report.problems:
        raise click.exceptions.Exit(ExitStatus.NO)


def _count(n: int, noun: str) -> str:
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"
