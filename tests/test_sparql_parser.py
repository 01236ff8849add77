"""micgraph.sparql: the model it reads, its refusals, its bounds, and a differential fuzz against pyoxigraph.

The fuzz builds queries and updates holding SERVICE clauses (and LOADs) in many syntactic forms, runs each
on an empty pyoxigraph store whose every endpoint is a recording TCP listener on 127.0.0.1, and checks the
property the SERVICE allow-list rests on: whenever pyoxigraph contacts the listener, micgraph.sparql either
refused the text or reported that endpoint.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micgraph.errors import QuerySyntaxError
from micgraph.sparql import (
    MAX_NESTING,
    MAX_QUERY_BYTES,
    may_contain_keyword,
    nesting_depth,
    parse_query,
    parse_update,
    unescape,
    unescape_with_offsets,
)

# --- the model ------------------------------------------------------------------------------------

def test_service_clauses_are_found_everywhere_with_spans_and_nesting() -> None:
    text = """BASE <http://example.org/base/dir/>
PREFIX : <http://127.0.0.1:9/ns/>
PREFIX ex: <relative/>
SELECT (EXISTS { SERVICE <a> { } } AS ?e) ?x WHERE {
  # SERVICE <http://in.a/comment> { }
  ?service :p "SERVICE <http://in.a/string> { }" .
  SERVICE SILENT :one { ?a ?b ?c SERVICE ex:two { SERVICE ?var { } } }
  OPTIONAL { SERVICE <../three?q=1> { } }
  { SERVICE <#four> { } } UNION { MINUS { SERVICE <//other.host/five> { } } }
  GRAPH ?g { { SELECT * WHERE { SERVICE <six> { } } } }
  FILTER NOT EXISTS { SERVICE <seven> { } }
  BIND(EXISTS { SERVICE <eight> { } } AS ?bound)
}
GROUP BY ?x HAVING (EXISTS { SERVICE <nine> { } }) ORDER BY (EXISTS { SERVICE <ten> { } })"""
    parsed = parse_query(text)
    found = [(c.endpoint, c.variable, c.silent) for c in parsed.all_services()]
    base = "http://example.org/base/dir/"
    assert found == [(base + "a", None, False), ("http://127.0.0.1:9/ns/one", None, True),
                     (base + "relative/two", None, False), (None, "var", False),
                     ("http://example.org/base/three?q=1", None, False), (base + "#four", None, False),
                     ("http://other.host/five", None, False), (base + "six", None, False),
                     (base + "seven", None, False), (base + "eight", None, False), (base + "nine", None, False),
                     (base + "ten", None, False)]
    one = parsed.services[1]
    assert text[one.start:one.end].startswith("SERVICE SILENT :one {") and text[one.end - 1] == "}"
    assert text[one.pattern_start:one.pattern_end].startswith("{ ?a ?b ?c SERVICE ex:two")
    assert (one.line, one.column) == (7, 3)
    assert [c.endpoint_text for c in one.services] == ["ex:two"]
    assert [c.endpoint_text for c in one.services[0].services] == ["?var"]
    assert parsed.used_prefixes == {"", "ex"} and parsed.declared_prefixes == {"", "ex"}
    assert parsed.form == "SELECT" and parsed.base_iri == base


def test_prologue_dataset_form_and_predeclared_prefixes() -> None:
    predeclared = {"mic": "https://w3id.org/micgraph/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    parsed = parse_query("prefix mic: <http://other/> construct { ?s rdfs:label ?o } from <http://g/1> "
                         "FROM NAMED <http://g/2> where { ?s mic:name ?o }", prefixes=predeclared)
    assert parsed.form == "CONSTRUCT"
    assert parsed.default_graphs == ("http://g/1",) and parsed.named_graphs == ("http://g/2",)
    assert parsed.prefixes["mic"] == "http://other/" and parsed.used_prefixes == {"mic", "rdfs"}
    assert parsed.undeclared_prefixes == {"rdfs"}  # what a caller must declare for another engine
    assert parse_query("ASK {}").form == "ASK" and parse_query("DESCRIBE <http://x/>").form == "DESCRIBE"


def test_escapes_in_endpoint_iris_and_prefixed_names_resolve_as_pyoxigraph_does() -> None:
    parsed = parse_query(r"PREFIX p: <http://127.0.0.1:9/\u0041/> SELECT * { SERVICE p:x\~y\.z { } "
                         r"SERVICE <http://127.0.0.1:9/\U0001F600%41> { } }")
    assert [c.endpoint for c in parsed.services] == ["http://127.0.0.1:9/A/x~y.z", "http://127.0.0.1:9/😀%41"]


def test_update_reports_services_and_loads() -> None:
    parsed = parse_update("PREFIX : <http://h/> LOAD SILENT <http://h/data.ttl> INTO GRAPH :g ;\n"
                          "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { SERVICE :e { ?s ?p ?o } } ;\n"
                          "INSERT DATA { :a :b :c } ; CLEAR ALL")
    assert parsed.operations == ("LOAD", "MODIFY", "INSERT DATA", "CLEAR")
    assert [(load.source, load.graph, load.silent) for load in parsed.loads] == [
        ("http://h/data.ttl", "http://h/g", True)]
    assert [c.endpoint for c in parsed.services] == ["http://h/e"]


# --- refusals: one line, with the place and an actionable cause ------------------------------------------

@pytest.mark.parametrize("text, where, cause", [
    ("SELECT * { ?s foo:bar ?o }", (1, 15), "unknown prefix 'foo:'"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", (1, 1), "SPARQL update, not a query"),
    ("SELECT * WHERE {\n  SERVICE:x { } }", (2, 13), "unexpected '{'"),
    ("SELECT * { SERVICE <relative> { } }", (1, 20), "relative IRI <relative>"),
    ("SELECT * { ?s ?p 'x\\uD800' }", (1, 18), "not a Unicode character"),
    ("SELECT * { ?s ?p ?o", (1, 20), "unexpected end of the text"),
    ("PREFIX SILENT: <http://a/> PREFIX : <http://b/> SELECT * { SERVICE SILENT:x { } }", (1, 68),
     "prefix starts with SILENT"),
    ('SELECT * { ?s ?p "\\u0022" } # """ SERVICE <http://f/> { } }', None, "different SERVICE endpoints"),
    ("SELECT * { ?s ?p ?o } GROUP BY ?s", (1, 1), "SELECT * cannot be used with GROUP BY"),
])
def test_refusals_name_the_place_and_the_cause(text: str, where, cause: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(text)
    message = str(raised.value)
    assert cause in message and "\n" not in message
    if where is not None:
        assert (raised.value.line, raised.value.column) == where


def test_a_query_given_as_an_update_says_so() -> None:
    with pytest.raises(QuerySyntaxError, match="SPARQL query, not an update"):
        parse_update("SELECT * { ?s ?p ?o }")


def test_size_limit() -> None:
    text = "SELECT * {}" + "#" * MAX_QUERY_BYTES
    with pytest.raises(QuerySyntaxError, match="MAX_QUERY_BYTES"):
        parse_query(text)


# --- nesting ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("opening, closing, inner", [("{", "}", ""), ("(", ")", "1"), ("[ <p:p> ", "]", "1")])
def test_deep_nesting_is_refused_fast_in_one_line(opening: str, closing: str, inner: str) -> None:
    def query(depth: int) -> str:
        if opening == "{":
            return "SELECT * WHERE " + opening * depth + closing * depth
        if opening == "(":
            return "SELECT * WHERE { FILTER" + opening * depth + inner + closing * depth + " }"
        return "SELECT * WHERE { ?s ?p " + opening * depth + inner + closing * depth + " }"

    started = time.perf_counter()
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query(100_000))
    assert time.perf_counter() - started < 1.0
    assert f"deeper than {MAX_NESTING}" in str(raised.value) and "\n" not in str(raised.value)
    assert nesting_depth(query(100_000)) == MAX_NESTING + 1
    depth = MAX_NESTING if opening != "[ <p:p> " else MAX_NESTING - 1  # the WHERE group is one level
    depth -= 0 if opening == "{" else 1
    parse_query(query(depth))
    assert nesting_depth(query(depth)) <= MAX_NESTING


def test_nesting_depth_counts_real_tokens_only_when_the_cheap_bound_exceeds_the_limit() -> None:
    many_siblings = "SELECT * { " + "FILTER(1) " * (MAX_NESTING + 10) + "}"
    assert nesting_depth(many_siblings) == 2
    in_strings = "SELECT * { ?s ?p '" + "{" * (MAX_NESTING * 2) + "' }"
    assert nesting_depth(in_strings) == 1
    parse_query(in_strings)
    assert nesting_depth("SELECT * {{}}") == 2  # below the limit: the count of opening brackets
    escaped = "SELECT * { ?s ?p ?o } # " + "\\u007B" * (MAX_NESTING + 1)
    assert nesting_depth(escaped) == 1  # both readings: a comment, or a comment line of braces


def test_no_recursion_error_at_any_depth_when_the_limit_is_lifted() -> None:
    from micgraph.sparql import _parser

    depth = 20_000  # far beyond sys.getrecursionlimit()
    tree = _parser.parse("SELECT * WHERE " + "{" * depth + "}" * depth, "query_unit", depth + 1)
    assert tree.data == "query_unit"


# --- escapes and the keyword pre-check -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (r"\u0041", "A"), (r"\U0001F600", "😀"), (r"\u+041", "A"),  # Rust's from_str_radix takes a leading +
    (r"\u005Cu0041", r"\u0041"),  # one pass: a decoded backslash starts nothing
    (r"\U0000005Cu0031", r"\u0031"), (r"\uD800", r"\uD800"), (r"\U00110000", r"\U00110000"),
    (r"\uZZZZ", r"\uZZZZ"), (r"\u12", r"\u12"), ("\\", "\\"), (r"\x", r"\x"),
    (r"\u\u0041", r"\u\u0041"),  # the second backslash was read as one of the first escape's digits
    (r"\uab\xu0041", r"\uab\xu0041"), (r"\uZZZ\u0041", r"\uZZZA"), (r"\uZZZZ\u0041", r"\uZZZZA"),
])
def test_unescape_matches_oxigraph(text: str, expected: str) -> None:
    assert unescape(text) == expected


def test_unescape_offsets_point_into_the_original() -> None:
    text = r"ab\u0043d\U00000045"
    unescaped, origin = unescape_with_offsets(text)
    assert unescaped == "abCdE" and [text[i] for i in origin] == ["a", "b", "\\", "d", "\\"]


@given(st.text(alphabet="\\uU0123456789abcdefABCDEF+xSERVICEservice ", max_size=40))
def test_unescape_is_one_pass_and_never_longer(text: str) -> None:
    unescaped, origin = unescape_with_offsets(text)
    assert len(unescaped) <= len(text)
    if origin is not None:
        assert origin == sorted(origin) and len(origin) == len(unescaped)


@given(st.text(alphabet="\\u005365rRvViIcCeE{}<>:ſ ", max_size=30))
def test_keyword_precheck_is_sound(text: str) -> None:
    for reading in (text, unescape(text)):
        if re.search("service", reading, re.IGNORECASE):
            assert may_contain_keyword(text, "SERVICE")


def test_keyword_precheck() -> None:
    assert not may_contain_keyword("SELECT * { ?s ?p ?o }", "SERVICE")
    assert may_contain_keyword(r"SELECT * { \u0053ERVICE <x> {} }", "SERVICE")
    assert may_contain_keyword("SELECT * { ?s ?p 'ſervice' }", "SERVICE")  # U+017F: re.I's Unicode folding


# --- the shipped table and lazy imports -------------------------------------------------------------------

def test_shipped_parser_table_matches_the_grammar() -> None:
    from micgraph.sparql import _parser

    assert _parser.table_is_current(), "run `python tools/sparql_table.py` and commit the table"


def test_import_loads_neither_lark_nor_the_parser() -> None:
    code = ("import sys, micgraph.sparql as s; s.may_contain_keyword('x', 'SERVICE'); s.nesting_depth('{}');"
            "print(sorted(m for m in sys.modules if m.startswith(('lark', 'micgraph.sparql._'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['micgraph.sparql._text']"


# --- differential fuzz against pyoxigraph, with a recording listener ---------------------------------------

class Listener:
    """A TCP server on 127.0.0.1 that records each HTTP request (request line, headers, body) and answers
    one empty solution as SPARQL JSON results, so that evaluation goes on to later SERVICE clauses."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                while length and len(body) < int(length.group(1)):
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                with self.lock:
                    self.requests.append((head.split(b"\r\n", 1)[0].decode("utf-8", "replace"), body))
                payload = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                   b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(payload), payload))
            except OSError:
                pass

    def take(self) -> list[str]:
        """The paths requested since the last call (decoded as the endpoint IRIs would be)."""
        time.sleep(0.01)
        with self.lock:
            taken, self.requests[:] = list(self.requests), []
        return [urllib.parse.unquote(line.split(" ")[1].split("?")[0]) for line, _ in taken]


LISTENER = Listener()
ROOT = f"http://127.0.0.1:{LISTENER.port}"
STATS = {"examples": 0, "contacted": 0, "refused": 0, "checked": 0}


def _escaped(text: str, draw) -> str:
    """`text` with some characters written as \\u or \\U escapes."""
    out = []
    for char in text:
        style = draw(st.sampled_from(["", "", "", "u", "U"]))
        out.append(char if not style else (f"\\u{ord(char):04X}" if style == "u" else f"\\U{ord(char):08X}"))
    return "".join(out)


@st.composite
def endpoints(draw, index: int) -> str:
    path = f"e{index}"
    form = draw(st.sampled_from(["iri", "escaped-iri", "relative", "prefixed", "empty-prefix", "keyword-prefix",
                                 "escaped-local"]))
    if form == "iri":
        return f"<{ROOT}/{path}>"
    if form == "escaped-iri":
        return "<" + _escaped(f"{ROOT}/{path}", draw) + ">"
    if form == "relative":
        return f"<{path}>"
    if form == "prefixed":
        return f"ex:{path}"
    if form == "empty-prefix":
        return f":{path}"
    if form == "keyword-prefix":
        return draw(st.sampled_from(["service", "SILENT", "Service", "silentx"])) + f":{path}"
    return f"ex:e\\-{index}"


@st.composite
def service_keyword(draw) -> str:
    word = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in "service")
    if draw(st.integers(0, 9)) == 0:
        word = _escaped(word, draw)
    return word


@st.composite
def services(draw, index: int, depth: int) -> str:
    keyword = draw(service_keyword())
    gap = draw(st.sampled_from(["", " ", "\n", " # SERVICE <http://no/> {}\n", "\t"]))
    silent = draw(st.sampled_from(["", "", "", "SILENT ", "SILENT ", "silent", "SILENT# c\n"]))
    endpoint = draw(endpoints(index))
    inner = draw(patterns(index * 10, depth + 1)) if depth < 2 and draw(st.booleans()) else "?s ?p ?o"
    return f"{keyword}{gap}{silent}{endpoint} {{ {inner} }}"


NOISE = ["?service ?p 'SERVICE <http://no/> { }' .", "# SERVICE <http://no/x> {\n",
         "?s <http://no/\\u0041> ?o .", "BIND(\"\\u0022\" AS ?q)", "?s ?p \"\"\"SERVICE\"\"\" .",
         "FILTER(?a<?b&&?c>?d)", "VALUES ?v { <http://no/> }", "?s ?p ?o .", ". ", "{ } "]


@st.composite
def patterns(draw, index: int = 0, depth: int = 0) -> str:
    pieces = []
    for n in range(draw(st.integers(1, 3))):
        clause = draw(services(index + n, depth))
        wrapper = draw(st.sampled_from(["{}", "OPTIONAL {{ {} }}", "{{ {} }} UNION {{ ?s ?p ?o }}",
                                        "{{ ?s ?p ?o }} UNION {{ {} }}", "MINUS {{ {} }}", "{{ {} }}",
                                        "FILTER EXISTS {{ {} }}", "FILTER NOT EXISTS {{ {} }}",
                                        "BIND(EXISTS {{ {} }} AS ?b{})", "{{ SELECT * WHERE {{ {} }} }}",
                                        "{{ SELECT ?x WHERE {{ {} }} LIMIT 1 }}"]))
        pieces.append(wrapper.format(clause, index + n) if "?b{}" in wrapper else wrapper.format(clause))
        if draw(st.booleans()):
            pieces.append(draw(st.sampled_from(NOISE)))
    return " ".join(pieces)


@st.composite
def queries(draw) -> str:
    prologue = []
    if draw(st.integers(0, 4)):  # mostly: relative endpoints resolve against it
        prologue.append(f"BASE <{ROOT}/base/>")
    prologue.append(f"PREFIX ex: <{draw(st.sampled_from([ROOT + '/ex/', 'rel/', _escaped(ROOT + '/esc/', draw)]))}>")
    for name in ("", "service", "SILENT", "Service", "silentx"):
        if draw(st.integers(0, 5)):
            prologue.append(f"PREFIX {name}: <{ROOT}/{name or 'empty'}/>")
    body = draw(patterns())
    form = draw(st.sampled_from(["SELECT * WHERE {{ {} }}", "ASK {{ {} }}", "select ?x {{ {} }}",
                                 "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} }}",
                                 "SELECT (EXISTS {{ {} }} AS ?e) {{ }}"]))
    return draw(st.sampled_from(["\n", " "])).join(prologue) + "\n" + form.format(body)


def _check_contacts(text: str, run, update: bool = False) -> None:
    """Run `text` with pyoxigraph (empty store) and check every contacted path was reported, unless
    micgraph.sparql refused the text or reported a variable endpoint (which the allow-list refuses)."""
    LISTENER.take()
    try:
        reported = reported_calls(text, update)
    except QuerySyntaxError:
        reported = None
    try:
        run(text)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    contacted = LISTENER.take()
    STATS["examples"] += 1
    STATS["contacted"] += bool(contacted)
    STATS["refused"] += reported is None
    if not contacted or reported is None or None in reported:
        return
    STATS["checked"] += 1
    paths = {urllib.parse.unquote(urllib.parse.urlsplit(iri).path) for iri in reported if iri is not None
             and urllib.parse.urlsplit(iri).netloc == f"127.0.0.1:{LISTENER.port}"}
    missed = [path for path in contacted if path not in paths]
    assert not missed, f"pyoxigraph called {missed}, micgraph.sparql reported {sorted(map(str, reported))}"


def reported_calls(text: str, update: bool) -> set[str | None]:
    """The endpoints (None for a variable) and LOAD sources micgraph.sparql reports."""
    if not update:
        return {c.endpoint for c in parse_query(text).all_services()}
    parsed = parse_update(text)
    return {c.endpoint for c in parsed.all_services()} | {load.source for load in parsed.loads}


def _run_update(text: str) -> None:
    ox.Store().update(text)


def _run_query(text: str) -> None:
    result = ox.Store().query(text)
    if not isinstance(result, ox.QueryBoolean):
        list(result)


@st.composite
def updates(draw) -> str:
    query = draw(queries())
    prologue, _, body = query.rpartition("\n")
    pattern = body[body.index("{"):] if "{" in body else "{ }"
    operation = draw(st.sampled_from([f"DELETE {{ ?s ?p ?o }} WHERE {pattern}",
                                      f"INSERT {{ <{ROOT}/s> <{ROOT}/p> 1 }} WHERE {pattern}",
                                      f"DELETE WHERE {{ ?s ?p ?o }} ; INSERT {{ ?s ?p 2 }} WHERE {pattern}",
                                      f"LOAD {draw(endpoints(7))}", f"LOAD SILENT <{ROOT}/load> INTO GRAPH <{ROOT}/g>"]))
    return prologue + "\n" + operation


def _fuzzer(update: bool, examples: int):
    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(updates() if update else queries())
    def run(text: str) -> None:
        _check_contacts(text, _run_update if update else _run_query, update)

    return run


def _fuzz(query_examples: int, update_examples: int) -> None:
    for update, examples in ((False, query_examples), (True, update_examples)):
        STATS.update(examples=0, contacted=0, refused=0, checked=0)
        _fuzzer(update, examples)()
        print(f"{'updates' if update else 'queries'}: {STATS}")
        # Not vacuous: many examples reach pyoxigraph's SERVICE/LOAD while micgraph.sparql accepts them.
        assert STATS["checked"] >= max(1, STATS["examples"] // 20), STATS


def test_pyoxigraph_never_calls_an_endpoint_micgraph_did_not_report() -> None:
    _fuzz(query_examples=80, update_examples=40)


@pytest.mark.thorough
@pytest.mark.timeout(1800)
def test_pyoxigraph_never_calls_an_endpoint_micgraph_did_not_report_thorough() -> None:
    _fuzz(query_examples=800, update_examples=300)


def test_listener_sees_what_pyoxigraph_calls() -> None:
    """The fuzz's instrument works: a plain SERVICE reaches the listener with the endpoint's path."""
    LISTENER.take()
    _run_query(f"SELECT * {{ SERVICE <{ROOT}/probe> {{ }} }}")
    assert LISTENER.take() == ["/probe"]


@pytest.mark.parametrize("text", [
    "PREFIX : <{root}/colon/> SELECT * {{ SERVICE:x {{ }} }}",
    "SELECT * {{ <http://no/\\u0041> ?p ?o SERVICE <{root}/after-escape> {{ }} }}",
    "PREFIX SILENT: <http://no/> PREFIX : <{root}/> SELECT * {{ SERVICE SILENT:x {{ }} }}",
    "SELECT * {{ BIND(\"\\u0022\" AS ?x) SERVICE <{root}/quote> {{ }} }} # \"\"\"",
    "SELECT * {{ \\u0053ERVICE <{root}/escaped-keyword> {{ }} }}",
])
def test_known_bypasses(text: str) -> None:
    """The forms that got past the text scanner (issue 11) and their relatives."""
    _check_contacts(text.format(root=ROOT), _run_query)
