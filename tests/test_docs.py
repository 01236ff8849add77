"""`micgraph docs`: the generated HTML documents every class and property, in both languages, sorted by label,
with one title per language and the terms reused from other vocabularies in a section of their own."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from micgraph import bundle, namespaces

KINDS = {OWL.Class: "class", OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
         OWL.AnnotationProperty: "annotation property"}


class Entities(HTMLParser):
    """Each documented entity of a pyLODE page: the IRI in its table and the text of its heading."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: dict[str, str] = {}  # IRI -> heading text
        self._depth = 0  # inside <div class="... entity">: nesting depth of divs
        self._heading: list[str] | None = None
        self._last_heading = ""
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "div" and ("entity" in classes.split() or self._depth):
            self._depth += 1
        elif tag == "h3" and self._depth:
            self._heading = []
        elif tag == "code" and self._depth:
            self._in_code = True

    def handle_endtag(self, tag):
        if tag == "div" and self._depth:
            self._depth -= 1
        elif tag == "h3" and self._heading is not None:
            self._last_heading = " ".join("".join(self._heading).split())
            self._heading = None
        elif tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        elif self._in_code and data.strip().startswith(namespaces.MIC) and data.strip() not in self.headings:
            self.headings[data.strip()] = self._last_heading


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from click.testing import CliRunner

    from micgraph.cli import main

    folder = tmp_path_factory.mktemp("docs") / "site"
    result = CliRunner().invoke(main, ["docs", "-o", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def documented(site):
    parser = Entities()
    parser.feed((site / "index.html").read_text("utf-8"))
    return parser.headings


def ontology_terms():
    ontology = Graph().parse(bundle.ontology_path())
    terms = []
    for kind in KINDS:
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(namespaces.MIC):
                labels = {label.language: str(label) for label in ontology.objects(term, RDFS.label)}
                terms.append((str(term), labels))
    return sorted(terms)


def test_every_class_and_property_is_documented_with_its_en_and_zh_labels(documented):
    terms = ontology_terms()
    assert len(terms) > 50
    missing = [iri for iri, _ in terms if iri not in documented]
    assert missing == []
    unlabelled = [(iri, documented[iri]) for iri, labels in terms
                  if not (labels["en"] in documented[iri] and labels["zh"] in documented[iri])]
    assert unlabelled == []


def test_the_folder_holds_the_page_the_ontology_and_the_context(site):
    assert sorted(p.name for p in site.iterdir()) == [".micgraph", "context.jsonld", "index.html", "micgraph.ttl"]
    assert Graph().parse(site / "micgraph.ttl").isomorphic(Graph().parse(bundle.ontology_path()))
    html = (site / "index.html").read_text("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "</html>" in html


def test_docs_never_delete_what_micgraph_did_not_write(cli, tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = cli("docs", "-o", str(target), expect=2)  # a folder of someone else's files: refused
    assert "did not write" in result.stderr and sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    cli("docs", "-o", str(target), "--force")  # micgraph's files beside them
    assert (target / "notes.txt").read_text() == "mine" and (target / "index.html").is_file()
    (target / "index.html").write_text("an older run")
    cli("docs", "-o", str(target))  # a folder micgraph wrote is updated without --force
    assert (target / "index.html").read_text() != "an older run" and (target / "notes.txt").read_text() == "mine"
    # `docs -o .` in a project folder leaves the project alone
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("precious")
    cli("docs", "-o", ".", cwd=project, expect=2)
    assert sorted(p.name for p in project.iterdir()) == ["README.md"]
    # a path that is a file, not a folder: one-line error, the file untouched
    clash = tmp_path / "file"
    clash.write_text("keep me")
    result = cli("docs", "-o", str(clash), expect=2)
    assert result.stderr.startswith("error: ") and clash.read_text() == "keep me"


class Outline(HTMLParser):
    """The page's h1 and subtitle, and for each section the terms in it: (IRI in its table, heading text)."""

    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.subtitles: list[tuple[str | None, str]] = []
        self.sections: dict[str, list[list[str]]] = {}  # section id -> [[heading, IRI], ...]
        self.reused: list[str] = []  # IRIs linked from the reused-terms tables
        self._section: str | None = None
        self._into: list[str] | None = None
        self._entity = False
        self._in_reused_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "section" in classes:
            self._section = attrs.get("id")
            self.sections.setdefault(self._section, [])
            self._entity = False
        elif tag == "div" and "entity" in classes:
            self.sections[self._section].append(["", ""])
            self._entity = True
        elif tag == "h1":
            self.h1.append("")
            self._into = self.h1
        elif tag == "p" and "subtitle" in classes:
            self.subtitles.append((attrs.get("lang"), ""))
        elif tag == "h3" and self._entity:
            self._into = self.sections[self._section][-1]
        elif tag == "table" and "reused" in classes:
            self._in_reused_table = True
        elif tag == "a" and self._in_reused_table and attrs.get("href", "").startswith("http"):
            self.reused.append(attrs["href"])
        elif tag == "sup":
            self._into = None

    def handle_endtag(self, tag):
        if tag in ("h1", "h3"):
            self._into = None
        elif tag == "table":
            self._in_reused_table = False

    def handle_data(self, data):
        if self._into is self.h1:
            self.h1[-1] += data
        elif self._into is not None:
            self._into[0] += data
        elif self.subtitles and self.lasttag == "p" and not self.subtitles[-1][1]:
            self.subtitles[-1] = (self.subtitles[-1][0], data)
        elif self._entity and self.lasttag == "code" and data.strip().startswith("http") and self._section:
            entry = self.sections[self._section][-1]
            if not entry[1]:
                entry[1] = data.strip()


@pytest.fixture(scope="module")
def outline(site):
    parser = Outline()
    parser.feed((site / "index.html").read_text("utf-8"))
    return parser


def test_one_title_per_language(outline):
    ontology = Graph().parse(bundle.ontology_path())
    titles = {t.language: str(t) for t in ontology.objects(URIRef("https://w3id.org/micgraph/ontology"), DCTERMS.title)}
    assert [h.strip() for h in outline.h1] == [titles["en"]]  # the English title alone, not run into the Chinese
    assert outline.subtitles == [("zh", titles["zh"])]


@pytest.mark.slow  # pyLODE renders the whole ontology
def test_classes_and_properties_are_sorted_by_label_and_are_micgraphs_own(outline):
    sections = ["classes", "objectproperties", "datatypeproperties", "annotationproperties", "functionalproperties"]
    for section in sections:
        entries = outline.sections[section]
        assert entries, section
        headings = [" ".join(heading.split()) for heading, _ in entries]
        assert headings == sorted(headings, key=str.casefold), section
        assert all(iri.startswith(namespaces.MIC) for _, iri in entries), section
    assert len(outline.sections["classes"]) == len({iri for iri, _ in ontology_terms()
                                                   if (URIRef(iri), RDF.type, OWL.Class) in Graph().parse(bundle.ontology_path())})


def test_reused_terms_are_kept_apart(outline):
    ontology = Graph().parse(bundle.ontology_path())
    reused = {str(t) for kind in KINDS for t in ontology.subjects(RDF.type, kind)
              if isinstance(t, URIRef) and not str(t).startswith(namespaces.MIC)}
    for term in ("http://www.w3.org/ns/prov#Plan", "http://www.w3.org/ns/prov#Entity", "http://www.w3.org/ns/dcat#Dataset"):
        assert term in reused
    assert set(outline.reused) == reused and len(outline.reused) == len(reused)  # each once
    documented = {iri for section, entries in outline.sections.items() if section != "reused" for _, iri in entries}
    assert not documented & reused
