"""micgraph.sparql against the W3C SPARQL 1.1 test suite (manifest-all.ttl): every syntax test accepted or
rejected as its manifest says, every query and update of the evaluation tests parsed; and pyoxigraph's own
parser on the same files, which must agree wherever it reads the text without running anything.

Each test's base IRI is its file's IRI, as the suite intends (its queries use relative IRIs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from micgraph.errors import QuerySyntaxError
from micgraph.sparql import may_contain_keyword, parse_query, parse_update

from .manifests import MF, RDF, file_path, local_id, suites_missing, suites_root, walk

QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
_SYNTAX = {"PositiveSyntaxTest11": (True, False), "NegativeSyntaxTest11": (False, False),
           "PositiveUpdateSyntaxTest11": (True, True), "NegativeUpdateSyntaxTest11": (False, True)}
_EVALUATION = {"QueryEvaluationTest": False, "CSVResultFormatTest": False, "UpdateEvaluationTest": True}

# W3C tests whose verdict micgraph.sparql does not give, each with the reason (strict: a fix must remove it).
XFAIL: dict[str, str] = {}
# Files pyoxigraph 0.5 reads otherwise than the manifest says (upstream behaviour, not ours to fix).
OXIGRAPH_DIFFERS: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    id: str
    path: Path
    update: bool
    valid: bool  # what the manifest says (evaluation tests: valid)


@functools.cache
def cases() -> list[Case]:
    root = suites_root()
    if root is None:
        return []
    suite = root / "sparql11"
    found: dict[str, Case] = {}
    for graph, node in walk(suite / "manifest-all.ttl"):
        kind = graph.value(node, RDF + "type").value.rsplit("#", 1)[-1]
        action = graph.value(node, MF + "action")
        test_id = local_id(suite, graph, node)
        if kind in _SYNTAX:
            valid, update = _SYNTAX[kind]
            path = file_path(action.value)  # a few update files are listed as (query) NegativeSyntaxTest11
            found[test_id] = Case(test_id, path, update or path.suffix == ".ru", valid)
        elif kind in _EVALUATION:
            update = _EVALUATION[kind]
            query = graph.value(action, UT + "request" if update else QT + "query")
            if query is not None:
                found[test_id] = Case(test_id, file_path(query.value), update, True)
    return sorted(found.values(), key=lambda c: c.id)


def _params():
    if not cases():
        return [pytest.param(None, marks=pytest.mark.skip(reason="W3C suites not found"))]
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=XFAIL[c.id], strict=True)]
                         if c.id in XFAIL else []) for c in cases()]


def _read(case: Case):
    text = case.path.read_text(encoding="utf-8")
    parse = parse_update if case.update else parse_query
    return parse(text, base_iri=case.path.as_uri())


@pytest.mark.parametrize("case", _params())
def test_w3c_verdict(case: Case) -> None:
    if case is None:
        suites_missing()
    if case.valid:
        _read(case)
    else:
        with pytest.raises(QuerySyntaxError) as raised:
            _read(case)
        assert raised.value.line is not None, "a syntax error names its line"


def _oxigraph_accepts(case: Case) -> bool | None:
    """Whether pyoxigraph's parser accepts the file, run on an empty store; None when running it could
    reach the network (pyoxigraph calls SERVICE endpoints as soon as `query` is called, and LOADs): those
    are checked against a local listener by tests/test_sparql_parser.py."""
    text = case.path.read_text(encoding="utf-8")
    if may_contain_keyword(text, "SERVICE") or (case.update and may_contain_keyword(text, "LOAD")):
        return None
    try:
        if case.update:
            ox.Store().update(text, base_iri=case.path.as_uri())
        else:
            ox.Store().query(text, base_iri=case.path.as_uri())
    except SyntaxError:
        return False
    except (OSError, RuntimeError, ValueError):
        return True  # it parsed, then failed while running
    return True


@pytest.mark.parametrize("case", _params())
def test_w3c_same_verdict_as_oxigraph(case: Case) -> None:
    if case is None:
        suites_missing()
    theirs = _oxigraph_accepts(case)
    if theirs is None:
        pytest.skip("pyoxigraph reads it only by running it, which could reach the network (SERVICE, LOAD)")
    try:
        _read(case)
        ours = True
    except QuerySyntaxError:
        ours = False
    if case.id in OXIGRAPH_DIFFERS:
        assert theirs != case.valid, f"pyoxigraph now agrees with the manifest: drop {case.id} from the list"
        return
    assert ours == theirs, f"micgraph.sparql {'accepts' if ours else 'rejects'}, pyoxigraph does not"
