"""The ontology and the bundled data: HermiT consistency, OWL 2 DL hygiene and a lint of the data.

The OWL 2 DL profile check is in test_owl_profile.py, the pitfall scan in test_ontology_pitfalls.py.

The lint checks what the shapes cannot easily say: that every term the data uses is declared in the
ontology, that every ontology term is documented in English and Chinese, and that every observation
carries a figure, a unit and a source.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from conftest import read_rdflib, require_tool
from micgraph.graph import open_graph
from micgraph import bundle, namespaces

MIC = Namespace(namespaces.MIC)
MICR = Namespace(namespaces.MICR)
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = URIRef(namespaces.ONTOLOGY_IRI)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DECIMAL = URIRef(XSD + "decimal")
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# RDF/RDFS/OWL built-ins need no declaration.
BUILT_IN = (str(RDF), str(RDFS), str(OWL))


def own_data_paths() -> list[Path]:
    """The bundled data files of this graph (data/links/ belongs to the linksets and is checked there)."""
    return [p for p in bundle.data_paths() if "links" not in p.relative_to(bundle.root() / "data").parts[:-1]]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(bundle.ontology_path())


@pytest.fixture(scope="module")
def data() -> Graph:
    return read_rdflib(own_data_paths())


def declared(onto: Graph, term: URIRef) -> bool:
    return (term, RDF.type, None) in onto


# --- HermiT ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_hermit_ontology_and_data_consistent_no_unsatisfiable_class():
    require_tool("java", "HermiT needs a Java runtime")
    from micgraph.graph import open_graph
    from micgraph.reason import check_consistency

    report = check_consistency(open_graph())  # the ontology with all bundled data, as the files hold it
    assert report.consistent
    assert report.unsatisfiable == []


@pytest.mark.slow
def test_hermit_ontology_alone_consistent():
    require_tool("java", "HermiT needs a Java runtime")
    from micgraph.graph import open_graph
    from micgraph.reason import check_consistency

    report = check_consistency(open_graph(bundled=False, with_ontology=True))
    assert report.consistent and report.unsatisfiable == []


@pytest.mark.slow
def test_hermit_reads_calendar_dates_through_their_datatype_definition(tmp_path):
    """mic:CalendarDate restricts xsd:string to ISO 8601 years, months and days: HermiT rejects a 13th month."""
    require_tool("java", "HermiT needs a Java runtime")
    from micgraph.reason import check_consistency

    bad = tmp_path / "month-13.ttl"
    bad.write_text(f'<{MICR}x> a <{MIC}InnovationCenter> ; <{MIC}approvalDate> "2017-13" .\n')
    assert check_consistency(open_graph([bad], bundled=False, with_ontology=True)).consistent is False


def test_hermit_refuses_datatypes_outside_owl2_with_one_clear_error(tmp_path):
    """No workaround: a graph HermiT cannot read is refused before Java starts, naming the datatype."""
    from micgraph.errors import ReasonerError
    from micgraph.reason import check_consistency

    bad = tmp_path / "gyear.ttl"
    bad.write_text(f'<{MICR}x> <{MIC}foundingDate> "2016"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n')
    with pytest.raises(ReasonerError, match=r"1 literal\(s\) of xsd:gYear"):
        check_consistency(open_graph([bad], bundled=False, with_ontology=True))


@pytest.mark.slow
def test_hermit_sees_the_disjointness_axioms(tmp_path):
    """The consistency check is not vacuous: a centre of two disjoint kinds makes the graph inconsistent."""
    require_tool("java", "HermiT needs a Java runtime")
    from micgraph.graph import open_graph
    from micgraph.reason import check_consistency

    bad = tmp_path / "two-kinds.ttl"
    bad.write_text(f"<{MICR}x> a <{MIC}ChineseInnovationCenter> , <{MIC}ManufacturingUSAInstitute> .\n")
    assert check_consistency(open_graph([bad], bundled=False, with_ontology=True)).consistent is False


# --- the ontology ---------------------------------------------------------------------------

REQUIRED_CLASSES = ["Program", "InnovationCenter", "Industry", "Policy", "TradeMeasure", "Observation",
                    "Organization", "Country", "SourceDocument"]


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_public_class_iris_exist(onto, name):
    assert (MIC[name], RDF.type, OWL.Class) in onto


def test_three_kinds_of_centre_and_their_alignment(onto):
    for kind in ("ChineseInnovationCenter", "ManufacturingUSAInstitute", "FraunhoferInstitute"):
        assert (MIC[kind], RDFS.subClassOf, MIC.InnovationCenter) in onto
    assert (MIC.CoBuiltInnovationCenter, RDFS.subClassOf, MIC.ChineseInnovationCenter) in onto
    assert (MIC.InnovationCenter, RDFS.subClassOf, MIC.Organization) in onto
    assert (MIC.Organization, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in onto
    assert (MIC.Observation, RDFS.subClassOf, PROV.Entity) in onto
    assert (MIC.Industry, RDFS.subClassOf, SKOS.Concept) in onto
    assert (MIC.program, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#memberOf")) in onto
    assert (MIC.program, OWL.inverseOf, MIC.hasCenter) in onto


def test_ontology_metadata(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionIRI) is not None
    assert onto.value(ONTOLOGY, DCTERMS.license) == CC_BY
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.created, DCTERMS.creator):
        assert onto.value(ONTOLOGY, prop) is not None, prop
    assert str(onto.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "mic"
    assert str(onto.value(ONTOLOGY, VANN.preferredNamespaceUri)) == namespaces.MIC
    assert (ONTOLOGY, OWL.imports, None) not in onto, "reuse by axioms, never owl:imports"


def test_confidence_levels_declared(onto):
    for level in ("Sourced", "SourcedWeak", "Unverified"):
        assert (MIC[level], RDF.type, MIC.ConfidenceLevel) in onto


def mic_terms(onto: Graph) -> set[URIRef]:
    kinds = (OWL.Class, *PROPERTY_KINDS)
    return {s for k in kinds for s in onto.subjects(RDF.type, k) if str(s).startswith(namespaces.MIC)}


def test_every_property_has_exactly_one_owl_kind(onto, data):
    """OWL 2 DL: a property is an object, a datatype or an annotation property, never two or none."""
    properties = {s for k in PROPERTY_KINDS for s in onto.subjects(RDF.type, k)}
    properties |= {p for p in data.predicates() if not str(p).startswith(BUILT_IN)}
    problems = {str(p): [str(k) for k in PROPERTY_KINDS if (p, RDF.type, k) in onto] for p in properties}
    assert {p: kinds for p, kinds in problems.items() if len(kinds) != 1} == {}


def test_no_mic_iri_is_both_class_and_property(onto):
    classes = set(onto.subjects(RDF.type, OWL.Class))
    properties = {s for k in PROPERTY_KINDS for s in onto.subjects(RDF.type, k)}
    assert classes & properties == set()


def test_object_and_datatype_property_ranges_are_declared_and_disjoint(onto):
    """A datatype property ranges over a datatype of the OWL 2 datatype map or one the ontology defines;
    an object property over a class."""
    from micgraph.reason import OWL2_DATATYPES

    defined = {str(d) for d in onto.subjects(RDF.type, RDFS.Datatype)}
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        for rng in onto.objects(prop, RDFS.range):
            assert str(rng) not in OWL2_DATATYPES | defined, f"{prop} is an object property with a datatype range"
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in onto.objects(prop, RDFS.range):
            assert str(rng) in OWL2_DATATYPES | defined, f"{prop} is a datatype property with range {rng}"


def test_every_literal_is_in_the_owl2_datatype_map():
    """What makes ontology + data OWL 2 DL and readable by HermiT: no xsd:date, xsd:gYear, xsd:gYearMonth."""
    from micgraph.reason import datatypes_outside_owl2

    store = ox.Store()
    for path in bundle.graph_paths():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert datatypes_outside_owl2(store) == {}


def test_dates_are_iso_strings_of_year_month_or_day_precision(data):
    """Every date is an ISO 8601 string as precise as its source: a year, a month or a day (all three occur)."""
    dates = [o for p in (MIC.startDate, MIC.foundingDate, MIC.approvalDate, MIC.announcementDate, MIC.launchDate,
                         MIC.issuedDate, MIC.periodStart, MIC.periodEnd, DCTERMS.issued)
             for o in data.objects(None, p)]
    assert len(dates) >= 128
    assert all(isinstance(d, Literal) and d.datatype in (None, URIRef(XSD + "string")) for d in dates)
    assert {len(str(d)) for d in dates} == {4, 7, 10}


# --- the data -------------------------------------------------------------------------------

def test_every_file_parses_with_rdflib_and_oxigraph():
    for path in [bundle.ontology_path(), *own_data_paths(), *bundle.shapes_paths()]:
        assert len(Graph().parse(path)) > 0, path
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        assert len(store) > 0, path


def test_every_term_used_in_data_is_declared(onto, data):
    used = set(data.predicates()) | set(data.objects(None, RDF.type))
    used |= {o for o in data.objects() if isinstance(o, URIRef) and str(o).startswith(namespaces.MIC)}
    undeclared = sorted(str(t) for t in used if not str(t).startswith(BUILT_IN) and not declared(onto, t))
    assert undeclared == []


def test_no_dangling_resource_references(data):
    """Every micr: resource the data points to is described somewhere in the data."""
    described = set(data.subjects())
    dangling = sorted({f"{s} -> {o}" for s, o in data.subject_objects()
                       if isinstance(o, URIRef) and str(o).startswith(namespaces.MICR) and o not in described})
    assert dangling == []


def test_resources_live_in_the_resource_namespace(data):
    foreign = sorted({str(s) for s in data.subjects() if isinstance(s, URIRef)
                      and not str(s).startswith(namespaces.MICR)})
    assert foreign == []


def test_every_observation_has_a_figure_a_unit_and_a_source(data):
    observations = set(data.subjects(RDF.type, MIC.Observation))
    assert len(observations) >= 60
    problems = []
    for obs in sorted(observations):
        if not any((obs, p, None) in data for p in (MIC.value, MIC.minValue, MIC.maxValue)):
            problems.append(f"{obs}: no value")
        if (obs, MIC.unit, None) not in data:
            problems.append(f"{obs}: no unit")
        if (obs, PROV.wasDerivedFrom, None) not in data:
            problems.append(f"{obs}: no source")
        for p in (MIC.value, MIC.minValue, MIC.maxValue):
            for v in data.objects(obs, p):
                if v.datatype != XSD_DECIMAL:
                    problems.append(f"{obs}: {p} is {v.datatype}, not xsd:decimal")
    assert problems == []


def test_every_figure_from_the_seed_quotes_its_chinese_sentence(data):
    seed = MICR["source-casisd-bulletin"]
    quoted = set(data.subjects(PROV.wasQuotedFrom, seed))
    seed_figures = quoted & set(data.subjects(RDF.type, MIC.Observation))
    assert len(seed_figures) >= 25  # the seed has more than 25 figures
    for resource in quoted:
        texts = [t for t in data.objects(resource, MIC.sourceText) if isinstance(t, Literal) and t.language == "zh"]
        assert texts, f"{resource} is quoted from the seed but carries no @zh sentence"


def test_seed_figures_that_come_from_cited_sources_name_them(data):
    """A figure the report takes from another source is derived from the report AND that source."""
    nist = MICR["source-nist-ams-600-17"]
    expected = {
        "obs-oecd-subindustries-compared": "source-oecd-tiva-2023",        # the sentence footnote [2] marks
        "obs-cn-subindustries-exceeding-us": "source-oecd-tiva-2023",
        "obs-us-subindustries-exceeding-cn": "source-oecd-tiva-2023",      # footnote [2] itself
        "obs-us-share-sme-cloud-2023": "source-sba-2023-survey",
        "obs-us-share-assets-upgrade-mgi-2015": "source-mgi-2015",
        "obs-us-trade-deficit-with-cn-change-2024": "source-crs-trade-deficit-report",
        "obs-cn-semiconductor-competitive-by-2030": "source-bloomberg-semiconductor-forecast",
    }
    for obs, cited in expected.items():
        sources = set(data.objects(MICR[obs], PROV.wasDerivedFrom))
        assert {nist, MICR[cited]} <= sources, obs
    # The 2017-2022 growth rates follow the footnoted sentence but carry no citation of their own.
    for obs in ("obs-cn-mva-cagr-2017-2022", "obs-us-mva-cagr-2017-2022"):
        assert set(data.objects(MICR[obs], PROV.wasDerivedFrom)) == {nist}, obs


def test_unverified_facts_claim_no_source(data):
    for resource in data.subjects(MIC.confidence, MIC.Unverified):
        assert (resource, PROV.wasDerivedFrom, None) not in data, resource


def test_left_out_facts_stay_out(data):
    """[memory]/[inferred] facts of the research notes are not in the graph."""
    text = "\n".join(str(o) for o in data.objects() if isinstance(o, Literal))
    assert "10.6028/NIST.AMS.600-17" not in text          # DOI: inferred, never seen
    assert "nvlpubs.nist.gov" not in text                 # PDF URL: inferred
    assert "Q192334" not in text                          # not Fraunhofer's QID
    america_makes = MICR["us-inst-america-makes"]
    for p in (MIC.foundingDate, MIC.approvalDate, MIC.announcementDate, MIC.sponsor):
        assert (america_makes, p, None) not in data       # 2012 and DoD are [memory]
    # which two OECD sub-industries the U.S. leads in is unknown: no industry is tied to that figure
    assert (MICR["obs-us-subindustries-exceeding-cn"], MIC.refIndustry, None) not in data


def test_hermit_without_its_extra_is_a_one_line_hint(cli, monkeypatch):
    """owlready2 is the `hermit` extra (not the first install): without it, reason --check says what to install."""
    import sys

    monkeypatch.setitem(sys.modules, "owlready2", None)  # as if it were not installed
    result = cli("reason", "--check", expect=2)
    assert result.stderr.strip() == ("error: HermiT runs through owlready2, an optional extra: pip install "
                                     "'micgraph[hermit]' (and a Java runtime)")
