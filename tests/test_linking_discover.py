"""`micgraph links discover` and `links accept` on small graphs whose right answers are plain: homonyms,
ambiguity, one-to-one, determinism, the review loop, files and endpoints as targets, and every bad input."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import subprocess

import pytest
from conftest import require_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, VOID

MIC = "https://w3id.org/micgraph/ontology#"
MICR = "https://w3id.org/micgraph/id/"
GN = "https://sws.geonames.org/"
SCORE = URIRef(MIC + "linkScore")

OURS = """
@prefix mic: <https://w3id.org/micgraph/ontology#> . @prefix micr: <https://w3id.org/micgraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
mic:City rdfs:subClassOf mic:Place .
micr:country-us a mic:Country ; rdfs:label "United States"@en .
micr:country-cn a mic:Country ; rdfs:label "China"@en , "中国"@zh .
micr:region-ma a mic:Region ; rdfs:label "Massachusetts"@en ; mic:country micr:country-us .
micr:region-js a mic:Region ; rdfs:label "Jiangsu Province"@en , "江苏省"@zh ; mic:country micr:country-cn .
micr:city-cambridge a mic:City ; rdfs:label "Cambridge"@en ; mic:region micr:region-ma ; mic:country micr:country-us .
micr:city-suzhou a mic:City ; rdfs:label "Suzhou"@en , "苏州"@zh ; mic:region micr:region-js ; mic:country micr:country-cn .
micr:city-springfield a mic:City ; rdfs:label "Springfield"@en ; mic:country micr:country-us .
micr:city-xian a mic:City ; rdfs:label "Xi'an"@en , "西安"@zh ; mic:country micr:country-cn .
"""

THEIRS = """
@prefix gn: <http://www.geonames.org/ontology#> . @prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
<https://sws.geonames.org/6252001/> gn:name "United States" ; gn:countryCode "US" .
<https://sws.geonames.org/1814991/> gn:name "China" ; gn:countryCode "CN" .
<https://sws.geonames.org/2635167/> gn:name "United Kingdom" ; gn:countryCode "GB" .
<https://sws.geonames.org/6254926/> gn:name "Massachusetts" .
<https://sws.geonames.org/5101760/> gn:name "New Jersey" .
<https://sws.geonames.org/1806260/> gn:name "Jiangsu" .
<https://sws.geonames.org/1818058/> gn:name "Anhui" .
# Cambridge: England, Massachusetts; Suzhou: Jiangsu, Anhui (宿州); two Springfields nobody can tell apart.
<https://sws.geonames.org/2653941/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Cambridge" ; gn:parentCountry <https://sws.geonames.org/2635167/> .
<https://sws.geonames.org/4931972/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Cambridge" ; gn:parentCountry <https://sws.geonames.org/6252001/> ;
    gn:parentADM1 <https://sws.geonames.org/6254926/> ; gn:alternateName "Kembridzh" , "剑桥" .
<https://sws.geonames.org/1886760/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Suzhou" ; gn:alternateName "苏州" , "苏州市" , "Soochow" ;
    gn:parentCountry <https://sws.geonames.org/1814991/> ; gn:parentADM1 <https://sws.geonames.org/1806260/> .
<https://sws.geonames.org/1793743/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Suzhou" ; gn:alternateName "宿州市" ;
    gn:parentCountry <https://sws.geonames.org/1814991/> ; gn:parentADM1 <https://sws.geonames.org/1818058/> .
<https://sws.geonames.org/4409896/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Springfield" ; gn:countryCode "US" .
<https://sws.geonames.org/4951788/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Springfield" ; gn:countryCode "US" .
<https://sws.geonames.org/1790630/> a gn:Feature ; gn:featureClass gn:P ; gn:name "Xi’an" ; gn:alternateName "西安" ; gn:countryCode "CN" .
# an administrative area named like a city: kept out by --target-class gn:P
<https://sws.geonames.org/1790631/> a gn:Feature ; gn:featureClass gn:A ; gn:name "Xi'an" ; gn:countryCode "CN" .
"""
TARGET_OPTIONS = ("--target-label", "gn:name", "--target-label", "gn:alternateName", "--target-class", "gn:P")


@pytest.fixture
def files(tmp_path):
    ours, theirs = tmp_path / "ours.ttl", tmp_path / "theirs.ttl"
    ours.write_text(OURS, encoding="utf-8")
    theirs.write_text(THEIRS, encoding="utf-8")
    return tmp_path


def discover(cli, folder, *extra, target=None, expect=0):
    return cli("links", "discover", "--no-bundled", "--data", str(folder / "ours.ttl"), "--class", "mic:City",
               "--target", target or str(folder / "theirs.ttl"), *TARGET_OPTIONS, *extra, expect=expect)


def links_of(path) -> set[tuple[str, str]]:
    graph = Graph().parse(path)
    return {(str(s), str(o)) for s, o in graph.subject_objects(OWL.sameAs)}


def review_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_homonyms_are_told_apart_by_country_region_and_chinese_name(cli, files):
    result = discover(cli, files, "-o", str(files / "links.ttl"), "--review-out", str(files / "review.csv"))
    assert links_of(files / "links.ttl") == {(MICR + "city-cambridge", GN + "4931972/"),
                                             (MICR + "city-suzhou", GN + "1886760/"),
                                             (MICR + "city-xian", GN + "1790630/")}
    # Springfield: two candidates alike in every way -> both to review, neither accepted
    assert {(r["source"], r["target"]) for r in review_rows(files / "review.csv")} == {
        (MICR + "city-springfield", GN + "4409896/"), (MICR + "city-springfield", GN + "4951788/")}
    assert result.stderr == "4 resources: 3 links accepted, 2 candidates for review (in " \
                            f"{files / 'review.csv'}), 0 without a candidate\n"


def test_each_link_carries_its_score_and_evidence_and_the_linkset_counts_them(cli, files):
    discover(cli, files, "-o", str(files / "links.ttl"))
    graph = Graph().parse(files / "links.ttl")
    [linkset] = graph.subjects(RDF.type, VOID.Linkset)
    assert graph.value(linkset, VOID.triples).toPython() == 3
    assert graph.value(linkset, VOID.linkPredicate) == OWL.sameAs
    for s, o in graph.subject_objects(OWL.sameAs):
        [axiom] = [a for a in graph.subjects(OWL.annotatedSource, s) if (a, OWL.annotatedTarget, o) in graph]
        assert (axiom, RDF.type, OWL.Axiom) in graph and (axiom, OWL.annotatedProperty, OWL.sameAs) in graph
        assert 0.9 <= graph.value(axiom, SCORE).toPython() <= 1
    suzhou = next(a for a in graph.subjects(OWL.annotatedSource, URIRef(MICR + "city-suzhou")))
    comment = str(graph.value(suzhou, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    assert "country agrees" in comment and "region agrees" in comment and "Chinese names agree" in comment
    # the links pass micgraph's own linkset check together with the graph they link from
    cli("links", "--check", "--no-bundled", "--data", str(files / "ours.ttl"), "--data", str(files / "links.ttl"))


def test_output_is_read_by_raptor(cli, files):
    rapper = require_tool("rapper", "apt-get install raptor2-utils")
    discover(cli, files, "-o", str(files / "links.ttl"))
    done = subprocess.run([rapper, "-i", "turtle", "-o", "ntriples", str(files / "links.ttl")],
                          capture_output=True, text=True, check=True)
    assert len(re.findall(r"^\S+ <http://www.w3.org/2002/07/owl#sameAs> ", done.stdout, re.MULTILINE)) == 3
    assert "Error" not in done.stderr


def test_same_input_same_bytes_whatever_the_order_of_the_target_triples(cli, files):
    discover(cli, files, "-o", str(files / "a.ttl"), "--review-out", str(files / "a.csv"))
    graph = Graph().parse(files / "theirs.ttl")
    lines = graph.serialize(format="nt").splitlines()
    for seed in range(3):
        random.Random(seed).shuffle(lines)
        (files / "shuffled.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        discover(cli, files, "-o", str(files / "b.ttl"), "--review-out", str(files / "b.csv"),
                 target=str(files / "shuffled.nt"))
        assert (files / "a.ttl").read_bytes() == (files / "b.ttl").read_bytes().replace(b"shuffled.nt", b"theirs.ttl")
        assert (files / "a.csv").read_bytes() == (files / "b.csv").read_bytes()


def test_a_target_claimed_by_a_better_source_is_not_linked_twice(cli, files):
    extra = files / "extra.ttl"
    extra.write_text("""@prefix mic: <https://w3id.org/micgraph/ontology#> . @prefix micr: <https://w3id.org/micgraph/id/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        micr:city-suzhou-2 a mic:City ; rdfs:label "Suzhou"@en ; mic:country micr:country-cn .""", encoding="utf-8")
    cli("links", "discover", "--no-bundled", "--data", str(files / "ours.ttl"), "--data", str(extra),
        "--class", "mic:City", "--target", str(files / "theirs.ttl"), *TARGET_OPTIONS,
        "-o", str(files / "links.ttl"), "--review-out", str(files / "review.csv"))
    linked = links_of(files / "links.ttl")
    assert (MICR + "city-suzhou", GN + "1886760/") in linked
    assert not {t for s, t in linked if s == MICR + "city-suzhou-2"}
    targets = [t for s, t in linked]
    assert len(targets) == len(set(targets))
    # what the second Suzhou could still be is a question for a person, not the target already taken
    assert {r["target"] for r in review_rows(files / "review.csv") if r["source"] == MICR + "city-suzhou-2"} == {
        GN + "1793743/"}


def test_stricter_thresholds_move_links_to_review_and_a_margin_of_zero_splits_no_ties(cli, files):
    discover(cli, files, "--accept", "1.0", "--review", "0.5", "-o", str(files / "links.ttl"),
             "--review-out", str(files / "review.csv"))
    accepted = links_of(files / "links.ttl")
    reviewed = {(r["source"], r["target"]) for r in review_rows(files / "review.csv")}
    assert (MICR + "city-xian", GN + "1790630/") in accepted | reviewed
    assert not accepted & reviewed
    assert all(float(r["score"]) < 1.0 or r["source"].endswith("springfield")
               for r in review_rows(files / "review.csv"))


def test_review_then_accept(cli, files):
    discover(cli, files, "-o", str(files / "links.ttl"), "--review-out", str(files / "review.csv"))
    rows = review_rows(files / "review.csv")
    assert rows and all(r["decision"] == "" for r in rows)
    rows[0]["decision"] = "yes"
    rows[1]["decision"] = "no"
    with open(files / "review.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    cli("links", "accept", str(files / "review.csv"), "-o", str(files / "reviewed.ttl"))
    assert links_of(files / "reviewed.ttl") == {(rows[0]["source"], rows[0]["target"])}
    graph = Graph().parse(files / "reviewed.ttl")
    [axiom] = graph.subjects(RDF.type, OWL.Axiom)
    assert graph.value(axiom, SCORE) == Literal(rows[0]["score"], datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#decimal"))
    assert str(graph.value(axiom, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))).endswith(
        "accepted in review")
    cli("links", "--check", "--no-bundled", "--data", str(files / "ours.ttl"), "--data", str(files / "reviewed.ttl"))


HEADER = "source,source_label,target,target_label,score,evidence,predicate,decision\n"
ROW = f"{MICR}city-a,a,{GN}1/,a,0.800,e,http://www.w3.org/2002/07/owl#sameAs,"


@pytest.mark.parametrize(("content", "message"), [
    ("", ":1: empty"),
    ("source,target\n", ":1: the header has no score, decision column"),
    (HEADER + ROW + "maybe\n", ":2: decision 'maybe' is neither"),
    (HEADER + ROW + "yes,extra\n", ":2: 9 fields where the header has 8"),
    (HEADER + ROW.replace("0.800", "1.5") + "yes\n", ":2: score '1.5' is not a number between 0 and 1"),
    (HEADER + ROW.replace("0.800", "nan") + "yes\n", ":2: score 'nan'"),
    (HEADER + ROW.replace(f"{MICR}city-a", "not an iri") + "yes\n", ":2: the source 'not an iri' is not an IRI"),
    (HEADER + ROW.replace(f"{GN}1/", "http://x/a b") + "yes\n", ":2: the target 'http://x/a b' is not an IRI"),
    (HEADER + ROW + "yes\n" + ROW.replace(f"{GN}1/", f"{GN}2/") + "yes\n",
     ":3: accepts a second link for the source"),
    (HEADER + ROW + "yes\n" + ROW.replace("city-a", "city-b") + "yes\n", ":3: accepts a second link for the target"),
    (HEADER + '"unclosed,\n', ":2: 1 fields where the header has 8"),
])
def test_accept_refuses_a_malformed_sheet_naming_the_line(cli, tmp_path, content, message):
    sheet = tmp_path / "review.csv"
    sheet.write_text(content, encoding="utf-8")
    result = cli("links", "accept", str(sheet), "-o", str(tmp_path / "out.ttl"), expect=2)
    assert result.stderr.startswith(f"error: {sheet}{message}")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out.ttl").exists()


def test_accept_refuses_bytes_that_are_not_a_text_csv(cli, tmp_path):
    for name, data in (("latin1.csv", HEADER.encode() + "é".encode("latin-1")), ("nul.csv", HEADER.encode() + b"\0")):
        (tmp_path / name).write_bytes(data)
        result = cli("links", "accept", str(tmp_path / name), expect=2)
        assert result.stderr.count("\n") == 1 and str(tmp_path / name) in result.stderr
    assert "no such file" in cli("links", "accept", str(tmp_path / "none.csv"), expect=2).stderr


def test_rows_left_undecided_or_rejected_give_an_empty_linkset(cli, tmp_path):
    sheet = tmp_path / "review.csv"
    sheet.write_text(HEADER + ROW + "\n" + ROW.replace("city-a", "city-b") + "No\n", encoding="utf-8")
    out = cli("links", "accept", str(sheet)).stdout
    assert "void:triples 0" in out and len(Graph().parse(data=out, format="turtle")) > 0


def test_another_predicate(cli, files):
    discover(cli, files, "--predicate", "skos:exactMatch", "-o", str(files / "links.ttl"))
    graph = Graph().parse(files / "links.ttl")
    exact = URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")
    assert len(set(graph.subject_objects(exact))) == 3 and not set(graph.subject_objects(OWL.sameAs))


def test_an_existing_output_file_survives_a_failed_run(cli, files):
    (files / "links.ttl").write_text("keep me", encoding="utf-8")
    discover(cli, files, "-o", str(files / "links.ttl"), target=str(files / "missing.ttl"), expect=2)
    assert (files / "links.ttl").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(("arguments", "message"), [
    (("--target", "{folder}/missing.ttl"), "{folder}/missing.ttl: no such file"),
    (("--target", "{folder}"), "is a directory"),
    (("--target", "{folder}/broken.ttl"), "{folder}/broken.ttl:1:"),
    (("--target", "{folder}/theirs.ttl", "--target-format", "pdf"), "'pdf' is not one of 'turtle'"),
    (("--target", "{folder}/theirs.ttl", "--class", "mic:Nothing"), "unknown class mic:Nothing"),
    (("--target", "{folder}/theirs.ttl", "--class", "nope:City"), "'nope:City' is neither a full IRI"),
    (("--target", "{folder}/theirs.ttl", "--accept", "0.5", "--review", "0.8"), "thresholds must satisfy"),
    (("--target", "{folder}/theirs.ttl", "--predicate", "http://x/a b"), "is not a valid IRI"),
    (("--target", "http://127.0.0.1:1/a b"), "is not an http(s) URL of a SPARQL endpoint"),
    (("--target", "http://[::1"), "is not an http(s) URL of a SPARQL endpoint"),
])
def test_bad_input_is_one_line_and_exit_2(cli, files, arguments, message):
    (files / "broken.ttl").write_text("<a> <b> .", encoding="utf-8")
    arguments = [a.format(folder=files) for a in arguments]
    if "--class" not in arguments:
        arguments += ["--class", "mic:City"]
    result = cli("links", "discover", "--no-bundled", "--data", str(files / "ours.ttl"), *arguments, expect=2)
    assert result.stderr.startswith("error: ") and message.format(folder=files) in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_url_that_is_not_a_sparql_endpoint(cli, files):
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<html><body>Welcome</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = discover(cli, files, target=url, expect=2)
        assert "answered with text/html, not SPARQL results" in result.stderr and result.stderr.count("\n") == 1
    finally:
        server.shutdown()
        server.server_close()
    from endpoints import closed_port_url

    assert "connection refused" in discover(cli, files, target=closed_port_url(), expect=2).stderr


@pytest.mark.server
def test_an_endpoint_target_gives_the_links_a_file_gives_even_in_small_pages(cli, files, monkeypatch):
    from endpoints import OxigraphServer

    from micgraph.linking import discover as module

    discover(cli, files, "-o", str(files / "file.ttl"), "--review-out", str(files / "file.csv"))
    server = OxigraphServer()
    try:
        server.load(files / "theirs.ttl")
        monkeypatch.setattr(module, "PAGE_SIZE", 3)  # many pages: LIMIT/OFFSET must neither skip nor repeat
        monkeypatch.setattr(module, "BLOCK_SIZE", 2)
        discover(cli, files, "-o", str(files / "endpoint.ttl"), "--review-out", str(files / "endpoint.csv"),
                 target=server.url)
    finally:
        server.stop()
    assert links_of(files / "endpoint.ttl") == links_of(files / "file.ttl")
    assert (files / "endpoint.csv").read_bytes() == (files / "file.csv").read_bytes()
    assert f"void:sparqlEndpoint <{server.url}>" in (files / "endpoint.ttl").read_text(encoding="utf-8")


def test_a_large_target_is_loaded_on_disk(cli, files, monkeypatch):
    from micgraph.linking import discover as module

    discover(cli, files, "-o", str(files / "memory.ttl"))
    monkeypatch.setattr(module, "DISK_THRESHOLD", 10)
    folders = []
    real = module.tempfile.TemporaryDirectory

    def recording(*args, **kwargs):
        folder = real(*args, **kwargs)
        folders.append(folder.name)
        return folder

    monkeypatch.setattr(module.tempfile, "TemporaryDirectory", recording)
    discover(cli, files, "-o", str(files / "disk.ttl"))
    assert (files / "disk.ttl").read_bytes() == (files / "memory.ttl").read_bytes()
    (files / "broken.ttl").write_text(THEIRS + "\n<a> <b> .\n", encoding="utf-8")
    result = discover(cli, files, target=str(files / "broken.ttl"), expect=2)
    assert result.stderr.startswith(f"error: {files / 'broken.ttl'}:{THEIRS.count(chr(10)) + 2}:")
    assert folders and not any(shutil.os.path.exists(f) for f in folders)  # the on-disk stores are removed


def test_accepting_into_the_discovered_linkset_gives_one_linkset_that_checks(cli, files):
    discover(cli, files, "-o", str(files / "links.ttl"), "--review-out", str(files / "review.csv"))
    sheet = (files / "review.csv").read_text(encoding="utf-8").splitlines()
    sheet[1] += "yes"
    (files / "review.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    before = links_of(files / "links.ttl")
    cli("links", "accept", str(files / "review.csv"), "--into", str(files / "links.ttl"), "-o", str(files / "links.ttl"))
    after = links_of(files / "links.ttl")
    row = review_rows(files / "review.csv")[0]
    assert after == before | {(row["source"], row["target"])}
    graph = Graph().parse(files / "links.ttl")
    [linkset] = graph.subjects(RDF.type, VOID.Linkset)
    assert graph.value(linkset, VOID.triples).toPython() == len(after) == 4
    cli("links", "--check", "--no-bundled", "--data", str(files / "ours.ttl"), "--data", str(files / "links.ttl"))
    # accepting it again would link the source twice: refused, the file untouched
    result = cli("links", "accept", str(files / "review.csv"), "--into", str(files / "links.ttl"),
                 "-o", str(files / "links.ttl"), expect=2)
    assert "which" in result.stderr and "links already" in result.stderr
    assert links_of(files / "links.ttl") == after
    # a file links discover did not write is not taken for a linkset
    result = cli("links", "accept", str(files / "review.csv"), "--into", str(files / "ours.ttl"), expect=2)
    assert "not a linkset written by `micgraph links discover`" in result.stderr


# --- properties over arbitrary labels and triple orders (hypothesis) -------------------------------------

_labels = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs", "Cc")), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(_labels, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_any_labels_in_any_order_give_valid_deterministic_output(tmp_path, labels, chance):
    """Arbitrary Unicode labels (quotes, newlines, control characters, formula signs, Chinese, marks) next to
    real namesakes: discovery does not crash, its Turtle and CSV read back, and permuting the target's
    triples changes no byte."""
    import pyoxigraph as ox

    from micgraph.linking.discover import discover as find
    from micgraph.linking.linkset import discovery_turtle, read_review, review_csv
    from micgraph.graph import open_graph

    ours = tmp_path / "ours.ttl"
    ours.write_text(OURS, encoding="utf-8")
    graph = open_graph([ours], bundled=False)
    gn = "http://www.geonames.org/ontology#"
    triples = [quad.triple for quad in ox.parse(THEIRS.encode(), ox.RdfFormat.TURTLE)]
    for number, text in enumerate(labels):
        node = ox.NamedNode(f"https://sws.geonames.org/9{number}/")
        triples += [ox.Triple(node, ox.NamedNode(gn + "featureClass"), ox.NamedNode(gn + "P")),
                    ox.Triple(node, ox.NamedNode(gn + "name"), ox.Literal(text)),
                    ox.Triple(node, ox.NamedNode(gn + "alternateName"), ox.Literal(text + " Cambridge"))]
    outputs = []
    for attempt in range(2):
        if attempt:
            chance.shuffle(triples)
        target = tmp_path / f"target{attempt}.nt"
        target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        found = find(graph, ["mic:City"], str(target), target_labels=[gn + "name", gn + "alternateName"],
                     target_classes=[gn + "P"], review=0.3)
        outputs.append((discovery_turtle(found).replace(target.name.encode(), b"T"), review_csv(found)))
    assert outputs[0] == outputs[1]
    turtle, sheet = outputs[0]
    store = ox.Store()
    store.load(turtle, format=ox.RdfFormat.TURTLE)
    Graph().parse(data=turtle.decode("utf-8"), format="turtle")
    rows = list(csv.DictReader(io.StringIO(sheet.decode("utf-8"), newline="")))
    assert len(rows) == len(found.review)
    if rows:
        rows[0]["decision"] = "yes"
        with open(tmp_path / "review.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        accepted, _ = read_review(tmp_path / "review.csv")
        assert [(c.source, c.target) for c in accepted] == [(rows[0]["source"], rows[0]["target"])]
