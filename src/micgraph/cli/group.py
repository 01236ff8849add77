"""The `micgraph` group: every failure one line and an exit status (see cli/__init__.py)."""

from __future__ import annotations

import errno
import os
import sys

import click

from ..constants import ExitStatus
from ..errors import MicgraphError, OutputClosedError, one_line

# OSErrors that say where the output goes is full or broken: the environment's fault, never micgraph's.
_OUTPUT_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the flush at exit neither fails nor complains."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def _flush_stdout() -> tuple[str, int] | None:
    """Flush standard output now, while a failure can still be reported (at exit it cannot)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        return f"cannot write the output: {exc.strerror or exc}", ExitStatus.ERROR
    return None


def _exit_with(message: str | None, status: int):
    """Print the one line and leave. When an engine thread is still running a query (it cannot be
    stopped), the process ends at once rather than unwinding into a store that thread still reads."""
    from .. import sandbox

    if message is not None:
        click.echo(f"error: {one_line(message)}", err=True)
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
            os.environ.get("MICGRAPH_DEBUG")
        )
        try:
            status = super().main(*args, **kwargs)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "micgraph"
            failure = f"{exc.format_message()} (see `{command} --help`)", ExitStatus.ERROR
        except click.ClickException as exc:
            failure = exc.format_message(), exc.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            failure = "interrupted", ExitStatus.INTERRUPTED
        except OutputClosedError:
            _silence_stdout()
            failure = None, ExitStatus.OK
        except MicgraphError as exc:
            if debug:
                import traceback

                traceback.print_exc()
            failure = str(exc), exc.exit_code
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: not an error; silence the flush at exit too
            _silence_stdout()
            failure = None, ExitStatus.OK
        except Exception as exc:  # a bug: say so in one line unless debugging
            if isinstance(exc, OSError) and exc.errno in _OUTPUT_FAILURES:  # a full disk is not a bug
                _silence_stdout()
                failure = f"cannot write the output: {exc.strerror or exc}", ExitStatus.ERROR
            elif debug:
                raise
            else:
                failure = (
                    f"internal error: {type(exc).__name__}: {exc} (run `micgraph --debug ...` for the traceback)",
                    ExitStatus.INTERNAL_ERROR,
                )
        else:
            failure = _flush_stdout() or (None, status if isinstance(status, int) else ExitStatus.OK)
        # outside the handler: the exception and the frames it holds (an open store) are released first
        _exit_with(*failure)


@click.group(cls=MicgraphGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="micgraph", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, envvar="MICGRAPH_DEBUG", help="Show tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Query, validate, reason over, link, serve and export the micgraph knowledge graph of
    manufacturing-innovation networks (NIST AMS 600-17: China's MICs, Manufacturing USA, Fraunhofer).

    Every command that reads the graph reads the bundled graph plus any --data files."""
