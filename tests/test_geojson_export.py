"""`micgraph export --format geojson`: valid GeoJSON (the geojson.org JSON Schema), every centre and institute
with a city placed there, longitude first, deterministic, and robust to bad coordinates in the input.

The schema is geojson.org's FeatureCollection schema (draft-07), vendored in tests/fixtures/geojson/ with its
MIT licence (github.com/geojson/schema, gh-pages commit f2bc6e8, as https://geojson.org/schema/ serves it).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import FIXTURES, read_rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Namespace

from micgraph import bundle, namespaces
from micgraph.export.geojson import export_geojson
from micgraph.graph import open_graph

jsonschema = pytest.importorskip("jsonschema")
MIC = Namespace(namespaces.MIC)
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = json.loads((FIXTURES / "geojson" / "FeatureCollection.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
TEXT = st.characters(blacklist_categories=("Cs",))  # no lone surrogates: a Turtle file cannot hold them


def test_the_vendored_schema_is_geojson_orgs():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://geojson.org/schema/FeatureCollection.json"


@pytest.fixture(scope="module")
def collection(bundled_graph) -> dict:
    return json.loads(export_geojson(bundled_graph))


@pytest.fixture(scope="module")
def data():
    return read_rdflib(bundle.data_paths())


def test_the_export_validates_against_the_geojson_schema(collection):
    errors = sorted(VALIDATOR.iter_errors(collection), key=str)
    assert errors == []
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) > 40


def test_every_centre_and_institute_with_a_city_is_placed_at_its_city(collection, data):
    """rdflib reads the data files: each resource with a mic:city has a feature at that city's lat/long."""
    features = {f["id"]: f for f in collection["features"]}
    located = sorted(data.subject_objects(MIC.city))
    centres = {s for s in data.subjects(RDF.type, None)
               if any(c in (MIC.ChineseInnovationCenter, MIC.CoBuiltInnovationCenter, MIC.ManufacturingUSAInstitute,
                            MIC.FraunhoferInstitute) for c in data.objects(s, RDF.type))}
    assert {str(s) for s, _ in located} >= {str(c) for c in centres if (c, MIC.city, None) in data}
    assert len({s for s, _ in located if s in centres}) >= 45
    for resource, city in located:
        feature = features[str(resource)]
        lat, long = Decimal(str(data.value(city, WGS.lat))), Decimal(str(data.value(city, WGS.long)))
        assert feature["geometry"] == {"type": "Point", "coordinates": [float(long), float(lat)]}, resource
        assert feature["properties"]["located_by"] == "city"
        assert feature["properties"]["city"] == str(city)


def test_every_city_is_a_feature_with_its_labels_and_geonames_link(collection, data):
    features = {f["id"]: f for f in collection["features"]}
    for city in data.subjects(RDF.type, MIC.City):
        properties = features[str(city)]["properties"]
        assert properties["class"] == "mic:City" and properties["located_by"] == "self"
        assert properties["label_en"] and properties["geonames"].startswith("https://sws.geonames.org/")
    beijing = features[namespaces.MICR + "city-beijing"]["properties"]
    assert (beijing["label_en"], beijing["label_zh"]) == ("Beijing", "北京")


def test_programme_class_and_names(bundled_graph, collection):
    feature = next(f for f in collection["features"] if f["id"] == namespaces.MICR + "cn-mic-power-battery")
    properties = feature["properties"]
    assert properties["class"] == "mic:ChineseInnovationCenter"
    assert properties["programme"] == namespaces.MICR + "program-china-mic"
    assert properties["name"] == "National Power Battery Innovation Center"
    zh = json.loads(export_geojson(bundled_graph, lang="zh"))
    feature = next(f for f in zh["features"] if f["id"] == namespaces.MICR + "cn-mic-power-battery")
    assert feature["properties"]["name"] == "国家动力电池创新中心"
    assert feature["properties"]["city_label"] == "北京"
    cobuilt = next(f for f in collection["features"] if f["id"] == namespaces.MICR + "cn-mic-humanoid-robotics")
    assert cobuilt["properties"]["class"] == "mic:CoBuiltInnovationCenter"   # the most specific class only


def test_the_export_is_deterministic(bundled_graph):
    assert export_geojson(bundled_graph) == export_geojson(open_graph())


def test_cli_by_format_and_by_extension(cli, tmp_path):
    by_extension = tmp_path / "places.geojson"
    cli("export", "-o", str(by_extension))
    by_format = cli("export", "--format", "geojson").stdout_bytes
    assert by_extension.read_bytes() == by_format
    assert not list(VALIDATOR.iter_errors(json.loads(by_format)))
    result = cli("export", "--format", "geojson", "--class", "mic:City", expect=2)
    assert "--class apply to the network formats" in result.stderr and "not to geojson" in result.stderr


# --- hostile coordinates ------------------------------------------------------------------------------------------

def _graph(lat: str, long: str):
    turtle = f"""
        @prefix mic: <{namespaces.MIC}> . @prefix micr: <{namespaces.MICR}> .
        @prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        micr:city-x a mic:City ; rdfs:label "X"@en ; wgs:lat {lat} ; wgs:long {long} .
        micr:centre-x a mic:ManufacturingUSAInstitute ; rdfs:label "Centre X"@en ; mic:city micr:city-x ."""
    store = open_graph([], bundled=False)
    store.oxigraph.load(turtle.encode(), format=__import__("pyoxigraph").RdfFormat.TURTLE)
    return store


def test_cities_without_usable_coordinates_are_not_placed():
    for lat, long in [('"abc"', '"1"'), ('"95"', '"10"'), ('"10"', '"-181"'), ('"1", "2"', '"3"'),
                      ('"NaN"', '"1"'), ('"1e400"', '"1"'), ('""', '"1"')]:
        collection = json.loads(export_geojson(_graph(lat, long)))
        assert collection == {"type": "FeatureCollection", "features": []}, (lat, long)
    placed = json.loads(export_geojson(_graph('"-33.5"', '"151.25"')))
    assert [f["geometry"]["coordinates"] for f in placed["features"]] == [[151.25, -33.5], [151.25, -33.5]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lat=st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.text(TEXT, max_size=12)),
       long=st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.text(TEXT, max_size=12)))
def test_any_coordinate_literal_gives_valid_geojson(lat, long):
    """Whatever the lexical forms, the output validates, and a city is placed iff both values are in range."""
    quote = lambda v: json.dumps(str(v), ensure_ascii=False)
    collection = json.loads(export_geojson(_graph(quote(lat), quote(long))))
    assert not list(VALIDATOR.iter_errors(collection))
    for feature in collection["features"]:
        x, y = feature["geometry"]["coordinates"]
        assert -180 <= x <= 180 and -90 <= y <= 90
