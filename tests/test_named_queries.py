"""The named queries answer the competency questions of docs/competency-questions.md.

Every expected answer below comes from the sources (the seed text, the research notes), not from
running the query: e.g. the seed says Manufacturing USA has 17 active institutes and China's share of
global advanced-manufacturing output rose from 3 % (1995) to 25 % (2020).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef

from conftest import read_rdflib
from micgraph import bundle, namespaces
from micgraph.query import run_query

MIC, MICR = namespaces.MIC, namespaces.MICR
DOC = Path(__file__).resolve().parents[1] / "docs" / "competency-questions.md"
QUERIES = bundle.named_queries()


def r(slug: str) -> str:
    return MICR + slug


def rows(graph, name: str) -> list[dict[str, str | None]]:
    return run_query(graph, name=name).rows


def num(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@pytest.fixture(scope="module")
def data() -> Graph:
    return read_rdflib(bundle.data_paths())


# --- the queries as files -------------------------------------------------------------------

def test_at_least_twenty_named_queries_with_descriptions():
    assert len(QUERIES) >= 20
    for name, query in QUERIES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), f"{name}: names are kebab-case"
        assert query.text.startswith("# ") and query.description, f"{name}: first line must be '# <description>'"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_anywhere_and_orders_its_rows(name):
    """Each file declares its own prefixes (it parses without micgraph's predeclared ones) and sorts."""
    text = QUERIES[name].text
    ox.Store().query(text)  # raises SyntaxError on an undeclared prefix
    assert "ORDER BY" in text, f"{name}: results must be ordered deterministically"


def test_every_query_answers_a_documented_question():
    doc = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9-]+)`", doc)) & set(QUERIES) | set(re.findall(r"queries/([a-z0-9-]+)\.rq", doc))
    assert sorted(set(QUERIES) - documented) == [], "add these queries to docs/competency-questions.md"
    assert sorted(documented - set(QUERIES)) == [], "these documented queries do not exist"


# --- places -----------------------------------------------------------------------------------

def test_geosparql_geometries_agree_with_the_coordinates(bundled_graph, data):
    """One WKT point per city, longitude first, equal to its geo:lat and geo:long; read back by rdflib."""
    from micgraph.export.rdf import serialize_triples

    wgs = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    geo = "http://www.opengis.net/ont/geosparql#"
    triples = run_query(bundled_graph, name="geosparql-geometries").triples
    graph = Graph().parse(data=serialize_triples(triples, "turtle"), format="turtle")
    cities = set(data.subjects(RDF.type, URIRef(MIC + "City")))
    assert len(cities) > 40 and set(graph.subjects(URIRef(geo + "hasGeometry"), None)) == cities
    for city in cities:
        (geometry,) = graph.objects(city, URIRef(geo + "hasGeometry"))
        (wkt,) = graph.objects(geometry, URIRef(geo + "asWKT"))
        assert str(wkt.datatype) == geo + "wktLiteral"
        long, lat = str(wkt).removeprefix("POINT(").removesuffix(")").split(" ")
        assert (Decimal(lat), Decimal(long)) == (data.value(city, URIRef(wgs + "lat")).toPython(),
                                                 data.value(city, URIRef(wgs + "long")).toPython())


# --- programmes and centres -----------------------------------------------------------------

def test_centers_per_program(bundled_graph, data):
    answer = {row["program"]: row for row in rows(bundled_graph, "centers-per-program")}
    listed = {program: int(row["listedCentres"]) for program, row in answer.items()}
    stated = {program: num(row["statedCentres"]) for program, row in answer.items()}
    assert len(answer) == len(rows(bundled_graph, "centers-per-program")), "one row per programme"
    assert listed[r("program-manufacturing-usa")] == stated[r("program-manufacturing-usa")] == 17  # seed: 17 active
    chinese = {s for c in (URIRef(MIC + "ChineseInnovationCenter"), URIRef(MIC + "CoBuiltInnovationCenter"))
               for s in data.subjects(RDF.type, c)}
    assert listed[r("program-china-mic")] == len(chinese)
    assert stated[r("program-china-mic")] == 33                              # seed: 33 by early 2025
    assert listed[r("program-china-mic")] <= 33                              # never padded past the total
    fraunhofer = set(data.subjects(RDF.type, URIRef(MIC + "FraunhoferInstitute")))
    assert listed[r("program-fraunhofer")] == len(fraunhofer) < 76           # no list of all 76 was found
    assert stated[r("program-fraunhofer")] == 76                             # seed: 76 institutes
    for none_stated in ("program-eda-tech-hubs", "program-nsf-engines", "program-cn-state-key-laboratories"):
        assert (listed[r(none_stated)], stated[r(none_stated)]) == (0, None), none_stated
    assert {answer[r(p)]["statedAsOf"] for p in ("program-china-mic", "program-manufacturing-usa")} == {"2025"}


def test_chinese_centers_vehicles_batteries(bundled_graph):
    answer = rows(bundled_graph, "chinese-centers-vehicles-batteries")
    centres = {row["centre"] for row in answer}
    # the first MIC, for EV power batteries, and the intelligent/connected-vehicle centre
    assert centres == {r("cn-mic-power-battery"), r("cn-mic-intelligent-connected-vehicles")}
    assert {row["nameZh"] for row in answer} == {"国家动力电池创新中心", "国家智能网联汽车创新中心"}
    assert all(row["city"] == "Beijing" for row in answer)


def test_centers_by_province(bundled_graph, data):
    answer = rows(bundled_graph, "centers-by-province")
    counts = {row["regionZh"]: int(row["centres"]) for row in answer}
    # Beijing: power battery, lightweight materials, intelligent connected vehicles, embodied-AI robots
    assert counts["北京市"] == 4
    # Guangdong: Guangzhou (displays, energy storage) and Shenzhen (medical devices, 5G, molecular drugs)
    assert counts["广东省"] == 5
    assert counts["上海市"] == 3 and counts["湖北省"] == 2 and counts["陕西省"] == 1
    assert answer[0]["regionZh"] == "广东省"
    assert sum(counts.values()) == int(rows(bundled_graph, "centers-per-program")[0]["listedCentres"])


def test_centers_approved_per_year(bundled_graph):
    counts = {row["year"]: int(row["centres"]) for row in rows(bundled_graph, "centers-approved-per-year")}
    assert counts["2016"] == 1                      # the power battery centre, June 2016, alone
    assert counts["2017"] == 3                      # additive (Jan), displays (Jan), optoelectronics (Nov)
    assert counts["2021"] == 4                      # the four centres of November 2021
    assert counts["unknown"] == 5                   # five centres whose dates no source gives
    assert list(counts) == sorted(counts)           # chronological
    assert sum(counts.values()) == 29


def test_co_built_centers(bundled_graph):
    answer = rows(bundled_graph, "co-built-centers")
    assert len(answer) == 3
    assert all("共建" in row["nameZh"] for row in answer)
    assert {row["city"] for row in answer} == {"Guangzhou", "Shanghai", "Beijing"}


def test_programs_compared(bundled_graph):
    answer = {row["program"]: row for row in rows(bundled_graph, "programs-compared")}
    assert [row["program"] for row in rows(bundled_graph, "programs-compared")] == [
        r("program-fraunhofer"), r("program-manufacturing-usa"), r("program-china-mic")]   # by start year
    fraunhofer, musa, china = (answer[r(p)] for p in ("program-fraunhofer", "program-manufacturing-usa",
                                                      "program-china-mic"))
    assert (fraunhofer["start"], num(fraunhofer["statedCentres"])) == ("1949", 76)
    assert (musa["start"], num(musa["statedCentres"]), int(musa["listedCentres"])) == ("2014", 17, 17)
    assert musa["legalBasis"] == r("policy-rami-act-2014")
    assert (china["start"], num(china["statedCentres"])) == ("2015", 33)
    assert int(china["listedCentres"]) <= 33
    assert china["legalBasis"] == r("policy-made-in-china-2025")


def test_institutes_by_sponsor(bundled_graph):
    answer = {row["sponsor"]: row for row in rows(bundled_graph, "institutes-by-sponsor")}
    assert sum(int(row["listed"]) for row in answer.values()) == 17
    stated = {k: num(v["stated"]) for k, v in answer.items() if v["stated"] is not None}
    assert stated == {r("org-us-dod"): 9, r("org-us-doe"): 7, r("org-us-doc"): 1}
    for agency, total in stated.items():
        assert int(answer[agency]["listed"]) <= total
    assert answer[r("org-us-doc")]["listed"] == "1"                    # NIIMBL, the Commerce institute
    assert "unknown" in answer                                          # sponsors not in any source


def test_organizations_behind_centers(bundled_graph):
    answer = {(row["organization"], row["role"], row["centre"]) for row in rows(bundled_graph, "organizations-behind-centers")}
    assert (r("org-haier"), "shareholder", r("cn-mic-smart-home-appliances")) in answer
    assert (r("org-shenghong"), "lead", r("cn-mic-advanced-functional-fibers")) in answer
    assert (r("org-univ-delaware"), "host", r("us-inst-niimbl")) in answer
    assert (r("org-fudan-university"), "founder", r("cn-mic-integrated-circuits")) in answer


def test_us_analogues(bundled_graph):
    answer = {row["label"]: row for row in rows(bundled_graph, "us-analogues")}
    assert set(answer) == {"EDA Tech Hubs", "NSF Engines"}
    assert answer["EDA Tech Hubs"]["agency"] == r("org-us-eda")
    assert answer["EDA Tech Hubs"]["parent"] == r("org-us-doc")        # seed: 商务部经济发展管理局
    assert answer["NSF Engines"]["agency"] == r("org-us-nsf")


# --- figures --------------------------------------------------------------------------------

def test_figures_from_oecd(bundled_graph):
    answer = rows(bundled_graph, "figures-from-oecd")
    assert {row["source"] for row in answer} == {r("source-oecd-tiva-2023")}
    # The seed's footnote [2] (OECD TiVA 2023) marks the sentence "of 11 sub-industries China leads in 9"
    # and itself names the 2 bold ones; the 5.3 % / 1.5 % growth rates that follow carry no citation.
    assert sorted(num(row["value"]) for row in answer) == sorted(map(Decimal, ["11", "9", "2"]))
    by_value = {num(row["value"]): row for row in answer}
    assert (by_value[9]["refArea"], by_value[9]["unit"]) == (r("country-cn"), "n")
    assert by_value[2]["refArea"] == r("country-us")


def test_china_advanced_manufacturing_share(bundled_graph):
    answer = [(row["year"], num(row["share"]), row["unit"]) for row in rows(bundled_graph, "china-advanced-manufacturing-share")]
    assert answer == [("1995", 3, "%"), ("2020", 25, "%")]


def test_china_vs_us_figures(bundled_graph):
    answer = {row["indicator"]: row for row in rows(bundled_graph, "china-vs-us-figures")}
    cagr = answer[r("indicator-mva-cagr")]
    assert (num(cagr["china"]), num(cagr["us"]), cagr["period"]) == (Decimal("5.3"), Decimal("1.5"), "2017/2022")
    leading = answer[r("indicator-subindustries-leading")]
    assert (num(leading["china"]), num(leading["us"])) == (9, 2)       # 9 of 11 vs the 2 bold ones


def test_china_investment_growth_2024(bundled_graph, data):
    answer = [(row["sectorZh"], num(row["growth"])) for row in rows(bundled_graph, "china-investment-growth-2024")]
    assert answer == [("铁路、船舶和航空航天", Decimal("34.9")), ("有色金属冶炼和加工", Decimal("24.2")),
                      ("金属制品", Decimal("16.6")), ("信息技术", 12), ("制造业", Decimal("9.2"))]
    for row in rows(bundled_graph, "china-investment-growth-2024"):     # each figure names its observation
        assert num(str(data.value(URIRef(row["obs"]), URIRef(MIC + "value")))) == num(row["growth"])


def test_china_vs_us_growth(bundled_graph):
    answer = [(row["country"], num(row["growth"]), row["unit"], row["period"])
              for row in rows(bundled_graph, "china-vs-us-growth")]
    assert answer == [(r("country-cn"), Decimal("5.3"), "%", "2017/2022"),    # seed: 5.3 % vs about 1.5 %
                      (r("country-us"), Decimal("1.5"), "%", "2017/2022")]
    assert {row["indicator"] for row in rows(bundled_graph, "china-vs-us-growth")} == {r("indicator-mva-cagr")}


def test_centers_by_first_year_are_the_rows_behind_the_counts(bundled_graph, data):
    answer = rows(bundled_graph, "centers-by-first-year")
    centres = [row["centre"] for row in answer]
    chinese = {str(s) for c in ("ChineseInnovationCenter", "CoBuiltInnovationCenter")
               for s in data.subjects(RDF.type, URIRef(MIC + c))}
    assert sorted(centres) == sorted(chinese)                               # each centre once
    counts: dict[str, int] = {}
    for row in answer:
        counts[row["year"]] = counts.get(row["year"], 0) + 1
    assert counts == {row["year"]: int(row["centres"]) for row in rows(bundled_graph, "centers-approved-per-year")}
    assert {row["year"] for row in answer if row["centre"] == r("cn-mic-power-battery")} == {"2016"}


def test_programs_centres(bundled_graph):
    answer = {row["program"]: (int(row["listedCentres"]), num(row["statedCentres"]), row["obs"])
              for row in rows(bundled_graph, "programs-centres")}
    assert answer == {
        r("program-fraunhofer"): (5, 76, r("obs-de-fraunhofer-institutes")),
        r("program-manufacturing-usa"): (17, 17, r("obs-us-musa-active-institutes")),
        r("program-china-mic"): (29, 33, r("obs-cn-mic-count-2025-seed")),   # seed: 33 built by early 2025
    }
    compared = {row["program"]: row for row in rows(bundled_graph, "programs-compared")}
    for program, (listed, stated, _) in answer.items():                # the same numbers as programs-compared
        assert (int(compared[program]["listedCentres"]), num(compared[program]["statedCentres"])) == (listed, stated)


def test_big_fund_figures(bundled_graph):
    answer = rows(bundled_graph, "big-fund-figures")
    assert [row["phase"] for row in answer] == sorted(row["phase"] for row in answer)
    phase3 = {(num(row["value"]), row["unit"]) for row in answer if row["phase"] == "3"}
    assert (Decimal("47.5"), "USD bn") in phase3                        # seed: 475亿美元 within five years
    assert (344, "CNY bn") in phase3                                    # registered capital
    assert {(num(row["value"]), row["unit"]) for row in answer if row["phase"] == "1"} == {(Decimal("138.7"), "CNY bn")}


def test_china_mic_count_timeline(bundled_graph):
    answer = rows(bundled_graph, "china-mic-count-timeline")
    assert len({row["obs"] for row in answer}) == len(answer), "one row per figure, whatever its number of sources"
    assert [row["asOf"] for row in answer] == sorted(row["asOf"] for row in answer)
    assert (answer[0]["asOf"], num(answer[0]["value"])) == ("2018-01", 5)
    dated = [num(row["value"]) for row in answer if row["asOf"] != "undated" and row["value"] is not None]
    assert dated == sorted(dated), "stated counts of centres never fall over time"
    at_2025 = {(num(row["value"]), num(row["atLeast"])) for row in answer if row["asOf"] == "2025"}
    assert at_2025 == {(33, None), (None, 33)}                          # seed "33", NIST "at least 33"
    nist = next(row for row in answer if row["obs"] == r("obs-cn-mic-count-2025-nist"))
    assert set(nist["sources"].split()) == {r("source-nist-ams-600-17"), r("source-nist-govdelivery-bulletin")}
    weak = {row["obs"] for row in answer if row["confidence"] == MIC + "SourcedWeak"}
    assert r("obs-cn-mic-count-2023-12") in weak


def test_figures_with_ranges(bundled_graph):
    answer = {row["obs"]: row for row in rows(bundled_graph, "figures-with-ranges")}
    mgi = answer[r("obs-us-share-assets-upgrade-mgi-2015")]
    assert (num(mgi["minValue"]), num(mgi["maxValue"]), mgi["approximate"]) == (40, 50, "true")
    owners = answer[r("obs-cn-mic-equity-owners")]
    assert (num(owners["minValue"]), num(owners["maxValue"])) == (10, 20)
    at_least = answer[r("obs-cn-mic-count-2025-nist")]
    assert (num(at_least["minValue"]), at_least["maxValue"]) == (33, None)
    by_2030 = answer[r("obs-cn-semiconductor-competitive-by-2030")]
    assert (by_2030["minValue"], num(by_2030["maxValue"])) == (None, 2030)


def test_observations_by_source(bundled_graph):
    answer = rows(bundled_graph, "observations-by-source")
    counts = {row["source"]: int(row["observations"]) for row in answer}
    assert answer[0]["source"] == r("source-nist-ams-600-17")          # the report gives most figures
    assert counts[r("source-oecd-tiva-2023")] == 3                     # 11, 9 and 2 (footnote [2])
    for cited in ("sba-2023-survey", "mgi-2015", "crs-trade-deficit-report", "bloomberg-semiconductor-forecast"):
        assert counts[r("source-" + cited)] == 1, cited


CHINESE_NUMERALS = {1: "一", 2: "两", 10: "十"}


def figure_in_sentence(value: Decimal, unit: str, sentence: str) -> bool:
    """The figure as the seed writes it: 5.3 -> "5.3", US$300 billion -> "3000亿", 10 -> "10" or "十"."""
    text = format(value.normalize(), "f")
    candidates = {text, CHINESE_NUMERALS.get(int(value), text) if value == int(value) else text}
    if unit == "USD bn":
        candidates.add(format((value * 10).normalize(), "f") + "亿")
    return any(c in sentence for c in candidates)


def test_seed_figures_match_their_sentences(bundled_graph):
    answer = rows(bundled_graph, "seed-figures")
    assert len(answer) >= 25
    for row in answer:
        for key in ("value", "minValue", "maxValue"):
            if row[key] is not None:
                assert figure_in_sentence(Decimal(row[key]), row["unit"], row["sentence"]), (row["obs"], row[key])


# --- policies, trade, findings, gaps ----------------------------------------------------------

def test_trade_measures_semiconductors(bundled_graph):
    answer = {row["measure"]: row for row in rows(bundled_graph, "trade-measures-semiconductors")}
    assert set(answer) == {r("tm-us-ai-chip-restriction"), r("tm-us-export-controls")}
    assert answer[r("tm-us-ai-chip-restriction")]["type"] == MIC + "TradeRestriction"   # as the seed states it
    assert answer[r("tm-us-export-controls")]["type"] == MIC + "ExportControl"
    assert all(row["imposedBy"] == r("country-us") and row["target"] == r("country-cn") for row in answer.values())


def test_policies_and_targets(bundled_graph):
    answer = rows(bundled_graph, "policies-and-targets")
    fields = {}
    for row in answer:
        fields.setdefault(row["policy"], set()).add(row["field"])
    assert fields[r("policy-made-in-china-2025")] == {r("tech-semiconductors"), r("tech-high-end-precision-machinery"),
                                                      r("tech-new-materials"), r("tech-smart-manufacturing")}
    assert fields[r("fund-ic-big-fund-3")] == {r("tech-integrated-circuits")}
    policies = set(fields)
    assert {r("policy-14th-five-year-plan"), r("policy-national-standardization-outline"),
            r("policy-standardization-action-plan"), r("policy-rami-act-2014")} <= policies


def test_four_risks(bundled_graph):
    answer = rows(bundled_graph, "four-risks")
    assert [(row["number"], row["labelZh"]) for row in answer] == [
        ("1", "技术采用的普遍性难题"), ("2", "资金优先级冲突"), ("3", "产能过剩与国际贸易摩擦"), ("4", "缩小高端制造业差距")]


def test_model_features(bundled_graph):
    answer = rows(bundled_graph, "model-features")
    assert [row["labelZh"] for row in answer] == ["产学研结合", "市场导向与系统性布局", "投资强度大"]


def test_implications(bundled_graph):
    answer = rows(bundled_graph, "implications")
    assert len({row["implication"] for row in answer}) == 4
    assert (r("finding-impl-standards"), r("org-nist")) in {(row["implication"], row["about"]) for row in answer}


def test_knowledge_gaps(bundled_graph):
    answer = rows(bundled_graph, "knowledge-gaps")
    gaps = {row["resource"] for row in answer}
    assert {r("gap-us-leading-subindustries"), r("gap-mic-budgets"), r("gap-remaining-cn-centres")} <= gaps
    assert {row["kind"] for row in answer} == {"knowledge gap"}        # nothing is encoded as unverified


def test_weak_confidence_facts(bundled_graph):
    answer = rows(bundled_graph, "weak-confidence-facts")
    resources = {row["resource"] for row in answer if row["statement"] is None}
    assert {r("cn-mic-micro-nano-manufacturing"), r("cn-mic-molecular-drugs"), r("cn-mic-embodied-ai-robotics"),
            r("obs-cn-mic-count-2023-12")} <= resources
    # where only one statement rests on an aggregator, that statement is marked, not the centre
    statements = {(row["resource"], row["statement"]) for row in answer if row["statement"] is not None}
    assert {(r("cn-mic-ic-specialty-process-packaging"), MIC + "city"), (r("cn-mic-glass-new-materials"), MIC + "city"),
            (r("cn-mic-intelligent-speech"), MIC + "city")} <= statements
    assert not {r("cn-mic-ic-specialty-process-packaging"), r("cn-mic-glass-new-materials")} & resources
    assert r("cn-mic-power-battery") not in resources | {s for s, _ in statements}
    assert all(row["notes"] for row in answer), "every weak statement says why"


def test_oecd_sub_industries(bundled_graph):
    answer = rows(bundled_graph, "oecd-sub-industries")
    industries = {row["industry"] for row in answer}
    assert len(industries) == 11
    without_isic = {row["industry"] for row in answer if row["isicDivision"] is None}
    assert without_isic == {r("industry-computer-electronic-optical"), r("industry-machinery-nec")}
    assert "橡胶和塑料制品" in {row["labelZh"] for row in answer}


def test_cli_answers_a_competency_question(cli):
    """The same answer through `micgraph query -n NAME --format json` (SPARQL JSON results)."""
    import json

    out = json.loads(cli("query", "-n", "china-advanced-manufacturing-share", "--format", "json").stdout)
    answer = [(b["year"]["value"], Decimal(b["share"]["value"])) for b in out["results"]["bindings"]]
    assert answer == [("1995", 3), ("2020", 25)]
