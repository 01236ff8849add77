"""The wheel carries the bundled graph, and an installed (non-editable) micgraph finds it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    [built] = out.glob("micgraph-*.whl")
    return built


def test_wheel_contains_the_bundled_graph(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, suffix in (("ontology", ".ttl"), ("data", ".ttl"), ("shapes", ".ttl"), ("queries", ".rq")):
        expected = {f"micgraph/_bundle/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).rglob(f"*{suffix}")}
        assert expected and expected <= names, f"{folder}/ is missing from the wheel"
    assert "micgraph/_bundle/ontology/context.jsonld" in names
    assert "micgraph/cli/__init__.py" in names
    from micgraph.export.html import MAP_VENDORED, OUTLINES, VENDORED

    shipped = [*VENDORED, *MAP_VENDORED, *OUTLINES.values(), ("leaflet", "leaflet.css")]
    for static in ("explorer.html", *(f"vendor/{folder}/{name}" for folder, name in shipped),
                   *(f"vendor/{folder}/LICENSE" for folder, _ in shipped)):
        assert f"micgraph/export/static/{static}" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_wheel_carries_the_sparql_grammar_and_its_parser_table(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"micgraph/sparql/sparql11.lark", "micgraph/sparql/sparql11.lark.table"} <= names


def test_wheel_carries_the_query_page_assets_with_their_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE.txt", "THIRD-PARTY-LICENSES.txt"):
        assert f"micgraph/server/static/yasgui/{name}" in names, name


@pytest.mark.slow  # installs the wheel in a new venv
def test_installed_wheel_finds_its_bundle_and_runs_a_named_query(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    script = ("import micgraph.bundle as b, micgraph; print(b.root()); "
              "print(len(micgraph.run_query(micgraph.open_graph(), name='centers-per-program')))")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env,
                         cwd=tmp_path).stdout.splitlines()
    assert Path(out[0]) == target / "micgraph" / "_bundle"
    assert int(out[1]) >= 3


@pytest.mark.slow
def test_installed_wheel_writes_the_html_explorer_offline(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    fixture = ROOT / "tests" / "fixtures" / "viz" / "network.ttl"
    subprocess.run([sys.executable, "-m", "micgraph", "export", "--no-bundled", "--data", str(fixture),
                    "-o", "graph.html"], check=True, capture_output=True, env=env, cwd=tmp_path)
    page = (tmp_path / "graph.html").read_text("utf-8")
    assert "The Cytoscape Consortium" in page and "国家动力电池创新中心" in page


def test_public_api_names_survive_importing_every_module():
    """`micgraph.validate` & co. stay the functions even after their modules are imported: a submodule
    with the same name as an API function would replace it on the package (import sets the attribute)."""
    import importlib
    import pkgutil

    import micgraph

    for module in pkgutil.walk_packages(micgraph.__path__, "micgraph."):
        if not module.name.startswith("micgraph._bundle") and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for name in micgraph.__all__:
        assert callable(getattr(micgraph, name)) and not isinstance(getattr(micgraph, name), type(micgraph)), name
