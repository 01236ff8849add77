"""Deterministic, faithful RDF serialisations: the same graph gives byte-identical output, so git diffs mean
something, and every format reads back as exactly the graph written (the same terms, lexical forms
included).

Blank nodes are relabelled from the graph alone first (canonical.py: linear for tree-shaped blank nodes,
RDFC-1.0 for the rest); then subjects, predicates and objects are sorted. Turtle and TriG are written here
(readable: prefixes, `a`, nested `[ ]` and `( )`, short forms only where they read back as the same
literal), so are RDF/XML (pyoxigraph's writer leaves a carriage return raw, which XML parsers read as a
line feed) and JSON-LD (compacted, with micgraph's @context inlined so it parses offline, every literal a
typed string). N-Triples and N-Quads are pyoxigraph's own printing of each term, line by line.

RDF 1.2 triple terms and directional language strings are written by the formats that can hold them
(the registry's `rdf12`) and refused, in one line naming those formats, by the others.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

import pyoxigraph as ox

from .. import canonical, formats, xmlwriter
from ..errors import UsageError
from ..namespaces import PREFIXES, RDF, XSD, XSD_STRING

RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST = ox.NamedNode(RDF + "first")
RDF_REST = ox.NamedNode(RDF + "rest")
RDF_NIL = ox.NamedNode(RDF + "nil")


def canonical_quads(quads: Iterable[ox.Quad], *, merge_graphs: bool = False) -> list[tuple]:
    """Quads as (subject, predicate, object, graph name) rows, blank nodes labelled from the graph alone
    (canonical.py), sorted (graph, subject, predicate, object); with `merge_graphs`, all in the default graph."""
    return sorted(canonical.canonical_rows(quads, merge_graphs=merge_graphs), key=_row_key)


def _row_key(row: tuple) -> str:
    """The default graph first, then IRIs, blank nodes and literals (by N-Triples text), position by
    position. One string per row (components joined by a line feed, which none holds and which sorts
    below every character they hold): twice as fast to sort as tuples of tuples."""
    s, p, o, g = row
    return f"{_graph_order(g)}\n{_term_order(s)}\n{_term_order(p)}\n{_term_order(o)}"


def _term_order(term) -> str:
    if isinstance(term, ox.NamedNode):
        return "0" + term.value
    if isinstance(term, ox.BlankNode):
        return "1" + term.value
    return ("2" if isinstance(term, ox.Literal) else "3") + str(term)


def _graph_order(graph) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else _term_order(graph)


def serialize(quads: Iterable[ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """`quads` in `fmt`, an RDF format of the registry; triple formats merge all graphs into one."""
    prefixes = PREFIXES if prefixes is None else prefixes
    syntax = formats.get(fmt, formats.RDF, writable=True)
    with _without_cycle_collection():
        return _serialize(quads, syntax, prefixes)


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector off while a graph's millions of small tuples and strings are made: they
    hold no cycles, and the collector rescanning them all costs a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _serialize(quads: Iterable[ox.Quad], syntax: formats.Format, prefixes: dict[str, str]) -> bytes:
    rows = canonical_quads(quads, merge_graphs=not syntax.dataset)
    if not syntax.rdf12:
        refuse_rdf12(syntax, rows)
    if syntax.name in ("turtle", "trig"):
        return TurtleWriter(prefixes).write(rows, dataset=syntax.dataset).encode("utf-8")
    if syntax.name == "jsonld":
        return jsonld(rows, prefixes).encode("utf-8")
    if syntax.name == "xml":
        return b"".join(rdfxml(rows, prefixes))
    return "".join(map(nquads_line, rows)).encode("utf-8")


def serialize_triples(triples: Iterable[ox.Triple], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    return serialize((ox.Quad(t.subject, t.predicate, t.object) for t in triples), fmt, prefixes)


def nquads_line(row: tuple) -> str:
    """One N-Triples (N-Quads) line; pyoxigraph's terms print in N-Triples form, a triple term without
    its brackets."""
    s, p, o, g = row
    obj = f"<<( {o} )>>" if isinstance(o, ox.Triple) else str(o)
    return f"{s} {p} {obj} .\n" if isinstance(g, ox.DefaultGraph) else f"{s} {p} {obj} {g} .\n"


# --- RDF 1.2: triple terms and directional language strings --------------------------------------


def rdf12_feature(obj) -> str | None:
    """What an object term holds that only RDF 1.2 can say, if anything (None for RDF 1.1)."""
    if isinstance(obj, ox.Triple):
        return "a triple term"
    if isinstance(obj, ox.Literal) and obj.direction is not None:
        return "a directional language string"
    return None


def refuse_rdf12(syntax: formats.Format, rows: Iterable[tuple]) -> None:
    """Raise a one-line UsageError if a row holds what `syntax` cannot."""
    for _ in checked_rdf12(syntax, rows):
        pass


def checked_rdf12(syntax: formats.Format, rows: Iterable[tuple]) -> Iterator[tuple]:
    """`rows` (or triples as tuples) streamed, raising the one-line error at the first that `syntax`
    cannot hold."""
    for row in rows:
        feature = rdf12_feature(row[2])
        if feature is not None:
            able = ", ".join(f.name for f in formats.formats(formats.RDF, writable=True) if f.rdf12)
            raise UsageError(
                f"{syntax.title} cannot hold {feature} (RDF 1.2), which the graph has ({row[0]} "
                f"{row[1]} ...); write one of: {able}"
            )
        yield row


# --- Turtle and TriG ----------------------------------------------------------------------------

# Local names written after a prefix: ASCII only (every Turtle reader, old ones too, reads these), no
# escapes; anything else is written as a full <IRI>.
_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
# The short forms of the Turtle grammar (INTEGER, DECIMAL, DOUBLE, BooleanLiteral), where a token reads back
# as the literal with exactly its own text as lexical form and this datatype; integers and decimals only in
# the forms rdflib keeps too (it reads the token `007` as "7", `+1.5` as "1.5", `.5` as "0.5": see
# short_form). `[0-9]`, not `\d`: Python's `\d` matches every script's digits.
SHORT_FORMS = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"),
    XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# Escaped too, though Turtle allows them raw: controls, and characters some readers take for line ends or
# byte-order marks, or refuse (noncharacters).
_INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]")


def quote_string(value: str) -> str:
    """A Turtle (and N-Triples) string literal that reads back as `value`."""

    def escape(match: re.Match) -> str:
        ch = match.group()
        return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"

    return '"' + _INVISIBLE.sub(escape, value.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def short_form(term: ox.Literal) -> str | None:
    """The Turtle short form of a literal when it reads back as the same literal, else None."""
    pattern = SHORT_FORMS.get(term.datatype.value)
    if pattern is None or not pattern.fullmatch(term.value):
        return None
    if term.datatype.value == XSD + "decimal":
        from decimal import Decimal

        if str(Decimal(term.value)) != term.value:  # rdflib reads 0.0000001 as "1E-7"
            return None
    return term.value


# Blank nodes nested inside one another deeper than this are written by label instead of inline: deep
# nesting makes every reader (and this writer) recurse.
MAX_NESTING = 32


def _inline_candidates(rows: list[tuple]) -> tuple[set, set]:
    """Blank nodes that may be written in place as `[ ... ]` (subjects) or `[]` (no statements of their
    own): the object of exactly one statement, in the graph that holds all their own statements, and
    neither a graph name nor inside a triple term (those are written by label)."""
    pointed: Counter = Counter()
    pointed_from: dict = {}
    graphs_of: dict = defaultdict(set)
    by_label: set = set()
    for s, _, o, g in rows:
        if isinstance(o, ox.BlankNode):
            pointed[o] += 1
            pointed_from[o] = g
        elif isinstance(o, ox.Triple):
            by_label.update(canonical.blank_nodes_in(o))
        if isinstance(s, ox.BlankNode):
            graphs_of[s].add(g)
        if isinstance(g, ox.BlankNode):
            by_label.add(g)
    once = {b for b, n in pointed.items() if n == 1 and b not in by_label}
    nested = {b for b in once if b in graphs_of and graphs_of[b] == {pointed_from[b]}}
    empty = {b for b in once if b not in graphs_of}
    return nested, empty


class TurtleWriter:
    """Writes sorted rows as Turtle (or TriG): one block per subject, `a` first, then predicates by name."""

    width = 100

    def __init__(self, prefixes: dict[str, str]) -> None:
        # Longest namespace first, so `micr:` wins over a shorter namespace that is its prefix.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()
        self.inline: set = set()
        self.empty: set = set()
        self.splits: dict[str, tuple[str, str] | None] = {}

    # terms
    def _split(self, value: str) -> tuple[str, str] | None:
        if value not in self.splits:
            self.splits[value] = next(
                (
                    (prefix, value[len(namespace) :])
                    for prefix, namespace in self.prefixes
                    if value.startswith(namespace)
                    and (len(value) == len(namespace) or _PN_LOCAL.fullmatch(value, len(namespace)))
                ),
                None,
            )
        return self.splits[value]

    def name(self, value: str) -> str:
        """The compact form of an IRI, without recording the prefix as used (for sort keys)."""
        split = self._split(value)
        return f"{split[0]}:{split[1]}" if split else f"<{value}>"

    def iri(self, value: str) -> str:
        split = self._split(value)
        if split is None:
            return f"<{value}>"
        self.used.add(split[0])
        return f"{split[0]}:{split[1]}"

    def literal(self, term: ox.Literal) -> str:
        if term.language:
            if not _LANGTAG.fullmatch(term.language):  # pyoxigraph checks BCP 47 tags; never write a broken one
                raise UsageError(f"cannot write the language tag {term.language!r} in Turtle")
            direction = f"--{term.direction.value}" if term.direction is not None else ""
            return f"{quote_string(term.value)}@{term.language}{direction}"
        if term.datatype.value == XSD_STRING:
            return quote_string(term.value)
        short = short_form(term)
        if short is not None:
            return short
        return f"{quote_string(term.value)}^^{self.iri(term.datatype.value)}"

    def triple_term(self, term: ox.Triple) -> str:
        return f"<<( {self.term(term.subject, 0)} {self.iri(term.predicate.value)} {self.term(term.object, 0)} )>>"

    def term(self, term, indent: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.BlankNode):
            if term in self.written:  # a cycle of blank nodes: refer back by label
                return f"_:{term.value}"
            if term in self.empty:
                return "[]"
            if indent >= MAX_NESTING and term in self.inline:  # a block of its own: readers recurse too
                self.deferred.append(term)
                return f"_:{term.value}"
            if term in self.lists and not any(cell in self.written for cell in self._cells(term)):
                return self.collection(term, indent)
            if term in self.inline:
                self.written.add(term)
                return self.nested(term, indent)
            return f"_:{term.value}"
        return self.triple_term(term)

    # structure
    def _index(self, rows: list[tuple]) -> None:
        self.by_subject: dict = defaultdict(list)
        for s, p, o, _ in rows:
            self.by_subject[s].append((p, o))
        self.lists = {s for s in self.by_subject if s in self.inline and self._list_items(s) is not None}
        self.written: set = set()
        self.deferred: deque = deque()  # nested too deep to write inline: written next, by label

    def _list_items(self, node) -> list | None:
        """The members of a well-formed RDF list starting at `node`, or None."""
        items, seen = [], set()
        while node != RDF_NIL:
            if node in seen or node not in self.inline:
                return None
            seen.add(node)
            props = self.by_subject.get(node, [])
            firsts = [o for p, o in props if p == RDF_FIRST]
            rests = [o for p, o in props if p == RDF_REST]
            if len(props) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(firsts[0])
            node = rests[0]
        return items

    def _cells(self, node) -> Iterator:
        """The cells of the well-formed list starting at `node`."""
        while node != RDF_NIL:
            yield node
            node = next(o for p, o in self.by_subject[node] if p == RDF_REST)

    def collection(self, node, indent: int) -> str:
        items = self._list_items(node) or []
        self.written.update(self._cells(node))  # a list holding one of its own cells refers to it by label
        rendered = [self.term(i, indent + 1) for i in items]
        one_line = "( " + " ".join(rendered) + " )"
        if len(one_line) + indent * 4 <= self.width and "\n" not in one_line:
            return one_line
        pad = "    " * (indent + 1)
        return "(\n" + "".join(f"{pad}{r}\n" for r in rendered) + "    " * indent + ")"

    def predicate_objects(self, subject, indent: int) -> list[str]:
        grouped: dict = defaultdict(list)
        for p, o in self.by_subject[subject]:
            grouped[p].append(o)
        order = sorted(grouped, key=lambda p: (p != RDF_TYPE, self.name(p.value)))
        pad = "    " * (indent + 1)
        lines = []
        for predicate in order:
            # Nested [ ] blocks follow the other objects, ordered by their text: canonical labels say
            # nothing to a reader, and the text is as deterministic as they are.
            plain = [o for o in grouped[predicate] if o not in self.inline or o in self.written]
            nested = sorted(self.term(o, indent + 1) for o in grouped[predicate] if o not in plain)
            objects = [self.term(o, indent + 1) for o in plain] + nested
            head = "a" if predicate == RDF_TYPE else self.iri(predicate.value)
            joined = ", ".join(objects)
            if "\n" in joined or len(pad) + len(head) + 1 + len(joined) <= self.width:
                lines.append(f"{head} {joined}")
            else:  # many short objects: one per line
                lines.append(f"{head}\n" + ",\n".join(f"{pad}    {o}" for o in objects))
        return lines

    def nested(self, node, indent: int) -> str:
        lines = self.predicate_objects(node, indent)
        pad = "    " * (indent + 1)
        return "[\n" + " ;\n".join(pad + line for line in lines) + "\n" + "    " * indent + "]"

    def block(self, subject, indent: int = 0) -> str:
        self.written.add(subject)
        pad = "    " * indent
        head = self.term(subject, indent) if not isinstance(subject, ox.BlankNode) else f"_:{subject.value}"
        lines = self.predicate_objects(subject, indent)
        return pad + head + " " + (" ;\n" + pad + "    ").join(lines) + " .\n"

    def graph_body(self, rows: list[tuple], indent: int) -> list[str]:
        self._index(rows)
        subjects = sorted(self.by_subject, key=_term_order)
        blocks: list[str] = []

        def write(subject) -> None:  # a block, then the blank nodes it left for blocks of their own
            blocks.append(self.block(subject, indent))
            while self.deferred:
                left = self.deferred.popleft()
                if left not in self.written:
                    blocks.append(self.block(left, indent))

        for subject in subjects:
            if subject not in self.inline:
                write(subject)
        for subject in subjects:  # blank nodes only reachable through a cycle of single references
            if subject not in self.written:
                write(subject)
        return blocks

    def write(self, rows: list[tuple], dataset: bool = False) -> str:
        """Sorted rows (canonical_quads) as Turtle, or TriG with `dataset`."""
        self.inline, self.empty = _inline_candidates(rows)
        sections: list[str] = []
        if dataset:
            graphs: dict = defaultdict(list)
            for row in rows:
                graphs[row[3]].append(row)
            for name in sorted(graphs, key=_graph_order):
                body = self.graph_body(graphs[name], 1)
                label = (
                    ""
                    if isinstance(name, ox.DefaultGraph)
                    else (f"_:{name.value} " if isinstance(name, ox.BlankNode) else self.iri(name.value) + " ")
                )
                sections.append(f"{label}{{\n" + "\n".join(body) + "}\n")
        else:
            sections = self.graph_body(rows, 0)
        header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes) if p in self.used)
        return header + ("\n" if header and sections else "") + "\n".join(sections)


# --- RDF/XML ------------------------------------------------------------------------------------

ITS = "http://www.w3.org/2005/11/its"  # RDF 1.2's RDF/XML writes a literal's base direction as its:dir
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/"
# A property element's name: namespace prefix and an XML name (ASCII here, which every XML parser reads).
_XML_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_XML_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# RDF/XML's own syntax names cannot be property elements (rdf:li would even be read as rdf:_1, rdf:_2...).
_RDFXML_SYNTAX = {
    RDF + name
    for name in (
        "RDF",
        "ID",
        "about",
        "parseType",
        "resource",
        "nodeID",
        "datatype",
        "Description",
        "li",
        "aboutEach",
        "aboutEachPrefix",
        "bagID",
        "version",
        "annotation",
        "annotationNodeID",
    )
}


class _XmlNames:
    """Property IRIs as XML names: the given prefixes where they fit, `ns1`, `ns2`... declared on the element
    itself otherwise (so the writer can stream)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        usable = {
            p: ns
            for p, ns in prefixes.items()
            if _XML_PREFIX.fullmatch(p)
            and not p.lower().startswith("xml")
            and p != "its"
            and ns not in (XML_NAMESPACE, XMLNS_NAMESPACE)
        }
        self.declared = {"rdf": RDF, **usable}
        self.by_length = sorted(self.declared.items(), key=lambda kv: -len(kv[1]))
        # the prefix declared on an element for a namespace without one: never one declared at the top,
        # which it would hide inside the element (a triple term's own property elements)
        self.local_prefix = next(
            p for p in (f"ns{'0' * n}" for n in range(len(self.declared) + 1)) if p not in self.declared
        )

    def element(self, iri: str) -> tuple[str, str]:
        """(element name, namespace declaration to put on it or "")."""
        if iri in _RDFXML_SYNTAX:
            raise UsageError(
                f"RDF/XML cannot write the predicate <{iri}>: it is a name of RDF/XML's own syntax; "
                "write turtle, nt, jsonld, trig or nquads"
            )
        for prefix, namespace in self.by_length:
            if iri.startswith(namespace) and _XML_LOCAL.match(iri, len(namespace)):
                return f"{prefix}:{iri[len(namespace) :]}", ""
        match = re.search(r"[A-Za-z_][A-Za-z0-9_.-]*\Z", iri)
        if match is None or iri[: match.start()] in (XML_NAMESPACE, XMLNS_NAMESPACE):
            raise UsageError(
                f"RDF/XML cannot write the predicate <{iri}>: RDF/XML writes a property as an XML name "
                "(a namespace and an ASCII local name), and this IRI does not end in one; write turtle, "
                "nt, jsonld, trig or nquads"
            )
        namespace = iri[: match.start()]
        return f"{self.local_prefix}:{match.group()}", f" xmlns:{self.local_prefix}={xmlwriter.attribute(namespace)}"


def rdfxml(triples: Iterable[tuple], prefixes: dict[str, str]) -> Iterator[bytes]:
    """RDF/XML, streamed: one rdf:Description per run of triples with the same subject (in order), every
    literal as element content with xml:lang or rdf:datatype; triple terms as rdf:parseType="Triple" and
    base directions as its:dir (RDF 1.2). A character XML 1.0 cannot hold is refused (xmlwriter.py).
    `triples` are tuples (subject, predicate, object, ...), rows included."""
    names = _XmlNames(prefixes)
    declarations = "".join(f"\n    xmlns:{p}={xmlwriter.attribute(ns)}" for p, ns in sorted(names.declared.items()))
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF{declarations}\n    xmlns:its={xmlwriter.attribute(ITS)}>\n'
    ).encode()
    subject = None
    lines: list[str] = []
    for triple in triples:
        if triple[0] != subject:
            if subject is not None:
                lines.append("  </rdf:Description>\n")
                yield "".join(lines).encode("utf-8")
                lines = []
            subject = triple[0]
            lines.append(f"  <rdf:Description {_node_attribute(subject)}>\n")
        _property_element(triple[1], triple[2], names, 2, lines)
    if subject is not None:
        lines.append("  </rdf:Description>\n")
    lines.append("</rdf:RDF>\n")
    yield "".join(lines).encode("utf-8")


def _node_attribute(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"rdf:nodeID={xmlwriter.attribute(term.value)}"
    return f"rdf:about={xmlwriter.attribute(term.value)}"


def _property_element(predicate: ox.NamedNode, obj, names: _XmlNames, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    tag, declaration = names.element(predicate.value)
    if isinstance(obj, ox.NamedNode):
        lines.append(f"{pad}<{tag}{declaration} rdf:resource={xmlwriter.attribute(obj.value)}/>\n")
    elif isinstance(obj, ox.BlankNode):
        lines.append(f"{pad}<{tag}{declaration} rdf:nodeID={xmlwriter.attribute(obj.value)}/>\n")
    elif isinstance(obj, ox.Literal):
        if obj.language:
            attributes = f" xml:lang={xmlwriter.attribute(obj.language)}"
            if obj.direction is not None:
                attributes += (
                    f' rdf:version="1.2-basic" its:version="2.0" its:dir={xmlwriter.attribute(obj.direction.value)}'
                )
        elif obj.datatype.value == XSD_STRING:
            attributes = ""
        else:
            attributes = f" rdf:datatype={xmlwriter.attribute(obj.datatype.value)}"
        lines.append(f"{pad}<{tag}{declaration}{attributes}>{xmlwriter.text(obj.value)}</{tag}>\n")
    else:  # a triple term (RDF 1.2)
        lines.append(f'{pad}<{tag}{declaration} rdf:version="1.2" rdf:parseType="Triple">\n')
        lines.append(f"{pad}  <rdf:Description {_node_attribute(obj.subject)}>\n")
        _property_element(obj.predicate, obj.object, names, depth + 2, lines)
        lines.append(f"{pad}  </rdf:Description>\n{pad}</{tag}>\n")


# --- JSON-LD ------------------------------------------------------------------------------------


def jsonld_context(prefixes: dict[str, str] | None = None) -> dict:
    """micgraph's JSON-LD @context: the predeclared prefixes (published as ontology/context.jsonld)."""
    return {"@context": dict(sorted((prefixes or PREFIXES).items()))}


# JSON-LD 1.1 expands `prefix:local` only where the prefix's IRI ends in one of these.
_GEN_DELIMS = tuple(":/?#[]@")


def _schemes(rows: list[tuple]) -> set[str]:
    """The schemes of the IRIs the document writes (a prefix of that name would turn `scheme:...` into
    another IRI)."""
    found: set[str] = set()

    def visit(term) -> None:
        if isinstance(term, ox.NamedNode):
            found.add(term.value.split(":", 1)[0])
        elif isinstance(term, ox.Literal):
            found.add(term.datatype.value.split(":", 1)[0])
        elif isinstance(term, ox.Triple):
            for inner in (term.subject, term.predicate, term.object):
                visit(inner)

    for row in rows:
        for term in row:
            visit(term)
    return found


def jsonld(rows: list[tuple], prefixes: dict[str, str]) -> str:
    """Compacted, flattened JSON-LD with the context inlined; named graphs become nested @graph objects.

    Every literal is a value object whose @value is its lexical form (a string: a JSON number or boolean
    would be read back in another lexical form), with @language or @type. A prefix named like the scheme of
    an IRI the document holds is left out of the context, so `scheme:...` keeps meaning that IRI."""
    schemes = _schemes(rows)
    context = {p: ns for p, ns in prefixes.items() if p not in schemes}
    writer = TurtleWriter({p: ns for p, ns in context.items() if ns.endswith(_GEN_DELIMS)})

    def key(iri: str) -> str:
        compacted = writer.name(iri)
        return compacted[1:-1] if compacted.startswith("<") else compacted

    def node_id(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else key(term.value)

    def value(term) -> dict:
        if isinstance(term, ox.Literal):
            out = {"@value": term.value}
            if term.language:
                out["@language"] = term.language
            elif term.datatype.value != XSD_STRING:
                out["@type"] = key(term.datatype.value)
            return out
        return {"@id": node_id(term)}

    def nodes(graph_rows: list[tuple]) -> list[dict]:
        by_subject: dict = {}
        for s, p, o, _ in graph_rows:
            node = by_subject.setdefault(s, {"@id": node_id(s)})
            if p == RDF_TYPE and not isinstance(o, ox.Literal):
                node.setdefault("@type", []).append(node_id(o))
            else:
                node.setdefault(key(p.value), []).append(value(o))
        return [by_subject[s] for s in sorted(by_subject, key=_term_order)]

    graphs: dict = defaultdict(list)
    for row in rows:
        graphs[row[3]].append(row)
    top = nodes(graphs.pop(ox.DefaultGraph(), []))
    for name in sorted(graphs, key=_graph_order):
        top.append({"@id": node_id(name), "@graph": nodes(graphs[name])})
    # One node object per line, written by json's C encoder (`indent` would make it use the Python one,
    # five times slower); the context indented, as in ontology/context.jsonld.
    header = json.dumps(jsonld_context(context), ensure_ascii=False, indent=2)[:-2]
    body = ",\n".join("    " + json.dumps(node, ensure_ascii=False) for node in top)
    return f'{header},\n  "@graph": [\n{body}\n  ]\n}}\n' if top else f'{header},\n  "@graph": []\n}}\n'


def write_dump(triples: Iterable[tuple], output: IO[bytes], syntax: formats.Format, prefixes: dict[str, str]) -> None:
    """Stream triples (tuples, in the store's order, not sorted) in a triple syntax: RDF/XML by micgraph's
    writer, the rest by pyoxigraph's; what the syntax cannot hold is refused in one line when it comes."""
    if not syntax.rdf12:
        triples = checked_rdf12(syntax, triples)
    if syntax.name == "xml":
        for chunk in rdfxml(triples, prefixes):
            output.write(chunk)
    else:
        ox.serialize(
            (ox.Triple(*t) for t in triples), output, syntax.rdf, prefixes=prefixes if syntax.name == "turtle" else None
        )
