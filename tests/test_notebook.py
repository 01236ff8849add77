"""micgraph in Jupyter: HTML for results and stores, the %%sparql magic in a real IPython shell, and
docs/notebooks/quickstart.ipynb executed by a real Jupyter kernel (nbclient + ipykernel)."""

from __future__ import annotations

import ast
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from micgraph.cli import main
from micgraph.namespaces import MIC, RDF
from micgraph.query import GraphResult, SelectResult, run_query

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"


class Table(HTMLParser):
    """The cells of the HTML tables in a fragment, and every tag seen (to prove nothing was injected)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Table:
    table = Table()
    table.feed(html)
    table.close()
    return table


# --- HTML ------------------------------------------------------------------------------------------

def test_select_html_escapes_and_compacts():
    hostile = ox.Literal('<script>alert("x")</script> & <b>', language="en")
    result = SelectResult(["s", "v"], [
        (ox.NamedNode("https://w3id.org/micgraph/id/country-cn"), hostile),
        (ox.NamedNode("javascript:alert(1)"), ox.Literal("5.3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        (ox.BlankNode("b0"), None),
    ])
    html = result._repr_html_()
    table = parse(html)
    assert "script" not in table.tags and "b" not in table.tags
    assert table.rows[0] == ["?s", "?v"]
    assert table.rows[1] == ["micr:country-cn", '<script>alert("x")</script> & <b> @en']
    assert table.rows[2] == ["javascript:alert(1)", "5.3"]
    assert table.rows[3] == ["_:b0", ""]
    assert table.links == ["https://w3id.org/micgraph/id/country-cn"]     # no javascript: link
    assert "3 rows" in html


def test_select_html_shows_a_bounded_number_of_rows():
    result = SelectResult(["n"], [(ox.Literal(str(i)),) for i in range(1000)])
    table = parse(result._repr_html_())
    assert len(table.rows) == 1 + 100
    assert "1,000 rows, the first 100 shown" in result._repr_html_()


def test_store_and_graph_html(bundled_graph):
    table = parse(bundled_graph._repr_html_())
    assert f"{len(bundled_graph):,} triples" in bundled_graph._repr_html_()
    classes = {row[0]: int(row[1].replace(",", "")) for row in table.rows[1:]}
    assert classes["mic:Observation"] == len(run_query(bundled_graph, "SELECT ?o WHERE { ?o a mic:Observation }"))
    constructed = run_query(bundled_graph, "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a mic:Program ; rdfs:label ?l }")
    assert isinstance(constructed, GraphResult)
    rows = parse(constructed._repr_html_()).rows
    assert rows[0] == ["subject", "predicate", "object"] and len(rows) == 1 + len(constructed)
    assert ["micr:program-manufacturing-usa", "rdfs:label", "Manufacturing USA @en"] in rows


def test_importing_micgraph_loads_no_notebook_library():
    code = ("import sys, micgraph; micgraph.load_ipython_extension; "
            "print([m for m in ('IPython', 'pandas', 'altair', 'vl_convert', 'micgraph.notebook') if m in sys.modules])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


# --- the magic in a real IPython shell --------------------------------------------------------------

@pytest.fixture(scope="module")
def shell():
    pytest.importorskip("pandas")
    from IPython.core.interactiveshell import InteractiveShell

    ipython = InteractiveShell.instance()
    ipython.run_line_magic("load_ext", "micgraph")
    yield ipython
    InteractiveShell.clear_instance()


def run(shell, source: str, capfd):
    outcome = shell.run_cell(source)
    out, err = capfd.readouterr()
    return outcome, out, err


def test_sparql_cell_gives_a_typed_dataframe(shell, capfd):
    outcome, _, _ = run(shell, "%%sparql -o centres\n"
                               "SELECT ?program (COUNT(?c) AS ?n) WHERE { ?c mic:program ?program } "
                               "GROUP BY ?program ORDER BY DESC(?n) ?program", capfd)
    assert outcome.success
    frame = shell.user_ns["centres"]
    assert outcome.result is frame
    assert list(frame.columns) == ["program", "n"] and str(frame["n"].dtype) == "Int64"
    assert frame["program"][0] == "https://w3id.org/micgraph/id/program-china-mic"
    assert frame["n"].tolist()[:2] == [29, 17]


def test_named_query_ask_construct_and_data_file(shell, capfd, tmp_path, bundled_graph):
    assert run(shell, "%sparql -n china-advanced-manufacturing-share", capfd)[0].result.shape == (2, 4)
    assert run(shell, "%%sparql\nASK { micr:program-fraunhofer a mic:Program }", capfd)[0].result is True
    graph = run(shell, "%%sparql\nCONSTRUCT { ?p a mic:Program } WHERE { ?p a mic:Program }", capfd)[0].result
    programs = {quad.subject for quad in bundled_graph.quads() if quad.object.value == MIC + "Program"
                and quad.predicate.value == RDF + "type"}
    assert isinstance(graph, GraphResult) and len(graph) == len(programs) >= 5
    data = tmp_path / "one.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    frame = run(shell, f"%%sparql --data {data} --no-bundled\nSELECT ?o WHERE {{ ?s ?p ?o }}", capfd)[0].result
    assert frame["o"].tolist() == [1]
    store = tmp_path / "store"
    CliRunner().invoke(main, ["load", str(data), "--store", f"oxigraph:{store}"], catch_exceptions=False)
    for _ in range(2):  # the store is released after each cell, so the next can open it
        frame = run(shell, f"%%sparql --store oxigraph:{store}\nSELECT ?o WHERE {{ ?s ?p ?o }}", capfd)[0].result
        assert frame["o"].tolist() == [1]
    added = run(shell, f"%%sparql --data {data}\nSELECT ?o WHERE {{ ?s ?p ?o }}", capfd)[0].result
    assert len(added) == len(_bundled()) + 1                            # --data adds to the bundled graph


@pytest.mark.server
def test_sparql_cell_on_an_endpoint(shell, capfd, tmp_path, oxigraph_server):
    """--endpoint sends the cell to a real SPARQL server (the Oxigraph server) and types its answer."""
    from micgraph.remote import push
    from micgraph.graph import open_graph

    data = tmp_path / "remote.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "2024-05-24"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
                    encoding="utf-8")
    graph = "http://example.org/test-notebook"
    push(open_graph([data], bundled=False), oxigraph_server.store, graph=graph, replace=True,
         query_url=oxigraph_server.query)
    frame = run(shell, f"%%sparql --endpoint {oxigraph_server.query}\n"
                       f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", capfd)[0].result
    assert str(frame["o"].dtype) == "datetime64[ns]" and str(frame["o"][0].date()) == "2024-05-24"
    outcome, out, err = run(shell, "%%sparql --endpoint http://127.0.0.1:9/sparql\nASK {}", capfd)
    assert not outcome.success and "127.0.0.1:9" in out + err and "Traceback" not in out + err


def _bundled():
    from micgraph import notebook

    return notebook._bundled["none"]


def test_the_bundled_graph_is_read_once_per_kernel(shell, capfd):
    from micgraph import notebook

    run(shell, "%%sparql\nASK { ?s ?p ?o }", capfd)
    first = notebook._bundled["none"]
    run(shell, "%%sparql\nASK { ?s ?p ?o }", capfd)
    assert notebook._bundled["none"] is first


@pytest.mark.parametrize(("cell", "message"), [
    ("%%sparql\nSELECT ?x WHERE { ?x ?y }", "SPARQL syntax error"),
    ("%sparql -n no-such-query", "no named query 'no-such-query'"),
    ("%%sparql -n centers-per-program\nSELECT * WHERE { ?s ?p ?o }", "not both"),
    ("%sparql", "the cell holds no query"),
    ("%%sparql -n centers-per-program", "cell body is empty"),                       # IPython's own message
    ("%%sparql -o 'not a name'\nASK {}", "not a Python variable name"),
    ("%%sparql --data /no/such/file.ttl\nASK {}", "/no/such/file.ttl"),
    ("%%sparql --endpoint http://127.0.0.1:9/sparql --data x.ttl\nASK {}", "do not apply"),
    ("%%sparql --infer magic\nASK {}", "invalid choice"),
])
def test_errors_are_one_line_without_traceback(shell, capfd, cell, message):
    outcome, out, err = run(shell, cell, capfd)
    assert not outcome.success
    text = (out + err).strip()
    assert message in text
    assert "Traceback" not in text and len(text.splitlines()) <= 2, text


# --- the quickstart notebook in a real kernel -------------------------------------------------------

def outputs_by_tag(notebook) -> dict[str, list[dict]]:
    return {tag: cell.outputs for cell in notebook.cells if cell.cell_type == "code"
            for tag in cell.metadata.get("tags", [])}


def plain(outputs) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") for o in outputs if o.output_type == "execute_result")


@pytest.mark.slow
def test_quickstart_notebook_runs_in_a_jupyter_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("altair")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        "commit the notebook without outputs"
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180, startup_timeout=120,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = outputs_by_tag(notebook)
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert errors == []

    assert "text/html" in outputs["graph"][0]["data"] and "triples" in outputs["graph"][0]["data"]["text/html"]
    assert "<table>" in outputs["result"][0]["data"]["text/html"]
    dtypes = dict(line.split() for line in plain(outputs["dtypes"]).splitlines() if not line.startswith("dtype"))
    assert dtypes == {"sector": "string", "sectorLabel": "object", "sectorZh": "object", "growth": "object",
                      "unit": "string", "obs": "string"}
    assert ast.literal_eval(plain(outputs["shape"])) == (5, 6)
    assert ast.literal_eval(plain(outputs["value-types"])) == {
        "sector": "IRI", "sectorLabel": "LangString", "sectorZh": "LangString", "growth": "Decimal", "unit": "str",
        "obs": "IRI"}
    assert "LangString('铁路、船舶和航空航天', 'zh')" in plain(outputs["values"])
    assert "Decimal('35.9')" in plain(outputs["values"])

    sparql = outputs["sparql-cell"][0]["data"]
    assert "text/html" in sparql and "Manufacturing USA" in sparql["text/html"]
    sparql_dtypes = dict(line.split() for line in plain(outputs["sparql-dtypes"]).splitlines() if not line.startswith("dtype"))
    assert sparql_dtypes == {"program": "string", "label": "object", "centres": "Int64"}
    assert "1995" in plain(outputs["sparql-named"]) and "2020" in plain(outputs["sparql-named"])

    assert ast.literal_eval(plain(outputs["chart-type"])) == "LayerChart"
    svg = outputs["chart-svg"][0]["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and "铁路、船舶和航空航天" in svg and "来源" in svg
