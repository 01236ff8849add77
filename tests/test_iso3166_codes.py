"""ISO 3166 codes of the countries and regions, recomputed from pycountry (Debian's iso-codes tables).

Every country gets its ISO 3166-1 alpha-2, alpha-3 and numeric codes, every first-level region its ISO 3166-2
code; each is a skos:notation typed with the datatype of its code system, and names pycountry as its source.
"""

from __future__ import annotations

import gettext
import re
from importlib.metadata import version

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from micgraph import bundle, namespaces

pycountry = pytest.importorskip("pycountry")
MIC = Namespace(namespaces.MIC)


@pytest.fixture(scope="module")
def graph() -> Graph:
    graph = Graph()
    for name in ("places.ttl", "places-iso3166.ttl"):
        graph.parse(bundle.root() / "data" / name)
    return graph


def label(graph: Graph, node, lang: str) -> str | None:
    return next((str(o) for o in graph.objects(node, RDFS.label) if o.language == lang), None)


def notations(graph: Graph, node) -> set[Literal]:
    return set(graph.objects(node, SKOS.notation))


def test_every_country_has_its_three_iso_3166_1_codes(graph):
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    countries = list(graph.subjects(RDF.type, MIC.Country))
    assert len(countries) == 3
    for country in countries:
        iso = pycountry.countries.get(name=label(graph, country, "en"))
        assert iso is not None and zh.gettext(iso.name) == label(graph, country, "zh"), country
        assert notations(graph, country) == {Literal(iso.alpha_2, datatype=MIC.ISO3166Alpha2Code),
                                             Literal(iso.alpha_3, datatype=MIC.ISO3166Alpha3Code),
                                             Literal(iso.numeric, datatype=MIC.ISO3166NumericCode)}


def test_every_region_has_its_iso_3166_2_code(graph):
    """Chinese regions are found by their Chinese name (iso-codes' Simplified Chinese translation), U.S. states
    by their English name; exactly one first-level subdivision must match."""
    zh = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    regions = list(graph.subjects(RDF.type, MIC.Region))
    assert len(regions) >= 28
    for region in regions:
        cc = next(str(n) for n in notations(graph, graph.value(region, MIC.country))
                  if n.datatype == MIC.ISO3166Alpha2Code)
        en = re.sub(r" \([^()]*\)$", "", label(graph, region, "en"))
        name_zh = label(graph, region, "zh")
        [subdivision] = [s for s in pycountry.subdivisions.get(country_code=cc) if s.parent_code is None
                         and (s.name == en or (name_zh is not None and zh.gettext(s.name) == name_zh))]
        assert notations(graph, region) == {Literal(subdivision.code, datatype=MIC.ISO3166SubdivisionCode)}, region
    hubei = URIRef(namespaces.MICR + "region-cn-hubei")
    assert notations(graph, hubei) == {Literal("CN-HB", datatype=MIC.ISO3166SubdivisionCode)}


def test_every_code_names_pycountry_as_its_source(graph):
    package = URIRef(f"https://pypi.org/project/pycountry/{version('pycountry')}/")
    annotated = {(graph.value(a, OWL.annotatedSource), graph.value(a, OWL.annotatedTarget))
                 for a in graph.subjects(DCTERMS.source, package)
                 if graph.value(a, OWL.annotatedProperty) == SKOS.notation}
    assert annotated == set(graph.subject_objects(SKOS.notation)) - {
        (s, o) for s, o in graph.subject_objects(SKOS.notation) if o.datatype is None}
    assert len(annotated) == 3 * 3 + len(list(graph.subjects(RDF.type, MIC.Region)))


def test_the_ontology_defines_each_code_datatype_by_its_form():
    """Each datatype is an OWL 2 datatype definition: xsd:string restricted by a pattern that the codes match."""
    onto = Graph().parse(bundle.ontology_path())
    data = Graph().parse(bundle.root() / "data" / "places-iso3166.ttl")
    xsd_pattern = URIRef("http://www.w3.org/2001/XMLSchema#pattern")
    for datatype in {o.datatype for o in data.objects(None, SKOS.notation)}:
        assert (datatype, RDF.type, RDFS.Datatype) in onto, datatype
        [restriction] = onto.objects(datatype, OWL.equivalentClass)
        facets = onto.value(restriction, OWL.withRestrictions)
        [pattern] = [str(onto.value(f, xsd_pattern)) for f in onto.items(facets)]
        for code in (o for o in data.objects(None, SKOS.notation) if o.datatype == datatype):
            assert re.fullmatch(pattern, str(code)), (datatype, code)
