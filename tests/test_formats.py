"""The format registry (formats.py): the one place that maps names, extensions and media types."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from micgraph import formats
from micgraph.errors import UsageError

SOURCE = Path(__file__).resolve().parents[1] / "src" / "micgraph"
MEDIA_TYPE = re.compile(r"^(text|application|image)/[a-z0-9.+-]+$")


def _string_constants(node: ast.AST) -> list[str]:
    return [n.value for n in ast.iter_child_nodes(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_module_but_the_registry_holds_a_table_of_media_types_or_extensions():
    """A container literal naming two media types, or a dict keyed by file extensions, is a format table."""
    registry_names = set(formats.names(writable=False))
    stray = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
                strings = _string_constants(node) + (_string_constants(ast.Tuple(elts=node.keys)) if isinstance(
                    node, ast.Dict) else [])
                if sum(bool(MEDIA_TYPE.match(s)) for s in strings) >= 2:
                    stray.append(f"{path.relative_to(SOURCE)}:{node.lineno} media types")
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                values = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                if len(keys) >= 2 and all(k.startswith(".") for k in keys) or (
                        len(values) >= 2 and set(values) <= registry_names and len(set(keys) & registry_names) < 2
                        and all(re.fullmatch(r"\.?[a-z0-9]{2,7}", k) for k in keys)):
                    stray.append(f"{path.relative_to(SOURCE)}:{node.lineno} extensions")
    assert stray == []


def test_every_rdf_and_results_format_is_pyoxigraphs_own():
    for fmt in formats.formats(formats.RDF):
        assert isinstance(fmt.rdf, ox.RdfFormat) and fmt.media_type == fmt.rdf.media_type
        assert fmt.rdf.file_extension in fmt.extensions
        assert fmt.dataset == (fmt.name in ("trig", "nquads"))
    for fmt in (f for f in formats.formats(formats.RESULTS) if f.oxigraph):
        assert isinstance(fmt.results, ox.QueryResultsFormat)
        assert fmt.media_type == fmt.results.media_type.split(";")[0]


@pytest.mark.parametrize("name, kinds, expected", [
    ("graph.ttl", (formats.RDF,), "turtle"), ("graph.nt.gz", (formats.RDF,), "nt"),
    ("GRAPH.RDF", (formats.RDF,), "xml"), ("out.json", (formats.RDF,), "jsonld"),
    ("out.json", (formats.RESULTS,), "json"), ("out.srx", (formats.RESULTS,), "xml"),
    ("net.gv", (formats.NETWORK,), "dot"), ("page.htm", (formats.RDF, formats.NETWORK), "html"),
])
def test_a_file_name_names_its_format(name, kinds, expected):
    assert formats.from_extension(name, *kinds).name == expected


def test_the_output_extension_decides_or_is_refused_never_ignored():
    rdf = (formats.RDF, formats.NETWORK)
    assert formats.for_output(rdf, None, "x.ttl", "nt").format.name == "turtle"
    assert formats.for_output(rdf, None, "graph", "nt").format.name == "nt"  # no extension: the default
    assert formats.for_output(rdf, "nt", "x.out", "turtle").format.name == "nt"  # --format says what .out holds
    with pytest.raises(UsageError, match="cannot tell the format from the extension '.out'"):
        formats.for_output(rdf, None, "x.out", "nt")
    assert formats.for_output(rdf, "turtle", "x.ttl.gz", "nt") == formats.Target(formats.get("turtle", formats.RDF), True)
    assert formats.for_output(rdf, "csv", "gephi.csv", "turtle").format.folder  # a folder's name is only a name
    with pytest.raises(UsageError, match="names JSON-LD but --format is turtle"):
        formats.for_output(rdf, "turtle", "out.json", "turtle")
    with pytest.raises(UsageError, match="names SPARQL 1.1 TSV, which is not a format for"):
        formats.for_output(rdf, None, "out.tsv", "turtle")
    with pytest.raises(UsageError, match="names Turtle but --format is csv"):
        formats.for_output((formats.RESULTS,), "csv", "out.ttl", "table")


def test_unknown_names_list_the_known_ones():
    with pytest.raises(UsageError) as error:
        formats.get("yaml", formats.RDF)
    assert all(name in str(error.value) for name in formats.names(formats.RDF))
    with pytest.raises(UsageError, match="cannot tell the RDF syntax"):
        formats.for_input("data.csv")
    assert formats.for_input("data.csv", "ttl").name == "turtle"


def test_media_types_offer_each_formats_own_type_first():
    table = formats.media_types(formats.RDF)
    assert list(table)[0] == "text/turtle"
    assert table["application/json"].name == "jsonld" and table["text/plain"].name == "nt"
    assert "text/n3" not in table  # micgraph does not write N3
