"""The figures as a W3C RDF Data Cube: the recommendation's 21 integrity constraints hold on the bundled graph.

The ontology and all bundled data are loaded into a fresh store, normalised with the recommendation's
algorithm (section 10.3) and checked with its ASK queries (section 11.1, tests/datacube.py), in Oxigraph
and, independently, in rdflib. Each constraint also has a broken cube in tests/fixtures/cube/ that
violates it and nothing else, so no check here can pass by being unable to fail.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import datacube
from conftest import FIXTURES
from micgraph import bundle, namespaces

CUBE_FIXTURES = sorted((FIXTURES / "cube").glob("*.ttl"))
SKOS_NARROWER = "http://www.w3.org/2004/02/skos/core#narrower"
QB = "http://purl.org/linked-data/cube#"
MIC, MICR = namespaces.MIC, namespaces.MICR


def expected(path: Path) -> str:
    return re.search(r"^# violates: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE).group(1)


def oxigraph_store(paths) -> ox.Store:
    store = ox.Store()
    for path in paths:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    datacube.normalize(store)
    return store


class RdflibStore:
    """The same checks through rdflib's SPARQL engine, an implementation independent of Oxigraph."""

    def __init__(self, paths) -> None:
        self.graph = Graph()
        for path in paths:
            self.graph.parse(path)

    def update(self, text: str) -> None:
        self.graph.update(text)

    def query(self, text: str):
        result = self.graph.query(text)
        return result.askAnswer if result.type == "ASK" else list(result)


def violations(store) -> list[str]:
    return sorted(name for name, broken in datacube.violated(store).items() if broken)


@pytest.fixture(scope="module")
def bundled() -> ox.Store:
    return oxigraph_store(bundle.graph_paths())


# --- the bundled graph ------------------------------------------------------------------------

def test_bundled_graph_passes_every_integrity_constraint(bundled):
    checked = datacube.violated(bundled)
    assert {f"IC-{n}" for n in range(1, 19)} | {"IC-19a", "IC-19b", "IC-17 (intended)"} <= set(checked)
    assert f"IC-20 <{SKOS_NARROWER}>" in checked, "the sectors code list instantiates IC-20"
    assert [name for name, broken in checked.items() if broken] == []


@pytest.mark.slow
def test_bundled_graph_passes_in_rdflib_too():
    store = RdflibStore(bundle.graph_paths())
    datacube.normalize(store)
    assert violations(store) == []


def test_every_figure_is_an_observation_of_one_data_set(bundled):
    """mic:Observation is aligned with, not replaced by, qb:Observation: every figure is in the cube."""
    query = f"""SELECT ?obs (COUNT(DISTINCT ?ds) AS ?n) WHERE {{
        ?obs a <{MIC}Observation> OPTIONAL {{ ?obs <{QB}dataSet> ?ds }} }} GROUP BY ?obs"""
    counts = {row[0].value: int(row[1].value) for row in bundled.query(query)}
    assert len(counts) >= 60
    assert {obs: n for obs, n in counts.items() if n != 1} == {}
    typed = {row[0].value for row in bundled.query(f"SELECT ?o WHERE {{ ?o a <{QB}Observation> }}")}
    assert set(counts) <= typed


def test_figures_that_differ_only_by_source_are_distinct_observations(bundled):
    """The seed's '33' and NIST's 'at least 33' are two figures (point value, lower bound) in two data sets."""
    query = f"""SELECT ?obs ?ds ?source WHERE {{
        VALUES ?obs {{ <{MICR}obs-cn-mic-count-2025-seed> <{MICR}obs-cn-mic-count-2025-nist> }}
        ?obs <{QB}dataSet> ?ds ; <{MIC}dataSource> ?source }}"""
    rows = {row[0].value: (row[1].value, row[2].value) for row in bundled.query(query)}
    assert rows[MICR + "obs-cn-mic-count-2025-seed"][0] != rows[MICR + "obs-cn-mic-count-2025-nist"][0]


def test_the_data_source_is_one_of_the_figures_listed_sources(bundled):
    """mic:dataSource is a sub-property of prov:wasDerivedFrom; the data also lists it there, for readers
    without RDFS entailment (which would add it anyway, so SHACL under RDFS cannot check this)."""
    query = f"""SELECT ?obs WHERE {{ ?obs <{MIC}dataSource> ?s
        FILTER NOT EXISTS {{ ?obs <http://www.w3.org/ns/prov#wasDerivedFrom> ?s }} }}"""
    assert list(bundled.query(query)) == []


# --- periods that the sources give only in words now have structure ------------------------------

PERIODS = {  # observation: (start, end, length in years), read from the seed
    "obs-cn-mic-count-2025-seed": ("2016", "2025", None),               # 从2016年开始,截至2025年初
    "obs-cn-subindustries-exceeding-us": (None, "2024", None),          # 截至2024年
    "obs-cn-big-fund-3-size": ("2024", None, Decimal(5)),               # 五年内 (registered May 2024)
    "obs-us-share-assets-upgrade-mgi-2015": (None, "2015", None),       # 麦肯锡全球研究院2015年的估算
    "obs-cn-manufacturing-investment-growth-change-8y": (None, "2025", Decimal(8)),  # 过去8年, report of 2025
}


@pytest.mark.parametrize("obs", sorted(PERIODS))
def test_periods_given_in_words_are_structured_and_keep_their_note(bundled, obs):
    query = f"""SELECT ?start ?end ?length ?note ?period WHERE {{
        BIND (<{MICR}{obs}> AS ?o)
        ?o <{MIC}periodNote> ?note ; <{MIC}refPeriod> ?period .
        OPTIONAL {{ ?o <{MIC}periodStart> ?start }} OPTIONAL {{ ?o <{MIC}periodEnd> ?end }}
        OPTIONAL {{ ?o <{MIC}periodLengthYears> ?length }} }}"""
    (row,) = list(bundled.query(query))
    start, end, length = (row[0] and row[0].value, row[1] and row[1].value,
                          row[2] and Decimal(row[2].value))
    assert (start, end, length) == PERIODS[obs]
    assert row[4].value != MICR + "period-not-stated"


# --- every constraint can fail ------------------------------------------------------------------

def test_there_is_a_broken_cube_for_every_constraint():
    broken = {expected(p).split(" <")[0] for p in CUBE_FIXTURES}
    assert {f"IC-{n}" for n in range(1, 22) if n not in (17, 19)} | {"IC-17 (intended)", "IC-19a", "IC-19b"} <= broken


# rdflib parses each of the ~22 queries anew: about 2 s a fixture, so its run is marked slow.
ENGINES = ["oxigraph", pytest.param("rdflib", marks=pytest.mark.slow)]


@pytest.mark.parametrize("path", CUBE_FIXTURES, ids=lambda p: p.stem)
@pytest.mark.parametrize("engine", ENGINES)
def test_fixture_violates_exactly_its_constraint(path, engine):
    if engine == "oxigraph":
        store = oxigraph_store([path])
    else:
        store = RdflibStore([path])
        datacube.normalize(store)
    found = [name.split(" <")[0] for name in violations(store)]
    want = expected(path)
    assert found == ([] if want == "none" else [want])


@pytest.mark.parametrize("path", [FIXTURES / "cube" / "valid.ttl", FIXTURES / "cube" / "valid-inverse.ttl"],
                         ids=lambda p: p.stem)
def test_well_formed_fixtures_instantiate_the_templates(path):
    store = oxigraph_store([path])
    template = "IC-20" if path.stem == "valid" else "IC-21"
    assert [p for p, _ in datacube.instantiate(store, template)] != []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_ic17_as_given_cannot_fire_so_the_intended_form_runs_too(engine):
    """The recommendation's IC-17 refers to a SELECT alias in HAVING: unbound there under SPARQL 1.1."""
    path = FIXTURES / "cube" / "ic-17.ttl"
    store = oxigraph_store([path]) if engine == "oxigraph" else RdflibStore([path])
    if engine == "rdflib":
        datacube.normalize(store)
    assert not store.query(datacube.PREFIXES + datacube.INTEGRITY_CONSTRAINTS["IC-17"])
    assert store.query(datacube.PREFIXES + datacube.IC_17_INTENDED)


def test_normalisation_adds_the_implied_types():
    """Phase 1 of section 10.3: an observation linked only by qb:dataSet becomes a qb:Observation."""
    store = ox.Store()
    store.load(f"<{MICR}x> <{QB}dataSet> <{MICR}ds> .".encode(), format=ox.RdfFormat.N_TRIPLES)
    datacube.normalize(store)
    assert store.query(f"ASK {{ <{MICR}x> a <{QB}Observation> . <{MICR}ds> a <{QB}DataSet> }}")
