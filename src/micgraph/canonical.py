"""Blank-node labels that depend only on the graph, so the same graph is written as the same bytes.

RDF canonicalisation (RDFC-1.0) gives such labels for any graph, but its cost grows steeply where blank
nodes look alike: pyoxigraph's implementation takes 11 s for a chain of 200 nested `[ ]`, minutes for a
6x6 torus of blank nodes or a clique of 9, and never finishes a 3 MB Turtle file of nested blank nodes.
So the work is split in two.

Tree nodes, nearly every blank node in practice (Turtle's `[ ]` and `( )`, OWL restrictions and axiom
annotations, reified statements), get labels in linear time from a hash of what hangs below them and of
where they hang. A tree node is the object of at most one statement, on no cycle, not a graph name, not
inside a triple term, not in a graph named by a blank node, and everything below it is a tree node too:

- `down(b)`, bottom-up: a hash of b's statements, each blank object replaced by its own `down`;
- `label(b)`, top-down: a hash of `down(b)` and of the statement that points at b (its graph, its
  predicate and its subject: an IRI, or the subject's own label), or "root" for a blank node nothing
  points at.

Two tree nodes with the same label have the same content in the same place, so exchanging them (and what
hangs below them) maps the graph onto itself; they are numbered in any order and the output is the same.

The other blank nodes (shared, on cycles, graph names, in triple terms: the "core") are labelled by
RDFC-1.0 (https://www.w3.org/TR/rdf-canon/, implemented here and checked against the W3C test suite),
with each tree hanging from the core seen as a constant named by its `down` hash. RDFC-1.0 can need time
exponential in the number of look-alike blank nodes (the W3C suite's "poison" graphs), so its work is
counted, and a graph that needs more than `MAX_RDFC_STEPS` is refused with a one-line error instead of
running for hours, as the recommendation advises.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import permutations

import pyoxigraph as ox

from .errors import UsageError

# The work RDFC-1.0 may do: Hash N-Degree Quads calls plus the permutations they try, and how deep the
# calls may nest (each follows a path of look-alike blank nodes). The W3C suite's hardest positive test
# takes 3,300 steps, a cycle of 64 look-alike blank nodes 12,300 (40,600 with edges both ways), a clique
# of 6 41,000; its poison graph (a clique of 10) would take millions. At 20-60 µs a step, a refusal
# comes within a few seconds.
MAX_RDFC_STEPS = 50_000
MAX_RDFC_DEPTH = 500


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def blank_nodes_in(term) -> Iterator[ox.BlankNode]:
    """The blank nodes a term is or holds (a triple term holds its subject's and object's)."""
    if isinstance(term, ox.BlankNode):
        yield term
    elif isinstance(term, ox.Triple):
        yield from blank_nodes_in(term.subject)
        yield from blank_nodes_in(term.object)


def relabel(term, labels: dict):
    """`term` with its blank nodes (also inside triple terms) replaced as `labels` says."""
    if isinstance(term, ox.BlankNode):
        return labels.get(term, term)
    if isinstance(term, ox.Triple):
        return ox.Triple(relabel(term.subject, labels), term.predicate, relabel(term.object, labels))
    return term


# A quad as a tuple (subject, predicate, object, graph name) of pyoxigraph terms: building an ox.Quad costs
# pyoxigraph 15-30 µs (more than everything else done to it here), reading its fields 1-2 µs each.
Row = tuple


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The distinct quads, their blank nodes labelled from the graph alone (in no particular order)."""
    return [
        ox.Quad(s, p, o) if isinstance(g, ox.DefaultGraph) else ox.Quad(s, p, o, g)
        for s, p, o, g in canonical_rows(quads)
    ]


def canonical_rows(quads: Iterable[ox.Quad], *, merge_graphs: bool = False) -> list[Row]:
    """The distinct quads as rows, their blank nodes labelled from the graph alone (in no particular
    order); with `merge_graphs`, every quad in the default graph (what a triple syntax holds)."""
    rows: list[Row]
    if merge_graphs:
        default = ox.DefaultGraph()
        rows = list({(q.subject, q.predicate, q.object, default) for q in quads})
    else:
        rows = list({(q.subject, q.predicate, q.object, q.graph_name) for q in quads})
    pointing: dict = defaultdict(list)  # blank node -> the rows whose object it is
    below: dict = defaultdict(list)  # blank node -> the rows whose subject it is
    core: set = set()
    blank: set = set()
    for row in rows:
        s, _, o, g = row
        if isinstance(o, ox.BlankNode):
            pointing[o].append(row)
            blank.add(o)
        elif isinstance(o, ox.Triple):
            inside = set(blank_nodes_in(o))
            blank |= inside
            core |= inside
            if inside and isinstance(s, ox.BlankNode):
                core.add(s)  # its `down` would hold the labels of the blank nodes quoted
        if isinstance(s, ox.BlankNode):
            below[s].append(row)
            blank.add(s)
        if isinstance(g, ox.BlankNode):
            blank.add(g)
            core.add(g)
            core.update(t for t in (s, o) if isinstance(t, ox.BlankNode))
    if not blank:
        return rows
    core.update(b for b, pointers in pointing.items() if len(pointers) > 1)
    parent = {
        b: pointers[0][0]
        for b, pointers in pointing.items()
        if len(pointers) == 1 and isinstance(pointers[0][0], ox.BlankNode)
    }
    core |= _on_cycles(blank - core, parent)
    _close_upwards(core, pointing)
    order, down = _down_hashes(blank - core, below, parent)
    labels: dict = {}
    if core:
        core_rows = [row for row in rows if any(b in core for b in _blank_nodes_of(row))]
        labels.update(rdfc10(core_rows, {b: f"_:t{down[b]}" for b in down}))
    _label_trees(order, down, pointing, labels)
    return [_relabelled(row, labels) for row in rows]


def _relabelled(row: Row, labels: dict) -> Row:
    s, p, o, g = row
    if isinstance(s, ox.BlankNode):
        s = labels[s]
    if isinstance(o, ox.BlankNode):
        o = labels[o]
    elif isinstance(o, ox.Triple):
        o = relabel(o, labels)
    if isinstance(g, ox.BlankNode):
        g = labels[g]
    return (s, p, o, g)


def _blank_nodes_of(row: Row) -> Iterator[ox.BlankNode]:
    yield from blank_nodes_in(row[0])
    yield from blank_nodes_in(row[2])
    yield from blank_nodes_in(row[3])


def _on_cycles(candidates: set, parent: dict) -> set:
    """The candidates on a cycle of statements (each has at most one parent, so each walk up is a path
    that ends at a node without a blank parent or runs into a cycle)."""
    state: dict = {}  # node -> the number of the walk that reached it, -1 once settled
    cyclic: set = set()
    for walk, start in enumerate(candidates):
        path: list = []
        node = start
        while node is not None and node in candidates and node not in state:
            state[node] = walk
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == walk:  # came back to this walk's path: a cycle
            cyclic.update(path[path.index(node) :])
        for visited in path:
            state[visited] = -1
    return cyclic


def _close_upwards(core: set, pointing: dict) -> None:
    """Add to `core` every blank node with a core node below it (its `down` would depend on a core label)."""
    frontier = list(core)
    while frontier:
        node = frontier.pop()
        for row in pointing.get(node, ()):
            if isinstance(row[0], ox.BlankNode) and row[0] not in core:
                core.add(row[0])
                frontier.append(row[0])


def _down_hashes(trees: set, below: dict, parent: dict) -> tuple[list, dict]:
    """The tree nodes parents first, and the `down` of each, computed children first (iteratively:
    chains may be 10,000 deep). The hot loop of a graph of nested blank nodes: written for speed."""
    order = [b for b in trees if parent.get(b) not in trees]  # the tops; then each node's children
    for node in order:
        order.extend(row[2] for row in below.get(node, ()) if isinstance(row[2], ox.BlankNode))
    down: dict = {}
    text = _TermText()
    blank, sha256 = ox.BlankNode, hashlib.sha256
    for node in reversed(order):
        parts = [
            f"{text(g)} {text(p)} {'_:' + down[o] if isinstance(o, blank) else text(o)}"
            for _, p, o, g in below.get(node, ())
        ]
        parts.sort()
        down[node] = sha256("\x1f".join(["down", *parts]).encode()).hexdigest()
    return order, down


def _label_trees(order: list, down: dict, pointing: dict, labels: dict) -> None:
    """Label the tree nodes in `order` (parents first), each from its `down` and its place (`labels` holds
    the core's)."""
    numbered: dict[str, int] = defaultdict(int)
    text = _TermText()
    blank, sha256 = ox.BlankNode, hashlib.sha256
    for node in order:
        pointers = pointing.get(node)
        if pointers:
            s, p, _, g = pointers[0]
            subject = labels[s].value if isinstance(s, blank) else text(s)
            digest = sha256("\x1f".join(("in", text(g), subject, text(p), down[node])).encode()).hexdigest()
        else:
            digest = sha256(f"root\x1f{down[node]}".encode()).hexdigest()
        # look-alikes (same content in the same place) are interchangeable: numbered in any order. The
        # count is kept per label prefix, so two digests sharing their first 96 bits still get two labels.
        prefix = f"b{digest[:24]}"
        labels[node] = blank(f"{prefix}{numbered[prefix] or ''}")
        numbered[prefix] += 1


class _TermText(dict):
    """Non-blank terms as N-Triples text (the default graph as ""), each printed once: predicates and
    graph names come back on every row."""

    def __call__(self, term) -> str:
        try:
            return self[term]
        except KeyError:
            self[term] = _plain(term)
            return self[term]


def _plain(term) -> str:
    """A non-blank term as text (N-Triples form; the default graph as empty)."""
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


# --- RDFC-1.0 -----------------------------------------------------------------------------------


class _Issuer:
    """An identifier issuer (RDFC-1.0 §4.5): prefix + counter, remembering the order of issue."""

    def __init__(self, prefix: str, issued: dict | None = None) -> None:
        self.prefix = prefix
        self.issued: dict = dict(issued) if issued else {}

    def issue(self, node) -> str:
        if node not in self.issued:
            self.issued[node] = f"{self.prefix}{len(self.issued)}"
        return self.issued[node]

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.issued)


class _Rdfc:
    """One run of RDFC-1.0 over `quads`; blank nodes in `constants` are not relabelled but written as the
    text given (the trees hanging from the core)."""

    def __init__(self, rows: list[Row], constants: dict[ox.BlankNode, str], max_steps: int) -> None:
        self.constants = constants
        self.max_steps = max_steps
        self.steps = 0
        self.quads_of: dict[ox.BlankNode, list[Row]] = defaultdict(list)
        for row in rows:
            for node in set(_blank_nodes_of(row)):
                if node not in constants:
                    self.quads_of[node].append(row)
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[ox.BlankNode, str] = {}

    def run(self) -> dict[ox.BlankNode, ox.BlankNode]:
        by_hash: dict[str, list] = defaultdict(list)
        for node in self.quads_of:
            self.first_degree[node] = self.hash_first_degree(node)
            by_hash[self.first_degree[node]].append(node)
        shared = []
        for digest in sorted(by_hash):
            if len(by_hash[digest]) == 1:
                self.canonical.issue(by_hash[digest][0])
            else:
                shared.append(digest)
        for digest in shared:
            results = []
            for node in by_hash[digest]:
                if node in self.canonical.issued:
                    continue
                issuer = _Issuer("b")
                issuer.issue(node)
                results.append(self.hash_n_degree(node, issuer))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for node in issuer.issued:
                    self.canonical.issue(node)
        return {node: ox.BlankNode(label) for node, label in self.canonical.issued.items()}

    def term(self, term, reference, other: str) -> str:
        if isinstance(term, ox.BlankNode):
            return self.constants.get(term) or ("_:a" if term == reference else other)
        if isinstance(term, ox.Triple):
            return (
                f"<<( {self.term(term.subject, reference, other)} {term.predicate} "
                f"{self.term(term.object, reference, other)} )>>"
            )
        return str(term)

    def nquad(self, row: Row, reference) -> str:
        s, p, o, g = row
        graph = "" if isinstance(g, ox.DefaultGraph) else " " + self.term(g, reference, "_:z")
        return f"{self.term(s, reference, '_:z')} {p} {self.term(o, reference, '_:z')}{graph} .\n"

    def hash_first_degree(self, node) -> str:
        return _sha256("".join(sorted(self.nquad(q, node) for q in self.quads_of[node])))

    def hash_related(self, related, row: Row, issuer: _Issuer, position: str) -> str:
        text = position if position == "g" else f"{position}{row[1]}"
        if related in self.canonical.issued:
            text += "_:" + self.canonical.issued[related]
        elif related in issuer.issued:
            text += "_:" + issuer.issued[related]
        else:
            text += self.first_degree[related]
        return _sha256(text)

    def count(self, depth: int = 0) -> None:
        self.steps += 1
        if self.steps > self.max_steps or depth > MAX_RDFC_DEPTH:
            raise UsageError(
                "the graph has blank nodes so alike that labelling them canonically (RDFC-1.0) would take too "
                f"long (beyond {self.max_steps:,} steps or paths of {MAX_RDFC_DEPTH} look-alike blank nodes); "
                "give some of them IRIs, or load the file into a store and write it with `micgraph dump`, "
                "which keeps the store's labels"
            )

    def hash_n_degree(self, node, issuer: _Issuer, depth: int = 0) -> tuple[str, _Issuer]:
        self.count(depth)
        related_by_hash: dict[str, list] = defaultdict(list)
        for row in self.quads_of[node]:
            for position, term in (("s", row[0]), ("o", row[2]), ("g", row[3])):
                for related in blank_nodes_in(term):
                    if related != node and related not in self.constants:
                        related_by_hash[self.hash_related(related, row, issuer, position)].append(related)
        data = ""
        for related_hash in sorted(related_by_hash):
            data += related_hash
            chosen_path, chosen_issuer = "", None
            for permutation in permutations(related_by_hash[related_hash]):
                self.count()
                issuer_copy, path, recursion = issuer.copy(), "", []
                for related in permutation:
                    if related in self.canonical.issued:
                        path += "_:" + self.canonical.issued[related]
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += "_:" + issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        break
                else:
                    for related in recursion:
                        result, issuer_copy = self.hash_n_degree(related, issuer_copy, depth + 1)
                        path += "_:" + issuer_copy.issue(related) + "<" + result + ">"
                        if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                            break
                    else:
                        if not chosen_path or path < chosen_path:
                            chosen_path, chosen_issuer = path, issuer_copy
            data += chosen_path
            issuer = chosen_issuer if chosen_issuer is not None else issuer  # the first permutation always is
        return _sha256(data), issuer


def rdfc10(
    quads: Iterable, constants: dict[ox.BlankNode, str] | None = None, *, max_steps: int = MAX_RDFC_STEPS
) -> dict[ox.BlankNode, ox.BlankNode]:
    """RDFC-1.0's issued identifiers map (blank node -> canonical blank node) for the blank nodes of
    `quads` (ox.Quad or rows), blank nodes inside triple terms included; those in `constants` are left
    out and hashed as the text given. Raises UsageError beyond `max_steps` of Hash N-Degree Quads work."""
    rows = {q if isinstance(q, tuple) else (q.subject, q.predicate, q.object, q.graph_name) for q in quads}
    return _Rdfc(list(rows), constants or {}, max_steps).run()
