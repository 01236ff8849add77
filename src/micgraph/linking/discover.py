"""Link discovery: for each resource of a class in micgraph's graph, the resources of a target dataset (an RDF
file, or a SPARQL endpoint) that are the same thing, scored, assigned one-to-one, and split into sure links
and links for a person to review. In the spirit of LIMES and Silk; docs/linking.md explains it at length.

1. Sources: every IRI typed with the class (or a subclass: rdfs:subClassOf*), with its labels, country,
   first-level region, locality (city) and coordinates (its own, else its city's).
2. Blocking: the sources' labels go into an index by their blocking keys (labels.blocking_keys); the target's labels are streamed
   once (a file is loaded into an Oxigraph store, on disk when large; an endpoint is read in pages of
   LIMIT/OFFSET) and each is looked up in that index, so the work grows with the target, not with
   sources x target. A pair is kept only if one of its label pairs reaches the review threshold: the score
   is never more than the label similarity, so nothing dropped here could have been reviewed.
3. Evidence: the kept targets are described (labels, country, region, locality, coordinates) by queries on
   blocks of IRIs. Places compare by their IRIs, owl:sameAs links, names and codes: micgraph's
   micr:country-us (owl:sameAs wd:Q30, "United States") agrees with Wikidata's wd:Q30 and with GeoNames'
   country "United States" / "US".
4. Score, in [0, 1]: label x country x region x locality x coordinates x Chinese names, where
   - label: the best similarity (labels.similarity) over all pairs of labels, x ALTERNATE when either label is
     an alternative one (skos:altLabel, gn:alternateName ...);
   - each place or coordinate factor is 1 when the two agree or the source has no such evidence (it would
     weigh on every candidate alike), 1 - MISSING[e] when the source has it and the target does not (or
     has it only in a form that cannot be compared: a name against a code), and 1 - DIFFERS[e] when they
     differ (coordinates: 1 within NEAR_KM, 1 - DIFFERS beyond FAR_KM, linear between);
   - Chinese names: 1 - DIFFERS["chinese"] when both have Chinese labels and none of them are alike
     (similarity < CHINESE_ALIKE): 苏州 (Suzhou, Jiangsu) is not 宿州 (Suzhou, Anhui).
5. Assignment, precision first: a source's best candidate is accepted when it reaches `accept` and no other
   candidate is within `margin` of it; otherwise its candidates within the margin go to review when they
   reach `review`. One-to-one: a target accepted for a better-scoring source is not accepted (nor reviewed)
   for another; two sources within the margin of each other for one target both go to review.
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import namespaces
from ..errors import InputNotFoundError, UsageError
from ..stores import OxigraphStore, Store
from . import labels as lb

# --- vocabularies ---------------------------------------------------------------------------------

RDF, RDFS, OWL = namespaces.RDF, namespaces.RDFS, namespaces.OWL
SKOS, SCHEMA, MIC = namespaces.SKOS, namespaces.SCHEMA, namespaces.MIC
GN, WGS84, GEOSPARQL, WDT, DBO = namespaces.GN, namespaces.WGS, namespaces.GEO, namespaces.WDT, namespaces.DBO
PREFIXES = namespaces.PREFIXES

SAME_AS = OWL + "sameAs"
LABELS = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SCHEMA + "name")
ALTERNATE_LABELS = frozenset(
    {
        SKOS + "altLabel",
        SKOS + "hiddenLabel",
        SCHEMA + "alternateName",
        GN + "alternateName",
        GN + "shortName",
        GN + "colloquialName",
    }
)
TYPES = (RDF + "type", WDT + "P31", GN + "featureClass")
SUBCLASS = (RDFS + "subClassOf", WDT + "P279")
PLACE_PROPERTIES = {
    "country": (
        MIC + "country",
        SCHEMA + "addressCountry",
        WDT + "P17",
        GN + "parentCountry",
        GN + "countryCode",
        DBO + "country",
    ),
    "region": (MIC + "region", GN + "parentADM1", SCHEMA + "addressRegion"),
    "locality": (MIC + "city", WDT + "P131", WDT + "P159", DBO + "city"),
}
PLACE_NAMES = (*LABELS, GN + "name", GN + "officialName", GN + "alternateName")
PLACE_CODES = (SKOS + "notation", GN + "countryCode", WDT + "P297")

# --- the score's constants (docs/linking.md gives the formula) -------------------------------------

ALTERNATE = 0.92
# Coordinates missing from the target weigh nothing: a source's are often its city's (an organisation's),
# which a target rarely states about the organisation itself, so their absence says nothing.
MISSING = {"country": 0.05, "region": 0.1, "locality": 0.05, "coordinates": 0.0}
DIFFERS = {"country": 0.6, "region": 0.5, "locality": 0.3, "coordinates": 0.6, "chinese": 0.4}
NEAR_KM, FAR_KM = 25.0, 100.0
CHINESE_ALIKE = 0.6
TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
SIMPLIFIED_TAGS = ("zh-hans", "zh-cn", "zh-sg", "zh-my")

DISK_THRESHOLD = 8 * 1024 * 1024  # bytes of RDF (1 MB gzipped) above which the target is loaded on disk
LOAD_CHUNK = 100_000  # triples per write into the on-disk store
PAGE_SIZE = 5000  # rows per page from an endpoint (Virtuoso cuts results at 10,000 by default)
BLOCK_SIZE = 200  # IRIs per VALUES block when describing resources


# --- what is compared -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    text: str
    language: str
    alternate: bool

    def shown(self) -> str:
        return f"'{self.text}'" + (f"@{self.language}" if self.language else "")


@dataclass
class Resource:
    """A resource as link discovery sees it: its labels and the evidence beyond them."""

    iri: str
    labels: list[Label] = field(default_factory=list)
    places: dict[str, set[str]] = field(default_factory=dict)  # kind -> keys of its places
    point: tuple[float, float] | None = None  # (latitude, longitude)
    point_via: str = ""  # "" (its own) or the locality whose point it is


@dataclass(frozen=True)
class Candidate:
    source: str
    target: str
    score: float
    source_label: str
    target_label: str
    evidence: str


@dataclass
class Discovery:
    """The outcome: links to accept, candidates to review, and what was read."""

    accepted: list[Candidate]
    review: list[Candidate]
    sources: int
    unmatched: int
    target: str
    classes: tuple[str, ...]
    predicate: str
    accept: float
    margin: float


# --- reading a store ------------------------------------------------------------------------------


def _values(iris: Iterable[str]) -> str:
    return " ".join(str(ox.NamedNode(i)) for i in iris)


def _select(store: Store, query: str, order: str) -> Iterator:
    """The rows of a SELECT, streamed from a local store; from an endpoint, in pages ordered by `order`."""
    from ..remote import RemoteStore

    if not isinstance(store, RemoteStore):
        yield from store.query(query)
        return
    offset = 0
    while True:
        rows = list(store.query(f"{query}\nORDER BY {order}\nLIMIT {PAGE_SIZE} OFFSET {offset}"))
        yield from rows
        if len(rows) < PAGE_SIZE:
            return
        offset += PAGE_SIZE


def _blocks(iris: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(iris), BLOCK_SIZE):
        yield iris[start : start + BLOCK_SIZE]


def _class_filter(store: Store, variable: str, classes: tuple[str, ...]) -> str:
    """A pattern keeping the resources typed (rdf:type, wdt:P31, gn:featureClass) with one of `classes` or a
    subclass (rdfs:subClassOf, wdt:P279): the subclasses are found once, so that each row is a plain join."""
    if not classes:
        return ""
    subclass = "|".join(f"<{p}>" for p in SUBCLASS)
    query = f"SELECT DISTINCT ?c WHERE {{ VALUES ?class {{ {_values(classes)} }} ?c ({subclass})* ?class }}"
    closure = sorted(
        {row[0].value for row in _select(store, query, "?c") if isinstance(row[0], ox.NamedNode)} | set(classes)
    )
    return f"VALUES ?class {{ {_values(closure)} }} VALUES ?typed {{ {_values(TYPES)} }} {variable} ?typed ?class ."


def sources_of(store: Store, classes: tuple[str, ...]) -> list[str]:
    """The IRIs typed with one of `classes` or a subclass; an unknown class is a UsageError."""
    for cls in classes:
        known = f"ASK {{ {{ ?x a <{cls}> }} UNION {{ <{cls}> a ?t }} UNION {{ ?x <{RDFS}subClassOf> <{cls}> }} }}"
        if not bool(store.query(known)):
            raise UsageError(
                f"unknown class {namespaces.compact(cls)}: nothing in the graph has it or a subclass "
                "of it as its type, and it is not declared"
            )
    query = (
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?class {{ {_values(classes)} }} "
        f"?s a/<{RDFS}subClassOf>* ?class . FILTER(isIRI(?s)) }}"
    )
    return sorted(row[0].value for row in store.query(query))


def _outgoing(store: Store, nodes: Iterable[str]) -> dict[str, list[tuple[str, object]]]:
    """Every (predicate, object) of each IRI in `nodes`. Asked with the subject bound and nothing else, which
    every engine answers from its index: a pattern with several VALUES or a UNION was 500 times slower on
    Oxigraph (40 s for 1,000 resources)."""
    found: dict[str, list[tuple[str, object]]] = {}
    for block in _blocks(sorted(set(nodes))):
        query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {_values(block)} }} ?s ?p ?o }}"
        for subject, predicate, value in _select(store, query, "?s ?p ?o"):
            found.setdefault(subject.value, []).append((predicate.value, value))
    return found


def _blank_outgoing(store: Store, nodes: Iterable[str]) -> dict[tuple[str, str, str], list[tuple[str, object]]]:
    """The (predicate, object) pairs of the blank nodes that the IRIs in `nodes` point to, by (IRI, predicate,
    blank node label of this answer): a region or a geometry given as a blank node."""
    found: dict[tuple[str, str, str], list[tuple[str, object]]] = {}
    for block in _blocks(sorted(set(nodes))):
        query = (
            f"SELECT ?s ?p ?b ?q ?k WHERE {{ VALUES ?s {{ {_values(block)} }} ?s ?p ?b . FILTER(isBlank(?b)) "
            f"?b ?q ?k }}"
        )
        for subject, predicate, blank, inner, value in _select(store, query, "?s ?p ?b ?q ?k"):
            found.setdefault((subject.value, predicate.value, blank.value), []).append((inner.value, value))
    return found


def _same_as_incoming(store: Store, nodes: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for block in _blocks(sorted(set(nodes))):
        query = f"SELECT ?k ?o WHERE {{ VALUES ?o {{ {_values(block)} }} ?k <{SAME_AS}> ?o . FILTER(isIRI(?k)) }}"
        for other, node in _select(store, query, "?k ?o"):
            found.setdefault(node.value, set()).add(other.value)
    return found


def _node_keys(node: str, pairs: list[tuple[str, object]], incoming: set[str]) -> set[str]:
    """What a place node is known by: its IRI (if it has one), its names and codes, its owl:sameAs links."""
    keys = {f"i:{node}"} if node else set()
    for predicate, value in pairs:
        if predicate in _PLACE_NAMES_SET and isinstance(value, ox.Literal):
            keys |= _place_keys(value, code=predicate in PLACE_CODES)
        elif predicate == SAME_AS and isinstance(value, ox.NamedNode):
            keys.add(f"i:{value.value}")
    return keys | {f"i:{other}" for other in incoming}


_PLACE_NAMES_SET = frozenset(PLACE_NAMES + PLACE_CODES)
_KIND_OF = {p: kind for kind, properties in PLACE_PROPERTIES.items() for p in properties}


def describe(store: Store, iris: list[str], label_properties: tuple[str, ...]) -> dict[str, Resource]:
    """Labels, places (country, region, locality; a locality's or region's country counts as the resource's
    country) and coordinates (its own, else its locality's) of `iris`, read two hops deep from each."""
    labels = frozenset(label_properties)
    own = _outgoing(store, iris)
    blanks = _blank_outgoing(store, iris)
    places: dict[str, list[tuple[str, object]]] = {}  # resource -> (kind, place node or literal)
    for iri in iris:
        for predicate, value in own.get(iri, []):
            if predicate in _KIND_OF and not isinstance(value, ox.BlankNode):
                places.setdefault(iri, []).append((_KIND_OF[predicate], value))
    place_iris = {v.value for found in places.values() for _, v in found if isinstance(v, ox.NamedNode)}
    geometries = {
        v.value
        for iri in iris
        for p, v in own.get(iri, [])
        if p in (GEOSPARQL + "hasGeometry", SCHEMA + "geo") and isinstance(v, ox.NamedNode)
    }
    second = _outgoing(store, place_iris | geometries)
    # the country of a locality or region, a third hop
    for found in places.values():
        for kind, value in list(found):
            if kind in ("locality", "region") and isinstance(value, ox.NamedNode):
                found += [
                    ("country", v)
                    for p, v in second.get(value.value, [])
                    if _KIND_OF.get(p) == "country" and not isinstance(v, ox.BlankNode)
                ]
    third_iris = {v.value for found in places.values() for _, v in found if isinstance(v, ox.NamedNode)} - place_iris
    second.update(_outgoing(store, third_iris))
    incoming = _same_as_incoming(store, place_iris | third_iris)
    resources = {}
    for iri in iris:
        resource = resources[iri] = Resource(iri)
        resource.labels = sorted(
            {
                Label(v.value, v.language or "", p in ALTERNATE_LABELS)
                for p, v in own.get(iri, [])
                if p in labels and isinstance(v, ox.Literal)
            },
            key=lambda x: (x.text, x.language, x.alternate),
        )
        for kind, value in places.get(iri, []):
            keys = (
                _node_keys(value.value, second.get(value.value, []), incoming.get(value.value, set()))
                if isinstance(value, ox.NamedNode)
                else _place_keys(value)
            )
            resource.places.setdefault(kind, set()).update(keys)
        for (subject, predicate, _), pairs in sorted(blanks.items()):
            if subject == iri and predicate in _KIND_OF:
                resource.places.setdefault(_KIND_OF[predicate], set()).update(_node_keys("", pairs, set()))
        resource.places = {kind: keys for kind, keys in resource.places.items() if keys}
        resource.point, resource.point_via = _point_of(iri, own, blanks, second, places.get(iri, []))
    return resources


def _place_keys(term, code: bool = False) -> set[str]:
    """What a place is known by: its IRI (i:), its codes (c:, "US"), its name's distinctive words (n:), or for
    a Chinese name its Han characters (h:; 陕西 and 山西 have the same pinyin)."""
    if isinstance(term, ox.NamedNode):
        return {f"i:{term.value}"}
    if not isinstance(term, ox.Literal):
        return set()
    if code or re.fullmatch(r"[A-Z]{2,3}", term.value.strip()):
        return {f"c:{term.value.strip().upper()}"} if term.value.strip() else set()
    name = lb.form(term.value)
    if name.han:
        core = "".join(t for t, g in zip(name.han, name.han_generic) if not g) or "".join(name.han)
        return {f"h:{core}"}
    core = "".join(t for t, g in zip(name.tokens, name.generic) if not g) or name.joined
    return {f"n:{core}"} if core else set()


def _kinds(keys: set[str]) -> set[str]:
    """What kinds of keys a place has; IRIs count by namespace (two datasets' IRIs differ by nature)."""
    kinds = set()
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "i":
            kind += value[: max(value.rfind("/"), value.rfind("#")) + 1]
        kinds.add(kind)
    return kinds


def compare_places(ours: set[str], theirs: set[str]) -> str:
    """agrees (a shared key), differs (keys of a shared kind, none equal), or unknown (nothing comparable:
    a name on one side, only a code on the other)."""
    if ours & theirs:
        return "agrees"
    return "differs" if _kinds(ours) & _kinds(theirs) else "unknown"


_WKT_POINT = re.compile(
    r"\s*(?:<([^<>\s]*)>\s*)?POINT\s*\(\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s+"
    r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*\)\s*",
    re.IGNORECASE,
)
_CRS84 = ("", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")
_EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT point (CRS84 order: longitude first, the GeoSPARQL default; EPSG:4326:
    latitude first); None for anything else or out of range."""
    match = _WKT_POINT.fullmatch(wkt)
    if match is None:
        return None
    crs, first, second = match.groups()
    try:
        a, b = float(first), float(second)
    except ValueError:
        return None
    if (crs or "") in _CRS84:
        return _checked_point(b, a)
    if crs == _EPSG4326:
        return _checked_point(a, b)
    return None


def _checked_point(latitude: float, longitude: float) -> tuple[float, float] | None:
    if math.isfinite(latitude) and math.isfinite(longitude) and abs(latitude) <= 90 and abs(longitude) <= 180:
        return latitude, longitude
    return None


def _points(pairs: list[tuple[str, object]]) -> list[tuple[float, float]]:
    """The points stated by (predicate, object) pairs: WGS84 lat/long, GeoSPARQL asWKT, Wikidata P625,
    schema.org latitude/longitude."""
    values: dict[str, list[str]] = {}
    for predicate, value in pairs:
        if isinstance(value, ox.Literal):
            values.setdefault(predicate, []).append(value.value)
    found = [
        p
        for wkt in values.get(GEOSPARQL + "asWKT", []) + values.get(WDT + "P625", [])
        if (p := parse_point(wkt)) is not None
    ]
    for lat, long in ((WGS84 + "lat", WGS84 + "long"), (SCHEMA + "latitude", SCHEMA + "longitude")):
        if len(values.get(lat, [])) == 1 and len(values.get(long, [])) == 1:
            try:
                point = _checked_point(float(values[lat][0]), float(values[long][0]))
            except ValueError:
                point = None
            if point is not None:
                found.append(point)
    return found


def _point_of(
    iri: str, own: dict, blanks: dict, second: dict, places: list[tuple[str, object]]
) -> tuple[tuple[float, float] | None, str]:
    """(point, "") from the resource itself or its geometry (geo:hasGeometry, schema:geo, a blank node or an
    IRI), else (point, locality IRI) from its locality; the smallest when several are stated."""
    pairs = list(own.get(iri, []))
    for (subject, predicate, _), inner in blanks.items():
        if subject == iri and predicate in (GEOSPARQL + "hasGeometry", SCHEMA + "geo"):
            pairs += inner
    for predicate, value in own.get(iri, []):
        if predicate in (GEOSPARQL + "hasGeometry", SCHEMA + "geo") and isinstance(value, ox.NamedNode):
            pairs += second.get(value.value, [])
    found = _points(pairs)
    if found:
        return min(found), ""
    for kind, value in sorted(places, key=lambda item: str(item[1])):
        if kind == "locality" and isinstance(value, ox.NamedNode):
            found = _points(second.get(value.value, []))
            if found:
                return min(found), value.value
    return None, ""


# --- the target -----------------------------------------------------------------------------------


@contextlib.contextmanager
def open_target(location: str, input_format: str | None = None) -> Iterator[Store]:
    """The target as a store: an endpoint for an http(s) URL (checked to answer SPARQL), else the RDF file
    loaded into an Oxigraph store, in memory, or in a temporary folder on disk when it is large."""
    if re.match(r"https?://", location, re.IGNORECASE):
        from ..remote import RemoteStore

        endpoint = RemoteStore(location)
        endpoint.query("ASK { ?s ?p ?o }")  # an EndpointError if it is not a SPARQL endpoint
        yield endpoint
        return
    from ..loading import load_file

    path = Path(location)
    if not path.is_file():
        raise InputNotFoundError(location, "is a directory, not an RDF file" if path.is_dir() else "no such file")
    size = path.stat().st_size * (8 if path.name.lower().endswith(".gz") else 1)
    if size <= DISK_THRESHOLD:
        store = OxigraphStore()
        load_file(store.oxigraph, path, input_format)
        yield store
        return
    with tempfile.TemporaryDirectory(prefix="micgraph-target-") as folder:
        store = OxigraphStore(Path(folder) / "store")
        try:
            _load_in_chunks(store.oxigraph, path, input_format)
            yield store
        finally:
            store.release()


def _load_in_chunks(store: ox.Store, path: Path, input_format: str | None) -> None:
    """Stream the file into an on-disk store LOAD_CHUNK triples at a time: Oxigraph's bulk loader keeps up to
    a million triples in memory at once (810 MB for a million GeoNames-shaped triples, measured; 148 MB in
    chunks of 100,000, in the same time)."""
    import itertools

    from .. import formats
    from ..loading import base_iri_for, display_name, open_source, parse_error, refuse_xml_entities

    syntax = formats.for_input(path, input_format)
    with open_source(path) as raw:
        stream = refuse_xml_entities(raw, display_name(path)) if syntax.name == "xml" else raw
        try:
            quads = ox.parse(input=stream, format=syntax.rdf, base_iri=base_iri_for(path))
            while chunk := list(itertools.islice(quads, LOAD_CHUNK)):
                store.bulk_extend(chunk)
        except (SyntaxError, ValueError, EOFError, OSError, UnicodeDecodeError) as exc:
            raise parse_error(display_name(path), exc) from exc


# --- discovery ------------------------------------------------------------------------------------


def _stream_candidates(
    target: Store,
    sources: dict[str, Resource],
    target_classes: tuple[str, ...],
    label_properties: tuple[str, ...],
    floor: float,
) -> set[tuple[str, str]]:
    """(source, target) pairs with a label pair at least `floor` alike, from one pass over the target's labels."""
    index: dict[str, set[str]] = {}
    forms: dict[str, list[lb.Form]] = {}
    for iri, resource in sources.items():
        forms[iri] = [lb.form(label.text) for label in resource.labels]
        for label_form in forms[iri]:
            for key in label_form.keys:
                index.setdefault(key, set()).add(iri)
    query = (
        f"SELECT ?s ?o WHERE {{ VALUES ?p {{ {_values(label_properties)} }} ?s ?p ?o . "
        f"FILTER(isIRI(?s) && isLiteral(?o)) {_class_filter(target, '?s', target_classes)} }}"
    )
    pairs: set[tuple[str, str]] = set()
    for s, o in _select(target, query, "?s ?o"):
        label_form = lb.form(o.value)
        hits: set[str] = set()
        for key in label_form.keys:
            hits |= index.get(key, set())
        for source in hits:
            if (source, s.value) not in pairs and any(lb.similarity(f, label_form) >= floor for f in forms[source]):
                pairs.add((source, s.value))
    return pairs


def _chinese(labels: list[Label]) -> list[tuple[Label, lb.Form]]:
    return [(label, lb.form(label.text)) for label in labels if lb.form(label.text).han]


def _comparable(a: Label, b: Label) -> bool:
    """Simplified and traditional Chinese are not compared character by character (苏州 / 蘇州)."""

    def variant(tag: str) -> str:
        tag = tag.lower()
        return "t" if tag.startswith(TRADITIONAL_TAGS) else "s" if tag.startswith(SIMPLIFIED_TAGS) else ""

    va, vb = variant(a.language), variant(b.language)
    return not va or not vb or va == vb


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371.0088 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def score(source: Resource, target: Resource) -> tuple[float, str, str, str]:
    """(score, source label, target label, evidence) of one pair; the formula is in the module docstring."""
    best = (0.0, "", "")
    for a in source.labels:
        fa = lb.form(a.text)
        for b in target.labels:
            s = lb.similarity(fa, lb.form(b.text)) * (ALTERNATE if a.alternate or b.alternate else 1.0)
            candidate = (round(s, 6), a.shown(), b.shown())
            if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1:] < best[1:]):
                best = candidate
    label_score, source_label, target_label = best
    factor = 1.0
    evidence = [f"label {label_score:.3f} ({source_label} ~ {target_label})"]
    for kind in PLACE_PROPERTIES:
        ours, theirs = source.places.get(kind), target.places.get(kind)
        if not ours:
            continue
        verdict = compare_places(ours, theirs) if theirs else "missing"
        if verdict == "differs":
            factor *= 1 - DIFFERS[kind]
        elif verdict != "agrees":
            factor *= 1 - MISSING[kind]
        evidence.append(f"{kind} {'not in target' if verdict == 'missing' else verdict}")
    if source.point is not None:
        if target.point is None:
            factor *= 1 - MISSING["coordinates"]
            evidence.append("coordinates not in target")
        else:
            km = distance_km(source.point, target.point)
            far = min(1.0, max(0.0, (km - NEAR_KM) / (FAR_KM - NEAR_KM)))
            factor *= 1 - DIFFERS["coordinates"] * far
            via = " ".join(namespaces.compact(v) for v in (source.point_via, target.point_via) if v)
            evidence.append(f"{km:.1f} km apart" + (f" (by {via})" if via else ""))
    ours_zh, theirs_zh = _chinese(source.labels), _chinese(target.labels)
    if ours_zh and theirs_zh:
        alike = max(
            (lb.han_similarity(fa, fb) for a, fa in ours_zh for b, fb in theirs_zh if _comparable(a, b)), default=None
        )
        if alike is not None and alike < CHINESE_ALIKE:
            factor *= 1 - DIFFERS["chinese"]
            evidence.append("Chinese names differ")
        elif alike is not None:
            evidence.append("Chinese names agree")
    return round(label_score * factor, 3), source_label, target_label, "; ".join(evidence)


def discover(
    graph: Store,
    classes: Iterable[str],
    target: str,
    *,
    target_format: str | None = None,
    target_classes: Iterable[str] = (),
    target_labels: Iterable[str] = (),
    accept: float = 0.9,
    review: float = 0.7,
    margin: float = 0.05,
    predicate: str = SAME_AS,
) -> Discovery:
    """Find the links from the resources of `classes` in `graph` to the target (file or endpoint URL)."""
    lb.require_transliteration()
    if not 0 <= review <= accept <= 1:
        raise UsageError(f"thresholds must satisfy 0 <= review ({review}) <= accept ({accept}) <= 1")
    if not 0 <= margin < 1:
        raise UsageError(f"the margin must be in [0, 1), not {margin}")
    classes = tuple(namespaces.expand(c) for c in classes)
    if not classes:
        raise UsageError("name the class of the resources to link (--class)")
    target_classes = tuple(namespaces.expand(c) for c in target_classes)
    label_properties = tuple(dict.fromkeys((*LABELS, *(namespaces.expand(p) for p in target_labels))))
    predicate = namespaces.expand(predicate)
    source_iris = sources_of(graph, classes)
    sources = describe(graph, source_iris, LABELS)
    with open_target(target, target_format) as store:
        pairs = _stream_candidates(store, sources, target_classes, label_properties, review)
        targets = describe(store, sorted({t for _, t in pairs}), label_properties)
    candidates: dict[str, list[Candidate]] = {}
    for source, target_iri in sorted(pairs):
        value, source_label, target_label, evidence = score(sources[source], targets[target_iri])
        if value >= review:
            candidates.setdefault(source, []).append(
                Candidate(source, target_iri, value, source_label, target_label, evidence)
            )
    accepted, to_review = assign(candidates, accept, review, margin)
    unmatched = sum(1 for iri in source_iris if iri not in candidates)
    return Discovery(accepted, to_review, len(source_iris), unmatched, target, classes, predicate, accept, margin)


def assign(
    candidates: dict[str, list[Candidate]], accept: float, review: float, margin: float
) -> tuple[list[Candidate], list[Candidate]]:
    """Accepted links and candidates for review (see the module docstring), each sorted by source and target."""
    proposed: list[Candidate] = []
    to_review: list[Candidate] = []
    for source in sorted(candidates):
        ranked = sorted(candidates[source], key=lambda c: (-c.score, c.target))
        best = ranked[0]
        contenders = [c for c in ranked if c.score >= best.score - margin and c.score >= review]
        if best.score >= accept and len(contenders) == 1:
            proposed.append(best)
        else:
            to_review.extend(contenders)
    claims: dict[str, list[Candidate]] = {}
    for candidate in proposed:
        claims.setdefault(candidate.target, []).append(candidate)
    accepted: list[Candidate] = []
    for claimants in claims.values():
        claimants.sort(key=lambda c: (-c.score, c.source))
        first = claimants[0]
        if len(claimants) > 1 and claimants[1].score >= first.score - margin:
            to_review.extend(claimants)  # two sources as good as each other for one target
            continue
        accepted.append(first)
        to_review.extend(claimants[1:])
    taken = {c.target: c.source for c in accepted}
    to_review = [c for c in to_review if taken.get(c.target, c.source) == c.source]

    def order(c):
        return c.source, -c.score, c.target

    return sorted(accepted, key=order), sorted(set(to_review), key=order)
