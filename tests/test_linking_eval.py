"""How well `links discover` does: precision and recall against gold standards it does not see (docs/linking.md
reports the same figures, from bench/linking_eval.py)."""

from __future__ import annotations

import linking_data as data
import pytest


@pytest.fixture(scope="module")
def cities(bundled_graph):
    return data.our_cities(bundled_graph)


@pytest.mark.slow
def test_the_china_admin1_table_agrees_with_geonames(cities):
    """Each code of the gold standard's table is the admin1 code of a GeoNames namesake of every city of that
    region in the graph, so the table cannot send a city to the wrong province unnoticed."""
    index = data.namesakes(cities)
    checked = 0
    for city in cities:
        if city.country != "China":
            continue
        code = data.admin1_code("CN", city.region)
        assert code is not None, city.region
        assert code in {c["admin1code"] for c in index[city.iri] if c["countrycode"] == "CN"}, (city.label, code)
        checked += 1
    assert checked == 21


@pytest.mark.slow
def test_cities_against_geonames_homonyms_included(bundled_graph, cities, tmp_path):
    gold, unresolved = data.gold_standard(cities)
    assert len(gold) >= 40, unresolved
    # the homonyms the task names are in the extract, several times each
    index = data.namesakes(cities)
    for name in ("Cambridge", "Manchester", "Rochester", "Albany", "Newark", "St. Paul"):
        [city] = [c for c in cities if c.label == name]
        assert len(index[city.iri]) >= 5, name
    result = data.evaluate_cities(bundled_graph, tmp_path)
    assert result.target_triples > 100_000
    assert result.proposed.precision >= 0.98 and result.proposed.recall >= 0.9, result
    assert result.accepted.precision >= 0.98, result


def test_organisations_against_a_wikidata_shaped_fixture(bundled_graph):
    result = data.evaluate_organisations(bundled_graph)
    assert result.accepted.gold == 24
    assert result.accepted.precision == 1.0, result.wrong  # no near miss is ever accepted
    assert result.accepted.recall >= 0.9 and result.proposed.recall == 1.0, result
    wrong_targets = {target for _, target, _ in result.wrong}
    assert len(wrong_targets) <= 2, result.wrong


def test_a_researchers_csv_converted_to_rdf_and_linked(cli, tmp_path):
    """docs/linking.md's third example, as it is written there: the CSV through docs/examples/linking/csv_to_rdf.py,
    then discovery of our innovation centres in it."""
    import csv
    import shutil
    import subprocess
    import sys

    from rdflib import Graph
    from rdflib.namespace import OWL

    example = data.Path(__file__).resolve().parents[1] / "docs" / "examples" / "linking"
    for name in ("institutions.csv", "csv_to_rdf.py"):
        shutil.copy(example / name, tmp_path / name)
    subprocess.run([sys.executable, "csv_to_rdf.py", "institutions.csv", "institutions.ttl"], cwd=tmp_path,
                   check=True)
    cli("links", "discover", "--class", "mic:InnovationCenter", "--target", str(tmp_path / "institutions.ttl"),
        "--target-class", "schema:Organization", "-o", str(tmp_path / "my-links.ttl"),
        "--review-out", str(tmp_path / "my-review.csv"))
    mine = "https://example.org/my-institutions/"
    micr = "https://w3id.org/micgraph/id/"
    accepted = {(str(s), str(o)) for s, o in Graph().parse(tmp_path / "my-links.ttl").subject_objects(OWL.sameAs)}
    assert accepted == {(micr + "cn-mic-power-battery", mine + "1"), (micr + "cn-mic-robotics", mine + "2"),
                        (micr + "fhg-ise", mine + "4"), (micr + "cn-mic-integrated-circuits", mine + "6")}
    with open(tmp_path / "my-review.csv", newline="", encoding="utf-8") as sheet:
        reviewed = {(r["source"], r["target"]) for r in csv.DictReader(sheet)}
    # an alternative label (America Makes, MxD) alone is not enough to accept; Tsinghua and the generic name
    # find nothing
    assert reviewed == {(micr + "us-inst-america-makes", mine + "3"), (micr + "us-inst-mxd", mine + "5")}
    # a linkset to the researcher's own namespace is counted by its void:uriSpace
    cli("links", "--check", "--data", str(tmp_path / "my-links.ttl"))
    miscounted = (tmp_path / "my-links.ttl").read_text(encoding="utf-8").replace("void:triples 4 .", "void:triples 5 .")
    (tmp_path / "miscounted.ttl").write_text(miscounted, encoding="utf-8")
    result = cli("links", "--check", "--data", str(tmp_path / "miscounted.ttl"), "--format", "csv", expect=1)
    assert "void:triples 5, but the graph has 4 owl:sameAs links to https://example.org/my-institutions/" in result.stdout
