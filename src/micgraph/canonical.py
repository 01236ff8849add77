"""Blank-node labels that depend only on the graph, so the same graph is written as the same bytes.

RDF canonicalisation (RDFC-1.0) gives such labels for any graph, but its cost grows steeply where blank
nodes look alike: pyoxigraph takes 11 s for a chain of 200 nested `[ ]` and minutes for 400, and a 3 MB
Turtle file of nested blank nodes never finishes. Nearly every blank node in practice is a tree node: the
object of at most one statement and on no cycle (Turtle's `[ ]` and `( )`, OWL restrictions and axiom
annotations, reified statements). Those get labels here in linear time, from a hash of what hangs below
them and of where they hang:

- `down(b)`, bottom-up: a hash of b's statements, each blank object replaced by its own `down`;
- `label(b)`, top-down: a hash of `down(b)` and of the statement that points at b (its graph, its
  predicate and its subject: an IRI, or the subject's own label), or "root" for a blank node nothing
  points at.

Two blank nodes with the same label have the same content in the same place, so exchanging them (and
what hangs below them) maps the graph onto itself; they are numbered in any order and the output is the
same. A graph with a blank node that is not a tree node (an object of two statements, on a cycle, or a
graph name) goes to RDFC-1.0, but only when its look-alike blank nodes are few enough for it to finish:
beyond `MAX_HARD_NODES` the graph is refused with a one-line error rather than left to run for hours.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from .errors import UsageError

# Blank nodes RDFC-1.0 must tell apart by their neighbourhood (their first-degree hashes collide). Its
# cost grows about as the cube of their number: a 64-node cycle takes under a second.
MAX_HARD_NODES = 64


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _plain(term) -> str:
    """A non-blank term as text (N-Triples form; the default graph as empty)."""
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The distinct quads, their blank nodes labelled from the graph alone (in no particular order)."""
    distinct = list(set(quads))
    pointing: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    below: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    blank_nodes: set[ox.BlankNode] = set()
    tree_shaped = True
    for q in distinct:
        subject, obj, graph = q.subject, q.object, q.graph_name
        if isinstance(obj, ox.BlankNode):
            pointing[obj].append(q)
            blank_nodes.add(obj)
        if isinstance(subject, ox.BlankNode):
            below[subject].append(q)
            blank_nodes.add(subject)
        if isinstance(graph, ox.BlankNode) or isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            tree_shaped = False  # a blank graph name, or triple terms: RDFC-1.0 knows what to do
    if not blank_nodes:
        return distinct
    order = _tree_order(blank_nodes, below, pointing) if tree_shaped else None
    if order is None:
        return list(_rdfc(ox.Dataset(distinct)))
    down: dict[ox.BlankNode, str] = {}
    for node in reversed(order):  # children first
        parts = sorted(f"{_plain(q.graph_name)} {q.predicate} "
                       f"{'_:' + down[q.object] if isinstance(q.object, ox.BlankNode) else q.object}"
                       for q in below[node])
        down[node] = _digest("down", *parts)
    labels: dict[ox.BlankNode, str] = {}
    count: dict[str, int] = defaultdict(int)
    final: dict[ox.BlankNode, ox.BlankNode] = {}
    for node in order:  # parents first
        if pointing[node]:
            (q,) = pointing[node]
            subject = labels[q.subject] if isinstance(q.subject, ox.BlankNode) else str(q.subject)
            digest = _digest("in", _plain(q.graph_name), subject, str(q.predicate), down[node])
        else:
            digest = _digest("root", down[node])
        # look-alikes (same content in the same place) are interchangeable: numbered in any order
        final[node] = ox.BlankNode(f"b{digest[:24]}{count[digest] or ''}")
        count[digest] += 1
        labels[node] = final[node].value  # children hash their parent's numbered label
    return [ox.Quad(final.get(q.subject, q.subject), q.predicate, final.get(q.object, q.object), q.graph_name)
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) else q for q in distinct]


def _tree_order(nodes: set, below: dict, pointing: dict) -> list | None:
    """The blank nodes parents-first if each is the object of at most one statement and none is on a
    cycle; None otherwise."""
    if any(len(pointing[n]) > 1 for n in nodes):
        return None
    roots = sorted((n for n in nodes if not pointing[n] or not isinstance(pointing[n][0].subject, ox.BlankNode)),
                   key=lambda n: n.value)
    order: list = []
    stack = list(roots)
    seen: set = set()
    while stack:
        node = stack.pop()
        if node in seen:
            return None
        seen.add(node)
        order.append(node)
        stack.extend(q.object for q in below[node] if isinstance(q.object, ox.BlankNode))
    return order if len(seen) == len(nodes) else None  # the rest hang on a cycle


def _rdfc(dataset: ox.Dataset) -> ox.Dataset:
    hard = _look_alikes(dataset)
    if hard > MAX_HARD_NODES:
        raise UsageError(f"the graph has {hard} blank nodes that only their neighbours tell apart and that are "
                         "shared or on cycles; canonical labels for them would take too long (micgraph "
                         f"canonicalises at most {MAX_HARD_NODES}): give them IRIs, or export N-Quads with "
                         "`micgraph dump`, which keeps the labels as they are")
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _look_alikes(dataset: ox.Dataset) -> int:
    """How many blank nodes share their first-degree hash (RDFC-1.0 §4.6) with another."""
    mentions: dict[ox.BlankNode, list[str]] = defaultdict(list)
    for q in dataset:
        terms = (q.subject, q.predicate, q.object, q.graph_name)
        for node in {t for t in terms if isinstance(t, ox.BlankNode)}:
            mentions[node].append(" ".join(("_:a" if t == node else "_:z") if isinstance(t, ox.BlankNode)
                                           else _plain(t) for t in terms))
    hashes: dict[str, int] = defaultdict(int)
    for lines in mentions.values():
        hashes[_digest(*sorted(lines))] += 1
    return sum(n for n in hashes.values() if n > 1)
