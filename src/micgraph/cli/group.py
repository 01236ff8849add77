"""The `micgraph` group: every failure one line and an exit status (see cli/__init__.py)."""


from __future__ import annotations

import os
import sys

import click

from ..constants import ExitStatus
from ..errors import MicgraphError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _exit_with(message: str | None, status: int):
    """Print the one line and leave. When an engine thread is still running a query (it cannot be
    stopped), the process ends at once rather than unwinding into a store that thread still reads."""
    from .. import sandbox

    if message is not None:
        click.echo(f"error: {message}", err=True)
    if sandbox.busy():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


class MicgraphGroup(click.Group):
    """Turns every failure into `error: <one line>` and its exit status."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        arguments = kwargs.get("args", args[0] if args else None)
        debug = "--debug" in (sys.argv[1:] if arguments is None else arguments)[:1] or bool(
            os.environ.get("MICGRAPH_DEBUG"))
        try:
            status = super().main(*args, **kwargs)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "micgraph"
            failure = f"{exc.format_message()} (see `{command} --help`)", ExitStatus.ERROR
        except click.ClickException as exc:
            failure = exc.format_message(), exc.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            failure = "interrupted", ExitStatus.INTERRUPTED
        except MicgraphError as exc:
            if debug:
                import traceback

                traceback.print_exc()
            failure = str(exc), exc.exit_code
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: not an error; silence the flush at exit too
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            failure = None, ExitStatus.OK
        except Exception as exc:  # a bug: say so in one line unless debugging
            if debug:
                raise
            failure = (f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
                       "(run `micgraph --debug ...` for the traceback)", ExitStatus.INTERNAL_ERROR)
        else:
            sys.exit(status if isinstance(status, int) else ExitStatus.OK)
        # outside the handler: the exception and the frames it holds (an open store) are released first
        _exit_with(*failure)


@click.group(cls=MicgraphGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="micgraph", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, envvar="MICGRAPH_DEBUG", help="Show tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Query, validate, reason over, link, serve and export the micgraph knowledge graph of
    manufacturing-innovation networks (NIST AMS 600-17: China's MICs, Manufacturing USA, Fraunhofer).

    Every command that reads the graph reads the bundled graph plus any --data files."""
