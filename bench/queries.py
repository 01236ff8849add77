"""The benchmark's fixed query set: LUBM's fourteen query shapes, transposed to micgraph's ontology.

LUBM (Guo, Pan, Heflin 2005) varies input size, selectivity, join shape (chains, stars, triangles),
hierarchy reasoning and result size. Reasoning is spelt out as property paths over the generated
TBox (`a/rdfs:subClassOf*`), so that every engine, rdflib included, answers the same question; the
named queries from queries/*.rq are added to these by run.py.
"""

from __future__ import annotations

PROLOGUE = """PREFIX mic: <https://w3id.org/micgraph/ontology#>
PREFIX micr: <https://w3id.org/micgraph/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

QUERIES: dict[str, str] = {
    # Q1: high selectivity, two constants, no hierarchy
    "q01-obs-of-indicator-in-cn": """SELECT ?obs ?value WHERE {
        ?obs mic:indicator micr:indicator-patents ; mic:refArea micr:country-cn ; mic:value ?value }""",
    # Q2: triangle: centre, its lead organisation, both in the same country
    "q02-triangle-same-country": """SELECT ?center ?org WHERE {
        ?center mic:leadOrganization ?org ; mic:country ?country . ?org mic:country ?country ;
                a mic:GovernmentAgency }""",
    # Q3: everything about one instance
    "q03-one-center": """SELECT ?p ?o WHERE { micr:center-7 ?p ?o }""",
    # Q4: star with several attributes, restricted by a class and a constant
    "q04-star-chinese-centers-of-program": """SELECT ?center ?label ?date ?staff WHERE {
        ?center a mic:ChineseInnovationCenter ; mic:program micr:program-1 ; rdfs:label ?label ;
                mic:foundingDate ?date ; mic:staff ?staff FILTER(LANG(?label) = "en") }""",
    # Q5: hierarchy: every innovation centre, whatever its subclass
    "q05-all-centers-by-subclass": """SELECT ?center WHERE {
        ?center a/rdfs:subClassOf* mic:InnovationCenter }""",
    # Q6: one big class, counted
    "q06-count-observations": """SELECT (COUNT(?obs) AS ?n) WHERE { ?obs a mic:Observation }""",
    # Q7: aggregation over a big class
    "q07-mean-per-indicator-unit": """SELECT ?indicator ?unit (COUNT(?obs) AS ?n) (SUM(?value) AS ?total) WHERE {
        ?obs mic:indicator ?indicator ; mic:unit ?unit ; mic:value ?value } GROUP BY ?indicator ?unit
        ORDER BY ?indicator ?unit""",
    # Q8: chain of four through the provenance, with a constant at the far end
    "q08-chain-to-source": """SELECT ?obs ?title WHERE {
        ?obs mic:refProgram micr:program-0 ; prov:wasDerivedFrom ?source ; mic:indicator micr:indicator-revenue .
        ?source dcterms:title ?title ; dcterms:issued "2019"^^xsd:gYear }""",
    # Q9: triangle through the hierarchy: observations about the programme of a co-built centre
    "q09-obs-about-programs-of-cobuilt": """SELECT DISTINCT ?obs WHERE {
        ?center a mic:CoBuiltInnovationCenter ; mic:program ?program .
        ?obs mic:refProgram ?program ; mic:indicator micr:indicator-funding }""",
    # Q10: language-tagged labels of one programme's centres
    "q10-chinese-labels": """SELECT ?center ?label WHERE {
        ?center mic:program micr:program-2 ; rdfs:label ?label FILTER(LANG(?label) = "zh") }""",
    # Q11: sub-property hierarchy: what observations are about, through mic:about
    "q11-about-by-subproperty": """SELECT ?target (COUNT(?obs) AS ?n) WHERE {
        ?obs ?p ?target . ?p rdfs:subPropertyOf* mic:about } GROUP BY ?target ORDER BY DESC(?n) ?target""",
    # Q12: negation: centres with no host organisation, in one city
    "q12-no-host-in-city": """SELECT ?center WHERE {
        ?center mic:city micr:city-3 FILTER NOT EXISTS { ?center mic:hostOrganization ?host } }""",
    # Q13: inverse direction and HAVING: organisations that lead several centres
    "q13-leaders-of-several": """SELECT ?org (COUNT(?center) AS ?n) WHERE { ?center mic:leadOrganization ?org }
        GROUP BY ?org HAVING (COUNT(?center) > 2) ORDER BY DESC(?n) ?org""",
    # Q14: large result: a range scan over every observation value
    "q14-range-scan": """SELECT ?obs ?value WHERE { ?obs mic:value ?value FILTER(?value >= 9000) }""",
}


def full_text(body: str) -> str:
    return PROLOGUE + body
