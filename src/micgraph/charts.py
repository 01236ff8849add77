"""Charts of the graph's figures: a SELECT result drawn in Vega-Lite (altair), written as SVG, PNG, HTML or
the Vega-Lite spec (vl-convert: no browser). Needs the `chart` extra.

    micgraph.chart("china-advanced-manufacturing-share")      # an altair chart, to style further

The chart is read from the result's shape unless `kind` names one:

- columns named like bounds (`minValue`/`maxValue`, `lower`/`upper`) -> "range": a bar between the
  bounds, a point at each, a one-sided bound drawn as an arrowhead (at least / up to);
- a period column (typed dates or years, or a column named year/period/date/start/end... whose text
  reads as years, year-months or dates) with two periods or more -> "line" over the periods;
- two category columns and a number, or one category and two numbers -> "grouped-bar";
- a category and a number -> "bar"; a category and no number -> "bar" of the rows counted per category
  (a column of distinct resources is what is counted).

Categories are the resource columns (their labels read from the graph in `lang`, falling back to
English), else the text columns. Columns of observations (mic:Observation, qb:Observation) are not
drawn: they give the axis title (the indicator's label), the unit (the unit's symbol or label), the
approximate marks and the caption, which cites by label every source document of every figure drawn
(prov:wasDerivedFrom, its PROV subproperties, dcterms:source). Where the rows hold no observation, the
sources of the resources in them are cited. The chart's data keeps the observation IRIs, and its
`usermeta` the query, kind and source IRIs, so a chart can be traced back to the graph.

Output is deterministic: the Vega-Lite version is pinned to altair's, the font stack and locales are
fixed, periods are drawn in UTC; the same graph and fonts give the same bytes. Chinese text needs a CJK
font (fonts-wqy-microhei or Noto Sans CJK), registered with vl-convert from the system's font folders.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import formats
from . import values as v
from .bundle import named_queries
from .constants import CHART_KINDS as KINDS
from .errors import ToolError, UsageError
from .namespaces import compact

# Output formats: name -> (file name extension, media type). Chosen from -o's extension by the CLI.
MAX_ROWS = 1000  # more bars or points than anyone can read: aggregate or LIMIT the query
PNG_SCALE = 2
CAPTION_WIDTH = 110  # characters per caption line
LABEL_LIMIT = 320  # pixels of a category label before it is cut with an ellipsis

# CJK fonts micgraph looks for, in order: family -> file names (Debian, Fedora, macOS, Windows, Google).
CJK_FONTS: dict[str, tuple[str, ...]] = {
    "WenQuanYi Micro Hei": ("wqy-microhei.ttc",),
    "Noto Sans CJK SC": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansCJK-VF.otf.ttc"),
    "Noto Sans SC": ("NotoSansSC-Regular.otf", "NotoSansSC-Regular.ttf", "NotoSansSC[wght].ttf"),
    "Source Han Sans SC": ("SourceHanSansSC-Regular.otf", "SourceHanSans-Regular.ttc"),
    "PingFang SC": ("PingFang.ttc",),
    "Microsoft YaHei": ("msyh.ttc",),
}
FONT_STACK = ", ".join([*(f"'{family}'" for family in CJK_FONTS), "sans-serif"])
FONT_FOLDERS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")

OBSERVATION_CLASSES = ("https://w3id.org/micgraph/ontology#Observation", "http://purl.org/linked-data/cube#Observation")

# The chart's own words (everything else comes from the graph or the query).
WORDS = {
    "en": {
        "sources": "Sources: ",
        "separator": "; ",
        "end": ".",
        "no-sources": "No source documents: the rows name no resource that has one.",
        "approximate": "≈ approximate, as the source states it",
        "count": "{} (count)",
        "none": "(none)",
        "ill-typed": "Not drawn, not numbers: ",
        "sources-title": "sources",
    },
    "zh": {
        "sources": "来源：",
        "separator": "；",
        "end": "。",
        "no-sources": "无来源文献：结果中没有带来源的资源。",
        "approximate": "≈ 约数（据来源表述）",
        "count": "{}（数量）",
        "none": "(无)",
        "ill-typed": "未绘制的无效数值：",
        "sources-title": "来源",
    },
}

_BOUND_LOW = re.compile(r"^(min|lower|least|atleast|low$|from$)", re.IGNORECASE)
_BOUND_HIGH = re.compile(r"^(max|upper|most|atmost|high$|to$)", re.IGNORECASE)
_PERIOD_NAME = re.compile(r"year|period|date|month|asof|start|end|day|time|when", re.IGNORECASE)
_UNIT_NAME = re.compile(r"(^|[a-z])unit$", re.IGNORECASE)


# --- reading the result ---------------------------------------------------------------------------


@dataclass
class Column:
    name: str
    values: list[Any]
    role: str  # observation, resource, measure, low, high, period, unit, text, flag, empty
    ill_typed: list[str] = field(default_factory=list)  # numbers that are not: left out of the drawing


def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal, float)) and not isinstance(value, (bool, v.Year))


def _ill_typed_number(value) -> bool:
    return isinstance(value, v.TypedString) and (
        value.datatype in v.INTEGER_DATATYPES
        or value.datatype in (v.XSD + "decimal", v.XSD + "double", v.XSD + "float")
    )


@dataclass
class Facts:
    """What the graph says about the resources of a result: labels, classes, observation details, sources."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> {lang: label}
    classes: dict[str, set[str]] = field(default_factory=dict)  # resource -> its classes and their superclasses
    superclasses: dict[str, set[str]] = field(default_factory=dict)  # class -> its superclasses
    indicator: dict[str, str] = field(default_factory=dict)  # observation -> indicator IRI
    unit: dict[str, str] = field(default_factory=dict)  # observation -> unit IRI
    approximate: dict[str, bool] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)  # resource -> source IRIs
    unit_by_symbol: dict[str, str] = field(default_factory=dict)  # skos:notation -> unit IRI
    symbols: dict[str, str] = field(default_factory=dict)  # unit IRI -> skos:notation


def _values_clause(iris) -> str:
    """IRIs for a VALUES clause, serialised by pyoxigraph (which validated them when they were read)."""
    return " ".join(str(ox.NamedNode(iri)) for iri in sorted(iris))


def _select(store, sparql: str) -> list[tuple]:
    from .query import SelectResult, run_query

    result = run_query(store, sparql)
    assert isinstance(result, SelectResult)
    return [tuple(map(v.to_value, row)) for row in result.bindings]


def _read_facts(store, iris: set[str], symbols: set[str]) -> Facts:
    facts = Facts()
    if iris:
        resources = _values_clause(iris)
        for resource, cls in _select(store, f"SELECT ?r ?c WHERE {{ VALUES ?r {{ {resources} }} ?r a ?c }}"):
            facts.classes.setdefault(resource, set()).add(cls)
        direct = {c for cs in facts.classes.values() for c in cs if isinstance(c, v.IRI)}
        if direct:
            for cls, superclass in _select(
                store,
                f"""SELECT ?c ?s WHERE {{ VALUES ?c {{ {_values_clause(direct)} }}
                                                     ?c rdfs:subClassOf+ ?s FILTER(isIRI(?s)) }}""",
            ):
                facts.superclasses.setdefault(cls, set()).add(superclass)
            for classes in facts.classes.values():
                classes |= {s for c in list(classes) for s in facts.superclasses.get(c, ())}
        observations = {r for r, classes in facts.classes.items() if classes & set(OBSERVATION_CLASSES)}
        if observations:
            for obs, indicator, unit, approximate in _select(
                store,
                f"""
                    SELECT ?o ?indicator ?unit ?approximate WHERE {{ VALUES ?o {{ {_values_clause(observations)} }}
                      OPTIONAL {{ ?o mic:indicator ?indicator }} OPTIONAL {{ ?o mic:unit ?unit }}
                      OPTIONAL {{ ?o mic:isApproximate ?approximate }} }}""",
            ):
                if indicator is not None:
                    facts.indicator[obs] = indicator
                if unit is not None:
                    facts.unit[obs] = unit
                facts.approximate[obs] = facts.approximate.get(obs, False) or approximate is True
        for resource, source in _select(
            store,
            f"""
                SELECT DISTINCT ?r ?source WHERE {{ VALUES ?r {{ {resources} }}
                  {{ ?r prov:wasDerivedFrom|dcterms:source ?source }}
                  UNION {{ ?r ?derived ?source . ?derived rdfs:subPropertyOf+ prov:wasDerivedFrom }} }}""",
        ):
            if isinstance(source, v.IRI):
                facts.sources.setdefault(resource, []).append(source)
    if symbols:
        notations = " ".join(str(ox.Literal(s)) for s in sorted(symbols))
        for unit, symbol in _select(
            store,
            f"""SELECT ?u ?s WHERE {{ VALUES ?s {{ {notations} }}
                                                 ?u a mic:Unit ; skos:notation ?s }}""",
        ):
            facts.unit_by_symbol.setdefault(symbol, unit)
    units = set(facts.unit.values()) | set(facts.unit_by_symbol.values())
    if units:
        for unit, symbol in _select(
            store,
            f"""SELECT ?u ?s WHERE {{ VALUES ?u {{ {_values_clause(units)} }}
                                               ?u skos:notation ?s }}""",
        ):
            facts.symbols.setdefault(unit, str(symbol))
    named = (
        iris
        | units
        | set(facts.indicator.values())
        | {s for ss in facts.sources.values() for s in ss}
        | {c for cs in facts.classes.values() for c in cs}
    )
    if named:
        ranked: dict[tuple[str, str], tuple[int, str]] = {}
        for resource, rank, label in _select(
            store,
            f"""SELECT ?r ?rank ?l WHERE {{
                                              VALUES ?r {{ {_values_clause(named)} }}
                                              {{ ?r rdfs:label ?l BIND(1 AS ?rank) }}
                                              UNION {{ ?r skos:prefLabel ?l BIND(2 AS ?rank) }}
                                              UNION {{ ?r dcterms:title ?l BIND(3 AS ?rank) }} }}""",
        ):
            if isinstance(label, str):
                key = (resource, label.lang.lower() if isinstance(label, v.LangString) else "")
                # rdfs:label before skos:prefLabel before dcterms:title; among equals the least, for stability
                ranked[key] = min(ranked.get(key, (rank, str(label))), (rank, str(label)))
        for (resource, lang), (_, label) in ranked.items():
            facts.labels.setdefault(resource, {})[lang] = label
    return facts


def _label(facts: Facts, iri: str, lang: str) -> str:
    """The resource's label in `lang`, else in English, else untagged, else any, else its compact IRI."""
    labels = facts.labels.get(iri, {})
    for key in (lang, "en", ""):
        if key in labels:
            return labels[key]
    return labels[min(labels)] if labels else compact(iri)


def _temporal(value) -> bool:
    return isinstance(value, (v.Year, v.YearMonth, dt.date))


def _read_period(text: str):
    """A year, year-month or date written as text (a named query's STR(?date)), or None."""
    for datatype in ("gYear", "gYearMonth", "date"):
        value = v.literal_value(text, v.XSD + datatype)
        if not isinstance(value, v.TypedString):
            return value
    return None


def _classify(name: str, values: list[Any], facts: Facts) -> Column:
    present = [x for x in values if x is not None]
    if not present:
        return Column(name, values, "empty")
    if all(isinstance(x, (v.IRI, v.BlankNode)) for x in present):
        observation = all(facts.classes.get(x, set()) & set(OBSERVATION_CLASSES) for x in present)
        return Column(name, values, "observation" if observation else "resource")
    if all(isinstance(x, bool) for x in present):
        return Column(name, values, "flag")
    if any(_is_number(x) for x in present) and all(_is_number(x) or _ill_typed_number(x) for x in present):
        role = "low" if _BOUND_LOW.match(name) else "high" if _BOUND_HIGH.match(name) else "measure"
        ill_typed = [str(x) for x in present if not _is_number(x)]
        return Column(name, [x if x is None or _is_number(x) else None for x in values], role, ill_typed)
    if all(_temporal(x) for x in present):
        return Column(name, values, "period")
    if all(isinstance(x, str) for x in present):
        if _UNIT_NAME.search(name):
            return Column(name, values, "unit")
        if _PERIOD_NAME.search(name):
            periods = [_read_period(x) if x is not None else None for x in values]
            if all(p is not None for p, x in zip(periods, values) if x is not None):
                return Column(name, periods, "period")
    return Column(name, values, "text")


# --- the figure: what is drawn, before it is drawn ------------------------------------------------


@dataclass
class Figure:
    kind: str
    rows: list[dict[str, Any]]  # the chart's data
    category: str | None = None  # field of the category axis
    category_title: str | None = None
    series: str | None = None  # field of the colour / offset
    series_title: str | None = None
    value: str | None = None  # field of the measure
    value_title: str = ""
    low: str | None = None
    high: str | None = None
    period: str | None = None
    period_format: str = "%Y"
    unit_field: str | None = None  # range charts: the facet per unit
    horizontal: bool = False
    title: str | None = None
    caption: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def _humanise(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return " ".join(words.split()).lower()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _number(value) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _number_text(value) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) >= 10000 else f"{value:.6g}"
    if isinstance(value, Decimal):
        return f"{value:,f}" if abs(value) >= 10000 else f"{value:f}"
    return f"{value:,}" if abs(value) >= 10000 else str(value)


def _iso(period) -> str:
    if isinstance(period, v.Year):
        return f"{int(period):04d}-01-01"
    if isinstance(period, v.YearMonth):
        return f"{period.year:04d}-{period.month:02d}-01"
    if isinstance(period, dt.datetime):
        return period.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if period.tzinfo else period.isoformat()
    return dt.date(period.year, period.month, period.day).isoformat()


def _period_format(periods) -> str:
    if any(isinstance(p, dt.datetime) for p in periods):
        return "%Y-%m-%d %H:%M"
    if any(isinstance(p, dt.date) for p in periods):
        return "%Y-%m-%d"
    if any(isinstance(p, v.YearMonth) for p in periods):
        return "%Y-%m"
    return "%Y"


def _is_symbol(notation: str) -> bool:
    return not re.search(r"[^\W\d_]", notation)  # no letters: %, ‰, €


class _Reader:
    """Turns a typed result and the facts about it into a Figure."""

    def __init__(self, variables: list[str], rows: list[dict[str, Any]], facts: Facts, lang: str) -> None:
        self.rows, self.facts, self.lang = rows, facts, lang
        self.words = WORDS[lang]
        self.columns = [_classify(name, [row[name] for row in rows], facts) for name in variables]
        for column in self.columns:  # periods read from text, and ill-typed numbers left out, replace the cells
            for row, value in zip(rows, column.values):
                row[column.name] = value
        self.by_role: dict[str, list[Column]] = {}
        for column in self.columns:
            self.by_role.setdefault(column.role, []).append(column)

    def role(self, name: str) -> list[Column]:
        return self.by_role.get(name, [])

    def label(self, value) -> str:
        if value is None:
            return self.words["none"]
        if isinstance(value, v.IRI):
            return _label(self.facts, value, self.lang)
        if isinstance(value, v.BlankNode):
            return f"_:{value}"
        if _temporal(value):
            return value.isoformat() if not isinstance(value, v.Year) else str(int(value))
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            return _number_text(value)
        return str(value)

    def class_title(self, column: Column) -> str:
        """The label of the most specific class every resource of the column has (micgraph's own first when
        several are equally specific), else the column's name."""
        resources = [x for x in column.values if isinstance(x, v.IRI)]
        shared = set.intersection(*(self.facts.classes.get(r, set()) for r in resources)) if resources else set()
        shared = {c for c in shared if self.facts.labels.get(c)}
        specific = [c for c in shared if shared - {c} <= self.facts.superclasses.get(c, set())]
        if specific:
            best = min(specific, key=lambda c: (not c.startswith("https://w3id.org/micgraph/"), c))
            return _capitalised(_label(self.facts, best, self.lang))
        return _capitalised(_humanise(column.name))

    # categories, observations, units -------------------------------------------------------------

    def categories(self) -> list[Column]:
        return self.role("resource") or self.role("text")

    def observations_of(self, row: dict[str, Any]) -> list[str]:
        return [row[c.name] for c in self.role("observation") if row[c.name] is not None]

    def unit_of(self, row: dict[str, Any]) -> str | None:
        """The unit IRI of a row: its observations' mic:unit, else its unit column read as a symbol or IRI."""
        for obs in self.observations_of(row):
            if obs in self.facts.unit:
                return self.facts.unit[obs]
        for column in self.role("unit"):
            value = row[column.name]
            if isinstance(value, v.IRI):
                return value
            if value is not None:
                return self.facts.unit_by_symbol.get(str(value), f"symbol:{value}")
        return None

    def unit_text(self, unit: str | None) -> str | None:
        if unit is None:
            return None
        if unit.startswith("symbol:"):
            return unit[len("symbol:") :]
        symbol = self.facts.symbols.get(unit)
        return symbol if symbol and _is_symbol(symbol) else _label(self.facts, unit, self.lang)

    def indicator(self) -> str | None:
        """The indicator every figure of the result measures, if they share one."""
        indicators = {self.facts.indicator.get(o) for row in self.rows for o in self.observations_of(row)}
        return indicators.pop() if len(indicators) == 1 else None

    def value_title(self, fallback: str) -> str:
        """The measure axis: the indicator's label when the figures share one, and their unit."""
        indicator = self.indicator()
        title = _label(self.facts, indicator, self.lang) if indicator is not None else fallback
        units = {self.unit_of(row) for row in self.rows}
        unit = self.unit_text(units.pop()) if len(units) == 1 else None
        return _capitalised(f"{title} ({unit})" if unit else title)

    def approximate(self, row: dict[str, Any]) -> bool:
        """Whether the row's figures are approximate: mic:isApproximate, or a true ?approximate column."""
        return any(self.facts.approximate.get(o, False) for o in self.observations_of(row)) or any(
            row[c.name] is True and "approx" in c.name.lower() for c in self.role("flag")
        )

    def sources(self, row: dict[str, Any]) -> list[str]:
        """The source documents of the figures in a row (of its other resources when it has no figure)."""
        observations = self.observations_of(row)
        resources = (
            observations
            if self.role("observation")
            else [row[c.name] for c in self.columns if isinstance(row[c.name], v.IRI)]
        )
        found: list[str] = []
        for resource in resources:
            for source in sorted(
                self.facts.sources.get(resource, []), key=lambda s: (_label(self.facts, s, self.lang), s)
            ):
                if source not in found:
                    found.append(source)
        return found

    # the row data every kind shares ---------------------------------------------------------------

    def base(self, row: dict[str, Any]) -> dict[str, Any]:
        """A data row: every column by name (labels for resources; the IRIs of resources kept beside them
        as `NAME-iri`; numbers as numbers), plus the figure's sources, unit and approximate mark."""
        out: dict[str, Any] = {}
        for column in self.columns:
            value = row[column.name]
            if column.role in ("measure", "low", "high"):
                out[column.name] = _number(value)
            elif column.role == "observation":
                out[column.name] = str(value) if value is not None else None
            elif column.role == "period":
                out[column.name] = _iso(value) if value is not None else None
                out[f"{column.name}-label"] = self.label(value) if value is not None else None
            elif column.role == "flag":
                out[column.name] = value
            else:
                out[column.name] = self.label(value) if value is not None else None
                if isinstance(value, v.IRI):
                    out[f"{column.name}-iri"] = str(value)
        self.cite(out, self.sources(row))
        out["figure-approximate"] = self.approximate(row)
        return out

    def cite(self, out: dict[str, Any], sources: list[str]) -> None:
        out["figure-source-iris"] = [str(s) for s in sources]
        out["figure-sources"] = self.words["separator"].join(_label(self.facts, s, self.lang) for s in sources)

    def with_value(self, row: dict[str, Any], measure: Column) -> dict[str, Any]:
        """A data row with the label written on its mark: the number, ≈ when approximate, a unit symbol."""
        out = self.base(row)
        unit = self.unit_text(self.unit_of(row))
        out["value-label"] = self.value_label(row[measure.name], out["figure-approximate"], unit)
        return out

    def value_label(self, value, approximate: bool, unit: str | None, prefix: str = "") -> str | None:
        if value is None:
            return None
        text = prefix + ("≈" if approximate else "") + _number_text(value)
        return f"{text} {unit}" if unit and _is_symbol(unit) else text

    def caption(self, drawn: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
        """The caption lines under the title, and the sources they cite: every source of every figure
        drawn, the most cited first."""
        cited: dict[str, int] = {}
        for row in drawn:
            for source in row["figure-source-iris"]:
                cited[source] = cited.get(source, 0) + 1
        sources = sorted(cited, key=lambda s: (-cited[s], _label(self.facts, s, self.lang), s))
        if sources:
            text = (
                self.words["sources"]
                + self.words["separator"].join(_label(self.facts, s, self.lang) for s in sources)
                + self.words["end"]
            )
        else:
            text = self.words["no-sources"]
        lines = wrap(text, CAPTION_WIDTH)
        if any(row["figure-approximate"] for row in drawn):
            lines.append(self.words["approximate"])
        ill_typed = [f"?{c.name} {x!r}" for c in self.columns for x in c.ill_typed]
        if ill_typed:
            lines += wrap(self.words["ill-typed"] + ", ".join(ill_typed), CAPTION_WIDTH)
        return lines, sources

    # the kinds ---------------------------------------------------------------------------------------

    def choose(self, kind: str | None) -> str:
        measures, categories = self.role("measure"), self.categories()
        if kind is not None:
            return kind
        if self.role("low") or self.role("high"):
            return "range"
        periods = self.role("period")
        if periods and measures and len({p for p in periods[0].values if p is not None}) >= 2:
            return "line"
        if not measures:
            return "bar"
        if len(measures) >= 2 or len(categories) >= 2:
            return "grouped-bar"
        return "bar"

    def figure(self, kind: str) -> Figure:
        builders = {"bar": self.bar, "grouped-bar": self.grouped_bar, "line": self.line, "range": self.range}
        return builders[kind]()

    def _need(self, condition: bool, kind: str, what: str) -> None:
        if not condition:
            names = ", ".join(f"?{c.name} ({c.role})" for c in self.columns)
            raise UsageError(f"cannot draw a {kind} chart: it needs {what}; the result has {names}")

    def _counted(self) -> tuple[Column | None, list[Column]]:
        """With no number to draw: the column of distinct resources to count, and the categories to count by."""
        for column in self.role("resource") + self.role("observation"):
            present = [x for x in column.values if x is not None]
            if len(set(present)) == len(present):
                others = [c for c in self.columns if c is not column and c.role in ("resource", "text", "period")]
                if others:
                    return column, others
        return None, self.categories() + self.role("period")

    def bar(self) -> Figure:
        measures = self.role("measure")
        if not measures:
            return self.count_bar()
        categories = self.categories()
        self._need(bool(categories), "bar", "a category column (resources or text) and a number")
        category, measure = categories[0], measures[0]
        rows = [self.with_value(row, measure) for row in self.rows]
        return Figure(
            "bar",
            rows,
            category=category.name,
            category_title=self.class_title(category),
            value=measure.name,
            value_title=self.value_title(_humanise(measure.name)),
            horizontal=self._long_labels(rows, category.name),
        )

    def count_bar(self) -> Figure:
        """Rows counted per category; each bar cites the sources of the rows it counts."""
        counted, by = self._counted()
        self._need(bool(by), "bar", "a category column to count the rows by")
        category = by[0]
        groups: dict[Any, list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault(row[category.name], []).append(row)
        rows = []
        for members in groups.values():
            entry = self.base(members[0])
            sources: list[str] = []
            for member in members:
                sources += [s for s in self.sources(member) if s not in sources]
            self.cite(entry, sources)
            if counted is not None:
                entry.pop(counted.name, None)
                entry.pop(f"{counted.name}-iri", None)
                entry["counted-iris"] = [str(m[counted.name]) for m in members]
            entry["row-count"] = len(members)
            entry["value-label"] = str(len(members))
            rows.append(entry)
        what = self.class_title(counted) if counted is not None else _capitalised(_humanise(category.name))
        figure = Figure(
            "bar",
            rows,
            category=category.name,
            category_title=self.class_title(category),
            value="row-count",
            value_title=self.words["count"].format(what),
            horizontal=self._long_labels(rows, category.name),
        )
        figure.meta["counted"] = counted.name if counted is not None else None
        return figure

    def grouped_bar(self) -> Figure:
        measures, categories = self.role("measure"), self.categories()
        if len(measures) >= 2:
            self._need(bool(categories), "grouped-bar", "a category column")
            category = categories[0]
            rows = []
            for row in self.rows:
                for measure in measures:
                    rows.append(
                        {
                            **self.with_value(row, measure),
                            "measure-name": _capitalised(_humanise(measure.name)),
                            "measure-value": _number(row[measure.name]),
                        }
                    )
            return Figure(
                "grouped-bar",
                rows,
                category=category.name,
                category_title=self.class_title(category),
                series="measure-name",
                series_title=None,
                value="measure-value",
                value_title=self.value_title(_humanise(" / ".join(m.name for m in measures))),
                horizontal=self._long_labels(rows, category.name),
            )
        self._need(
            len(categories) >= 2 and bool(measures),
            "grouped-bar",
            "two category columns and a number, or a category and two numbers",
        )
        group, series, measure = categories[0], categories[1], measures[0]
        rows = [self.with_value(row, measure) for row in self.rows]
        return Figure(
            "grouped-bar",
            rows,
            category=group.name,
            category_title=self.class_title(group),
            series=series.name,
            series_title=self.class_title(series),
            value=measure.name,
            value_title=self.value_title(_humanise(measure.name)),
            horizontal=self._long_labels(rows, group.name),
        )

    def line(self) -> Figure:
        periods, measures = self.role("period"), self.role("measure")
        self._need(bool(periods) and bool(measures), "line", "a period column (dates, years) and a number")
        period, measure = periods[0], measures[0]
        categories = self.categories()
        rows = [self.with_value(row, measure) for row in self.rows if row[period.name] is not None]
        series = categories[0] if categories and len({r[categories[0].name] for r in rows}) > 1 else None
        figure = Figure(
            "line",
            rows,
            period=period.name,
            category_title=_capitalised(_humanise(period.name)),
            value=measure.name,
            value_title=self.value_title(_humanise(measure.name)),
            series=series.name if series else None,
            series_title=self.class_title(series) if series else None,
            period_format=_period_format([p for p in period.values if p is not None]),
        )
        return figure

    def first(self, role: str) -> Column | None:
        columns = self.role(role)
        return columns[0] if columns else None

    def range(self) -> Figure:
        low, high = self.first("low"), self.first("high")
        self._need(
            low is not None or high is not None, "range", "a lower or an upper bound column (minValue, maxValue)"
        )
        categories = self.categories()
        measure = self.first("measure")
        rows = []
        for row in self.rows:
            out = self.base(row)
            unit_iri = self.unit_of(row)
            unit = self.unit_text(unit_iri)
            approximate = out["figure-approximate"]
            lo = row[low.name] if low is not None else None
            hi = row[high.name] if high is not None else None
            if categories:
                label = out[categories[0].name]
            else:
                label = "; ".join(_label(self.facts, o, self.lang) for o in self.observations_of(row)) or "?"
            out["range-label"] = label
            out["range-low"], out["range-high"] = _number(lo), _number(hi)
            out["range-unit"] = (
                _capitalised(_label(self.facts, unit_iri, self.lang))
                if unit_iri and not unit_iri.startswith("symbol:")
                else (unit or "")
            )
            if lo is not None and hi is not None:
                out["range-shape"], out["range-at"] = "range", None
                out["value-label"] = (
                    ("≈" if approximate else "")
                    + _number_text(lo)
                    + "–"
                    + _number_text(hi)
                    + (f" {unit}" if unit and _is_symbol(unit) else "")
                )
            elif lo is not None:
                out["range-shape"], out["range-at"] = "at least", _number(lo)
                out["value-label"] = self.value_label(lo, approximate, unit, "≥ ")
            elif hi is not None:
                out["range-shape"], out["range-at"] = "up to", _number(hi)
                out["value-label"] = self.value_label(hi, approximate, unit, "≤ ")
            elif measure is not None and row[measure.name] is not None:
                out["range-shape"], out["range-at"] = "value", _number(row[measure.name])
                out["value-label"] = self.value_label(row[measure.name], approximate, unit)
            else:
                continue
            rows.append(out)
        units = {r["range-unit"] for r in rows}
        figure = Figure(
            "range",
            rows,
            category="range-label",
            category_title=self.class_title(categories[0]) if categories and categories[0].role == "resource" else None,
            low="range-low",
            high="range-high",
            value_title=self.value_title(_humanise("value")) if len(units) == 1 else "",
            unit_field="range-unit" if len(units) > 1 else None,
            horizontal=True,
        )
        return figure

    @staticmethod
    def _long_labels(rows: list[dict[str, Any]], name: str) -> bool:
        return any(len(str(r.get(name) or "")) > 12 or _CJK.search(str(r.get(name) or "")) for r in rows)


def _width(text: str) -> int:
    return sum(2 if _CJK.match(ch) else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (a CJK character takes two), broken at spaces or between CJK
    characters, never inside a word."""
    lines, line = [], ""
    for token in re.findall(r"\s+|" + _CJK.pattern + r"|[^\s" + _CJK.pattern[1:-1] + r"]+", text):
        if line and _width(line) + _width(token) > width and not token.isspace():
            lines.append(line.rstrip())
            line = ""
        if line or not token.isspace():
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


# --- drawing --------------------------------------------------------------------------------------


def _altair():
    try:
        import altair
    except ImportError:
        raise UsageError("charts need altair and vl-convert: pip install 'micgraph[chart]'") from None
    return altair


def _draw(figure: Figure):
    """The altair chart of a Figure (a LayerChart: the marks, then their value labels)."""
    alt = _altair()
    tooltip = [
        alt.Tooltip(
            f"{figure.category or figure.period}{'-label' if figure.period else ''}:N",
            title=figure.category_title or "",
        )
    ]
    if figure.series:
        tooltip.append(alt.Tooltip(f"{figure.series}:N", title=figure.series_title or ""))
    tooltip.append(alt.Tooltip("value-label:N", title=figure.value_title or ""))
    tooltip.append(alt.Tooltip("figure-sources:N", title=WORDS[figure.meta["lang"]]["sources-title"]))
    data = alt.Data(values=figure.rows)

    if figure.kind in ("bar", "grouped-bar"):
        chart = _bars(alt, figure, tooltip)
    elif figure.kind == "line":
        chart = _lines(alt, figure, tooltip)
    else:
        chart = _ranges(alt, figure, tooltip)
    layered = alt.layer(*chart, data=data) if figure.unit_field is None else alt.layer(*chart)
    if figure.unit_field is not None:
        layered = layered.facet(
            row=alt.Row(
                f"{figure.unit_field}:N",
                title=None,
                sort=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
            ),
            data=data,
        ).resolve_scale(x="independent", y="independent")
    title = alt.TitleParams(
        text=figure.title or "",
        subtitle=figure.caption,
        anchor="start",
        fontSize=14,
        subtitleFontSize=10,
        subtitleColor="#555555",
        subtitlePadding=6,
        offset=12,
    )
    return layered.properties(title=title, usermeta={"micgraph": figure.meta})


def _bars(alt, figure: Figure, tooltip):
    band, value = ("y", "x") if figure.horizontal else ("x", "y")
    channel = {"x": alt.X, "y": alt.Y}
    offset = {"x": alt.XOffset, "y": alt.YOffset}
    category_axis = alt.Axis(labelLimit=LABEL_LIMIT, labelAngle=0) if not figure.horizontal else _side_axis(alt)
    encoding = {
        band: channel[band](f"{figure.category}:N", sort=None, title=figure.category_title, axis=category_axis),
        value: channel[value](
            f"{figure.value}:Q",
            title=figure.value_title,
            axis=alt.Axis(tickMinStep=1) if figure.value == "row-count" else alt.Axis(),
        ),
        "tooltip": tooltip,
    }
    if figure.series:
        encoding[f"{band}Offset"] = offset[band](f"{figure.series}:N", sort=None)
        encoding["color"] = alt.Color(
            f"{figure.series}:N",
            sort=None,
            title=figure.series_title,
            scale=alt.Scale(scheme="tableau10"),
            legend=alt.Legend(orient="bottom"),
        )
    size = (
        {"width": 420, "height": alt.Step(22 if not figure.series else 16)}
        if figure.horizontal
        else {"width": alt.Step(44 if not figure.series else 26), "height": 260}
    )
    bars = alt.Chart().mark_bar(color="#4c78a8" if not figure.series else alt.Undefined).encode(**encoding)
    text_encoding = {k: val for k, val in encoding.items() if k not in ("color", "tooltip")}
    text_encoding["text"] = alt.Text("value-label:N")
    labels = (
        alt.Chart()
        .mark_text(
            align="left" if figure.horizontal else "center",
            baseline="middle" if figure.horizontal else "bottom",
            dx=3 if figure.horizontal else 0,
            dy=0 if figure.horizontal else -3,
            fontSize=10,
            color="#333333",
        )
        .encode(**text_encoding)
    )
    return [bars.properties(**size), labels.properties(**size)]


def _side_axis(alt):
    """The category axis of horizontal bars: its title above the labels, not beside them (Vega places a
    rotated title by `labelLimit`, not by the labels' width, and would draw it over long labels)."""
    return alt.Axis(
        labelLimit=LABEL_LIMIT,
        titleAngle=0,
        titleAlign="right",
        titleAnchor="start",
        titleBaseline="bottom",
        titleX=-7,
        titleY=-6,
    )


def _lines(alt, figure: Figure, tooltip):
    period = figure.period or ""
    years = sorted({int(r[period][:4]) for r in figure.rows})
    axis = alt.Axis(
        format=figure.period_format,
        formatType="utc",
        values=[alt.DateTime(year=y, utc=True) for y in years] if figure.period_format == "%Y" else alt.Undefined,
    )
    x = alt.X(f"{period}:T", title=figure.category_title, scale=alt.Scale(type="utc", padding=24), axis=axis)
    y = alt.Y(f"{figure.value}:Q", title=figure.value_title, scale=alt.Scale(zero=True))
    encoding: dict[str, Any] = {"x": x, "y": y, "tooltip": tooltip}
    if figure.series:
        encoding["color"] = alt.Color(
            f"{figure.series}:N",
            sort=None,
            title=figure.series_title,
            scale=alt.Scale(scheme="tableau10"),
            legend=alt.Legend(orient="bottom"),
        )
    line = (
        alt.Chart()
        .mark_line(
            point=alt.OverlayMarkDef(size=50, filled=True), color="#4c78a8" if not figure.series else alt.Undefined
        )
        .encode(**encoding)
    )
    labels = (
        alt.Chart()
        .mark_text(align="center", baseline="bottom", dy=-7, fontSize=10, color="#333333")
        .encode(x=x, y=y, text=alt.Text("value-label:N"))
    )
    return [line.properties(width=420, height=260), labels.properties(width=420, height=260)]


def _ranges(alt, figure: Figure, tooltip):
    y = alt.Y(f"{figure.category}:N", sort=None, title=figure.category_title, axis=_side_axis(alt))
    x_title = figure.value_title or None
    size = {"width": 360, "height": alt.Step(22)}
    bar = (
        alt.Chart()
        .transform_filter("datum['range-shape'] === 'range'")
        .mark_bar(height=6, color="#4c78a8", opacity=0.55)
        .encode(y=y, x=alt.X(f"{figure.low}:Q", title=x_title), x2=alt.X2(f"{figure.high}:Q"), tooltip=tooltip)
    )
    ends = (
        alt.Chart()
        .transform_filter("datum['range-shape'] === 'range'")
        .transform_fold([figure.low, figure.high], as_=["bound", "bound-value"])
        .mark_point(filled=True, size=40, color="#4c78a8", opacity=1)
        .encode(y=y, x=alt.X("bound-value:Q", title=x_title), tooltip=tooltip)
    )
    shapes = alt.Scale(domain=["at least", "up to", "value"], range=["triangle-right", "triangle-left", "circle"])
    single = (
        alt.Chart()
        .transform_filter("datum['range-shape'] !== 'range'")
        .mark_point(filled=True, size=70, color="#e45756", opacity=1)
        .encode(
            y=y,
            x=alt.X("range-at:Q", title=x_title),
            shape=alt.Shape("range-shape:N", scale=shapes, legend=None),
            tooltip=tooltip,
        )
    )
    text_x = alt.X("label-at:Q", title=x_title)
    labels = (
        alt.Chart()
        .transform_calculate(
            **{"label-at": f"datum['{figure.high}'] != null ? datum['{figure.high}'] : datum['range-at']"}
        )
        .mark_text(align="left", baseline="middle", dx=7, fontSize=10, color="#333333")
        .encode(y=y, x=text_x, text=alt.Text("value-label:N"))
    )
    return [bar.properties(**size), ends.properties(**size), single.properties(**size), labels.properties(**size)]


# --- the API --------------------------------------------------------------------------------------

_bundled_graph = None


def _graph(graph):
    global _bundled_graph
    if graph is not None:
        return graph
    if _bundled_graph is None:
        from .graph import open_graph

        _bundled_graph = open_graph()
    return _bundled_graph


def figure_of(query: str, graph=None, *, kind: str | None = None, lang: str = "en", title: str | None = None) -> Figure:
    """What `chart` draws, before it is drawn: the kind, the data rows, titles and caption."""
    from .query import SelectResult, run_query

    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown chart kind {kind!r}; use one of: {', '.join(KINDS)}")
    if lang not in WORDS:
        raise UsageError(f"unknown chart language {lang!r}; use one of: {', '.join(WORDS)}")
    store = _graph(graph)
    name = query if query in named_queries() else None
    result = run_query(store, None if name else query, name=name, max_rows=MAX_ROWS)
    what = f"named query {name}" if name else "the query"
    if not isinstance(result, SelectResult):
        raise UsageError(f"{what} is not a SELECT: a chart draws the rows of a SELECT")
    if result.truncated:
        raise UsageError(f"{what} gives more than {MAX_ROWS} rows, more than a chart can show: aggregate or LIMIT it")
    if not result.bindings:
        raise UsageError(f"{what} gives no rows to draw")
    rows = result.values()
    iris = {str(x) for row in rows for x in row.values() if isinstance(x, v.IRI)}
    symbols = {
        str(x)
        for row in rows
        for k, x in row.items()
        if isinstance(x, str) and not isinstance(x, v.IRI) and _UNIT_NAME.search(k)
    }
    reader = _Reader(result.variables, rows, _read_facts(store, iris, symbols), lang)
    chosen = reader.choose(kind)
    figure = reader.figure(chosen)
    figure.meta["lang"] = lang
    figure.caption, sources = reader.caption(figure.rows)
    figure.title = title if title is not None else _title(reader, name, lang)
    figure.meta.update({"query": name or query, "kind": chosen, "lang": lang, "sources": [str(s) for s in sources]})
    return figure


def _title(reader: _Reader, name: str | None, lang: str) -> str | None:
    """The query's description (in English), else the label of the one indicator the figures share."""
    indicator = reader.indicator()
    if (not name or lang != "en") and indicator is not None:
        return _capitalised(_label(reader.facts, indicator, lang))
    return named_queries()[name].description if name else None


def chart(query: str, graph=None, *, kind: str | None = None, lang: str = "en", title: str | None = None):
    """The altair chart of a SELECT (a named query's name, or SPARQL text) on `graph` (default: the
    bundled graph): an `altair.LayerChart` (or FacetChart for ranges in several units) to style further.
    `kind` is one of KINDS (default: from the result's shape); `lang` the language of labels (en, zh)."""
    return _draw(figure_of(query, graph, kind=kind, lang=lang, title=title))


# --- writing --------------------------------------------------------------------------------------

_registered_fonts: set[str] = set()


def find_cjk_font() -> tuple[str, Path] | None:
    """(family, file) of the first CJK font of CJK_FONTS installed in the usual font folders, or None."""
    wanted = {name.lower(): family for family, names in CJK_FONTS.items() for name in names}
    found: dict[str, Path] = {}
    for folder in FONT_FOLDERS:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            continue
        for parent, _, files in os.walk(root):
            for name in files:
                family = wanted.get(name.lower())
                if family is not None and family not in found:
                    found[family] = Path(parent) / name
    for family in CJK_FONTS:
        if family in found:
            return family, found[family]
    return None


def _register_cjk_font() -> bool:
    """Register the CJK font's folder with vl-convert (once per process); False when there is none."""
    import vl_convert

    font = find_cjk_font()
    if font is None:
        return False
    folder = str(font[1].parent)
    if folder not in _registered_fonts:
        vl_convert.register_font_directory(folder)
        _registered_fonts.add(folder)
    return True


_SVG_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.DOTALL)


def vega_lite_version() -> str:
    """The Vega-Lite version altair writes (major.minor), which vl-convert is pinned to."""
    alt = _altair()
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def spec_of(drawn) -> dict[str, Any]:
    """The Vega-Lite spec of an altair chart, with micgraph's font stack as its config."""
    spec = drawn.to_dict()
    config = spec.setdefault("config", {})
    config.setdefault("font", FONT_STACK)
    return spec


def chart_bytes(drawn, fmt: str) -> bytes:
    """An altair chart written as `fmt`, a chart format of the registry: SVG, PNG, self-contained HTML or the
    Vega-Lite spec."""
    fmt = formats.get(fmt, formats.CHART).name
    spec = spec_of(drawn)
    if fmt == "vega-lite":
        return (json.dumps(spec, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    try:
        import vl_convert
    except ImportError:
        raise UsageError("charts need altair and vl-convert: pip install 'micgraph[chart]'") from None
    version = vega_lite_version()
    if version not in vl_convert.get_vegalite_versions():
        raise ToolError(
            f"vl-convert {getattr(vl_convert, '__version__', '')} cannot render Vega-Lite {version} "
            "(altair's): upgrade vl-convert-python"
        )
    options: dict[str, Any] = {"vl_version": version, "format_locale": "en-US", "time_format_locale": "en-US"}
    try:
        if fmt == "html":  # drawn by the browser, with its own fonts
            return vl_convert.vegalite_to_html(spec, bundle=True, **options).encode("utf-8")
        has_font = _register_cjk_font()
        svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[], **options)
        if not has_font and any(_CJK.search(text) for text in _SVG_TEXT.findall(svg)):
            raise ToolError(
                "the chart has Chinese text and no CJK font is installed: install fonts-wqy-microhei "
                "or fonts-noto-cjk (Debian/Ubuntu), or Noto Sans CJK SC"
            )
        if fmt == "svg":
            return svg.encode("utf-8")
        return vl_convert.svg_to_png(svg, scale=PNG_SCALE)
    except ValueError as exc:
        raise ToolError(f"vl-convert could not draw the chart: {' '.join(str(exc).split())[:300]}") from None


def render_chart(
    query: str, fmt: str, graph=None, *, kind: str | None = None, lang: str = "en", title: str | None = None
) -> bytes:
    """`micgraph chart`: the chart of a named query or SELECT, written as `fmt` (a chart format of the registry)."""
    fmt = formats.get(fmt, formats.CHART).name
    return chart_bytes(chart(query, graph, kind=kind, lang=lang, title=title), fmt)
