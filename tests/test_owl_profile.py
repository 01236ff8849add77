"""OWL 2 DL, checked by the OWL API's profile checker: the ontology alone, and the ontology with all its data.

The checker is `org.semanticweb.owlapi.profiles.OWL2DLProfile` of the OWL API 5 (Debian's libowlapi-java,
installed by .ci/run), driven by tests/java/OWL2DLProfileCheck.java, which this test compiles. It is the
check Protégé's "OWL 2 DL" profile report runs. (py-horned-owl 2.0's `check_profile` was considered and
rejected: it passes the graph with xsd:gYear and xsd:date literals that OWL 2 DL forbids.)

The ontology and data are merged into one N-Triples document first, so that the declarations of the
ontology type the properties the data uses, as in any tool that loads both.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import IN_CI, require_tool
from micgraph import bundle, namespaces

JAVA_SOURCE = Path(__file__).parent / "java" / "OWL2DLProfileCheck.java"
SHARE = Path("/usr/share/java")
# The OWL API distribution jar and the libraries it needs at run time (dependencies of libowlapi-java).
OWLAPI_JARS = ("owlapi-distribution", "guava", "caffeine", "commons-io", "commons-codec", "commons-rdf-api", "hppcrt",
               "jsr305", "atinject-jsr330-api", "slf4j-api", "slf4j-nop", "xz", "jackson-core", "jackson-databind",
               "jackson-annotations", "httpclient", "httpcore", "commons-logging")

pytestmark = [pytest.mark.server, pytest.mark.slow]


def owlapi_classpath() -> str:
    jars = [SHARE / f"{name}.jar" for name in OWLAPI_JARS]
    jars += sorted(p for p in SHARE.glob("rdf4j-*.jar") if not p.stem[-1].isdigit())  # unversioned links
    missing = [str(j) for j in jars[:len(OWLAPI_JARS)] if not j.exists()]
    if missing:
        message = f"the OWL API is not installed ({', '.join(missing)}): apt-get install libowlapi-java"
        if IN_CI:
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return ":".join(str(j) for j in jars)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    """A function running the OWL API's OWL 2 DL check on RDF files merged into one document."""
    require_tool("javac", "apt-get install default-jdk-headless")
    java = require_tool("java", "apt-get install default-jre-headless")
    classpath = owlapi_classpath()
    build = tmp_path_factory.mktemp("owlapi")
    shutil.copy(JAVA_SOURCE, build)
    subprocess.run(["javac", "-cp", classpath, "-d", str(build), str(build / JAVA_SOURCE.name)],
                   check=True, capture_output=True, timeout=300)

    def check(*paths: Path, extra: str = "") -> tuple[int, list[str]]:
        store = ox.Store()
        for path in paths:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        if extra:
            store.load(extra.encode(), format=ox.RdfFormat.TURTLE)
        merged = build / "merged.nt"
        store.dump(output=str(merged), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        run = subprocess.run([java, "-cp", f"{classpath}:{build}", "OWL2DLProfileCheck", str(merged)],
                             capture_output=True, text=True, timeout=600, check=False)
        assert run.returncode == 0, run.stderr[-2000:]
        lines = run.stdout.splitlines()
        count = int(lines[0].split()[1])
        return count, lines[1:]

    return check


def test_the_ontology_is_owl2_dl(checker):
    count, violations = checker(bundle.ontology_path())
    assert (count, violations) == (0, [])


def test_the_ontology_with_all_its_data_is_owl2_dl(checker):
    paths = bundle.graph_paths()
    assert any("links" in p.parts for p in paths) and any(p.name == "cube.ttl" for p in paths)
    count, violations = checker(*paths)
    assert (count, violations[:10]) == (0, [])


def test_the_checker_sees_dates_outside_the_owl2_datatype_map(checker):
    """The check is not vacuous: the dates micgraph used to write (xsd:gYear, xsd:date) are violations, and
    so is a literal typed with a datatype the ontology defines (why dates are plain ISO 8601 strings)."""
    count, violations = checker(bundle.ontology_path(), extra=f"""
        <{namespaces.MICR}x> <{namespaces.MIC}foundingDate> "2016"^^<http://www.w3.org/2001/XMLSchema#gYear> .
        <{namespaces.MICR}y> <{namespaces.MIC}foundingDate> "2016-06"^^<{namespaces.MIC}CalendarDate> .""")
    kinds = {line.split("\t")[0] for line in violations}
    assert count == len(violations) > 0
    assert {"UseOfUndeclaredDatatype", "UseOfDefinedDatatypeInLiteral"} <= kinds
