"""The console examples of the README and of docs/cli.md are real: each `$ micgraph ...` line is run and its
output compared.

A ```console block holds one or more commands, each a `$ micgraph ...` line followed by the output a
terminal shows (stdout and stderr as they interleave). A command line may end in `# exit N` (default 0).
An output that ends in a line `...` is the beginning of the real output. The commands of each document run
in order in one scratch folder (so `load` then `graphs` see the same store), where `tests/` is the
repository's own. ```python blocks are executed too.

`python tests/test_readme.py` rewrites the outputs in both documents from real runs (keeping each
truncation).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from micgraph.cli import common, main

REPOSITORY = Path(__file__).resolve().parents[1]
# The README's examples talk to an Oxigraph server there; the tests start one on a free port instead.
README_SERVER = "http://localhost:7878"
README = REPOSITORY / "README.md"
MANUAL = REPOSITORY / "docs" / "cli.md"
DOCUMENTS = (README, MANUAL)
BLOCK = re.compile(r"^```(console|python)\n(.*?)^```$", re.S | re.M)
EXIT = re.compile(r"\s+# exit (\d+)$")


@dataclass
class Example:
    command: str
    exit_code: int
    output: list[str]
    truncated: bool
    span: tuple[int, int]  # where the output sits in README.md (character offsets)


def console_examples(text: str) -> list[Example]:
    examples = []
    for block in BLOCK.finditer(text):
        if block.group(1) != "console":
            continue
        start = block.start(2)
        lines = block.group(2).splitlines(keepends=True)
        offset = start
        current = None
        for line in lines:
            if line.startswith("$ "):
                command = line[2:].rstrip("\n")
                code = EXIT.search(command)
                current = Example(EXIT.sub("", command), int(code.group(1)) if code else 0, [], False,
                                  (offset + len(line), offset + len(line)))
                examples.append(current)
            elif current is not None:
                if line.rstrip("\n") == "...":
                    current.truncated = True
                else:
                    current.output.append(line.rstrip("\n"))
                    current.span = (current.span[0], offset + len(line))
            offset += len(line)
    return examples


def python_examples(text: str) -> list[str]:
    return [block.group(2) for block in BLOCK.finditer(text) if block.group(1) == "python"]


def run(example: Example, server: str = README_SERVER) -> tuple[int, list[str]]:
    words = shlex.split(example.command.replace(README_SERVER, server))
    assert words[0] == "micgraph", f"README console examples run micgraph only: {example.command}"
    result = CliRunner().invoke(main, words[1:], prog_name="micgraph", catch_exceptions=False)
    output = result.output.replace(server, README_SERVER)
    return result.exit_code, output.rstrip("\n").split("\n") if output else []


@contextlib.contextmanager
def oxigraph_server(folder: Path):
    from conftest import require_tool
    from servers import start_oxigraph, stop

    server = start_oxigraph(require_tool("oxigraph", "pip install oxigraph"), folder / "server.db")
    try:
        yield server.base
    finally:
        stop(server.process)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """The scratch folder the examples run in, and the base URL of the Oxigraph server they talk to."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "tests").symlink_to(REPOSITORY / "tests")
    with pytest.MonkeyPatch.context() as patch, oxigraph_server(folder) as server:
        patch.chdir(folder)
        patch.setattr(common, "stdout_is_terminal", lambda: True)  # the README shows what a terminal shows
        yield server


EXAMPLES = [(document, example) for document in DOCUMENTS for example in console_examples(document.read_text("utf-8"))]


def test_readme_has_the_two_command_quick_start():
    text = README.read_text("utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```sh\n(.*?)^```$", quick, re.S | re.M)[0].strip().splitlines()
    assert commands == ["pip install . && micgraph query -n centers-per-program",
                        "pip install '.[test]' && python -m pytest"]
    ci = (REPOSITORY / ".ci" / "run").read_text("utf-8")
    assert commands[1] in ci, ".ci/run must run the README's test command"


def test_every_command_has_an_example_in_the_manual():
    shown = {shlex.split(e.command)[1] for document, e in EXAMPLES if document == MANUAL}
    documented = shown | set(re.findall(r"^micgraph (\S+)", MANUAL.read_text("utf-8"), re.M))
    assert set(main.commands) - documented == set()


def test_the_readme_is_a_front_page():
    assert len(README.read_text("utf-8").splitlines()) <= 140


# The reasoners' examples (HermiT starts a JVM; OWL RL closes the whole graph) take 10-20 s each: -m slow.
@pytest.mark.parametrize("document, example", [
    pytest.param(d, e, marks=[pytest.mark.slow] if e.command.startswith("micgraph reason") else [])
    for d, e in EXAMPLES], ids=[f"{d.name}: {e.command[:60]}" for d, e in EXAMPLES])
def test_console_example(document, example, scratch):
    code, output = run(example, scratch)
    assert code == example.exit_code, f"{example.command} exited {code}: {output[-5:]}"
    shown = output[:len(example.output)] if example.truncated else output
    assert shown == example.output


@pytest.mark.parametrize("source", [code for d in DOCUMENTS for code in python_examples(d.read_text("utf-8"))])
def test_python_example(source, scratch):
    exec(compile(source, "README.md", "exec"), {})


def update() -> None:
    """Rewrite every console example's output in README.md and docs/cli.md from a real run."""
    import tempfile

    common.stdout_is_terminal = lambda: True
    for document in DOCUMENTS:
        text = document.read_text("utf-8")
        replacements = []
        with tempfile.TemporaryDirectory() as folder, oxigraph_server(Path(folder)) as server:
            os.symlink(REPOSITORY / "tests", Path(folder) / "tests")
            os.chdir(folder)
            for example in console_examples(text):
                code, output = run(example, server)
                if code != example.exit_code:
                    print(f"{document.name}: {example.command} exited {code}, the document says {example.exit_code}",
                          file=sys.stderr)
                if example.truncated:
                    output = output[:len(example.output)]
                replacements.append((example.span, "".join(line + "\n" for line in output)))
        for (start, end), new in reversed(replacements):
            text = text[:start] + new + text[end:]
        document.write_text(text, "utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    update()
