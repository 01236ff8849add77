"""Deterministic RDF serialisations: the same graph gives byte-identical output, so git diffs mean something.

Blank nodes are relabelled from the graph alone first (canonical.py: linear for tree-shaped blank nodes,
RDFC-1.0 for the rest); then subjects, predicates and
objects are sorted. Turtle and TriG are written here (readable: prefixes, `a`, nested `[ ]` and `( )`);
N-Triples, N-Quads and RDF/XML come from pyoxigraph over the sorted quads; JSON-LD is written here in
compacted form with micgraph's @context inlined, so it parses offline.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import PREFIXES, RDF, XSD, XSD_STRING
from .. import formats
from .. import canonical

RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST = ox.NamedNode(RDF + "first")
RDF_REST = ox.NamedNode(RDF + "rest")
RDF_NIL = ox.NamedNode(RDF + "nil")

def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads with blank nodes labelled from the graph alone (canonical.py), sorted (graph, subject,
    predicate, object)."""
    return sorted(canonical.canonical_quads(quads), key=lambda q: (_graph_key(q.graph_name), _term_key(q.subject),
                                                           _term_key(q.predicate), _term_key(q.object)))


def _graph_key(graph) -> tuple:
    return (0, "") if isinstance(graph, ox.DefaultGraph) else (1, *_term_key(graph))


def _term_key(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Literal):
        return (2, term.value, term.datatype.value, term.language or "")
    return (3, str(term), "", "")


def serialize(quads: Iterable[ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """`quads` in `fmt`, an RDF format of the registry; triple formats merge all graphs into one."""
    prefixes = PREFIXES if prefixes is None else prefixes
    syntax = formats.get(fmt, formats.RDF, writable=True)
    quads = canonical_quads(quads if syntax.dataset else _merge_graphs(quads))
    if syntax.name in ("turtle", "trig"):
        return TurtleWriter(prefixes).write(quads, dataset=syntax.dataset).encode("utf-8")
    if syntax.name == "jsonld":
        return jsonld(quads, prefixes).encode("utf-8")
    items = quads if syntax.dataset else [q.triple for q in quads]
    return ox.serialize(items, format=syntax.rdf,
                        prefixes=_used_prefixes(quads, prefixes) if syntax.name == "xml" else None)


def serialize_triples(triples: Iterable[ox.Triple], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    return serialize((ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples), fmt, prefixes)


def _merge_graphs(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    return {ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads}


def _used_prefixes(quads: list[ox.Quad], prefixes: dict[str, str]) -> dict[str, str]:
    namespaces = {q.predicate.value for q in quads}
    return {p: ns for p, ns in prefixes.items() if any(n.startswith(ns) for n in namespaces)}


# --- Turtle and TriG ----------------------------------------------------------------------------

_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[\w.-]*[\w-])?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.?\d+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def quote_string(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# Blank nodes nested inside one another deeper than this are written by label instead of inline: deep
# nesting makes every reader (and this writer) recurse.
MAX_NESTING = 32


class TurtleWriter:
    """Writes sorted quads as Turtle (or TriG): one block per subject, `a` first, then predicates by name."""

    width = 100

    def __init__(self, prefixes: dict[str, str]) -> None:
        # Longest namespace first, so `micr:` wins over a shorter namespace that is its prefix.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()

    # terms
    def _split(self, value: str) -> tuple[str, str] | None:
        for prefix, namespace in self.prefixes:
            if value.startswith(namespace):
                local = value[len(namespace):]
                if local == "" or _PN_LOCAL.fullmatch(local):
                    return prefix, local
        return None

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
        value, datatype = term.value, term.datatype.value
        if term.language:
            return f"{quote_string(value)}@{term.language}"
        if datatype == XSD_STRING:
            return quote_string(value)
        if datatype == XSD + "integer" and _INTEGER.fullmatch(value):
            return value
        if datatype == XSD + "decimal" and _DECIMAL.fullmatch(value):
            return value if "." in value else value + ".0"
        if datatype == XSD + "boolean" and value in ("true", "false"):
            return value
        return f"{quote_string(value)}^^{self.iri(datatype)}"

    def term(self, term, indent: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.BlankNode):
            if term in self.written:  # a cycle of blank nodes: refer back by label
                return f"_:{term.value}"
            if indent >= MAX_NESTING and term not in self.written:  # a block of its own: readers recurse too
                self.deferred.append(term)
                return f"_:{term.value}"
            if term in self.lists:
                return self.collection(term, indent)
            if term in self.inline:
                self.written.add(term)
                return self.nested(term, indent)
            return f"_:{term.value}"
        return str(term)  # RDF-star quoted triple

    # structure
    def _index(self, quads: list[ox.Quad]) -> None:
        self.by_subject: dict = defaultdict(list)
        references: Counter = Counter()
        for q in quads:
            self.by_subject[q.subject].append((q.predicate, q.object))
            if isinstance(q.object, ox.BlankNode):
                references[q.object] += 1
        self.inline = {s for s in self.by_subject if isinstance(s, ox.BlankNode) and references[s] == 1}
        self.lists = {s for s in self.inline if self._list_items(s) is not None}
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

    def collection(self, node, indent: int) -> str:
        self.written.add(node)
        items = self._list_items(node)
        rest = node
        while rest != RDF_NIL:  # mark every cell written
            self.written.add(rest)
            rest = next(o for p, o in self.by_subject[rest] if p == RDF_REST)
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

    def graph_body(self, quads: list[ox.Quad], indent: int) -> list[str]:
        self._index(quads)
        subjects = sorted(self.by_subject, key=_term_key)
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

    def write(self, quads: list[ox.Quad], dataset: bool = False) -> str:
        sections: list[str] = []
        if dataset:
            graphs: dict = defaultdict(list)
            for q in quads:
                graphs[q.graph_name].append(q)
            for name in sorted(graphs, key=_graph_key):
                body = self.graph_body(graphs[name], 1)
                label = "" if isinstance(name, ox.DefaultGraph) else self.term(name, 0) + " "
                sections.append(f"{label}{{\n" + "\n".join(body) + "}\n")
        else:
            sections = self.graph_body(quads, 0)
        header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes) if p in self.used)
        return header + ("\n" if header and sections else "") + "\n".join(sections)


# --- JSON-LD ------------------------------------------------------------------------------------

def jsonld_context(prefixes: dict[str, str] | None = None) -> dict:
    """micgraph's JSON-LD @context: the predeclared prefixes (published as ontology/context.jsonld)."""
    return {"@context": dict(sorted((prefixes or PREFIXES).items()))}


def jsonld(quads: list[ox.Quad], prefixes: dict[str, str]) -> str:
    """Compacted, flattened JSON-LD with the context inlined; named graphs become nested @graph objects."""
    writer = TurtleWriter(prefixes)

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

    def nodes(graph_quads: list[ox.Quad]) -> list[dict]:
        by_subject: dict = {}
        for q in graph_quads:
            node = by_subject.setdefault(q.subject, {"@id": node_id(q.subject)})
            if q.predicate == RDF_TYPE and not isinstance(q.object, ox.Literal):
                node.setdefault("@type", []).append(node_id(q.object))
            else:
                node.setdefault(key(q.predicate.value), []).append(value(q.object))
        return [by_subject[s] for s in sorted(by_subject, key=_term_key)]

    graphs: dict = defaultdict(list)
    for q in quads:
        graphs[q.graph_name].append(q)
    top = nodes(graphs.pop(ox.DefaultGraph(), []))
    for name in sorted(graphs, key=_graph_key):
        top.append({"@id": node_id(name), "@graph": nodes(graphs[name])})
    document = {"@context": jsonld_context({p: ns for p, ns in prefixes.items()})["@context"], "@graph": top}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
