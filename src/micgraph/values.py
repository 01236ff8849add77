"""SPARQL answers as Python values: numbers, dates, years, tagged strings, IRIs (for notebooks and charts).

`to_value(term)` maps a pyoxigraph term to the Python value its datatype defines; `to_term(value)` maps
it back, in the canonical lexical form. What each RDF term becomes:

===============================================  ==========================================================
IRI                                              `IRI` (a `str`; `.compact()` gives `micr:x`)
blank node                                       `BlankNode` (a `str`: its label)
xsd:string                                       `str`
rdf:langString                                   `LangString` (a `str` with `.lang`, and `.direction` in
                                                 RDF 1.2): `LangString("国家", "zh")`
xsd:integer and its subtypes (int, long, byte,   `int` (within the subtype's range)
nonNegativeInteger, unsignedShort, ...)
xsd:decimal                                      `decimal.Decimal`, digits kept as written (`5.30`)
xsd:double, xsd:float                            `float` (`INF`, `-INF`, `NaN` included; a float is
                                                 rounded to 32 bits, as its value space says)
xsd:boolean                                      `bool`
xsd:date                                         `datetime.date`; with a timezone, `ZonedDate` (a date
                                                 with `.tzinfo`)
xsd:dateTime, xsd:dateTimeStamp                  `datetime.datetime` (aware when the literal has a zone)
xsd:time                                         `datetime.time`
xsd:gYear                                        `Year` (an `int`: a year is not a date, so no month or
                                                 day is invented; `.tz` keeps a zone)
xsd:gYearMonth                                   `YearMonth` (year, month, tz)
xsd:hexBinary, xsd:base64Binary                  `bytes` (base64 in its canonical form: no spaces)
owl:rational                                     `fractions.Fraction`
quoted triple (RDF 1.2)                          `QuotedTriple` (subject, predicate, object values)
any other datatype, and every ill-typed literal  `TypedString` (a `str` with `.datatype`): never an error
===============================================  ==========================================================

A literal is well-typed when its lexical form is in the datatype's XSD 1.1 lexical space, with no
surrounding whitespace (`" 12 "^^xsd:integer` is ill-typed, as it is to Oxigraph's casts; the tests hold
the two to agreeing, except where Oxigraph is lenient, `nan` and `inf`, or limited, 64-bit integers). Values
Python cannot hold exactly stay `TypedString` too: dates outside years 1-9999, fractions of a second
beyond microseconds, integers of more than 4300 digits (Python's int-string limit).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import struct
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple, Self

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"


# --- the value types ------------------------------------------------------------------------------


class IRI(str):
    """An IRI: compares and hashes as its string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"

    def compact(self) -> str:
        """`micr:x` for an IRI in one of micgraph's namespaces, else the IRI itself."""
        from .namespaces import compact

        return compact(self)


class BlankNode(str):
    """A blank node, as its label (labels are local to one result)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"BlankNode({str.__repr__(self)})"


class LangString(str):
    """A language-tagged string: a `str` that keeps its tag (and RDF 1.2 base direction).

    Equal to a plain string with the same text; two LangStrings are equal when their tags are too
    (tags compare case-insensitively, as BCP 47 says)."""

    lang: str
    direction: str | None

    def __new__(cls, value: str, lang: str, direction: str | None = None) -> Self:
        text = super().__new__(cls, value)
        text.lang = lang
        text.direction = direction
        return text

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LangString):
            return (
                str.__eq__(self, other)
                and self.lang.lower() == other.lang.lower()
                and self.direction == other.direction
            )
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        extra = f", {self.direction!r}" if self.direction else ""
        return f"LangString({str.__repr__(self)}, {self.lang!r}{extra})"

    def __reduce__(self):
        return (LangString, (str(self), self.lang, self.direction))


class TypedString(str):
    """A literal kept as its lexical form with its datatype: ill-typed literals and datatypes with no
    Python value here (durations, gMonth, anyURI, rdf:HTML, custom datatypes)."""

    datatype: str

    def __new__(cls, value: str, datatype: str) -> Self:
        text = super().__new__(cls, value)
        text.datatype = datatype
        return text

    def __repr__(self) -> str:
        return f"TypedString({str.__repr__(self)}, {self.datatype!r})"

    def __reduce__(self):
        return (TypedString, (str(self), self.datatype))


class Year(int):
    """An xsd:gYear: the year as an `int` (usable as one), with the literal's timezone if it had one."""

    tz: dt.timezone | None

    def __new__(cls, year: int, tz: dt.timezone | None = None) -> Self:
        value = super().__new__(cls, year)
        value.tz = tz
        return value

    def __repr__(self) -> str:
        return f"Year({int(self)}{', ' + repr(self.tz) if self.tz else ''})"

    def isoformat(self) -> str:
        return _year_text(int(self)) + _zone_text(self.tz)

    def __reduce__(self):
        return (Year, (int(self), self.tz))


class YearMonth(NamedTuple):
    """An xsd:gYearMonth: a month of a year, no day."""

    year: int
    month: int
    tz: dt.timezone | None = None

    def isoformat(self) -> str:
        return f"{_year_text(self.year)}-{self.month:02d}{_zone_text(self.tz)}"

    def __str__(self) -> str:
        return self.isoformat()


class ZonedDate(dt.date):
    """An xsd:date with a timezone (Python's `date` has none)."""

    tzinfo: dt.timezone

    def __new__(cls, year: int, month: int, day: int, tzinfo: dt.timezone) -> Self:
        value = super().__new__(cls, year, month, day)
        value.tzinfo = tzinfo
        return value

    def isoformat(self) -> str:
        return super().isoformat() + _zone_text(self.tzinfo)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ZonedDate) and dt.date.__eq__(self, other) and self.tzinfo == other.tzinfo

    def __hash__(self) -> int:
        return hash((dt.date.__hash__(self), self.tzinfo))

    def __repr__(self) -> str:
        return f"ZonedDate({self.year}, {self.month}, {self.day}, {self.tzinfo!r})"

    def __reduce__(self):
        return (ZonedDate, (self.year, self.month, self.day, self.tzinfo))


class QuotedTriple(NamedTuple):
    subject: Any
    predicate: Any
    object: Any


# --- lexical spaces -------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_ZONE = r"(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"(-?(?:[1-9][0-9]{4,}|[0-9]{4}))"
_GYEAR = re.compile(_YEAR + _ZONE)
_GYEARMONTH = re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _ZONE)
_DATE = re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _ZONE)
_TIME = r"(?:([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]+))?|(24):(00):(00)(?:\.(0+))?)"
_TIME_OF_DAY = re.compile(_TIME + _ZONE)
_DATETIME = re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T" + _TIME + _ZONE)
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
_RATIONAL = re.compile(r"-?[0-9]+/[0-9]*[1-9][0-9]*")
_MAX_DIGITS = 4300  # CPython's default int/str conversion limit

# xsd:integer and its subtypes: (least, greatest), None for unbounded.
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
INTEGER_DATATYPES = frozenset(XSD + name for name in INTEGER_RANGES)


def _zone(text: str | None) -> dt.timezone | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _zone_text(tz: dt.timezone | None) -> str:
    if tz is None:
        return ""
    offset = tz.utcoffset(None)
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _year_text(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def _integer(text: str, datatype: str):
    if not _INTEGER.fullmatch(text) or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    least, greatest = INTEGER_RANGES[datatype[len(XSD) :]]
    if (least is not None and number < least) or (greatest is not None and number > greatest):
        return None
    return number


def _decimal(text: str):
    return Decimal(text) if _DECIMAL.fullmatch(text) else None


def _double(text: str):
    return float(text) if _DOUBLE.fullmatch(text) else None


_FLOAT_MAX = 3.4028234663852886e38  # the largest finite 32-bit float


def _float(text: str):
    """xsd:float: the nearest 32-bit float (1.1 is 1.100000023841858), held in a Python float."""
    value = _double(text)
    if value is None or math.isnan(value) or math.isinf(value):
        return value
    if abs(value) > _FLOAT_MAX:
        # beyond the largest float by at least half a unit in the last place: infinity (IEEE 754 rounding)
        if abs(value) >= _FLOAT_MAX + 2.0**103:
            return math.copysign(math.inf, value)
        return math.copysign(_FLOAT_MAX, value)
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _boolean(text: str):
    return {"true": True, "1": True, "false": False, "0": False}.get(text)


def _gyear(text: str):
    match = _GYEAR.fullmatch(text)
    if not match or len(match.group(1)) > _MAX_DIGITS:
        return None
    return Year(int(match.group(1)), _zone(match.group(2)))


def _gyearmonth(text: str):
    match = _GYEARMONTH.fullmatch(text)
    if not match or len(match.group(1)) > _MAX_DIGITS:
        return None
    return YearMonth(int(match.group(1)), int(match.group(2)), _zone(match.group(3)))


def _python_year(text: str) -> int | None:
    """The year when Python's date can hold it (1-9999), else None."""
    return int(text) if len(text) == 4 and text != "0000" else None


def _date(text: str):
    match = _DATE.fullmatch(text)
    if not match:
        return None
    year = _python_year(match.group(1))
    try:
        day = dt.date(year or 2000, int(match.group(2)), int(match.group(3)))  # 2000: leap, checks the day
    except ValueError:
        return None  # 30 February
    if year is None:
        return _UNREPRESENTABLE
    zone = _zone(match.group(4))
    if zone is not None:
        return ZonedDate(year, day.month, day.day, zone)
    return dt.date(year, day.month, day.day)


def _microseconds(fraction: str | None) -> int | None:
    """The fraction of a second in µs, None when it has more precision than Python keeps."""
    fraction = (fraction or "").rstrip("0")
    return int(fraction.ljust(6, "0")) if len(fraction) <= 6 else None


def _time_parts(groups) -> tuple[int, int, int, int, bool] | None:
    hour, minute, second, fraction, end_of_day = groups[0], groups[1], groups[2], groups[3], groups[4]
    if end_of_day:
        return 0, 0, 0, 0, True
    micro = _microseconds(fraction)
    if micro is None:
        return None
    return int(hour), int(minute), int(second), micro, False


def _time(text: str):
    match = _TIME_OF_DAY.fullmatch(text)
    if not match:
        return None
    parts = _time_parts(match.groups()[:8])
    if parts is None:
        return _UNREPRESENTABLE
    hour, minute, second, micro, _ = parts  # 24:00:00 is 00:00:00 (XSD 1.1)
    return dt.time(hour, minute, second, micro, tzinfo=_zone(match.group(9)))


def _datetime(text: str, zone_required: bool = False):
    match = _DATETIME.fullmatch(text)
    if not match or (zone_required and not match.group(12)):
        return None
    year = _python_year(match.group(1))
    try:
        day = dt.date(year or 2000, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    parts = _time_parts(match.groups()[3:11])
    if year is None or parts is None:
        return _UNREPRESENTABLE
    hour, minute, second, micro, end_of_day = parts
    try:
        value = dt.datetime(year, day.month, day.day, hour, minute, second, micro, tzinfo=_zone(match.group(12)))
        return value + dt.timedelta(days=1) if end_of_day else value  # 24:00:00 is the next day's midnight
    except OverflowError:
        return _UNREPRESENTABLE  # 9999-12-31T24:00:00


def _hex(text: str):
    return bytes.fromhex(text) if _HEX.fullmatch(text) else None


def _base64(text: str):
    """Canonical base64 only (no spaces, zero padding bits): what Python's codec writes back."""
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value if base64.b64encode(value).decode("ascii") == text else None


def _rational(text: str):
    return Fraction(text) if _RATIONAL.fullmatch(text) else None


_UNREPRESENTABLE = object()  # well-typed, but Python cannot hold the value exactly: stays a TypedString

_PARSERS = {
    XSD + "decimal": _decimal,
    XSD + "double": _double,
    XSD + "float": _float,
    XSD + "boolean": _boolean,
    XSD + "date": _date,
    XSD + "dateTime": _datetime,
    XSD + "dateTimeStamp": lambda text: _datetime(text, zone_required=True),
    XSD + "time": _time,
    XSD + "gYear": _gyear,
    XSD + "gYearMonth": _gyearmonth,
    XSD + "hexBinary": _hex,
    XSD + "base64Binary": _base64,
    OWL + "rational": _rational,
}


# --- terms to values and back ---------------------------------------------------------------------


def literal_value(text: str, datatype: str) -> Any:
    """The Python value of the literal `text`^^`datatype` (a `TypedString` when ill-typed or unknown)."""
    if datatype == XSD_STRING:
        return text
    if datatype in INTEGER_DATATYPES:
        value = _integer(text, datatype)
    else:
        parser = _PARSERS.get(datatype)
        try:
            value = parser(text) if parser is not None else None
        except (ValueError, ArithmeticError, InvalidOperation):
            value = None
    return TypedString(text, datatype) if value is None or value is _UNREPRESENTABLE else value


def to_value(term) -> Any:
    """A pyoxigraph term (or None for an unbound variable) as a Python value; see the module docstring."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BlankNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            direction = getattr(term, "direction", None)  # RDF 1.2 base direction: "ltr" or "rtl"
            return LangString(term.value, term.language, direction.value if direction is not None else None)
        return literal_value(term.value, term.datatype.value)
    if isinstance(term, ox.Triple):
        return QuotedTriple(to_value(term.subject), to_value(term.predicate), to_value(term.object))
    raise TypeError(f"not an RDF term: {term!r}")


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text if "." in text else text + ".0"


def _double_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(value).replace("inf", "INF")


def _literal(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(datatype))


def to_term(value: Any):
    """The RDF term of a Python value, in the datatype's canonical lexical form: the inverse of `to_value`
    (`to_value(to_term(v)) == v` for every value `to_value` returns)."""
    if value is None:
        return None
    if isinstance(value, IRI):
        return ox.NamedNode(value)
    if isinstance(value, BlankNode):
        return ox.BlankNode(value)
    if isinstance(value, LangString):
        if value.direction:
            direction = ox.BaseDirection.RTL if value.direction == "rtl" else ox.BaseDirection.LTR
            return ox.Literal(str(value), language=value.lang, direction=direction)
        return ox.Literal(str(value), language=value.lang)
    if isinstance(value, TypedString):
        return _literal(str(value), value.datatype)
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool):
        return _literal("true" if value else "false", XSD + "boolean")
    if isinstance(value, Year):
        return _literal(value.isoformat(), XSD + "gYear")
    if isinstance(value, int):
        return _literal(str(value), XSD + "integer")
    if isinstance(value, Decimal):
        return _literal(_decimal_text(value), XSD + "decimal")
    if isinstance(value, float):
        return _literal(_double_text(value), XSD + "double")
    if isinstance(value, YearMonth):
        return _literal(value.isoformat(), XSD + "gYearMonth")
    if isinstance(value, dt.datetime):
        return _literal(value.isoformat().replace("+00:00", "Z"), XSD + "dateTime")
    if isinstance(value, dt.date):
        return _literal(value.isoformat(), XSD + "date")
    if isinstance(value, dt.time):
        return _literal(value.isoformat().replace("+00:00", "Z"), XSD + "time")
    if isinstance(value, bytes):
        return _literal(value.hex().upper(), XSD + "hexBinary")
    if isinstance(value, Fraction):
        return _literal(f"{value.numerator}/{value.denominator}", OWL + "rational")
    if isinstance(value, QuotedTriple):
        return ox.Triple(to_term(value.subject), to_term(value.predicate), to_term(value.object))
    raise TypeError(f"no RDF term for {type(value).__name__} {value!r}")


# --- results --------------------------------------------------------------------------------------


def select_values(result) -> list[dict[str, Any]]:
    """A SELECT result's rows as {variable: Python value} (None where unbound)."""
    variables = result.variables
    return [dict(zip(variables, map(to_value, row))) for row in result.bindings]


def _require_pandas():
    try:
        import pandas
    except ImportError:
        from .errors import UsageError

        raise UsageError("a DataFrame needs pandas: pip install 'micgraph[notebook]'") from None
    return pandas


def _column_dtype(values: list[Any]) -> str | None:
    """The pandas dtype for a column of Python values (None cells ignored), or None for object."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    kinds = {type(v) for v in present}
    if kinds == {bool}:
        return "boolean"
    if kinds <= {int, Year} and all(-(2**63) <= v < 2**63 for v in present):
        return "Int64"
    if kinds == {float}:
        return "Float64"
    if kinds == {dt.date} and all(1678 <= v.year <= 2261 for v in present):  # datetime64[ns]'s range
        return "datetime64[ns]"
    if kinds == {dt.datetime} and all(1678 <= v.year <= 2261 for v in present):
        zones = {v.utcoffset() for v in present}
        if zones == {None}:
            return "datetime64[ns]"
        if None not in zones:
            return "datetime64[ns, UTC]"
        return None
    if kinds == {YearMonth} and all(v.tz is None for v in present):
        return "period[M]"
    if kinds <= {str, IRI}:
        return "string"
    return None  # Decimal, LangString, TypedString, mixed: object, the values as they are


def to_dataframe(result):
    """A SELECT result as a pandas DataFrame, one typed column per variable.

    Columns: `Int64` (integers and years), `Float64` (doubles), `boolean`, `datetime64[ns]` (all full dates,
    or date-times: in UTC when they have zones), `period[M]` (year-months), `string` (plain strings and
    IRIs); anything else stays `object` holding the values of `to_value`: Decimals (so 0.1 stays exact),
    language-tagged strings (so the tags stay), mixed columns. Unbound cells are missing values."""
    pandas = _require_pandas()
    rows = select_values(result)
    columns = {}
    for variable in result.variables:
        values = [row[variable] for row in rows]
        dtype = _column_dtype(values)
        if dtype is None:
            columns[variable] = pandas.Series(values, dtype=object)
        elif dtype == "period[M]":
            columns[variable] = pandas.Series(
                [pandas.Period(year=v.year, month=v.month, freq="M") if v is not None else None for v in values],
                dtype=dtype,
            )
        elif dtype.startswith("datetime64"):
            columns[variable] = pandas.Series(pandas.to_datetime(values, utc=dtype.endswith("UTC]")), dtype=dtype)
        else:
            columns[variable] = pandas.Series([int(v) if isinstance(v, Year) else v for v in values], dtype=dtype)
    return pandas.DataFrame(columns, columns=list(result.variables))
