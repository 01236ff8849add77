"""Where the bundled ontology, data, shapes and queries live, and the named queries.

In an installed wheel the four folders sit in `micgraph/_bundle/` (see pyproject's force-include);
in a source checkout (editable install, tests run from the tree) they are at the repository root.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

FOLDERS = ("ontology", "data", "shapes", "queries")  # what the wheel bundles


@functools.cache
def root() -> Path:
    """The folder holding ontology/, data/, shapes/ and queries/."""
    installed = Path(__file__).resolve().parent / "_bundle"  # importlib.resources costs 5 ms at start-up
    if (installed / "ontology").is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError("micgraph's bundled graph is missing: reinstall the package")


def ontology_path() -> Path:
    return root() / "ontology" / "micgraph.ttl"


def _turtle_files(folder: str) -> list[Path]:
    return sorted((root() / folder).rglob("*.ttl"))


def data_paths() -> list[Path]:
    """Every bundled data file (links included), in a stable order."""
    return _turtle_files("data")


def shapes_paths() -> list[Path]:
    return _turtle_files("shapes")


def graph_paths() -> list[Path]:
    """The bundled graph: the ontology followed by the data."""
    return [ontology_path(), *data_paths()]


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    text: str
    path: Path


_DESCRIPTION = re.compile(r"^\s*#\s?(.*)$")


def _read_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    match = _DESCRIPTION.match(first)
    return NamedQuery(path.stem, match.group(1).strip() if match else "", text, path)


@functools.cache
def named_queries() -> dict[str, NamedQuery]:
    """The bundled queries by name; the first comment line of each file is its description."""
    folder = root() / "queries"
    return {q.name: q for q in map(_read_named_query, sorted(folder.glob("*.rq")))}


def named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"no named query {name!r}; `micgraph queries` lists the {len(queries)} there are")
    return queries[name]
