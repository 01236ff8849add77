"""GeoJSON (RFC 7946) of the graph's located resources, for QGIS, geojson.io and web maps.

A resource is located if it is a city with WGS84 coordinates (geo:lat / geo:long, as data/places-geo.ttl
gives them from GeoNames), or if it has a mic:city that has them: centres, institutes and organisations are
placed at their city, and their feature says so ("located_by": "city"; a city's own feature says "self").
One feature per resource, a Point (a MultiPoint for a resource with several cities), coordinates longitude
first in WGS84 as RFC 7946 requires, rounded to 6 decimals (about 0.1 m). A city whose coordinates are not
one number each, within range, is not located, and neither is what lies in it (the SHACL shapes report it).
Features are sorted by IRI and the JSON is written with sorted keys, so the same graph gives the same bytes.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..namespaces import MIC, PREFIXES, compact

WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
_COORDINATES = f"""
SELECT ?city ?lat ?long WHERE {{
  ?city a mic:City .
  OPTIONAL {{ ?city <{WGS}lat> ?lat }}
  OPTIONAL {{ ?city <{WGS}long> ?long }}
}}"""
_LOCATED_IN = "SELECT ?resource ?city WHERE { ?resource mic:city ?city . FILTER(isIRI(?resource)) }"
_FACTS = """
SELECT ?resource ?property ?value WHERE {
  VALUES ?resource { %s }
  ?resource ?property ?value .
  VALUES ?property { rdf:type rdfs:label mic:program owl:sameAs }
}"""
_SUBCLASSES = "SELECT ?sub ?super WHERE { ?sub rdfs:subClassOf+ ?super }"


def located(store) -> tuple[dict[str, tuple[float, float]], dict[str, set[str]]]:
    """The located resources: (city -> (longitude, latitude), resource -> the cities it is placed at: a
    city itself, the mic:city of anything else). The one place that decides where a resource is on a map
    (the HTML explorer's map view places its markers with it too)."""
    points = _city_points(store)
    cities_of: dict[str, set[str]] = defaultdict(set)
    for city in points:
        cities_of[city].add(city)
    for resource, city in store.query(_LOCATED_IN):
        if city.value in points and resource.value not in points:
            cities_of[resource.value].add(city.value)
    return points, dict(cities_of)


def export_geojson(store, lang: str = "en") -> bytes:
    """The located resources of `store` as a GeoJSON FeatureCollection; `lang` picks the "name" property's
    language (falling back to English); labels in English and Chinese are always given."""
    points, cities_of = located(store)
    facts = _facts(store, set(cities_of) | set(points) | {c for cs in cities_of.values() for c in cs})
    programmes = {p for f in facts.values() for p in f["program"]}
    facts.update(_facts(store, programmes - set(facts)))
    specific = _most_specific(store)
    features = [
        _feature(resource, sorted(cities), points, facts, specific, lang)
        for resource, cities in sorted(cities_of.items())
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _city_points(store) -> dict[str, tuple[float, float]]:
    """City IRI -> (longitude, latitude), for the cities with exactly one usable value of each."""
    values: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for city, lat, long in store.query(_COORDINATES):
        if isinstance(city, ox.NamedNode):
            lats, longs = values[city.value]
            if isinstance(lat, ox.Literal):
                lats.add(lat.value)
            if isinstance(long, ox.Literal):
                longs.add(long.value)
    points = {}
    for city, (lats, longs) in values.items():
        if len(lats) == 1 and len(longs) == 1:
            lat, long = _degrees(next(iter(lats)), 90), _degrees(next(iter(longs)), 180)
            if lat is not None and long is not None:
                points[city] = (long, lat)
    return points


def _degrees(text: str, limit: int) -> float | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    degrees = round(float(value), 6)
    return degrees if math.isfinite(degrees) else None


def _facts(store, resources: set[str]) -> dict[str, dict[str, list]]:
    found: dict[str, dict[str, list]] = {r: {"type": [], "label": [], "program": [], "sameAs": []} for r in resources}
    if not resources:
        return found
    values = " ".join(str(ox.NamedNode(r)) for r in sorted(resources))
    for resource, prop, value in store.query(_FACTS % values):
        name = prop.value.rsplit("#", 1)[-1] if prop.value != RDFS_LABEL else "label"
        if isinstance(value, ox.Literal):
            found[resource.value]["label"].append((value.language or "", value.value))
        elif isinstance(value, ox.NamedNode):
            found[resource.value][name].append(value.value)
    return found


def _most_specific(store) -> dict[str, set[str]]:
    """Class -> its superclasses, to keep a resource's most specific micgraph classes."""
    supers: dict[str, set[str]] = defaultdict(set)
    for sub, sup in store.query(_SUBCLASSES):
        supers[sub.value].add(sup.value)
    return supers


def _label(facts: dict[str, list], lang: str) -> str | None:
    """The label in `lang`: exactly tagged first, then a subtag of it (zh-hant for zh); the smallest if several."""
    labels = facts["label"]
    exact = sorted(text for tag, text in labels if tag.lower() == lang)
    near = sorted(text for tag, text in labels if tag.lower().startswith(lang + "-"))
    return (exact or near or [None])[0]


def _feature(resource: str, cities: list[str], points, facts, supers, lang: str) -> dict:
    own = facts.get(resource, {"type": [], "label": [], "program": [], "sameAs": []})
    micgraph_classes = {c for c in own["type"] if c.startswith(MIC)}
    classes = sorted(
        compact(c) for c in micgraph_classes if not any(c in supers.get(other, ()) for other in micgraph_classes)
    )
    coordinates = [list(points[city]) for city in cities]
    geometry = (
        {"type": "Point", "coordinates": coordinates[0]}
        if len(coordinates) == 1
        else {"type": "MultiPoint", "coordinates": coordinates}
    )
    programme = sorted(own["program"])
    city_facts = [facts.get(city, own) for city in cities]
    properties = {
        "iri": resource,
        "class": " ".join(classes) or None,
        "name": _label(own, lang) or _label(own, "en"),
        "label_en": _label(own, "en"),
        "label_zh": _label(own, "zh"),
        "programme": programme[0] if len(programme) == 1 else (" ".join(programme) or None),
        "programme_label": (
            (_label(facts[programme[0]], lang) or _label(facts[programme[0]], "en"))
            if len(programme) == 1 and programme[0] in facts
            else None
        ),
        "city": " ".join(cities),
        "city_label": " / ".join(filter(None, (_label(f, lang) or _label(f, "en") for f in city_facts))) or None,
        "located_by": "self" if cities == [resource] else "city",
        "geonames": " ".join(
            sorted(s for f in city_facts for s in f["sameAs"] if s.startswith("https://sws.geonames.org/"))
        )
        or None,
    }
    return {"type": "Feature", "id": resource, "geometry": geometry, "properties": properties}
