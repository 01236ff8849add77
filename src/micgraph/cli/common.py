"""What the commands share: the graph options, --format choices from the format registry, -o, output."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass

import click

from .. import formats
from ..constants import MATERIALISING_PROFILES

LANG_CHOICE = click.Choice(["en", "zh"])
LONGEST_WAIT = 10 * 365 * 86400.0  # seconds; a longer time limit (1e300, inf) means this: no wait lasts longer


class Seconds(click.ParamType):
    """A time limit in seconds: a number, not NaN, at least 0 (or above it when `zero=False`); anything
    beyond ten years (inf included) is ten years, which the clocks and sockets underneath can still count."""

    name = "seconds"

    def __init__(self, *, zero: bool = True) -> None:
        self.zero = zero

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if number != number:  # NaN passes every comparison, so it is refused by name
            self.fail("NaN is not a number of seconds", param, ctx)
        if number < 0 or (number == 0 and not self.zero):
            self.fail(f"{value} is not {'at least' if self.zero else 'more than'} 0 seconds", param, ctx)
        return min(number, LONGEST_WAIT)


SECONDS = Seconds()
POSITIVE_SECONDS = Seconds(zero=False)


@dataclass(frozen=True)
class GraphSource:
    """The graph a command reads, as its options name it; opened when the command needs it."""

    data: tuple[str, ...] = ()
    input_format: str | None = None
    bundled: bool = True
    store: str | None = None
    infer: str = "none"

    def open(self, *, with_ontology: bool = False, preserve_lexical_forms: bool = False):
        from ..graph import open_graph

        return open_graph(
            self.data,
            bundled=self.bundled,
            input_format=self.input_format,
            infer=self.infer,
            store=self.store,
            with_ontology=with_ontology,
            preserve_lexical_forms=preserve_lexical_forms,
        )


def graph_options(command=None, *, infer: bool = True, bundled: bool = True):
    """--data, --input-format, --bundled/--no-bundled, --store and (unless `infer=False`) --infer, handed to
    the command as one `graph: GraphSource` argument. `bundled` is the default of --bundled/--no-bundled."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, data, input_format, bundled, store, infer="none", **kwargs):
            return function(*args, graph=GraphSource(tuple(data), input_format, bundled, store, infer), **kwargs)

        options = [
            click.option(
                "--data",
                "data",
                multiple=True,
                metavar="FILE",
                help="RDF file to add to the graph (repeatable; any syntax by extension, .gz, - for stdin).",
            ),
            click.option(
                "--input-format",
                type=click.Choice(formats.names(formats.RDF, writable=False)),
                help="Syntax of --data files when the extension does not tell.",
            ),
            click.option(
                "--bundled/--no-bundled",
                default=bundled,
                show_default=True,
                help="Read micgraph's bundled ontology and data too.",
            ),
            click.option("--store", metavar="oxigraph:DIR", help="Read a persistent Oxigraph store instead of memory."),
        ]
        if infer:
            options.append(
                click.option(
                    "--infer",
                    type=click.Choice(("none", *MATERIALISING_PROFILES)),
                    default="none",
                    show_default=True,
                    help="Add RDFS or OWL 2 RL entailments (in their own named graph) first.",
                )
            )
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate(command) if command is not None else decorate


def format_option(*kinds: str, help: str, default: str | None = None):
    """--format, its choices the registry's formats of `kinds`."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats.names(*kinds)),
        default=default,
        help=help,
        show_default=default is not None,
    )


def output_option(command):
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE instead of stdout: atomically for a file (a temporary file renamed into "
        "place), straight through for a FIFO or device; FILE.gz is gzipped.",
    )(command)


def stdout_is_terminal() -> bool:
    """Whether a person reads stdout (tables for people, CSV for pipes)."""
    return sys.stdout.isatty()


def emit(data: str | bytes, output: str | None, target: formats.Target | None = None) -> None:
    """Write to `output` (gzipped when `target` says so), or to stdout."""
    from ..output import write_output

    write_output(output, data, compressed=target is not None and target.compressed)


def network_options(command):
    """--lang, --schema/--no-schema and --class: how the graph is projected onto a network."""
    for decorator in reversed(
        (
            click.option(
                "--lang",
                type=LANG_CHOICE,
                default=None,
                help="Label language of nodes and edges (default en); falls back to the other language, "
                "then to the compact IRI.",
            ),
            click.option(
                "--schema/--no-schema",
                default=False,
                help="Include the T-box (classes, properties, axioms) as nodes. Default: instances only.",
            ),
            click.option(
                "--class",
                "classes",
                multiple=True,
                metavar="CLASS",
                help="Keep only nodes of this class or its subclasses, and the edges between them "
                "(repeatable; compact IRI like mic:Program, or a full IRI).",
            ),
        )
    ):
        command = decorator(command)
    return command
