"""The `micgraph` command line: a thin click layer over the library.

Each command parses its options, calls one library function and renders the result. Library errors
(`MicgraphError`) become one line on stderr and an exit code; `--debug` shows the traceback instead.
Library modules are imported inside the commands so that `micgraph --help` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import MicgraphError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class MicgraphGroup(click.Group):
    """Turns typed library errors into `error: <one line>` and the error's exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MicgraphError as exc:
            if ctx.meta.get("micgraph.debug"):
                import traceback

                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: not an error; silence the flush at exit too
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            raise click.exceptions.Exit(0) from None
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except click.UsageError as exc:
            # One line like every other error, with the way to the command's help.
            command = exc.ctx.command_path if exc.ctx is not None else "micgraph"
            click.echo(f"error: {exc.format_message()} (see `{command} --help`)", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line unless debugging
            if ctx.meta.get("micgraph.debug"):
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
                       "(run `micgraph --debug ...` for the traceback)", err=True)
            raise click.exceptions.Exit(70) from None


@click.group(cls=MicgraphGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="micgraph", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, envvar="MICGRAPH_DEBUG", help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Query, validate, reason over, link and export the micgraph knowledge graph of
    manufacturing-innovation networks (NIST AMS 600-17: China's MICs, Manufacturing USA, Fraunhofer).

    Every command that reads the graph reads the bundled graph plus any --data files."""
    ctx.meta["micgraph.debug"] = debug


from . import graph  # noqa: E402,F401  (registers the commands)
from . import links  # noqa: E402,F401
from . import serve  # noqa: E402,F401
from . import viz  # noqa: E402,F401
from . import store  # noqa: E402,F401
from . import chart  # noqa: E402,F401
