"""Options shared by the commands that read the graph, and writing to stdout or an atomic file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

INFER_CHOICES = click.Choice(["none", "rdfs", "owlrl"])


def graph_options(command):
    """--data, --input-format, --no-bundled, --store and --infer: what every graph-reading command takes."""
    for decorator in reversed((
        click.option("--data", "data", multiple=True, metavar="FILE",
                     help="RDF file to add to the graph (repeatable; any syntax by extension, .gz, - for stdin)."),
        click.option("--input-format", metavar="FORMAT",
                     help="Syntax of --data files when the extension does not tell: turtle, nt, nquads, trig, "
                          "jsonld, xml, n3."),
        click.option("--no-bundled", is_flag=True, help="Read only the --data files, not the bundled graph."),
        click.option("--store", metavar="oxigraph:DIR", help="Read a persistent Oxigraph store instead of memory."),
        click.option("--infer", type=INFER_CHOICES, default="none", show_default=True,
                     help="Add RDFS or OWL 2 RL entailments (in their own named graph) before running."),
    )):
        command = decorator(command)
    return command


def open_graph_from(data, input_format, no_bundled, store, infer):
    from ..stores import open_graph

    return open_graph(list(data), bundled=not no_bundled, input_format=input_format, infer=infer, store=store)


def stdout_is_terminal() -> bool:
    """Whether a person reads stdout (tables for people, CSV for pipes)."""
    return sys.stdout.isatty()


def output_option(command):
    return click.option("-o", "--output", metavar="FILE",
                        help="Write to FILE (atomically: a temporary file renamed into place) instead of stdout.")(command)


def emit(data: str | bytes, output: str | None) -> None:
    """Write to `output` atomically, or to stdout."""
    if output:
        from ..output import write_atomic

        write_atomic(output, data)
        return
    if isinstance(data, str):
        data = data.encode("utf-8")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def extension(output: str | None) -> str:
    if not output:
        return ""
    name = output.lower().removesuffix(".gz")
    return Path(name).suffix.lstrip(".")


LANG_CHOICE = click.Choice(["en", "zh"])


def network_options(command):
    """--lang, --schema/--no-schema and --class: how the graph is projected onto a network."""
    for decorator in reversed((
        click.option("--lang", type=LANG_CHOICE, default=None,
                     help="Label language of nodes and edges (default en); falls back to the other language, "
                          "then to the compact IRI."),
        click.option("--schema/--no-schema", default=False,
                     help="Include the T-box (classes, properties, axioms) as nodes. Default: instances only."),
        click.option("--class", "classes", multiple=True, metavar="CLASS",
                     help="Keep only nodes of this class or its subclasses, and the edges between them "
                          "(repeatable; compact IRI like mic:Program, or a full IRI)."),
    )):
        command = decorator(command)
    return command
