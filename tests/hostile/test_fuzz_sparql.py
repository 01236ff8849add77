"""Fuzzing the SPARQL entry points (run_query, run_update, `micgraph query`) with hypothesis.

Generated queries come from a small SPARQL grammar (forms, patterns, paths, expressions, modifiers, with
declared and undeclared prefixes, odd literals and numbers), then some are damaged by edits. Whatever the
text, the answer is a result or one MicgraphError whose message is one printable line; nothing else
escapes. SERVICE is the lead's to fuzz (the allow-list decision), so the generator never writes it; LOAD
is left out of updates for the same reason (it calls out). Nesting stays shallow: the depth limit before
pyoxigraph's recursive parser is micgraph.sparql's (tests/hostile/corpus.py has the deep cases).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from micgraph.errors import MicgraphError

DATA = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:T ; ex:p 1, 2.5, "x"@en, "2020-01-01"^^xsd:date ; ex:q ex:b .
ex:b a ex:T ; ex:p "NaN"^^xsd:double, "many"^^xsd:integer ; ex:q ex:c .
ex:c ex:q ex:a ; ex:r [ ex:p ( 1 2 3 ) ] .
"""

VARIABLES = st.sampled_from(["?s", "?p", "?o", "?x", "$y", "?n", "?long_variable_name"])
_GOOD_IRIS = st.sampled_from(["<http://example.org/a>", "<http://example.org/p>", "ex:q", "ex:T", "a", "rdf:type",
                              "mic:Program", "<>", "<relative>", "<http://example.org/é>", "rdfs:label", "ex:"])
_ODD_IRIS = st.sampled_from(["nope:x", ":x", "<http://example.org/\\u00e9>", "<http://a b>", "ex:a.b.", "_:"])
IRIS = st.one_of(_GOOD_IRIS, _GOOD_IRIS, _GOOD_IRIS, _ODD_IRIS)  # mostly valid: evaluation is fuzzed too
LITERALS = st.sampled_from(['"x"', '"x"@en', '"x"@zh-Hans', "'y'", '"""multi\nline"""', '"1"^^xsd:integer',
                            '"many"^^xsd:integer', '"\\u0000"', '"\\uD800"', "1", "-0", "2.5", "1e308", "1e309",
                            "99999999999999999999999999999", "true", '"2020-02-30"^^xsd:date', '"NaN"^^xsd:double',
                            '""', '"\\t\\n"', '"中文"@zh'])
FUNCTIONS = st.sampled_from(["STR", "LANG", "DATATYPE", "STRLEN", "UCASE", "ABS", "ROUND", "isIRI", "BNODE",
                             "xsd:integer", "xsd:dateTime", "YEAR", "ENCODE_FOR_URI", "MD5", "SHA512", "IRI",
                             "STRUUID", "RAND", "NOW", "nope:f", "<http://example.org/f>"])


TERMS = st.one_of(VARIABLES, IRIS, LITERALS, st.just("[]"), st.just("_:b"), st.just("( 1 ?x )"))
EXPRESSIONS = st.recursive(
    st.one_of(VARIABLES, LITERALS, IRIS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", ">=", "&&", "||"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(FUNCTIONS, inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(['"^a+$"', '"("', '"(a*)*b"', '"[[:alpha:]]"', '""']),
                  st.sampled_from(["", ', "i"', ', "q"'])).map(lambda t: f"REGEX(STR({t[0]}), {t[1]}{t[2]})"),
        st.tuples(inner, st.integers(-5, 5), st.integers(-5, 5)).map(lambda t: f"SUBSTR(STR({t[0]}), {t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: f"COALESCE({', '.join(xs)})"),
        st.tuples(inner, st.lists(inner, max_size=3)).map(lambda t: f"({t[0]} IN ({', '.join(t[1])}))"),
        VARIABLES.map(lambda v: f"BOUND({v})")),
    max_leaves=6)
STEPS = st.sampled_from(["ex:q", "ex:p", "rdf:type", "^ex:q", "!ex:p", "!(ex:p|^ex:q)"])
PATHS = st.one_of(STEPS, st.tuples(STEPS, st.sampled_from(["*", "+", "?", ""]), st.sampled_from(["/", "|"]), STEPS)
                  .map(lambda t: f"({t[0]}{t[1]}{t[2]}{t[3]})"))
PATTERNS = st.recursive(
    st.tuples(TERMS, st.one_of(VARIABLES, IRIS, PATHS), TERMS).map(lambda t: f"{t[0]} {t[1]} {t[2]} ."),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: "{ " + " ".join(xs) + " }"),
        inner.map(lambda p: f"OPTIONAL {{ {p} }}"),
        st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        inner.map(lambda p: f"MINUS {{ {p} }}"),
        EXPRESSIONS.map(lambda e: f"FILTER({e})"),
        inner.map(lambda p: f"FILTER NOT EXISTS {{ {p} }}"),
        st.tuples(EXPRESSIONS, VARIABLES).map(lambda t: f"BIND({t[0]} AS {t[1]})"),
        st.tuples(VARIABLES, st.lists(LITERALS, max_size=3)).map(lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }}"),
        st.tuples(st.one_of(VARIABLES, IRIS), inner).map(lambda t: f"GRAPH {t[0]} {{ {t[1]} }}"),
        inner.map(lambda p: f"{{ SELECT * WHERE {{ {p} }} LIMIT 3 }}")),
    max_leaves=8)


@st.composite
def queries(draw) -> str:
    prologue = draw(st.sampled_from(["", "PREFIX ex: <http://example.org/>\n", "BASE <http://example.org/>\n",
                                     "PREFIX : <http://example.org/>\nPREFIX ex: <http://example.org/>\n"]))
    where = draw(PATTERNS)
    form = draw(st.sampled_from(["SELECT", "SELECT DISTINCT", "SELECT REDUCED", "ASK", "CONSTRUCT", "DESCRIBE",
                                 "SELECT_AGG"]))
    if form == "ASK":
        head = "ASK"
    elif form == "CONSTRUCT":
        head = draw(st.sampled_from(["CONSTRUCT", "CONSTRUCT { ?s ?p ?o }", "CONSTRUCT { ?s ex:r [ ex:p ?o ] }"]))
    elif form == "DESCRIBE":
        head = "DESCRIBE " + draw(st.sampled_from(["*", "?s", "<http://example.org/a>"]))
    elif form == "SELECT_AGG":
        aggregate = draw(st.sampled_from(["COUNT(*)", "COUNT(DISTINCT ?s)", "SUM(?o)", "AVG(?o)", "MIN(?x)",
                                          "GROUP_CONCAT(?o; SEPARATOR='|')", "SAMPLE(?o)"]))
        head = f"SELECT ?s ({aggregate} AS ?n)"
        where += " } GROUP BY ?s HAVING(?n > 0"
    else:
        head = f"{form} " + draw(st.sampled_from(["*", "?s ?o", "(STR(?s) AS ?x)", "?nothing"]))
    modifiers = draw(st.sampled_from(["", "", "", " ORDER BY ?s", " ORDER BY DESC(STR(?o))", " LIMIT 0", " LIMIT 5",
                                      " OFFSET 99999999999999999999", " LIMIT -1", " LIMIT 18446744073709551616"]))
    text = f"{prologue}{head} WHERE {{ {where} }}{modifiers}"
    if draw(st.integers(0, 4)) == 0:  # damaged: the near-valid texts that reach odd corners of the parser
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            piece = draw(st.sampled_from(["{", "}", "(", ")", ".", ";", "?", "<", '"', "'''", "#", "\\u", "\n",
                                          "SELECT", "WHERE", "FILTER", "GRAPH", "INSERT", "\x00", "é", "\ufeff"]))
            text = text[:at] + piece + text[at + draw(st.integers(0, 3)):]
        event("damaged")
    return text


GARBAGE = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


def _store():
    from micgraph.stores import OxigraphStore

    store = OxigraphStore()
    store.oxigraph.load(DATA.encode(), format=__import__("pyoxigraph").RdfFormat.TURTLE)
    return store


def check(outcome: Exception | None) -> None:
    if outcome is None:
        event("result")
        return
    assert isinstance(outcome, MicgraphError), f"{type(outcome).__name__}: {outcome}"
    message = str(outcome)
    assert message and "\n" not in message and message.isprintable(), message
    assert len(message) < 1000, message
    event(type(outcome).__name__)


def _queries(examples: int) -> None:
    from micgraph.query import run_query

    store = _store()

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=st.one_of(queries(), GARBAGE))
    def run(text):
        try:
            run_query(store, text, timeout=20)
        except Exception as exc:  # noqa: BLE001 - what escapes is the finding
            check(exc)
        else:
            check(None)

    run()


def test_queries_give_a_result_or_one_line(tmp_path):
    _queries(200)


@pytest.mark.thorough
@pytest.mark.timeout(3600)
def test_queries_give_a_result_or_one_line_thoroughly(tmp_path):
    _queries(5000)


UPDATE_FORMS = st.sampled_from([
    "INSERT DATA {{ {t} }}", "DELETE DATA {{ {t} }}", "DELETE WHERE {{ {p} }}", "INSERT {{ {t} }} WHERE {{ {p} }}",
    "DELETE {{ {t} }} INSERT {{ {t} }} WHERE {{ {p} }}", "WITH <http://example.org/g> INSERT {{ {t} }} WHERE {{ {p} }}",
    "CLEAR SILENT GRAPH <http://example.org/g>", "CLEAR ALL", "DROP DEFAULT", "CREATE GRAPH <http://example.org/g>",
    "ADD DEFAULT TO <http://example.org/g>", "MOVE <http://example.org/g> TO DEFAULT", "COPY DEFAULT TO GRAPH <x:y>",
    "INSERT DATA {{ GRAPH <http://example.org/g> {{ {t} }} }}"])


@st.composite
def updates(draw) -> str:
    operations = []
    for _ in range(draw(st.integers(1, 3))):
        triple = f"{draw(st.sampled_from(['ex:a', '<http://example.org/n>', '_:b', '?s']))} " \
                 f"{draw(st.sampled_from(['ex:p', 'a', '?p']))} {draw(TERMS)}"
        operations.append(draw(UPDATE_FORMS).format(t=triple, p=draw(PATTERNS)))
    return "PREFIX ex: <http://example.org/>\n" + " ;\n".join(operations)


def test_updates_apply_whole_or_fail_in_one_line():
    from micgraph.query import run_update

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=st.one_of(updates(), GARBAGE))
    def run(text):
        store = _store()
        before = sorted(map(str, store.quads()))
        try:
            run_update(store, text)
        except Exception as exc:  # noqa: BLE001
            check(exc)
            assert sorted(map(str, store.quads())) == before, "a failed update changed the store"
        else:
            check(None)

    run()


def test_the_command_line_query_says_one_line(tmp_path):
    from click.testing import CliRunner

    from micgraph.cli import main

    data = tmp_path / "data.ttl"
    data.write_text(DATA, encoding="utf-8")
    runner = CliRunner()

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=st.one_of(queries(), GARBAGE))
    def run(text):
        result = runner.invoke(main, ["query", "--no-bundled", "--data", str(data), "--format", "csv", "--", text],
                               prog_name="micgraph")
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr, result.exception)
        lines = result.stderr.splitlines()
        if result.exit_code == 2:
            assert len(lines) == 1 and lines[0].startswith("error: "), lines
            assert lines[0].isprintable()
        else:
            assert lines == [], lines

    run()
