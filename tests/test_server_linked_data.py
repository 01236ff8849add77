"""Linked Data as the W3C describes it (Cool URIs for the Semantic Web, section 4.3): a resource's IRI
answers 303 See Other to a document in the format the client asked for, each document has its own URL,
every RDF syntax of the format registry is offered, and what is served parses back, the same graph, with
three parsers micgraph did not write (pyoxigraph, rdflib, Raptor's rapper). The ontology is served whole:
each syntax isomorphic to ontology/micgraph.ttl, its version IRI resolvable too."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from conftest import require_tool
from rdflib import Graph
from rdflib.compare import isomorphic
from serving import RAPPER_NAMES, RDFLIB_NAMES, check_document

from micgraph import bundle, formats
from micgraph.server.negotiation import GRAPH_FORMATS

RESOURCE = "obs-mic-count-2025"  # in the fixture graph: an observation with a blank-node value
ONTOLOGY_FILE = bundle.ontology_path()
SYNTAXES = formats.formats(formats.RDF, writable=True)


def test_every_writable_rdf_syntax_is_checked_here():
    assert {f.name for f in SYNTAXES} == set(RDFLIB_NAMES)
    assert {f.name for f in SYNTAXES} - set(RAPPER_NAMES) == {"jsonld"}


# --- /id/: 303 See Other to a document per format ---------------------------------------------------

@pytest.fixture(scope="module")
def description(served) -> Graph:
    """The resource's description as the Turtle document has it."""
    response = httpx.get(served.url + f"data/{RESOURCE}.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    assert len(graph) > 8
    return graph


@pytest.mark.server  # rapper
@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
def test_each_rdf_media_type_is_a_303_to_its_document(served, description, media):
    """Every media type the registry gives an RDF syntax (application/json for JSON-LD, text/plain for
    N-Triples included) leads to that syntax's document, which three parsers read as the same graph."""
    syntax = GRAPH_FORMATS[media]
    answer = httpx.get(served.url + f"id/{RESOURCE}", headers={"Accept": media})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/data/{RESOURCE}.{syntax.extension}"
    assert "Accept" in answer.headers["vary"]
    check_document(httpx.get(answer.url.join(answer.headers["location"])), syntax, description)


@pytest.mark.server
def test_rapper_dereferences_a_resource_itself(served, description):
    """Raptor's own HTTP client sends its Accept, follows the 303 and parses the document."""
    rapper = require_tool("rapper", "apt-get install raptor2-utils")
    result = subprocess.run([rapper, "-q", "-i", "turtle", "-o", "ntriples", served.url + f"id/{RESOURCE}"], check=False,
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert isomorphic(Graph().parse(data=result.stdout, format="nt"), description)


def test_a_browser_is_sent_to_the_page(served):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = httpx.get(served.url + f"id/{RESOURCE}", headers={"Accept": accept})
    assert answer.status_code == 303 and answer.headers["location"] == f"/page/{RESOURCE}"
    page = httpx.get(served.url + f"page/{RESOURCE}")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"


def test_no_accept_and_curls_star_get_turtle(served):
    for headers in ({}, {"Accept": "*/*"}):
        answer = httpx.get(served.url + f"id/{RESOURCE}", headers=headers)
        assert answer.headers["location"] == f"/data/{RESOURCE}.ttl"


def test_format_parameter_chooses_the_document(served):
    for fmt, syntax in [("html", None), *[(f.name, f) for f in SYNTAXES]]:
        answer = httpx.get(served.url + f"id/{RESOURCE}?format={fmt}", headers={"Accept": "text/html"})
        expected = f"/page/{RESOURCE}" if syntax is None else f"/data/{RESOURCE}.{syntax.extension}"
        assert answer.status_code == 303 and answer.headers["location"] == expected
        # a page's "this description as ..." links (?format= on /page/ and /data/) lead there too
        for start in (f"page/{RESOURCE}", f"data/{RESOURCE}.ttl"):
            moved = httpx.get(served.url + f"{start}?format={fmt}")
            if moved.status_code != 200:  # the document asked for is not this one
                assert moved.status_code == 303 and moved.headers["location"] == expected


def test_documents_have_fixed_formats_and_unknown_ones_are_404(served):
    turtle = httpx.get(served.url + f"data/{RESOURCE}.ttl", headers={"Accept": "application/rdf+xml"})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"  # the URL decides, not Accept
    assert "Accept" not in turtle.headers.get("vary", "")
    for path in (f"data/{RESOURCE}", f"data/{RESOURCE}.pdf", f"data/{RESOURCE}.owl", "data/.ttl"):
        refused = httpx.get(served.url + path)
        assert refused.status_code == 404 and refused.text.startswith("error: ") and ".ttl" in refused.text, path
    assert httpx.get(served.url + "data/no-such-thing.nt").status_code == 404


# --- the ontology ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology_file() -> Graph:
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    assert len(graph) > 700
    return graph


def version_path(ontology_file: Graph) -> str:
    from rdflib import OWL, URIRef

    [version] = ontology_file.objects(URIRef("https://w3id.org/micgraph/ontology"), OWL.versionIRI)
    assert str(version).startswith("https://w3id.org/micgraph/ontology/")
    return str(version).removeprefix("https://w3id.org/micgraph/")


@pytest.mark.server  # rapper
@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda f: f.name)
def test_the_ontology_is_served_whole_in_every_syntax(served_bundled, ontology_file, syntax):
    """Isomorphic to ontology/micgraph.ttl: owl:AllDisjointClasses and the declarations of reused terms
    included (they are not about a mic: term, and a description of the terms alone lost them)."""
    answer = httpx.get(served_bundled.url + "ontology", headers={"Accept": syntax.media_type})
    assert answer.status_code == 303 and answer.headers["location"] == f"/ontology.{syntax.extension}"
    assert "Accept" in answer.headers["vary"]
    check_document(httpx.get(answer.url.join(answer.headers["location"])), syntax, ontology_file)


def test_the_turtle_document_is_the_file_itself(served_bundled):
    """Comments and grouping kept: the file as the project writes it."""
    response = httpx.get(served_bundled.url + "ontology.ttl")
    assert response.content == ONTOLOGY_FILE.read_bytes()


@pytest.mark.server  # rapper
def test_the_version_iri_resolves(served_bundled, ontology_file):
    path = version_path(ontology_file)
    answer = httpx.get(served_bundled.url + path, headers={"Accept": "application/n-triples"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/{path}.nt"
    check_document(httpx.get(answer.url.join(answer.headers["location"])), formats.get("nt", formats.RDF),
                   ontology_file)
    page = httpx.get(served_bundled.url + path, headers={"Accept": "text/html"}, follow_redirects=True, timeout=120)
    assert page.status_code == 200 and page.url.path == f"/{path}.html" and "<html" in page.text
    for missing in ("ontology/0.0.0-no-such-version", "ontology/0.0.0-no-such-version.ttl", f"{path}.pdf"):
        refused = httpx.get(served_bundled.url + missing)
        assert refused.status_code == 404 and refused.text.startswith("error: "), missing


def test_the_ontology_page_is_pylode_with_term_anchors(served_bundled):
    answer = httpx.get(served_bundled.url + "ontology", headers={"Accept": "text/html"})
    assert answer.status_code == 303 and answer.headers["location"] == "/ontology.html"
    # a term's IRI in a browser: /ontology#Term, the fragment kept across the 303
    page = httpx.get(served_bundled.url + "ontology#ChineseInnovationCenter", headers={"Accept": "text/html"},
                     follow_redirects=True, timeout=120)  # pyLODE takes seconds, once
    assert page.url.path == "/ontology.html" and 'id="ChineseInnovationCenter"' in page.text
