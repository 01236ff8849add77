"""`micgraph links`: listing links with their sources, and `--check` on good and broken linksets."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from conftest import FIXTURES
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, VOID

from micgraph import bundle
from micgraph.links import TARGETS, check_links, list_links, target_of
from micgraph.graph import open_graph

LINKS = FIXTURES / "links"
GRAPH = str(LINKS / "graph.ttl")
GOOD = str(LINKS / "links-good.ttl")
BROKEN = ["iri-form", "two-ids", "shared-id", "no-subject", "no-provenance", "linkset-count", "no-linkset"]


def only(*files: str) -> list[str]:
    return ["--no-bundled", *(arg for f in files for arg in ("--data", f))]


def rdflib_links(path: str, predicate: URIRef = OWL.sameAs) -> set[tuple[str, str, str]]:
    """The oracle: (subject, object, sources) of every `predicate` link in the file, read by rdflib."""
    graph = Graph().parse(path)
    found = set()
    for s, o in graph.subject_objects(predicate):
        for axiom in graph.subjects(OWL.annotatedSource, s):
            if (axiom, OWL.annotatedTarget, o) in graph and (axiom, OWL.annotatedProperty, predicate) in graph:
                sources = " ".join(sorted(str(x) for x in graph.objects(axiom, DCTERMS.source)))
                found.add((str(s), str(o), sources))
    return found


def test_links_lists_each_link_with_its_source(cli):
    out = cli("links", *only(GRAPH, GOOD), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["subject"], r["object"], r["source"]) for r in rows} == rdflib_links(GOOD)
    assert {r["target"] for r in rows} == {"wikidata"}
    assert [r["subject"] for r in rows] == sorted(r["subject"] for r in rows)


def test_links_json_is_sparql_results_json(cli):
    document = json.loads(cli("links", *only(GRAPH, GOOD), "--format", "json").stdout)
    assert document["head"]["vars"] == ["target", "subject", "predicate", "object", "source"]
    assert {(b["subject"]["value"], b["object"]["value"], b["source"]["value"])
            for b in document["results"]["bindings"]} == rdflib_links(GOOD)


def test_links_table_uses_compact_names(cli):
    out = cli("links", *only(GRAPH, GOOD), "--format", "table").stdout
    assert "micr:city-beijing" in out and "wd:Q956" in out
    assert out.splitlines()[-1] == f"({len(rdflib_links(GOOD))} rows)"


def test_target_filter(cli):
    assert cli("links", *only(GRAPH, GOOD), "--target", "wikidata", "--format", "csv").stdout.count("\n") == 4
    assert cli("links", *only(GRAPH, GOOD), "--target", "dbpedia", "--format", "csv").stdout.splitlines() == [
        "target,subject,predicate,object,source"]
    result = cli("links", *only(GRAPH, GOOD), "--target", "freebase", expect=2)
    assert "Invalid value for '--target'" in result.stderr


def test_check_passes_on_a_good_linkset(cli):
    result = cli("links", "--check", *only(GRAPH, GOOD), "--format", "csv")
    assert result.stdout.splitlines() == ["problem,subject,object,detail"]
    assert result.stderr == "3 links to 1 dataset checked: no problems\n"


@pytest.mark.parametrize("kind", BROKEN)
def test_check_fails_on_each_kind_of_broken_linkset(cli, kind):
    result = cli("links", "--check", *only(GRAPH, str(LINKS / f"broken-{kind}.ttl")), "--format", "csv", expect=1)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["problem"] for r in rows] == [kind]
    assert result.stderr.endswith(": 1 problem\n")


def test_check_reports_the_offending_link():
    store = open_graph([LINKS / "graph.ttl", LINKS / "broken-shared-id.ttl"], bundled=False)
    [problem] = check_links(store).problems
    assert problem.object == "http://www.wikidata.org/entity/Q956"
    assert problem.subject.split() == ["https://w3id.org/micgraph/id/city-beijing",
                                       "https://w3id.org/micgraph/id/city-shanghai"]


def test_mapping_links_may_share_identifiers():
    """skos:narrowMatch (an aggregate industry and its ISIC divisions) is not an identity link."""
    turtle = """@prefix micr: <https://w3id.org/micgraph/id/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    micr:industry-a a skos:Concept ; skos:narrowMatch <https://example.org/isic/10>, <https://example.org/isic/11> .
    micr:industry-b a skos:Concept ; skos:narrowMatch <https://example.org/isic/10> ."""
    store = open_graph([], bundled=False)
    store.oxigraph.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    kinds = {p.kind for p in check_links(store).problems}
    assert "two-ids" not in kinds and "shared-id" not in kinds


def test_target_of_classifies_by_host_and_the_form_check_catches_the_rest():
    assert target_of("https://www.wikidata.org/wiki/Q956") == "wikidata"
    assert not TARGETS["wikidata"].form.fullmatch("https://www.wikidata.org/wiki/Q956")
    assert TARGETS["wikidata"].form.fullmatch("http://www.wikidata.org/entity/Q956")
    assert not TARGETS["geonames"].form.fullmatch("http://sws.geonames.org/1816670")
    assert TARGETS["ror"].form.fullmatch("https://ror.org/0abcdef12")
    assert not TARGETS["ror"].form.fullmatch("https://ror.org/0abcdei12")  # Crockford base32 has no i
    assert target_of("http://example.org/x") is None


def test_links_from_the_library():
    store = open_graph([LINKS / "graph.ttl", LINKS / "links-good.ttl"], bundled=False)
    assert {(link.subject, link.object, link.sources[0]) for link in list_links(store)} == rdflib_links(GOOD)
    assert all(link.predicate == str(OWL.sameAs) for link in list_links(store, "wikidata"))
    assert list_links(store, "ror") == []


def test_isic_links_are_listed_with_their_sources(cli):
    """Links into micgraph's own ISIC Rev.4 scheme are links (to the isic target), unlike other micgraph IRIs."""
    out = cli("links", *only(str(LINKS / "isic.ttl")), "--target", "isic", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["subject"], r["object"], r["source"]) for r in rows} == rdflib_links(str(LINKS / "isic.ttl"),
                                                                                   SKOS.narrowMatch)
    assert len(rows) == 3 and {r["predicate"] for r in rows} == {str(SKOS.narrowMatch)}
    cli("links", "--check", *only(str(LINKS / "isic.ttl")), "--target", "isic")


def test_check_fails_on_a_malformed_isic_link_without_provenance(cli):
    result = cli("links", "--check", *only(str(LINKS / "broken-isic.ttl")), "--format", "csv", expect=1)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    bad = "https://w3id.org/micgraph/id/isic-rev4-C26"
    assert sorted((r["problem"], r["object"]) for r in rows) == [("iri-form", bad), ("no-provenance", bad)]


def test_check_passes_on_the_bundled_links(cli):
    result = cli("links", "--check", "--format", "csv")
    assert result.stdout.splitlines() == ["problem,subject,object,detail"]
    assert result.stderr.endswith(": no problems\n")
    bundled = [path for path in bundle.data_paths() if path.parent.name == "links"]
    assert bundled, "data/links/ holds the linksets"
    listed = csv.DictReader(io.StringIO(cli("links", "--format", "csv").stdout))
    same_as = {(r["subject"], r["object"], r["source"]) for r in listed if r["predicate"] == str(OWL.sameAs)}
    # exactly the links of the linkset files, each with its source, as rdflib reads them
    assert same_as == {link for path in bundled for link in rdflib_links(str(path))}


def test_each_bundled_linkset_names_every_source_its_links_use():
    """A linkset's prov:wasDerivedFrom lists exactly the sources its links' axioms cite (rdflib reads the files)."""
    for path in (path for path in bundle.data_paths() if path.parent.name == "links"):
        graph = Graph().parse(path)
        [linkset] = graph.subjects(RDF.type, VOID.Linkset)
        cited = {source for _, _, sources in rdflib_links(str(path), graph.value(linkset, VOID.linkPredicate))
                 for source in sources.split()}
        assert cited, f"{path.name} has links"
        assert {str(o) for o in graph.objects(linkset, PROV.wasDerivedFrom)} == cited, path.name
