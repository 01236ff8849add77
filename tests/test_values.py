"""SPARQL answers as Python values (micgraph.values): every XSD type, valid and ill-typed lexical forms.

Oxigraph is the oracle for the lexical spaces: a literal is well-typed when Oxigraph's cast to its own
datatype succeeds, and its value is the value of the canonical form Oxigraph gives back. rdflib reads the
same literals independently for the common types.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
from decimal import Decimal
from fractions import Fraction

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from micgraph import values as v
from micgraph.query import run_query

XSD = v.XSD
ORACLE = ox.Store()

# --- examples ---------------------------------------------------------------------------------------


def lit(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype if "#" not in datatype else datatype))


@pytest.mark.parametrize(("text", "datatype", "expected"), [
    ("42", "integer", 42), ("-0", "integer", 0), ("+7", "int", 7), ("127", "byte", 127),
    ("5.30", "decimal", Decimal("5.30")), (".5", "decimal", Decimal("0.5")), ("1.", "decimal", Decimal(1)),
    ("1.5E3", "double", 1500.0), ("-INF", "double", float("-inf")), ("+INF", "float", float("inf")),
    ("true", "boolean", True), ("0", "boolean", False),
    ("2024-05-24", "date", dt.date(2024, 5, 24)),
    ("2024-05-24Z", "date", v.ZonedDate(2024, 5, 24, dt.UTC)),
    ("2024-05-24T10:30:00", "dateTime", dt.datetime(2024, 5, 24, 10, 30)),
    ("2024-05-24T10:30:00.25+08:00", "dateTime",
     dt.datetime(2024, 5, 24, 10, 30, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
    ("2024-12-31T24:00:00", "dateTime", dt.datetime(2025, 1, 1)),
    ("13:20:00", "time", dt.time(13, 20)),
    ("2025", "gYear", v.Year(2025)), ("-0044", "gYear", v.Year(-44)),
    ("2019-09", "gYearMonth", v.YearMonth(2019, 9)),
    ("0FB7", "hexBinary", b"\x0f\xb7"), ("aGk=", "base64Binary", b"hi"),
    ("1/3", "http://www.w3.org/2002/07/owl#rational", Fraction(1, 3)),
])
def test_well_typed_literals_become_python_values(text, datatype, expected):
    value = v.to_value(lit(text, datatype))
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "datatype"), [
    (" 12 ", "integer"), ("12a", "integer"), ("١٢", "integer"), ("1_000", "integer"), ("128", "byte"),
    ("-1", "nonNegativeInteger"), ("0", "positiveInteger"), ("1e5", "decimal"), ("inf", "double"),
    ("yes", "boolean"), ("2023-02-29", "date"), ("2024-13-01", "date"), ("2024-05-24+15:00", "date"),
    ("25:00:00", "time"), ("2024-05-24T10:30", "dateTime"), ("2024-05-24T10:30:00", "dateTimeStamp"),
    ("99", "gYear"), ("02020", "gYear"), ("2019-9", "gYearMonth"), ("ABC", "hexBinary"),
    ("aGk", "base64Binary"), ("1/0", "http://www.w3.org/2002/07/owl#rational"), ("9" * 5000, "integer"),
    ("0000-01-01", "date"), ("10000-01-01", "date"), ("2020-01-01T00:00:00.1234567", "dateTime"),
])
def test_ill_typed_or_unrepresentable_literals_stay_strings(text, datatype):
    value = v.to_value(lit(text, datatype))
    assert isinstance(value, v.TypedString) and str(value) == text
    assert value.datatype.endswith(datatype)


def test_strings_tags_iris_blank_nodes_and_quoted_triples():
    assert type(v.to_value(ox.Literal("plain"))) is str
    tagged = v.to_value(ox.Literal("国家", language="zh"))
    assert tagged == v.LangString("国家", "zh") and tagged.lang == "zh" and tagged == "国家"
    assert tagged != v.LangString("国家", "ja") and repr(tagged) == "LangString('国家', 'zh')"
    assert v.to_value(ox.Literal("国家", language="zh-CN")) == v.LangString("国家", "ZH-cn")
    iri = v.to_value(ox.NamedNode("https://w3id.org/micgraph/id/country-cn"))
    assert isinstance(iri, v.IRI) and iri.compact() == "micr:country-cn"
    assert isinstance(v.to_value(ox.BlankNode("b0")), v.BlankNode)
    triple = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")))
    assert v.to_value(triple) == v.QuotedTriple(v.IRI("http://e/s"), v.IRI("http://e/p"), 1)
    assert v.to_value(None) is None
    duration = v.to_value(lit("P1Y2M", "duration"))
    assert isinstance(duration, v.TypedString) and duration.datatype == XSD + "duration"


def test_values_survive_pickling():
    """pandas copies and multiprocessing pickle the values: tags, datatypes and zones must survive."""
    for value in (v.LangString("a", "en"), v.TypedString("P1Y", XSD + "duration"), v.Year(2020, dt.UTC),
                  v.YearMonth(2019, 1), v.ZonedDate(2024, 5, 24, dt.UTC), v.IRI("http://e/x")):
        copy = pickle.loads(pickle.dumps(value))
        assert copy == value and type(copy) is type(value)
        assert getattr(copy, "lang", None) == getattr(value, "lang", None)
        assert getattr(copy, "tz", None) == getattr(value, "tz", None)


def test_select_results_give_typed_rows(bundled_graph):
    result = run_query(bundled_graph, name="china-investment-growth-2024")
    rows = result.values()
    assert [row["growth"] for row in rows] == [Decimal("34.9"), Decimal("24.2"), Decimal("16.6"), 12, Decimal("9.2")]
    assert all(type(row["growth"]) is Decimal for row in rows)           # xsd:decimal stays exact
    assert rows[0]["sectorZh"].lang == "zh" and rows[0]["sectorLabel"].lang == "en"
    assert isinstance(rows[0]["sector"], v.IRI)
    assert result.rows[0]["growth"] == "34.9"                             # .rows stays strings


# --- DataFrames ---------------------------------------------------------------------------------------

def test_dataframe_columns_are_typed():
    pandas = pytest.importorskip("pandas")
    store = ox.Store()
    query = """SELECT * WHERE { VALUES (?n ?d ?x ?b ?day ?year ?month ?s ?label ?iri ?mixed ?stamp) {
        (1 1.5 1.5e0 true "2024-05-24"^^xsd:date "2020"^^xsd:gYear "2019-01"^^xsd:gYearMonth "a" "a"@en <http://e/a> 1 "2024-01-01T00:00:00Z"^^xsd:dateTime)
        (UNDEF 2.25 UNDEF false "2024-05-25"^^xsd:date "2021"^^xsd:gYear "2019-02"^^xsd:gYearMonth UNDEF "b"@zh <http://e/b> "x" "2024-01-01T08:00:00+08:00"^^xsd:dateTime)
    } }"""
    from micgraph.query import collect

    frame = collect(store.query(query, prefixes={"xsd": XSD})).to_dataframe()
    dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert dtypes == {"n": "Int64", "d": "object", "x": "Float64", "b": "boolean", "day": "datetime64[ns]",
                      "year": "Int64", "month": "period[M]", "s": "string", "label": "object", "iri": "string",
                      "mixed": "object", "stamp": "datetime64[ns, UTC]"}
    assert frame["d"].tolist() == [Decimal("1.5"), Decimal("2.25")]
    assert frame["n"].isna().tolist() == [False, True]
    assert frame["label"][1].lang == "zh"
    assert frame["stamp"][0] == frame["stamp"][1] == pandas.Timestamp("2024-01-01T00:00:00Z")


def test_missing_pandas_names_the_extra(monkeypatch):
    import builtins

    from micgraph.errors import UsageError
    from micgraph.query import SelectResult

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(UsageError, match=r"pip install 'micgraph\[notebook\]'"):
        SelectResult(["x"], []).to_dataframe()


# --- generated literals -----------------------------------------------------------------------------

DIGITS = st.text("0123456789", min_size=1, max_size=12)
SIGN = st.sampled_from(["", "+", "-"])
ZONE = st.sampled_from(["", "Z", "+08:00", "-05:30", "+14:00", "-14:00", "+14:01", "+24:00", "08:00"])


@st.composite
def year_text(draw, valid_python: bool = False):
    if valid_python:
        return f"{draw(st.integers(1, 9999)):04d}"
    return draw(st.one_of(st.integers(-12000, 12000).map(lambda y: f"-{-y:04d}" if y < 0 else f"{y:04d}"),
                          st.text("0123456789-", min_size=1, max_size=7)))


@st.composite
def date_text(draw):
    return (f"{draw(year_text())}-{draw(st.integers(0, 13)):02d}-{draw(st.integers(0, 32)):02d}"
            + draw(ZONE))


@st.composite
def time_text(draw):
    fraction = draw(st.sampled_from(["", ".5", ".250", ".123456", ".1234567", ".1234560", ".0000000"]))
    return (f"{draw(st.integers(0, 25)):02d}:{draw(st.integers(0, 61)):02d}:{draw(st.integers(0, 61)):02d}"
            f"{fraction}")


NUMBER_TEXT = st.one_of(
    st.builds(lambda s, d: s + d, SIGN, DIGITS),
    st.builds(lambda s, a, b: f"{s}{a}.{b}", SIGN, DIGITS, DIGITS),
    st.builds(lambda s, a, e, x: f"{s}{a}{e}{x}", SIGN, DIGITS, st.sampled_from(["e", "E"]),
              st.integers(-400, 400)),
    st.sampled_from(["INF", "+INF", "-INF", "NaN", "nan", "inf", ".", "+", "1.2.3", "0x1A", "1_0", " 1"]),
)
LEXICAL = {
    "integer": NUMBER_TEXT, "decimal": NUMBER_TEXT, "double": NUMBER_TEXT, "float": NUMBER_TEXT,
    "int": NUMBER_TEXT, "long": NUMBER_TEXT, "short": NUMBER_TEXT, "byte": NUMBER_TEXT,
    "nonNegativeInteger": NUMBER_TEXT, "positiveInteger": NUMBER_TEXT, "nonPositiveInteger": NUMBER_TEXT,
    "negativeInteger": NUMBER_TEXT, "unsignedLong": NUMBER_TEXT, "unsignedInt": NUMBER_TEXT,
    "unsignedShort": NUMBER_TEXT, "unsignedByte": NUMBER_TEXT,
    "boolean": st.sampled_from(["true", "false", "1", "0", "True", "yes", " true", ""]),
    "date": date_text(),
    "dateTime": st.builds(lambda d, t, z: f"{d}T{t}{z}", date_text().map(lambda s: s[:10]), time_text(), ZONE),
    "dateTimeStamp": st.builds(lambda d, t, z: f"{d}T{t}{z}", date_text().map(lambda s: s[:10]), time_text(), ZONE),
    "time": st.builds(lambda t, z: t + z, time_text(), ZONE),
    "gYear": st.builds(lambda y, z: y + z, year_text(), ZONE),
    "gYearMonth": st.builds(lambda y, m, z: f"{y}-{m:02d}{z}", year_text(), st.integers(0, 13), ZONE),
    "hexBinary": st.text("0123456789abcdefABCDEFg", max_size=8),
    "base64Binary": st.one_of(st.binary(max_size=12).map(lambda b: __import__("base64").b64encode(b).decode()),
                              st.text("ABCabc+/=0 ", max_size=10)),
    "string": st.text(), "anyURI": st.text(), "duration": st.text(), "gMonth": st.text(), "token": st.text(),
    "normalizedString": st.text(), "language": st.text(), "NCName": st.text(), "gDay": st.text(),
    "gMonthDay": st.text(), "yearMonthDuration": st.text(), "dayTimeDuration": st.text(),
    "QName": st.text(), "NOTATION": st.text(), "Name": st.text(), "NMTOKEN": st.text(), "ID": st.text(),
    "IDREF": st.text(), "IDREFS": st.text(), "ENTITY": st.text(), "ENTITIES": st.text(), "NMTOKENS": st.text(),
}
OTHER_DATATYPES = ["http://www.w3.org/2002/07/owl#rational", "http://www.w3.org/2002/07/owl#real",
                   "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML", "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
                   "http://example.org/custom#type"]


@st.composite
def literals(draw):
    """(lexical form, datatype IRI): a form made for the datatype, or any text for any datatype."""
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(LEXICAL)))
        return draw(LEXICAL[name]), XSD + name
    datatype = draw(st.one_of(st.sampled_from([XSD + n for n in LEXICAL]), st.sampled_from(OTHER_DATATYPES)))
    return draw(st.text(max_size=30)), datatype


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b and type(a) is type(b)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(literals())
def test_conversion_never_fails_and_round_trips(literal):
    text, datatype = literal
    assume("\x00" not in text)
    value = v.to_value(ox.Literal(text, datatype=ox.NamedNode(datatype)))
    if datatype == XSD + "string":
        assert type(value) is str and value == text
    if isinstance(value, v.TypedString):
        assert str(value) == text and value.datatype == datatype   # kept exactly as written
    term = v.to_term(value)
    assert same(v.to_value(term), value)                             # value -> term -> value
    if isinstance(term, ox.Literal):
        assert same(v.to_value(v.to_term(v.to_value(term))), value)  # the canonical form is a fixed point


# Oxigraph casts these datatypes to themselves: the cast succeeds exactly on well-typed literals.
CASTABLE = ["integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "gYear", "gYearMonth"]


def oxigraph_reading(text: str, datatype: str):
    """Oxigraph's canonical literal for `text`^^`datatype`, or None when it finds it ill-typed."""
    literal = ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))
    rows = list(ORACLE.query(f"SELECT ?y WHERE {{ VALUES ?x {{ {literal} }} BIND(<{XSD}{datatype}>(?x) AS ?y) }}"))
    return rows[0][0]


def within_oxigraph(value) -> bool:
    """Values inside Oxigraph's own limits (64-bit integers, decimals of 18 fractional digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return -2**63 <= value < 2**63
    if isinstance(value, Decimal):
        return abs(value) < Decimal(2**63) / 10**18 and -value.as_tuple().exponent <= 18
    return True


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CASTABLE).flatmap(lambda name: st.tuples(st.just(name), st.one_of(LEXICAL[name], st.text(max_size=12)))))
def test_lexical_spaces_agree_with_oxigraph(case):
    datatype, text = case
    assume("\x00" not in text)
    ours = v.literal_value(text, XSD + datatype)
    theirs = oxigraph_reading(text, datatype)
    if not isinstance(ours, v.TypedString):
        assume(within_oxigraph(ours))
        assert theirs is not None, f"{text!r}^^xsd:{datatype}: we read {ours!r}, Oxigraph finds it ill-typed"
        assert same(v.to_value(theirs), ours), f"{text!r}^^xsd:{datatype}: {ours!r} vs Oxigraph's {theirs}"
    elif theirs is not None:
        assert python_cannot_hold(text, datatype) or oxigraph_lenient(text, datatype), \
            f"{text!r}^^xsd:{datatype}: Oxigraph reads {theirs}, we do not"


def python_cannot_hold(text: str, datatype: str) -> bool:
    """Well-typed, but beyond Python's date (years 1-9999) or time (microseconds)."""
    if datatype in ("date", "dateTime"):
        year = text[1:].split("-")[0] if text.startswith("-") else text.split("-")[0]
        if text.startswith("-") or len(year) != 4 or year == "0000":
            return True
    if datatype in ("time", "dateTime") and "." in text:
        fraction = text.split(".")[1][:20]
        digits = "".join(ch for ch in fraction if ch.isdigit())
        return len(digits.rstrip("0")) > 6
    return False


def oxigraph_lenient(text: str, datatype: str) -> bool:
    """Forms XSD forbids and Oxigraph (Rust's float parser) accepts: inf, infinity, nan in any case."""
    return datatype in ("double", "float") and text.lstrip("+-").lower() in ("inf", "infinity", "nan") \
        and text not in ("INF", "+INF", "-INF", "NaN")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["integer", "decimal", "double", "boolean", "date", "gYear"]).flatmap(
    lambda name: st.tuples(st.just(name), LEXICAL[name])))
def test_values_agree_with_rdflib(case):
    """rdflib's reading of the same well-typed literals gives the same Python values."""
    from rdflib import Literal, URIRef

    datatype, text = case
    ours = v.literal_value(text, XSD + datatype)
    assume(not isinstance(ours, v.TypedString))
    theirs = Literal(text, datatype=URIRef(XSD + datatype)).toPython()
    if datatype == "gYear":
        assert int(ours) == theirs.year if hasattr(theirs, "year") else str(ours.isoformat()) == str(theirs)
    elif isinstance(ours, float) and math.isnan(ours):
        assert math.isnan(theirs)
    elif isinstance(ours, v.ZonedDate):  # rdflib drops a date's timezone; we keep it
        assert dt.date(ours.year, ours.month, ours.day) == theirs
    else:
        assert ours == theirs
