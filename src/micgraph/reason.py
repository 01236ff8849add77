"""Entailment and consistency: RDFS (native, on the store), OWL RL (owlrl) and HermiT (owlready2).

Entailed triples always go into their own named graph (`INFERRED_GRAPH`), never into the
asserted data, so `export` can tell what was said from what follows from it.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .constants import MATERIALISING_PROFILES, REASONING_PROFILES
from .errors import ReasonerError, UsageError
from .namespaces import INFERRED_GRAPH, OWL, RDF, RDFS, XSD

INFERRED = ox.NamedNode(INFERRED_GRAPH)

# RDFS rules rdfs5/11 (schema closure), rdfs7 (sub-properties), rdfs2/3 (domain, range), rdfs9 (subclasses),
# as CONSTRUCTs over the union graph. Run in this order to a fixpoint they give the RDFS closure
# restricted to what researchers query: no axiomatic triples, no rdfs:Resource typing, no reflexive axioms.
_RDFS_RULES = (
    """CONSTRUCT { ?a rdfs:subClassOf ?c } WHERE {
         ?a rdfs:subClassOf/rdfs:subClassOf+ ?c FILTER(?a != ?c) FILTER NOT EXISTS { ?a rdfs:subClassOf ?c } }""",
    """CONSTRUCT { ?a rdfs:subPropertyOf ?c } WHERE {
         ?a rdfs:subPropertyOf/rdfs:subPropertyOf+ ?c FILTER(?a != ?c) FILTER NOT EXISTS { ?a rdfs:subPropertyOf ?c } }""",
    """CONSTRUCT { ?s ?q ?o } WHERE {
         ?p rdfs:subPropertyOf ?q FILTER(?p != ?q) ?s ?p ?o FILTER NOT EXISTS { ?s ?q ?o } }""",
    """CONSTRUCT { ?s a ?c } WHERE {
         ?p rdfs:domain ?c . ?s ?p ?o FILTER NOT EXISTS { ?s a ?c } }""",
    """CONSTRUCT { ?o a ?c } WHERE {
         ?p rdfs:range ?c . ?s ?p ?o FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o a ?c } }""",
    """CONSTRUCT { ?s a ?d } WHERE {
         ?c rdfs:subClassOf ?d FILTER(?c != ?d) ?s a ?c FILTER NOT EXISTS { ?s a ?d } }""",
)


def rdfs_closure(store) -> int:
    """Add the RDFS entailments of `store` to the inferred graph; return how many triples were added."""
    added = 0
    while True:
        new: set[ox.Quad] = set()
        for rule in _RDFS_RULES:
            batch = {ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in store.query(rule)}
            store.add_quads(batch)
            new |= batch
        if not new:
            return added
        added += len(new)


def _trivial(s, p, o) -> bool:
    """Entailments that hold of everything and only add noise to answers."""
    from rdflib import Literal, URIRef

    if isinstance(s, Literal):
        return True
    if p == URIRef(RDF + "type") and o in (URIRef(RDFS + "Resource"), URIRef(OWL + "Thing")):
        return True
    if (
        p
        in (
            URIRef(RDFS + "subClassOf"),
            URIRef(RDFS + "subPropertyOf"),
            URIRef(OWL + "equivalentClass"),
            URIRef(OWL + "equivalentProperty"),
            URIRef(OWL + "sameAs"),
        )
        and s == o
    ):
        return True
    if p == URIRef(RDFS + "subClassOf") and o in (URIRef(RDFS + "Resource"), URIRef(OWL + "Thing")):
        return True
    return isinstance(s, URIRef) and str(s).startswith((RDF, RDFS, OWL, XSD))  # facts about the vocabulary itself


def owlrl_entailments(store) -> list[ox.Quad]:
    """The OWL 2 RL closure (owlrl) of the store, minus what was asserted and minus trivial triples."""
    import owlrl

    from .terms import rdflib_triples_to_quads, to_rdflib_graph

    graph = to_rdflib_graph(store.quads())
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    new = [t for t in graph if t not in asserted and not _trivial(*t)]
    return rdflib_triples_to_quads(new, INFERRED)


def materialise(store, profile: str) -> int:
    """Add the entailments of `profile` (rdfs or owlrl) to the store's inferred graph."""
    if profile == "none":
        return 0
    if profile == "rdfs":
        return rdfs_closure(store)
    if profile == "owlrl":
        quads = owlrl_entailments(store)
        store.add_quads(quads)
        return len(quads)
    raise UsageError(f"unknown inference profile {profile!r}; use one of: none, {', '.join(MATERIALISING_PROFILES)}")


# --- HermiT through owlready2 -------------------------------------------------------------------

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString, the RDF 1.1 name of
# a language-tagged literal's datatype (rdf:PlainLiteral in OWL 2). HermiT reads exactly these; the bundled
# graph uses nothing else (dates are ISO 8601 strings of mic:CalendarDate, see docs/model.md).
OWL2_DATATYPES = frozenset(
    {
        XSD + name
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    }
    | {OWL + "real", OWL + "rational", RDF + "PlainLiteral", RDF + "XMLLiteral", RDFS + "Literal", RDF + "langString"}
)

# The literals a reasoner reads: values of annotations (skos:notation's typed codes, rdfs:label...) are not
# reasoned over, and OWL 2 DL lets them have any datatype.
_LITERAL_DATATYPES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?datatype (COUNT(*) AS ?n) (SAMPLE(?o) AS ?example) WHERE {
    { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
    FILTER(isLiteral(?o))
    FILTER(?p NOT IN (rdfs:label, rdfs:comment, rdfs:seeAlso, rdfs:isDefinedBy, owl:versionInfo, owl:deprecated,
                      owl:priorVersion, owl:backwardCompatibleWith, owl:incompatibleWith))
    FILTER NOT EXISTS { ?p a owl:AnnotationProperty }
    FILTER NOT EXISTS { FILTER(?p = owl:annotatedTarget) ?s owl:annotatedProperty ?annotation .
                        ?annotation a owl:AnnotationProperty }
    BIND(DATATYPE(?o) AS ?datatype) }
    GROUP BY ?datatype"""


@dataclass
class ConsistencyReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    reasoner: str = "HermiT"

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def datatypes_outside_owl2(store) -> dict[str, tuple[int, ox.Literal]]:
    """{datatype IRI: (how many literals, one of them)} for literals HermiT cannot read."""
    return {
        row[0].value: (int(row[1].value), row[2])
        for row in store.query(_LITERAL_DATATYPES)
        if row[0].value not in OWL2_DATATYPES
    }


def java_available() -> bool:
    java = shutil.which("java")
    if not java:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _hermit_world(store):
    """Load the store, as it is, into a fresh owlready2 World and run HermiT; return (world, consistent)."""
    try:
        import owlready2
    except ImportError:
        raise ReasonerError(
            "HermiT runs through owlready2, an optional extra: pip install 'micgraph[hermit]' (and a Java runtime)"
        ) from None

    outside = datatypes_outside_owl2(store)
    if outside:
        from .namespaces import compact

        found = ", ".join(
            f"{count} literal(s) of {compact(datatype)} (e.g. {example})"
            for datatype, (count, example) in sorted(outside.items())
        )
        raise ReasonerError(
            f"HermiT reads only the datatypes of the OWL 2 datatype map, and the graph has {found}: "
            "give dates as ISO 8601 strings (as micgraph's data does) or use OWL 2 datatypes"
        )
    if not java_available():
        raise ReasonerError("HermiT needs Java: install a JRE (e.g. `apt-get install default-jre-headless`)")
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads())
    with tempfile.TemporaryDirectory(prefix="micgraph-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        ox.serialize(triples, str(path), ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        # owlready2 prints a warning to stderr for every punned property (OWL 2 DL allows punning; the
        # library never prints), and HermiT gets the triples as they are either way.
        with contextlib.redirect_stderr(io.StringIO()):
            world.get_ontology(path.as_uri()).load()
            consistent = True
            try:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError:
                consistent = False
            except (owlready2.OwlReadyJavaError, subprocess.CalledProcessError) as exc:
                raise ReasonerError(f"HermiT failed: {' '.join(str(exc).split())[:300]}") from exc
    return world, consistent


def check_consistency(store) -> ConsistencyReport:
    """Run HermiT on the store (e.g. `open_graph()`, the bundled ontology and data)."""
    world, consistent = _hermit_world(store)
    unsatisfiable: list[str] = []
    if consistent:
        nothing = OWL + "Nothing"
        with contextlib.redirect_stderr(io.StringIO()):
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != nothing)
    world.close()
    return ConsistencyReport(consistent, unsatisfiable)


def hermit_entailments(store) -> tuple[list[ox.Quad], ConsistencyReport]:
    """Classify with HermiT: the inferred class hierarchy and individual types, as quads in the inferred graph."""
    world, consistent = _hermit_world(store)
    report = ConsistencyReport(consistent, [])
    quads: list[ox.Quad] = []
    if consistent:
        nothing = OWL + "Nothing"
        with contextlib.redirect_stderr(io.StringIO()):
            report.unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != nothing)
        asserted = set(store.quads())
        inferred = world.get_ontology("http://inferrences/")
        for s, p, o in inferred.get_triples():
            subject, predicate, value = (_owlready_term(world, x) for x in (s, p, o))
            if subject is None or predicate is None or value is None or subject.value.startswith("http://inferrences"):
                continue  # owlready2's own header for the ontology it puts inferences in
            quad = ox.Quad(subject, predicate, value, ox.DefaultGraph())
            if quad not in asserted:
                quads.append(ox.Quad(subject, predicate, value, INFERRED))
    world.close()
    return quads, report


def _owlready_term(world, value) -> ox.NamedNode | None:
    """owlready2 stores IRIs as integer ids; literals are not produced by classification."""
    if isinstance(value, int) and value > 0:
        iri = world._unabbreviate(value)
        return ox.NamedNode(iri) if iri and not iri.startswith("_:") else None
    return None


# --- what `micgraph reason` reports --------------------------------------------------------------------


def entailments(store, profile: str) -> list[ox.Quad]:
    """The triples `profile` (rdfs, owlrl or hermit) entails from the store and that it does not assert, as
    quads in the inferred graph; they are also added to the store. HermiT refuses an inconsistent graph."""
    if profile not in REASONING_PROFILES:
        raise UsageError(f"unknown reasoning profile {profile!r}; use one of: {', '.join(REASONING_PROFILES)}")
    if profile == "hermit":
        quads, report = hermit_entailments(store)
        if not report.ok:
            raise ReasonerError("the graph is inconsistent or has unsatisfiable classes: run `micgraph reason --check`")
        store.add_quads(quads)
    else:
        materialise(store, profile)
    return [q for q in store.quads() if q.graph_name == INFERRED]


def consistency_lines(report: ConsistencyReport) -> list[str]:
    """The consistency report as lines for people, compact IRIs."""
    from .namespaces import compact

    if not report.consistent:
        return [f"{report.reasoner}: INCONSISTENT"]
    count = len(report.unsatisfiable)
    lines = [f"{report.reasoner}: consistent; {count or 'no'} unsatisfiable class{'es' if count != 1 else ''}"]
    lines += [f"unsatisfiable: {compact(iri)}" for iri in report.unsatisfiable]
    return lines
