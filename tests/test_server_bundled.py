"""`micgraph serve` on the real bundled graph (and on a persistent store holding it): the Linked Data pages
of the Chinese centres, observations and linked places, and the ontology, checked against what the graph
says (queried in process), not against pasted output."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from conftest import SERVE_TOKEN
from rdflib import Graph
from rdflib.compare import isomorphic
from serving import page, read_page, start_server

from micgraph.bundle import named_queries
from micgraph.export.rdf import serialize_triples
from micgraph.namespaces import MIC, MICR, PREFIXES
from micgraph.sparql import with_prefix_declarations as _declare
from micgraph.query import run_query


def with_prefix_declarations(text: str) -> str:
    return _declare(text, PREFIXES)

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
SOURCES = "prov:wasDerivedFrom|prov:wasQuotedFrom|dcterms:source"


def href(iri: str) -> str:
    """Where a page links an IRI: micgraph's resources to their own pages, the rest to themselves."""
    return "/id/" + iri.removeprefix(MICR) if iri.startswith(MICR) else iri


def select(graph, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in run_query(graph, sparql).bindings]


@pytest.fixture(scope="module")
def centres(bundled_graph):
    """(IRI, English label, Chinese label, city) of every Chinese centre, from the graph itself."""
    found = select(bundled_graph, """SELECT ?c ?en ?zh ?city WHERE {
        ?c a mic:ChineseInnovationCenter ; rdfs:label ?en, ?zh ; mic:city ?city
        FILTER(LANG(?en) = "en" && LANG(?zh) = "zh") } ORDER BY ?c""")
    assert len(found) >= 20
    return found


def test_every_chinese_centre_has_a_page_with_both_labels_its_city_and_its_sources(served_bundled, bundled_graph,
                                                                                  centres):
    for iri, english, chinese, city in centres:
        reader = page(served_bundled, href(iri).lstrip("/"))
        assert english in reader.h1 and chinese in reader.h1, iri
        [city_row] = reader.row("mic:city")
        assert city_row[1]["links"] == [href(city)]
        # the page speaks its language: the city by its English label here, its Chinese one on ?lang=zh
        for lang, shown in (("en", reader), ("zh", page(served_bundled, href(iri).lstrip("/") + "?lang=zh"))):
            [(label,)] = select(bundled_graph, f'SELECT ?l WHERE {{ <{city}> rdfs:label ?l FILTER(LANG(?l) = "{lang}") }}')
            [shown_row] = shown.row("mic:city")
            assert label in shown_row[1]["text"], (iri, lang)
        # a fact shows the sources stated for that very statement (an owl:Axiom annotation: the city of a few
        # centres rests on an aggregator) beside it; the centre's own sources are listed in its Sources section
        stated = {href(s) for (s,) in select(bundled_graph, f"""SELECT ?s WHERE {{ ?a owl:annotatedSource <{iri}> ;
            owl:annotatedProperty mic:city ; owl:annotatedTarget <{city}> ; {SOURCES} ?s }}""")}
        if stated:
            assert set(city_row[2]["links"]) == stated, iri
        own = {href(s) for (s,) in select(bundled_graph, f"SELECT ?s WHERE {{ <{iri}> {SOURCES} ?s }}")}
        assert own and set(reader.sources) == own, iri


def test_a_centre_page_links_only_to_pages_that_resolve(served_bundled, centres):
    reader = page(served_bundled, href(centres[0][0]).lstrip("/"))
    local = {link for link in reader.links if link.startswith("/id/")}
    assert len(local) >= 5
    for link in local:
        assert httpx.get(served_bundled.url + link[1:], headers=HTML, follow_redirects=True).status_code == 200, link


def test_every_centre_description_is_its_cbd(served_bundled, bundled_graph, centres):
    for iri, *_ in centres:
        response = httpx.get(served_bundled.url + href(iri)[1:], headers={"Accept": "text/turtle"}, follow_redirects=True)
        assert response.status_code == 200
        expected = serialize_triples(run_query(bundled_graph, f"DESCRIBE <{iri}>").triples, "nt")
        served = Graph().parse(data=response.text, format="turtle")
        assert isomorphic(served, Graph().parse(data=expected, format="nt")), iri
        assert len(served) > 5


def test_a_link_shows_the_source_its_axiom_annotation_names(served_bundled, bundled_graph):
    annotated = select(bundled_graph, """SELECT ?place ?target ?source WHERE {
        ?axiom a owl:Axiom ; owl:annotatedSource ?place ; owl:annotatedProperty owl:sameAs ;
               owl:annotatedTarget ?target ; dcterms:source ?source } ORDER BY ?place LIMIT 1""")
    [(place, target, source)] = annotated
    same_as = [row for row in page(served_bundled, href(place).lstrip("/")).row("owl:sameAs")
               if row[1]["links"] == [target]]
    assert len(same_as) == 1
    assert same_as[0][2]["links"] == [source]


def test_an_observation_page_shows_its_figure_unit_and_sources(served_bundled, bundled_graph):
    [(observation, value, unit)] = select(bundled_graph, """SELECT ?o ?v ?u WHERE {
        ?o a mic:Observation ; mic:value ?v ; mic:unit ?u } ORDER BY ?o LIMIT 1""")
    reader = page(served_bundled, href(observation).lstrip("/"))
    [unit_row] = reader.row("mic:unit")
    assert unit_row[1]["links"] == [href(unit)]
    [value_row] = reader.row("mic:value")
    assert value in value_row[1]["text"] and value_row[1]["links"] == [href(unit)]
    sources = {href(s) for (s,) in select(bundled_graph, f"SELECT ?s WHERE {{ <{observation}> {SOURCES} ?s }}")}
    assert sources and set(reader.sources) == sources


def test_the_ontology_page_anchors_every_class_and_shows_its_chinese_label(served_bundled, bundled_graph):
    classes = select(bundled_graph, f"""SELECT ?c ?zh WHERE {{ ?c a owl:Class ; rdfs:label ?zh
        FILTER(STRSTARTS(STR(?c), "{MIC}") && LANG(?zh) = "zh") }}""")
    assert len(classes) >= 20
    response = httpx.get(served_bundled.url + "ontology", headers=HTML, follow_redirects=True, timeout=120)  # pyLODE
    assert response.status_code == 200
    ids = read_page(response.text).ids
    for iri, chinese in classes:
        assert iri.removeprefix(MIC) in ids, iri
        assert chinese in response.text, iri


# --- a persistent store -------------------------------------------------------------------------------

def test_serves_a_persistent_store_and_keeps_its_updates(cli, tmp_path, bundled_graph, centres):
    location = f"oxigraph:{tmp_path / 'kg'}"
    cli("load", "--bundled", "--store", location)
    server = start_server(["--store", location, "--workers", "1", "--allow-update", "--token-env",
                           "MICGRAPH_TEST_TOKEN"], tmp_path / "serve.log", env={"MICGRAPH_TEST_TOKEN": SERVE_TOKEN})
    try:
        for name, entry in named_queries().items():  # the store answers as the in-memory bundled graph does
            graph = "CONSTRUCT" in entry.text
            response = httpx.post(server.sparql, data={"query": with_prefix_declarations(entry.text)},
                                  headers={"Accept": "application/n-triples" if graph
                                           else "application/sparql-results+json"})
            assert response.status_code == 200, name
            if graph:
                served = ox.Dataset(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
                local = ox.Dataset(ox.parse(cli("query", "-n", name, "--format", "nt").stdout_bytes,
                                            ox.RdfFormat.N_TRIPLES))
                assert served == local, name
                continue
            assert canonical(response.json()) == canonical(json.loads(
                cli("query", "-n", name, "--format", "json").stdout)), name
        iri, english, chinese, _ = centres[0]
        assert chinese in page(server, href(iri).lstrip("/")).h1
        update = f'INSERT DATA {{ <{iri}> skos:altLabel "served and stored"@en }}'
        answer = httpx.post(server.sparql, content=update, headers={"Content-Type": "application/sparql-update",
                                                                    "Authorization": f"Bearer {SERVE_TOKEN}"})
        assert answer.status_code == 204
        assert "served and stored" in httpx.get(server.url + href(iri)[1:], headers={"Accept": "text/turtle"},
                                                 follow_redirects=True).text
    finally:
        server.stop()
    stored = cli("query", "--store", location, f"ASK {{ <{iri}> skos:altLabel 'served and stored'@en }}")
    assert stored.exit_code == 0
    assert not list(tmp_path.glob(".kg.serve-*"))  # the server removed its snapshot folder on the way out


def canonical(document: dict) -> list[str]:
    """SPARQL JSON solutions as sorted strings, blank node labels blanked (the store relabels them)."""
    return sorted(json.dumps({k: {**v, "value": "_"} if v["type"] == "bnode" else v for k, v in row.items()},
                             sort_keys=True, ensure_ascii=False) for row in document["results"]["bindings"])


def test_serving_a_missing_store_is_a_one_line_error(cli, tmp_path):
    result = cli("serve", "--store", f"oxigraph:{tmp_path / 'none'}", "--port", "0", expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert str(tmp_path / "none") in result.stderr
