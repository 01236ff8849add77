"""The one registry of the formats micgraph reads and writes.

Each `Format` has a name (what `--format` takes), a kind (what it can hold), its media types (the first is
the one sent), its file extensions (the first is the one written) and, for RDF syntaxes and SPARQL result
formats, pyoxigraph's own format object. The CLI's choices, the server's content negotiation and the
reading of a format from a file name (input and `-o` alike) all come from this table: adding a syntax is
one entry here (and its writer where the kind's writers live).

A `.gz` after the extension means gzip, for reading and for writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from .errors import UsageError

# Kinds: what a format can hold, which is what decides where it may be used.
RDF = "rdf"  # a graph or dataset
RESULTS = "results"  # SELECT solutions or an ASK boolean
NETWORK = "network"  # the graph projected onto nodes and edges (visualisation tools)
PICTURE = "picture"  # a drawing (Graphviz)
CHART = "chart"  # a chart of figures (Vega-Lite)
MAP = "map"  # located resources
REPORT = "report"  # a validation report or statistics, for people or programs

COMPRESSION_SUFFIX = ".gz"


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    title: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    oxigraph: str | None = None  # the name of pyoxigraph's RdfFormat or QueryResultsFormat for this format
    dataset: bool = False  # keeps named graphs apart (TriG, N-Quads)
    rdf12: bool = False  # holds RDF 1.2 triple terms and directional language strings (writers refuse them else)
    writable: bool = True
    folder: bool = False  # written as a folder of files (Gephi's CSV pair)

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def extension(self) -> str:
        return self.extensions[0] if self.extensions else ""

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    # pyoxigraph is imported when a format object is first needed, not by `micgraph --help`
    @property
    def rdf(self):
        """pyoxigraph's RdfFormat for an RDF syntax, else None."""
        import pyoxigraph as ox

        return getattr(ox.RdfFormat, self.oxigraph) if self.kind == RDF and self.oxigraph else None

    @property
    def results(self):
        """pyoxigraph's QueryResultsFormat for a W3C results format, else None."""
        import pyoxigraph as ox

        return getattr(ox.QueryResultsFormat, self.oxigraph) if self.kind == RESULTS and self.oxigraph else None


REGISTRY: tuple[Format, ...] = (
    # RDF syntaxes, in the order a list of choices shows them
    Format(
        "turtle",
        RDF,
        "Turtle",
        ("text/turtle", "application/x-turtle"),
        ("ttl", "turtle"),
        ("ttl",),
        oxigraph="TURTLE",
        rdf12=True,
    ),
    Format(
        "nt",
        RDF,
        "N-Triples",
        ("application/n-triples", "text/plain"),
        ("nt",),
        ("ntriples", "n-triples"),
        oxigraph="N_TRIPLES",
        rdf12=True,
    ),
    Format(
        "jsonld",
        RDF,
        "JSON-LD",
        ("application/ld+json", "application/json"),
        ("jsonld", "json"),
        ("json-ld",),
        oxigraph="JSON_LD",
    ),
    Format(
        "xml",
        RDF,
        "RDF/XML",
        ("application/rdf+xml", "application/xml", "text/xml"),
        ("rdf", "owl", "xml"),
        ("rdfxml", "rdf/xml", "rdf", "owl"),
        oxigraph="RDF_XML",
        rdf12=True,
    ),
    Format("trig", RDF, "TriG", ("application/trig",), ("trig",), oxigraph="TRIG", dataset=True, rdf12=True),
    Format(
        "nquads",
        RDF,
        "N-Quads",
        ("application/n-quads",),
        ("nq",),
        ("nq", "n-quads"),
        oxigraph="N_QUADS",
        dataset=True,
        rdf12=True,
    ),
    Format("n3", RDF, "N3", ("text/n3",), ("n3",), oxigraph="N3", writable=False),
    # SELECT and ASK results: the W3C formats first (the first is what a server sends by default)
    Format(
        "json",
        RESULTS,
        "SPARQL 1.1 results JSON",
        ("application/sparql-results+json", "application/json"),
        ("srj", "json"),
        oxigraph="JSON",
    ),
    Format(
        "xml",
        RESULTS,
        "SPARQL 1.1 results XML",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        ("srx", "xml"),
        oxigraph="XML",
    ),
    Format("csv", RESULTS, "SPARQL 1.1 CSV", ("text/csv",), ("csv",), oxigraph="CSV"),
    Format("tsv", RESULTS, "SPARQL 1.1 TSV", ("text/tab-separated-values",), ("tsv",), oxigraph="TSV"),
    Format("table", RESULTS, "aligned table", ("text/plain",), ("txt",)),
    Format("md", RESULTS, "Markdown table", ("text/markdown",), ("md",)),
    # networks for visualisation tools
    Format("graphml", NETWORK, "GraphML (yEd)", ("application/graphml+xml",), ("graphml",)),
    Format("gexf", NETWORK, "GEXF (Gephi)", ("application/gexf+xml",), ("gexf",)),
    Format("dot", NETWORK, "Graphviz DOT", ("text/vnd.graphviz",), ("dot", "gv")),
    Format("cytoscape", NETWORK, "Cytoscape.js JSON", ("application/json",), ("cyjs",)),
    Format("csv", NETWORK, "Gephi nodes.csv and edges.csv", ("text/csv",), (), folder=True),
    Format("html", NETWORK, "HTML explorer", ("text/html",), ("html", "htm")),
    # located resources
    Format("geojson", MAP, "GeoJSON (RFC 7946)", ("application/geo+json",), ("geojson",)),
    # pictures drawn by Graphviz
    Format("svg", PICTURE, "SVG", ("image/svg+xml",), ("svg",)),
    Format("png", PICTURE, "PNG", ("image/png",), ("png",)),
    Format("pdf", PICTURE, "PDF", ("application/pdf",), ("pdf",)),
    # charts of figures (Vega-Lite, drawn by vl-convert)
    Format("svg", CHART, "SVG", ("image/svg+xml",), ("svg",)),
    Format("png", CHART, "PNG", ("image/png",), ("png",)),
    Format("html", CHART, "HTML page", ("text/html",), ("html", "htm")),
    Format("vega-lite", CHART, "Vega-Lite spec", ("application/vnd.vegalite.v6+json",), ("vl.json",)),
    # reports (validation, statistics)
    Format("text", REPORT, "text", ("text/plain",), ("txt",)),
    Format("json", REPORT, "JSON", ("application/json",), ("json",)),
)


def formats(*kinds: str, writable: bool = False) -> list[Format]:
    """The formats of these kinds, kinds in the order given (all kinds if none)."""
    return [f for kind in (kinds or _ALL_KINDS) for f in REGISTRY if f.kind == kind and (f.writable or not writable)]


_ALL_KINDS = tuple(dict.fromkeys(f.kind for f in REGISTRY))


def names(*kinds: str, writable: bool = True) -> tuple[str, ...]:
    """The names `--format` accepts for these kinds (a name shared by two kinds appears once)."""
    return tuple(dict.fromkeys(f.name for f in formats(*kinds, writable=writable)))


def get(name: str, *kinds: str, writable: bool = False) -> Format:
    """The format called `name` (or an alias of it) among `kinds`, the first kind winning a shared name."""
    key = name.lower()
    for candidate in formats(*kinds, writable=writable):
        if key in candidate.names():
            return candidate
    choices = ", ".join(names(*kinds, writable=writable))
    what = f"{' or '.join(kinds)} format" if kinds else "format"
    raise UsageError(f"unknown {what} {name!r}; use one of: {choices}")


def split_compression(path: str | PurePath) -> tuple[str, bool]:
    """The file name without a trailing `.gz`, and whether there was one."""
    text = str(path)
    if text.lower().endswith(COMPRESSION_SUFFIX):
        return text[: -len(COMPRESSION_SUFFIX)], True
    return text, False


def from_extension(path: str | PurePath, *kinds: str, writable: bool = False) -> Format | None:
    """The format a file name names by its extension (after a `.gz`), among `kinds`; None if none does."""
    name = PurePath(split_compression(path)[0]).name.lower()
    best: tuple[int, Format] | None = None
    for candidate in formats(*kinds, writable=writable):
        for extension in candidate.extensions:
            # the longest matching extension wins (`.vl.json` over `.json`); ties go to the earlier kind
            if name.endswith("." + extension) and (best is None or len(extension) > best[0]):
                best = (len(extension), candidate)
    return best[1] if best else None


def from_media_type(media_type: str, *kinds: str) -> Format | None:
    media = media_type.split(";")[0].strip().lower()
    return next((f for f in formats(*kinds) if media in f.media_types), None)


def media_types(*kinds: str, writable: bool = True) -> dict[str, Format]:
    """Media type -> format, for content negotiation: each format's own type first, then the aliases,
    in registry order (so the first entry of a kind is the default offer)."""
    table: dict[str, Format] = {}
    chosen = formats(*kinds, writable=writable)
    for f in chosen:
        table.setdefault(f.media_type, f)
    for f in chosen:
        for media in f.media_types[1:]:
            table.setdefault(media, f)
    return table


@dataclass(frozen=True)
class Target:
    """What to write: the format, and whether the bytes are gzipped (an output named `*.gz`)."""

    format: Format
    compressed: bool = False


def for_output(
    kinds: Iterable[str], requested: str | None, output: str | None, default: str, *, what: str = "this output"
) -> Target:
    """The format of an output: `--format` if given, else the extension of `-o`, else `default`.

    The extension is never silently ignored: one that names another format than `--format`
    (`-o out.json --format turtle`), or a format this command does not write (`-o out.csv` for an RDF
    export), is an error, and so is one no format uses (`.out`) unless `--format` says what to write.
    A name without an extension gets `default`; a folder's name is only a name.
    """
    kinds = tuple(kinds)
    named = from_extension(output, *kinds, writable=True) if output else None
    elsewhere = from_extension(output) if output and named is None else None
    compressed = bool(output) and split_compression(output or "")[1]
    if requested is None:
        if named is not None:
            return Target(named, compressed)
        if elsewhere is not None:
            raise UsageError(
                f"-o {output} names {elsewhere.title}, which is not a format for {what}; use one of: "
                f"{', '.join(names(*kinds))} (by --format or by the file's extension)"
            )
        suffix = PurePath(split_compression(output)[0]).suffix if output else ""
        if suffix:
            raise UsageError(
                f"-o {output}: cannot tell the format from the extension {suffix!r}; pass --format "
                f"({', '.join(names(*kinds))}) or name the file after one"
            )
        return Target(get(default, *kinds, writable=True), compressed)
    chosen = get(requested, *kinds, writable=True)
    if chosen.folder:
        return Target(chosen)
    clash = named if named is not None and named != chosen else elsewhere
    if clash is not None:
        raise UsageError(
            f"-o {output} names {clash.title} but --format is {chosen.name}: give the file a "
            f".{chosen.extension or chosen.name} extension, or drop --format"
        )
    return Target(chosen, compressed)


def for_input(path: str | PurePath, requested: str | None = None) -> Format:
    """The RDF syntax of an input file: `requested` if given, else its extension (`-` is Turtle)."""
    if requested:
        return get(requested, RDF)
    if str(path) == "-":
        return get("turtle", RDF)
    found = from_extension(path, RDF)
    if found is None:
        suffix = PurePath(split_compression(path)[0]).suffix
        raise UsageError(
            f"{path}: cannot tell the RDF syntax from the extension {suffix or '(none)'!r}; "
            f"pass --input-format ({', '.join(names(RDF, writable=False))})"
        )
    return found
