"""Where the bundled ontology, data, shapes and queries live, and the namespaces micgraph predeclares.

In an installed wheel the four folders sit in `micgraph/_bundle/` (see pyproject's force-include);
in a source checkout (editable install, tests run from the tree) they are at the repository root.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

MIC = "https://w3id.org/micgraph/ontology#"
MICR = "https://w3id.org/micgraph/id/"
ONTOLOGY_IRI = "https://w3id.org/micgraph/ontology"
INFERRED_GRAPH = MICR + "graph/inferred"
DATASET_IRI = MICR + "dataset-micgraph"  # described in data/dataset.ttl
FOLDERS = ("ontology", "data", "shapes", "queries")  # what the wheel bundles

# Predeclared in every query, and used for compact IRIs in exports. Order is the output order.
PREFIXES: dict[str, str] = {
    "mic": MIC,
    "micr": MICR,
    "micsh": "https://w3id.org/micgraph/shapes#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "qb": "http://purl.org/linked-data/cube#",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": "http://www.wikidata.org/entity/",
    "dbr": "http://dbpedia.org/resource/",
}


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


def compact(iri: str) -> str:
    """`https://w3id.org/micgraph/id/x` -> `micr:x`; IRIs outside the known namespaces stay whole."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace):]
            if re.fullmatch(r"[A-Za-z_][\w.-]*", local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def expand(name: str) -> str:
    """`mic:Center` -> its full IRI; a full IRI (`<...>` or with `://`) is returned as it is."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, colon, local = name.partition(":")
    if colon and local.startswith("//"):
        return name
    if not colon or prefix not in PREFIXES:
        raise UsageError(f"{name!r} is neither a full IRI nor a compact IRI with a known prefix "
                         f"({', '.join(p + ':' for p in PREFIXES)})")
    return PREFIXES[prefix] + local
