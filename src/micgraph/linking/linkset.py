"""What link discovery writes: a Turtle linkset of the accepted links, a CSV of the candidates for review,
and the links a person accepted in that CSV.

The linkset follows the pattern `micgraph links --check` checks (data/links/): a `void:Linkset` counting its
links (void:triples) and, for each link, an `owl:Axiom` annotation repeating it (owl:annotatedSource,
owl:annotatedProperty, owl:annotatedTarget) with its `mic:linkScore`, the evidence as rdfs:comment and the
target resource's own record as dcterms:source. The bytes depend only on the links: same input, same file
(no creation time, no blank node labels, links sorted).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .. import namespaces
from ..errors import InputNotFoundError, ParseError, UsageError
from ..links import target_of
from .discover import SAME_AS, Candidate, Discovery

# The void:uriSpace of the datasets `micgraph links` knows (links.TARGETS), as their identifier IRIs begin.
URI_SPACES = {
    "wikidata": "http://www.wikidata.org/entity/",
    "dbpedia": "http://dbpedia.org/resource/",
    "geonames": "https://sws.geonames.org/",
    "ror": "https://ror.org/",
}
_PREFIXES = {name: namespaces.PREFIXES[name] for name in ("dcterms", "mic", "micr", "owl", "rdfs", "void", "xsd")}
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
REVIEW_COLUMNS = ("source", "source_label", "target", "target_label", "score", "evidence", "predicate", "decision")
YES = frozenset({"yes", "y", "accept", "accepted", "true", "1", "x"})
NO = frozenset({"", "no", "n", "reject", "rejected", "false", "0", "skip"})
MAX_REVIEW_BYTES = 64 * 1024 * 1024
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _iri(iri: str) -> str:
    for prefix, namespace in _PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return str(ox.NamedNode(iri))


def _text(value: str, language: str | None = "en") -> str:
    return str(ox.Literal(value, language=language) if language else ox.Literal(value))


def uri_space(targets: Iterable[str]) -> str | None:
    """The namespace of the linked IRIs: a known dataset's (GeoNames, Wikidata ...), else their longest common
    prefix ending in / or # (before the last segment, for a single IRI)."""
    targets = sorted(set(targets))
    if not targets:
        return None
    names = {target_of(t) for t in targets}
    known = names.pop() if len(names) == 1 else None
    if known in URI_SPACES:
        return URI_SPACES[known]
    common = os.path.commonprefix(targets)  # noqa: RUF071 - a common string prefix of IRIs is meant
    if len(targets) == 1:
        common = common.rstrip("/#")
    cut = max(common.rfind("/"), common.rfind("#"))
    return common[: cut + 1] if cut >= len("http://") else None


def linkset_turtle(
    links: list[Candidate], predicate: str, *, title: str, description: str, endpoint: str | None = None
) -> bytes:
    """The accepted links as Turtle: a header, the void:Linkset, then each link with its axiom."""
    links = sorted(links, key=lambda c: (c.source, c.target))
    lines = [
        f"# {line}"
        for line in (
            "Links found by `micgraph links discover` (docs/linking.md explains the method and the score).",
            f"{len(links)} link{'' if len(links) == 1 else 's'}; each carries its score and evidence in an owl:Axiom.",
            "Check them with `micgraph links --check --data THIS_FILE`.",
        )
    ]
    lines.append("")
    lines += [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in _PREFIXES.items()]
    target_dataset = [f"dcterms:title {_text(title, None)}"]
    space = uri_space(c.target for c in links)
    if space:
        target_dataset.append(f"void:uriSpace {_text(space, None)}")
    if endpoint:
        target_dataset.append(f"void:sparqlEndpoint {_iri(endpoint)}")
    lines += [
        "",
        "# --- the linkset ---",
        "",
        "[] a void:Linkset ;",
        f"    dcterms:title {_text('micgraph to ' + title + ': ' + namespaces.compact(predicate))} ;",
        f"    dcterms:description {_text(description)} ;",
        f"    void:subjectsTarget {_iri(namespaces.DATASET_IRI)} ;",
        f"    void:objectsTarget [ {' ; '.join(target_dataset)} ] ;",
        f"    void:linkPredicate {_iri(predicate)} ;",
        f"    void:triples {len(links)} .",
        "",
        "# --- the links ---",
    ]
    for link in links:
        source, target, prop = _iri(link.source), _iri(link.target), _iri(predicate)
        lines += [
            "",
            f"{source} {prop} {target} .",
            "[] a owl:Axiom ;",
            f"    owl:annotatedSource {source} ; owl:annotatedProperty {prop} ; owl:annotatedTarget {target} ;",
            f'    mic:linkScore "{link.score:.3f}"^^xsd:decimal ;',
            f"    dcterms:source {target} ;",
            f"    rdfs:comment {_text(link.evidence)} .",
        ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def discovery_turtle(discovery: Discovery) -> bytes:
    classes = ", ".join(namespaces.compact(c) for c in discovery.classes)
    name = discovery.target if re.match(r"https?://", discovery.target, re.IGNORECASE) else Path(discovery.target).name
    description = (
        f"Links from the resources of {classes} to {name}, discovered by label similarity with "
        f"country, region, locality and coordinates as evidence; accepted at a score of "
        f"{discovery.accept:g} or more with no other candidate within {discovery.margin:g}."
    )
    endpoint = discovery.target if re.match(r"https?://", discovery.target, re.IGNORECASE) else None
    return linkset_turtle(
        discovery.accepted, discovery.predicate, title=name, description=description, endpoint=endpoint
    )


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a label may start with =)."""
    return "'" + text if text.startswith(_FORMULA) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def review_csv(discovery: Discovery) -> bytes:
    """The candidates for review, one a row, with an empty `decision` column for a person to fill in."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    for c in discovery.review:
        writer.writerow(
            [
                c.source,
                _cell(c.source_label),
                c.target,
                _cell(c.target_label),
                f"{c.score:.3f}",
                _cell(c.evidence),
                discovery.predicate,
                "",
            ]
        )
    return out.getvalue().encode("utf-8")


def read_review(path: str | Path) -> tuple[list[Candidate], str]:
    """The rows a person accepted (decision yes/accept) in a review CSV, and their link predicate.

    A malformed sheet is a ParseError naming the line: a missing column, a row of the wrong length, an
    unknown decision, a bad IRI or score, or two accepted rows that would link one resource twice."""
    name = str(path)
    reader = csv.reader(io.StringIO(_review_text(path), newline=""))
    line = 1
    try:
        header = [h.strip().lower() for h in next(reader, None) or []]
        if not header:
            raise ParseError(name, "empty: a review sheet starts with its header row", 1)
        missing = [c for c in ("source", "target", "score", "decision") if c not in header]
        if missing:
            raise ParseError(
                name, f"the header has no {', '.join(missing)} column (expected {','.join(REVIEW_COLUMNS)})", 1
            )
        column = {h: i for i, h in reversed(list(enumerate(header)))}
        accepted: list[tuple[int, Candidate, str]] = []
        line = reader.line_num + 1
        for row in reader:
            here, line = line, reader.line_num + 1
            if not row:
                continue
            if len(row) != len(header):
                raise ParseError(name, f"{len(row)} fields where the header has {len(header)}", here)
            cells = {h: row[i] for h, i in column.items()}
            decision = cells["decision"].strip().lower()
            if decision not in YES | NO:
                raise ParseError(
                    name, f"decision {cells['decision']!r} is neither yes/accept nor no/reject (or empty)", here
                )
            if decision in YES:
                accepted.append((here, *_accepted_row(cells, name, here)))
    except csv.Error as exc:
        raise ParseError(name, f"not a CSV file: {exc}", line) from exc
    _check_one_to_one(accepted, name)
    predicates = {predicate: here for here, _, predicate in reversed(accepted)}
    if len(predicates) > 1:
        first, *others = sorted(predicates.items(), key=lambda item: item[1])
        raise ParseError(name, f"predicate {others[0][0]} differs from line {first[1]}'s", others[0][1])
    links = sorted((c for _, c, _ in accepted), key=lambda c: (c.source, c.target))
    return links, next(iter(predicates), SAME_AS)


def _review_text(path: str | Path) -> str:
    name, p = str(path), Path(path)
    if not p.is_file():
        raise InputNotFoundError(name, "is a directory, not a CSV file" if p.is_dir() else "no such file")
    if p.stat().st_size > MAX_REVIEW_BYTES:
        raise ParseError(name, f"larger than {MAX_REVIEW_BYTES // (1024 * 1024)} MB: not a review sheet")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if "\0" in text:
        raise ParseError(name, "contains NUL bytes: not a CSV file")
    return text


def _accepted_row(cells: dict[str, str], name: str, line: int) -> tuple[Candidate, str]:
    source, target = (_checked_iri(cells[c], c, name, line) for c in ("source", "target"))
    predicate = (
        _checked_iri(cells["predicate"], "predicate", name, line) if cells.get("predicate", "").strip() else SAME_AS
    )
    try:
        value = float(cells["score"])
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise ParseError(name, f"score {cells['score']!r} is not a number between 0 and 1", line)
    evidence = "; ".join(filter(None, (_uncell(cells.get("evidence", "")), "accepted in review")))
    return Candidate(
        source,
        target,
        round(value, 3),
        _uncell(cells.get("source_label", "")),
        _uncell(cells.get("target_label", "")),
        evidence,
    ), predicate


def _check_one_to_one(accepted: list[tuple[int, Candidate, str]], name: str) -> None:
    for what in ("source", "target"):
        seen: dict[str, int] = {}
        for here, candidate, _ in accepted:
            key = getattr(candidate, what)
            if key in seen:
                raise ParseError(name, f"accepts a second link for the {what} {key} (first on line {seen[key]})", here)
            seen[key] = here


def _checked_iri(text: str, column: str, name: str, line: int) -> str:
    value = text.strip()
    try:
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
            raise ValueError("not an absolute IRI")
        ox.NamedNode(value)
    except ValueError as exc:
        raise ParseError(name, f"the {column} {text!r} is not an IRI ({exc})", line) from None
    return value


_LINKSET = """
SELECT ?predicate ?title ?description ?endpoint WHERE {
  ?linkset a void:Linkset ; void:linkPredicate ?predicate ; void:objectsTarget ?target .
  ?target dcterms:title ?title .
  OPTIONAL { ?linkset dcterms:description ?description }
  OPTIONAL { ?target void:sparqlEndpoint ?endpoint }
}"""
_LINKS = """
SELECT ?s ?o ?score ?evidence WHERE {
  VALUES ?predicate { PREDICATE }
  ?s ?predicate ?o .
  ?axiom a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?predicate ; owl:annotatedTarget ?o ;
         mic:linkScore ?score .
  OPTIONAL { ?axiom rdfs:comment ?evidence }
}"""


def _solutions(result) -> ox.QuerySolutions:
    assert isinstance(result, ox.QuerySolutions)  # a SELECT query's result
    return result


def read_linkset(path: str | Path) -> tuple[list[Candidate], str, str, str, str | None]:
    """(links, predicate, target title, description, endpoint) of a linkset `links discover` wrote; anything
    else (not one void:Linkset with its annotated links) is a ParseError."""
    from ..loading import load_file

    store = ox.Store()
    load_file(store, path, "turtle")
    described = list(_solutions(store.query(_LINKSET, prefixes=namespaces.PREFIXES)))
    if len(described) != 1:
        raise ParseError(
            str(path),
            f"has {len(described)} void:Linksets with a link predicate and a target "
            "title: not a linkset written by `micgraph links discover`",
        )
    predicate, title, description, endpoint = described[0]
    links = []
    query = _LINKS.replace("PREDICATE", str(predicate))
    for s, o, value, evidence in _solutions(store.query(query, prefixes=namespaces.PREFIXES)):
        try:
            score = round(float(value.value), 3)
        except ValueError:
            raise ParseError(str(path), f"the link to {o.value} has the score {value.value!r}") from None
        links.append(Candidate(s.value, o.value, score, "", "", evidence.value if evidence else ""))
    return (
        links,
        predicate.value,
        title.value,
        description.value if description else "",
        endpoint.value if endpoint else None,
    )


def accepted_turtle(path: str | Path, into: str | Path | None = None) -> bytes:
    """The links accepted in a review CSV, as a linkset of the same form as `links discover` writes; with
    `into`, added to the links of that linkset, as one linkset (`links --check` wants one per target)."""
    links, predicate = read_review(path)
    name = Path(path).name
    if into is None:
        return linkset_turtle(
            links,
            predicate,
            title=f"the targets reviewed in {name}",
            description=f"Links a person accepted in the review sheet {name} of `micgraph links discover`.",
        )
    existing, existing_predicate, title, description, endpoint = read_linkset(into)
    if links and predicate != existing_predicate:
        raise UsageError(
            f"{path}: its links are {namespaces.compact(predicate)}, those of {into} "
            f"{namespaces.compact(existing_predicate)}"
        )
    for what in ("source", "target"):
        linked = {getattr(link, what) for link in existing}
        again = sorted(getattr(link, what) for link in links if getattr(link, what) in linked)
        if again:
            raise UsageError(f"{path}: accepts a link for the {what} {again[0]}, which {into} links already")
    added = f"Links a person accepted in the review sheet {name} were added."
    description = " ".join(filter(None, (description, added)))
    return linkset_turtle(existing + links, existing_predicate, title=title, description=description, endpoint=endpoint)
