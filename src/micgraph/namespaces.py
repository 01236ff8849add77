"""The namespaces micgraph uses and predeclares, and the well-known terms more than one module reads.

Every module takes its IRIs from here, so that the resource page, the explorer and the exports agree
(on a node's sources, say). Plain strings: pyoxigraph terms are made where they are used.
"""

from __future__ import annotations

import functools
import re

from .errors import UsageError

MIC = "https://w3id.org/micgraph/ontology#"
MICR = "https://w3id.org/micgraph/id/"
MICSH = "https://w3id.org/micgraph/shapes#"
ONTOLOGY_IRI = "https://w3id.org/micgraph/ontology"
INFERRED_GRAPH = MICR + "graph/inferred"  # where entailments go, apart from the asserted data
DATASET_IRI = MICR + "dataset-micgraph"  # described in data/dataset.ttl

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
VANN = "http://purl.org/vocab/vann/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
QB = "http://purl.org/linked-data/cube#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
DBR = "http://dbpedia.org/resource/"
DBO = "http://dbpedia.org/ontology/"
GN = "http://www.geonames.org/ontology#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"  # W3C Basic Geo: geo:lat / geo:long (wgs: here)
GEO = "http://www.opengis.net/ont/geosparql#"  # GeoSPARQL

# Predeclared in every query, and used for compact IRIs in exports. Order is the output order.
PREFIXES: dict[str, str] = {
    "mic": MIC,
    "micr": MICR,
    "micsh": MICSH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
    "qb": QB,
    "sh": SH,
    "foaf": FOAF,
    "wd": WD,
    "wdt": WDT,
    "dbr": DBR,
    "dbo": DBO,
    "gn": GN,
    "wgs": WGS,
    "geo": GEO,
}

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"

# A resource's name, in order of preference.
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel")
# The languages of the graph's labels, in order of preference.
LANGUAGES = ("en", "zh")
# What a resource or statement was taken from: prov:wasDerivedFrom, PROV-O's subproperties of it, and
# dcterms:source. The resource page, the explorer and the exports all list these as "sources".
SOURCE_PROPERTIES = (
    PROV + "wasDerivedFrom",
    PROV + "wasQuotedFrom",
    PROV + "hadPrimarySource",
    PROV + "wasRevisionOf",
    DCTERMS + "source",
)

_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*")


@functools.lru_cache(maxsize=65536)  # called for every cell of a table and every node of a network
def compact(iri: str) -> str:
    """`https://w3id.org/micgraph/id/x` -> `micr:x`; IRIs outside the known namespaces stay whole."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace) :]
            if _LOCAL_NAME.fullmatch(local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def expand(name: str) -> str:
    """`mic:Center` -> its full IRI; a full IRI (`<...>`, or with a scheme such as `https://` or `urn:`) is
    returned as it is. Anything that is not a valid IRI then is a UsageError."""
    text = name.strip()
    bracketed = text.startswith("<") and text.endswith(">")
    text = text[1:-1] if bracketed else text
    prefix, colon, local = text.partition(":")
    if colon and not bracketed and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    elif not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:" if bracketed else r"[A-Za-z][A-Za-z0-9+.-]*://|urn:", text):
        raise UsageError(
            f"{name!r} is neither a full IRI nor a compact IRI with a known prefix "
            f"({', '.join(p + ':' for p in PREFIXES)})"
        )
    import pyoxigraph as ox  # here: `micgraph --help` reads this module

    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise UsageError(f"{name!r} is not a valid IRI: {exc}") from exc
    return text


def checked_iri(text: str, what: str = "") -> str:
    """`text` if it is an absolute IRI as pyoxigraph reads one, else a UsageError naming `what` (the option
    that gave it, say) and the first thing wrong with it."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise UsageError(f"{what + ' ' if what else ''}{text!r} is not an absolute IRI: {exc}") from exc
    return text
