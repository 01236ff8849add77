"""Network exports (GraphML, GEXF, DOT, Cytoscape.js JSON, Gephi CSV): read back by real parsers (networkx,
Graphviz) and compared with the projection, and the projection itself checked against rdflib's reading of
the source."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter

import networkx as nx
import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import FIXTURES, require_tool

NETWORK = FIXTURES / "viz" / "network.ttl"
MIC = Namespace("https://w3id.org/micgraph/ontology#")
MICR = Namespace("https://w3id.org/micgraph/id/")
BATTERY = str(MICR["cn-mic-power-battery"])
ROBOTICS = str(MICR["cn-mic-robotics"])


def fixture_projection(**options):
    from micgraph.export.network import project_store
    from micgraph.graph import open_graph

    return project_store(open_graph([NETWORK], bundled=False), **options)


def export(cli, fmt: str, *extra: str, data=NETWORK) -> bytes:
    return cli("export", "--no-bundled", "--data", str(data), "--format", fmt, *extra).stdout_bytes


# --- the projection, against rdflib's reading of the source ------------------------------------------

SCHEMA_SUBJECTS = """SELECT DISTINCT ?s WHERE {
  { ?s a ?t VALUES ?t { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:Ontology owl:Restriction } }
  UNION { ?x rdfs:subClassOf ?s FILTER isBlank(?s) } }"""
DATA_EDGES = """SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isLiteral(?o) && ?p != rdf:type)
  FILTER NOT EXISTS { ?s a ?t VALUES ?t { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:Ontology } }
  FILTER NOT EXISTS { ?s a ?r VALUES ?r { owl:Restriction owl:Axiom } } }"""


@pytest.fixture(scope="module")
def source() -> Graph:
    return Graph().parse(NETWORK)


def test_projection_keeps_the_instances_and_leaves_the_tbox_out(source):
    projection = fixture_projection()
    ids = {n.id for n in projection.nodes}
    schema = {str(row.s) for row in source.query(SCHEMA_SUBJECTS) if isinstance(row.s, URIRef)}
    assert schema and not ids & schema
    # edges: the same triples, blank nodes compared as "some blank node"
    expected = Counter(tuple("_:" if isinstance(x, BNode) else str(x) for x in row)
                       for row in source.query(DATA_EDGES))
    projected = Counter(tuple("_:" if x.startswith("_:") else x for x in (e.source, e.property, e.target))
                        for e in projection.edges)
    assert projected == expected
    # nodes: every subject and object of those edges, plus typed instances without edges
    assert str(MICR["program-manufacturing-usa"]) in ids  # no object property at all
    assert "http://example.org/power-battery-center" in ids  # an object only
    # the owl:Axiom annotating the owl:sameAs link goes with the T-box, and so does the property it names
    assert str(OWL.sameAs) not in ids and not any(OWL.Axiom in n.types for n in projection.nodes)
    assert (BATTERY, str(OWL.sameAs), "http://example.org/power-battery-center") in \
        {(e.source, e.property, e.target) for e in projection.edges}


def test_projection_with_schema_has_the_classes_and_typing_edges():
    projection = fixture_projection(schema=True)
    ids = {n.id for n in projection.nodes}
    assert {str(MIC.InnovationCenter), str(MIC.Program), str(MIC.partOfProgram)} <= ids
    edges = {(e.source, e.property, e.target) for e in projection.edges}
    assert (BATTERY, str(RDF.type), str(MIC.InnovationCenter)) in edges
    assert (str(MIC.InnovationCenter), str(RDFS.subClassOf), str(MIC.Organization)) in edges
    assert projection.node(str(MIC.Program)).cls == str(OWL.Class)
    [axiom] = [n for n in projection.nodes if n.cls == str(OWL.Axiom)]
    assert (axiom.id, str(OWL.annotatedSource), BATTERY) in edges


def test_labels_follow_the_language_then_fall_back(source):
    projection = fixture_projection()
    for subject, label in source.subject_objects(RDFS.label):
        if label.language == "zh" and projection.node(str(subject)):
            assert projection.label(str(subject), "zh") == str(label)
    assert projection.label(BATTERY, "en") == "National Power Battery Innovation Center"
    assert projection.label(ROBOTICS, "en") == "国家机器人创新中心"  # only a Chinese label
    assert projection.label(str(MICR["program-manufacturing-usa"]), "zh") == "Manufacturing USA"  # skos:prefLabel@en
    assert projection.label(str(MICR["unlabelled-thing"]), "en") == "micr:unlabelled-thing"
    assert projection.label(str(MIC.partOfProgram), "zh") == "所属计划"


def test_class_is_the_most_specific_type_and_filters_include_subclasses():
    projection = fixture_projection()
    assert projection.node(BATTERY).cls == str(MIC.InnovationCenter)  # not owl:NamedIndividual
    assert projection.node(str(MICR["unlabelled-thing"])).cls is None
    only = fixture_projection(classes=["mic:Organization", "mic:Program"])  # centers are organizations
    assert {n.id for n in only.nodes} == {BATTERY, ROBOTICS, str(MICR["program-china-mic"]),
                                          str(MICR["program-manufacturing-usa"])}
    assert {e.property for e in only.edges} == {str(MIC.partOfProgram)}


def test_attributes_are_typed():
    keys, values = fixture_projection().attributes()
    types = {k.name: k.type for k in keys}
    assert types["mic:members"] == "long" and values[BATTERY]["mic:members"] == 33
    assert types["mic:value"] == "double" and values[str(MICR["obs-battery-share"])]["mic:value"] == 25.5
    assert types["mic:government"] == "boolean"
    assert values[str(MICR["program-manufacturing-usa"])]["mic:government"] is True
    assert types["mic:founded"] == "string"  # xsd:date and xsd:gYear
    assert values[BATTERY]["rdfs:label@zh"] == "国家动力电池创新中心"


def test_class_styles_are_stable_and_distinct(cli):
    import os
    import sys

    from micgraph.export.network.projection import PALETTE, SLOTS, assign_styles, preferred_slot

    centre = str(MIC.InnovationCenter)
    style = fixture_projection().style(centre)
    assert style.color in PALETTE
    projection = fixture_projection()  # every class styled, no two alike
    assert set(projection.styles) >= {c for c in projection.classes if c}
    assert len(set(projection.styles.values())) == len(projection.styles)
    # the slot comes from the IRI alone: the same in another process with another string-hash seed
    script = f"from micgraph.export.network.projection import preferred_slot; print(preferred_slot('{centre}'))"
    for seed in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert int(run.stdout) == preferred_slot(centre)
    # a filtered export keeps the colours of the whole graph
    def centre_colour(*options):
        rules = json.loads(export(cli, "cytoscape", *options))["style"]
        return next(r["style"]["background-color"] for r in rules if r["selector"] == "node.mic_InnovationCenter")

    assert centre_colour() == centre_colour("--class", "mic:InnovationCenter") == style.color
    # classes that hash to the same slot still get distinct styles, distinct colours first; a class alone
    # gets its own slot
    many = [f"https://example.org/Class{i}" for i in range(SLOTS)]
    assert len(set(assign_styles(many).values())) == SLOTS
    assert len({s.color for s in assign_styles(many[:len(PALETTE)]).values()}) == len(PALETTE)
    clashing = [c for c in many if preferred_slot(c) == preferred_slot(many[0])]
    assert assign_styles([many[0]]) == {many[0]: assign_styles(many)[many[0]]} or len(clashing) > 1


# --- GraphML -------------------------------------------------------------------------------------------

def assert_network_equals_projection(graph, projection, lang: str, label_key: str = "label"):
    from micgraph.namespaces import compact

    keys, attributes = projection.attributes()
    assert set(graph.nodes) == {n.id for n in projection.nodes}
    assert graph.number_of_edges() == len(projection.edges)
    for n in projection.nodes:
        data = graph.nodes[n.id]
        assert data[label_key] == projection.label(n.id, lang)
        assert data["class"] == (compact(n.cls) if n.cls else "")
        for key, value in attributes.get(n.id, {}).items():
            assert data[key] == value, (n.id, key)
    read_edges = {(s, t, d["property"], d["label"]) for s, t, d in graph.edges(data=True)}
    assert read_edges == {(e.source, e.target, compact(e.property), projection.label(e.property, lang))
                          for e in projection.edges}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_graphml_reads_back_with_networkx(cli, lang):
    graph = nx.read_graphml(io.BytesIO(export(cli, "graphml", "--lang", lang)))
    assert graph.is_directed()
    assert_network_equals_projection(graph, fixture_projection(), lang)
    # yEd graphics: networkx reads the ShapeNode's label and shape
    assert graph.nodes[BATTERY]["shape_type"] in ("ellipse", "rectangle", "roundrectangle", "hexagon", "octagon",
                                                  "parallelogram")


def test_graphml_carries_yed_keys_and_escapes_text(cli):
    text = export(cli, "graphml").decode("utf-8")
    assert 'yfiles.type="nodegraphics"' in text and 'yfiles.type="edgegraphics"' in text
    assert "<y:ShapeNode>" in text and "<y:Fill color=" in text
    assert "&lt;tags&gt; &amp; \"quotes\"" in text
    comment = nx.read_graphml(io.BytesIO(text.encode("utf-8"))).nodes[BATTERY]["rdfs:comment"]
    assert comment == 'Tests escaping: <tags> & "quotes", a\nnewline and a tab\t.'


def test_xml_writers_refuse_characters_xml_cannot_hold(tmp_path, cli):
    source = tmp_path / "control.ttl"
    source.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "bell\\u0007here" ;\n'
                      '  <http://example.org/p> <http://example.org/b> .\n', encoding="utf-8")
    for fmt in ("graphml", "gexf"):  # a faithful file or none: never a label altered behind the reader's back
        result = cli("export", "--no-bundled", "--data", str(source), "--format", fmt, expect=2)
        assert result.stderr.count("\n") == 1 and "U+0007" in result.stderr and "not XML" in result.stderr
    cytoscape = json.loads(cli("export", "--no-bundled", "--data", str(source), "--format", "cytoscape").stdout)
    assert {n["data"]["label"] for n in cytoscape["elements"]["nodes"]} >= {"bell\x07here"}


# --- GEXF ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gexf_reads_back_with_networkx(cli, lang):
    graph = nx.read_gexf(io.BytesIO(export(cli, "gexf", "--lang", lang)))
    assert_network_equals_projection(graph, fixture_projection(), lang)


def test_gexf_viz_attributes_are_the_class_style(cli):
    from micgraph.export.network.projection import SHAPES

    data = export(cli, "gexf")
    graph = nx.read_gexf(io.BytesIO(data))
    style = fixture_projection().style(str(MIC.InnovationCenter))
    colour = graph.nodes[BATTERY]["viz"]["color"]
    assert "#{:02X}{:02X}{:02X}".format(colour["r"], colour["g"], colour["b"]) == style.color
    assert set(graph.nodes[BATTERY]["viz"]["position"]) == {"x", "y", "z"}
    # networkx reads viz:shape from a `shape` attribute, but GEXF 1.2 (and Gephi, and networkx's own writer)
    # put it in `value`: check the XML itself
    from xml.etree import ElementTree

    namespaces = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    node = ElementTree.fromstring(data).find(f".//g:node[@id='{BATTERY}']", namespaces)
    assert node.find("viz:shape", namespaces).get("value") == SHAPES[style.shape][1]


# --- DOT -----------------------------------------------------------------------------------------------

def test_dot_is_parsed_and_rendered_by_graphviz(cli, tmp_path):
    dot = require_tool("dot", "Debian: apt-get install graphviz")
    source = export(cli, "dot", "--lang", "zh")
    # Graphviz parses it and reports the same graph back as canonical DOT, which networkx reads as data
    canonical = subprocess.run([dot, "-Tcanon"], input=source, capture_output=True, check=True).stdout
    assert b"Warning" not in subprocess.run([dot, "-Tsvg", "-o", str(tmp_path / "g.svg")], input=source,
                                            capture_output=True, check=True).stderr
    projection = fixture_projection()
    svg = (tmp_path / "g.svg").read_text("utf-8")
    assert svg.count('class="node') == len(projection.nodes) and svg.count('class="edge') == len(projection.edges)
    assert "国家动力电池创新中心" in svg and "所属计划" in svg
    assert 'font-family="WenQuanYi Micro Hei,Noto Sans CJK SC,sans-serif"' in svg
    nodes = canonical.decode("utf-8").count("fillcolor=")
    assert nodes == len(projection.nodes)


def test_dot_escapes_quotes_backslashes_and_newlines():
    from micgraph.export.network.dot import dot_string

    assert dot_string('say "hi" \\ there\nnext') == '"say \\"hi\\" \\\\ there\\nnext"'


def test_class_tokens_never_collide():
    """Tokens carry styles and filter checkboxes: classes whose names need replacing keep distinct ones."""
    from micgraph.export.network.projection import class_token

    classes = [str(MIC["创新中心"]), str(MIC["研究院所"]), "http://ex.org/a.b", "http://ex.org/a_b",
               str(MIC.ChineseInnovationCenter), str(MIC.Program), None]
    tokens = [class_token(c) for c in classes]
    assert len(set(tokens)) == len(tokens)
    assert class_token(str(MIC.Program)) == "mic_Program"  # readable where nothing was replaced
    assert all(t.replace("_", "a").replace("-", "a").isalnum() and t.isascii() for t in tokens)


def test_only_http_iris_become_links(cli, tmp_path):
    """A javascript: or data: IRI in the data is drawn, never made a clickable link."""
    data = tmp_path / "links.ttl"
    data.write_text("<https://example.org/a> <https://example.org/p> <javascript:alert(1)> , "
                    "<data:text/html,x> , <https://example.org/b> .\n", encoding="utf-8")
    dot = export(cli, "dot", data=data).decode("utf-8")
    links = [line.split("URL=")[1] for line in dot.splitlines() if "URL=" in line]
    assert sorted(links) == ['"https://example.org/a"];', '"https://example.org/b"];']
    assert "javascript:alert(1)" in dot  # the node is there, unlinked


# --- Cytoscape.js JSON ---------------------------------------------------------------------------------

def test_cytoscape_json_follows_the_element_format(cli):
    document = json.loads(export(cli, "cytoscape"))
    elements = document["elements"]
    node_ids = [n["data"]["id"] for n in elements["nodes"]]
    assert len(node_ids) == len(set(node_ids)) == len(fixture_projection().nodes)
    edge_ids = [e["data"]["id"] for e in elements["edges"]]
    assert len(edge_ids) == len(set(edge_ids)) and not set(edge_ids) & set(node_ids)
    for edge in elements["edges"]:
        assert edge["data"]["source"] in node_ids and edge["data"]["target"] in node_ids
    for node in elements["nodes"]:
        assert isinstance(node["classes"], str) and node["classes"]
        assert set(node["position"]) == {"x", "y"}
    battery = next(n for n in elements["nodes"] if n["data"]["id"] == BATTERY)
    assert battery["data"]["mic:members"] == 33 and battery["data"]["label"] == "National Power Battery Innovation Center"
    # every class used has a style rule
    selectors = {rule["selector"] for rule in document["style"]}
    assert {f"node.{n['classes']}" for n in elements["nodes"]} <= selectors


# --- CSV -----------------------------------------------------------------------------------------------

def test_csv_writes_gephi_tables_into_a_folder(cli, tmp_path):
    target = tmp_path / "gephi"
    out = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "csv", "-o", str(target), "--lang", "zh")
    assert sorted(p.name for p in target.iterdir()) == [".micgraph", "edges.csv", "nodes.csv"]
    assert str(target / "nodes.csv") in out.stdout
    nodes = list(csv.DictReader(io.StringIO((target / "nodes.csv").read_text("utf-8"))))
    edges = list(csv.DictReader(io.StringIO((target / "edges.csv").read_text("utf-8"))))
    assert list(nodes[0])[:2] == ["Id", "Label"]
    assert list(edges[0])[:5] == ["Source", "Target", "Type", "Id", "Label"]
    projection = fixture_projection()
    assert len(nodes) == len(projection.nodes) and len(edges) == len(projection.edges)
    ids = {row["Id"] for row in nodes}
    assert all(row["Source"] in ids and row["Target"] in ids and row["Type"] == "Directed" for row in edges)
    assert next(r for r in nodes if r["Id"] == BATTERY)["Label"] == "国家动力电池创新中心"
    comment = next(r for r in nodes if r["Id"] == BATTERY)["rdfs:comment"]
    assert comment == 'Tests escaping: <tags> & "quotes", a\nnewline and a tab\t.'


def test_csv_export_is_atomic_and_refuses_a_folder_with_other_files(cli, tmp_path):
    target = tmp_path / "gephi"
    cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "csv", "-o", str(target))
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    # bad input: the previous tables stay whole, and nothing is left behind
    result = cli("export", "--no-bundled", "--data", str(FIXTURES / "core" / "malformed.ttl"), "--format", "csv",
                 "-o", str(target), expect=2)
    assert result.stderr.startswith("error: ")
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gephi"]
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "keep.txt").write_text("precious")
    result = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "csv", "-o", str(tmp_path / "project"),
                 expect=2)
    assert "did not write" in result.stderr
    assert (tmp_path / "project" / "keep.txt").read_text() == "precious"
    cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "csv", "-o", str(tmp_path / "project"), "--force")
    assert sorted(p.name for p in (tmp_path / "project").iterdir()) == [".micgraph", "edges.csv", "keep.txt",
                                                                        "nodes.csv"]
    assert cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "csv", expect=2).stderr.count("-o DIR")


def test_csv_interrupted_midway_leaves_every_table_whole(tmp_path, monkeypatch):
    from micgraph import output
    from micgraph.export.network import gephi

    target = tmp_path / "gephi"
    projection = fixture_projection()
    gephi.write_csv(projection, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    real_replace = output.os.replace
    renamed = []

    def replace_then_interrupt(source, destination):  # Ctrl-C arrives after the first table is in place
        real_replace(source, destination)
        renamed.append(destination)
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        gephi.write_csv(projection, target, "zh")
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in target.iterdir()}
    assert sorted(after) == sorted(before)  # no temporary file left behind
    new = {name: data for name, data in gephi.csv_tables(projection, "zh").items()}
    assert all(after[name] in (before[name], new.get(name)) for name in after if name != ".micgraph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gephi"]


# --- determinism and the command line ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["graphml", "gexf", "dot", "cytoscape", "html"])
def test_output_is_byte_identical_and_independent_of_input_order(cli, tmp_path, fmt):
    nt = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "nt").stdout.splitlines()
    shuffled = tmp_path / "shuffled.nt"
    shuffled.write_text("\n".join(reversed(nt)).replace("_:", "_:other") + "\n", encoding="utf-8")
    first = export(cli, fmt)
    assert first == export(cli, fmt)
    assert first == export(cli, fmt, data=shuffled)


def test_format_from_extension_and_atomic_output(cli, tmp_path):
    for name, check in (("g.graphml", b"<graphml"), ("g.gexf", b"<gexf"), ("g.dot", b"digraph"),
                        ("g.gv", b"digraph"), ("g.cyjs", b'"elements"'), ("g.html", b"<!DOCTYPE html>")):
        cli("export", "--no-bundled", "--data", str(NETWORK), "-o", str(tmp_path / name))
        assert check in (tmp_path / name).read_bytes()[:400] or check in (tmp_path / name).read_bytes()
    before = (tmp_path / "g.graphml").read_bytes()
    cli("export", "--no-bundled", "--data", str(FIXTURES / "core" / "malformed.ttl"), "-o",
        str(tmp_path / "g.graphml"), expect=2)
    assert (tmp_path / "g.graphml").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_option_errors_are_one_line(cli):
    result = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "graphml", "--class", "mic:Nothing",
                 expect=2)
    assert result.stderr == "error: --class mic:Nothing: no node in the graph has this class\n"
    result = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "graphml", "--class", "nope:X",
                 expect=2)
    assert result.stderr.startswith("error: 'nope:X' is neither a full IRI") and result.stderr.count("\n") == 1
    result = cli("export", "--no-bundled", "--data", str(NETWORK), "--format", "turtle", "--lang", "zh", expect=2)
    assert "apply to the network formats" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_option_adds_the_tbox(cli):
    without = nx.read_graphml(io.BytesIO(export(cli, "graphml")))
    with_schema = nx.read_graphml(io.BytesIO(export(cli, "graphml", "--schema")))
    assert str(MIC.InnovationCenter) not in without and str(MIC.InnovationCenter) in with_schema
    assert with_schema.nodes[str(MIC.InnovationCenter)]["label"] == "Innovation center"


def test_query_construct_as_a_network_takes_labels_from_the_graph(cli):
    construct = "CONSTRUCT { ?c mic:partOfProgram ?p } WHERE { ?c mic:partOfProgram ?p }"
    out = cli("query", construct, "--no-bundled", "--data", str(NETWORK), "--format", "graphml", "--lang", "zh")
    graph = nx.read_graphml(io.BytesIO(out.stdout_bytes))
    assert set(graph.nodes) == {BATTERY, ROBOTICS, str(MICR["program-china-mic"])}
    assert graph.nodes[BATTERY]["label"] == "国家动力电池创新中心"  # the label is not in the CONSTRUCT result
    assert {d["label"] for _, _, d in graph.edges(data=True)} == {"所属计划"}
    for fmt in ("gexf", "dot", "cytoscape", "html"):
        assert cli("query", construct, "--no-bundled", "--data", str(NETWORK), "--format", fmt).stdout_bytes
    result = cli("query", "SELECT * WHERE { ?s ?p ?o }", "--no-bundled", "--data", str(NETWORK), "--format", "gexf",
                 expect=2)
    assert "does not apply to a SELECT/ASK result" in result.stderr


@pytest.mark.server
def test_query_construct_on_an_endpoint_as_a_network(cli, oxigraph_server):
    graph = "http://example.org/graph/viz"
    cli("push", "--no-bundled", "--data", str(NETWORK), "--endpoint", oxigraph_server.store, "--graph", graph,
        "--replace")
    construct = "CONSTRUCT { ?c mic:partOfProgram ?p } WHERE { ?c mic:partOfProgram ?p }"
    local = cli("query", construct, "--no-bundled", "--data", str(NETWORK), "--format", "graphml", "--lang", "zh")
    remote = cli("query", construct, "--endpoint", oxigraph_server.query, "--default-graph", graph,
                 "--format", "graphml", "--lang", "zh")
    assert remote.stdout_bytes == local.stdout_bytes  # labels looked up on the endpoint too
    assert nx.read_graphml(io.BytesIO(remote.stdout_bytes)).nodes[BATTERY]["label"] == "国家动力电池创新中心"


def test_every_network_format_of_the_registry_has_a_writer():
    from micgraph import formats, picture
    from micgraph.cli import viz
    from micgraph.export.network import serialize_network

    projection = fixture_projection()
    for fmt in formats.formats(formats.NETWORK):
        if not fmt.folder:
            assert serialize_network(projection, fmt.name)  # each writes something
    assert viz.LAYOUTS is picture.LAYOUTS


@pytest.mark.slow  # the whole graph through networkx's readers
@pytest.mark.parametrize("fmt, read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_bundled_graph_reads_back_equal_to_its_projection(cli, bundled_graph, fmt, read):
    from micgraph.export.network import project_store

    graph = read(io.BytesIO(cli("export", "--format", fmt, "--lang", "zh").stdout_bytes))
    projection = project_store(bundled_graph)
    assert len(projection.nodes) > 100 and len(projection.edges) > 100
    assert_network_equals_projection(graph, projection, "zh")


def test_bundled_graph_as_cytoscape_json_and_gephi_csv(cli, bundled_graph, tmp_path):
    from micgraph.export.network import project_store

    projection = project_store(bundled_graph)
    elements = json.loads(cli("export", "--format", "cytoscape").stdout_bytes)["elements"]
    node_ids = {n["data"]["id"] for n in elements["nodes"]}
    assert len(node_ids) == len(elements["nodes"]) == len(projection.nodes)
    assert len(elements["edges"]) == len(projection.edges)
    assert all(e["data"]["source"] in node_ids and e["data"]["target"] in node_ids for e in elements["edges"])
    cli("export", "--format", "csv", "-o", str(tmp_path / "gephi"), "--lang", "zh")
    nodes = list(csv.DictReader(io.StringIO((tmp_path / "gephi" / "nodes.csv").read_text("utf-8"))))
    edges = list(csv.DictReader(io.StringIO((tmp_path / "gephi" / "edges.csv").read_text("utf-8"))))
    assert list(nodes[0])[:2] == ["Id", "Label"] and list(edges[0])[:5] == ["Source", "Target", "Type", "Id", "Label"]
    assert {row["Id"]: row["Label"] for row in nodes} == {n.id: projection.label(n.id, "zh") for n in projection.nodes}
    assert len(edges) == len(projection.edges) and {row["Source"] for row in edges} <= node_ids
    # the T-box and the link annotations are not in the network, the links themselves are
    assert not [row for row in nodes if row["class"] in ("owl:Class", "owl:Axiom", "owl:ObjectProperty")]
    assert "owl:sameAs" in {row["property"] for row in edges}
