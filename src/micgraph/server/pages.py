"""The HTML the server writes: a resource's page, the query page (YASGUI with the named queries) and error pages.

Pages are plain HTML with a little CSS; every IRI of the graph links to the page that describes it on
this server (`micr:` resources to /id/..., ontology terms to /ontology#term), other IRIs link out.

A resource's page is in one language, English or Chinese: `?lang=en|zh`, else the first of those in the
browser's Accept-Language, else English (`page_language`). Every related resource is linked by its label
in that language; a label the graph has only in the other language is shown with a mark ("[en]"). The
facts are grouped (identity, places, dates, figures, relations, notes); the resource's sources are listed
once, and beside a fact only the sources that fact has of its own (describe.py). Figures show their unit.
"""

from __future__ import annotations

import json
import re
from html import escape

import pyoxigraph as ox

from ..describe import Description, Fact, Figure
from ..namespaces import (
    DCTERMS,
    FOAF,
    LANGUAGES,
    MIC,
    MICR,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    SKOS,
    SOURCE_PROPERTIES,
    XSD,
    XSD_STRING,
    compact,
)

STYLE = """
body { font: 15px/1.5 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 0 auto;
       max-width: 72rem; padding: 0 1.5rem 3rem; color: #1d2630; }
nav { padding: .8rem 0; border-bottom: 1px solid #d8dee4; margin-bottom: 1.2rem; display: flex; gap: 1.2rem; }
nav .languages { margin-left: auto; display: flex; gap: .8rem; } nav .languages [aria-current] { font-weight: 600; color: #1d2630; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.7rem; margin: .2rem 0; } h1 .other { display: block; font-size: 1.25rem; color: #46535f; font-weight: 500; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .3rem; color: #2f3e4e; border-bottom: 1px solid #e6eaee; padding-bottom: .2rem; }
code, .iri { font: 13px/1.4 ui-monospace, monospace; color: #46535f; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
td { text-align: left; vertical-align: top; padding: .3rem .6rem; border-bottom: 1px solid #eef1f4; }
td.property { width: 22%; color: #46535f; } td.sources { width: 24%; font-size: 13px; }
.lang, .datatype { font-size: 11px; color: #6a7682; margin-left: .3rem; }
.fallback { font-style: italic; } .muted { color: #6a7682; }
.amount { font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.sources { padding-left: 1.2rem; } ul.sources li { margin: .15rem 0; }
table.nested { margin: 0; } table.nested td { border: 0; padding: .1rem .4rem; }
footer { margin-top: 2rem; font-size: 13px; color: #46535f; }
"""

RDF_FORMAT_LINKS = (("turtle", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("xml", "RDF/XML"))
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEOSPARQL = "http://www.opengis.net/ont/geosparql#"

# The page's words, in its two languages.
WORDS = {
    "en": {
        "identity": "Identity",
        "places": "Places",
        "dates": "Dates",
        "figures": "Figures",
        "relations": "Relations",
        "notes": "Notes",
        "other": "Other facts",
        "sources": "Sources",
        "referenced": "Referenced by",
        "a": "a",
        "more": "(only the first ones are listed)",
        "alternates": "This description as",
        "figure_sources": "Sources of this figure",
        "own_sources": "Sources of this statement",
        "sources_note": "What this description is taken from; a statement with sources of its own lists them beside it.",
        "nothing": "No source recorded.",
    },
    "zh": {
        "identity": "标识",
        "places": "地点",
        "dates": "日期",
        "figures": "数据",
        "relations": "关联",
        "notes": "说明",
        "other": "其他",
        "sources": "来源",
        "referenced": "被以下资源引用",
        "a": "类型：",
        "more": "（仅列出前若干项）",
        "alternates": "本描述的其他格式：",
        "figure_sources": "该数据的来源",
        "own_sources": "该陈述的来源",
        "sources_note": "本描述所依据的文献；有单独来源的陈述在其旁列出。",
        "nothing": "未记录来源。",
    },
}
# The groups of a resource's facts, in page order. A fact goes to its property's group (PROPERTY_GROUPS),
# else by its value: a place, a date, a number, another resource, a text.
GROUPS = ("identity", "places", "dates", "figures", "relations", "notes", "other")
PROPERTY_GROUPS = {
    **dict.fromkeys(
        [
            RDFS + "label",
            SKOS + "prefLabel",
            SKOS + "altLabel",
            DCTERMS + "title",
            DCTERMS + "alternative",
            DCTERMS + "identifier",
            SKOS + "notation",
            OWL + "sameAs",
            SCHEMA + "url",
            FOAF + "homepage",
            MIC + "approvalOrder",
            MIC + "sequenceNumber",
        ],
        "identity",
    ),
    **dict.fromkeys(
        [
            MIC + "country",
            MIC + "region",
            MIC + "city",
            MIC + "otherSite",
            MIC + "refArea",
            MIC + "partnerArea",
            WGS + "lat",
            WGS + "long",
            GEOSPARQL + "hasGeometry",
        ],
        "places",
    ),
    **dict.fromkeys(
        [
            MIC + "value",
            MIC + "minValue",
            MIC + "maxValue",
            MIC + "isApproximate",
            MIC + "unit",
            MIC + "indicator",
            MIC + "periodStart",
            MIC + "periodEnd",
            MIC + "periodNote",
        ],
        "figures",
    ),
    **dict.fromkeys(
        [
            SKOS + "note",
            SKOS + "editorialNote",
            SKOS + "definition",
            SKOS + "scopeNote",
            DCTERMS + "description",
            RDFS + "comment",
            MIC + "sourceText",
        ],
        "notes",
    ),
}
# Within the figures group: the amount, then its unit and period, then what it measures.
FIGURE_ORDER = tuple(
    MIC + p
    for p in (
        "value",
        "minValue",
        "maxValue",
        "isApproximate",
        "unit",
        "periodStart",
        "periodEnd",
        "periodNote",
        "indicator",
    )
)
PLACE_CLASSES = frozenset(MIC + c for c in ("Place", "Country", "Region", "City"))
DATE_TYPES = frozenset(XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth", "gMonthDay"))
DATE_RANGE = MIC + "CalendarDate"  # micgraph's dates are ISO 8601 strings of this range (docs/model.md)
NUMBER_TYPES = frozenset(
    XSD + t
    for t in ("integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
)
# Shown with the sources: how sure the graph is of the resource.
PROVENANCE = frozenset(SOURCE_PROPERTIES) | {MIC + "confidence", MIC + "confidenceNote"}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
# Names for the W3C and schema.org terms the data uses, where the graph itself gives them none: words of
# the page, like its headings (the graph's own labels come first).
TERM_NAMES = {
    RDFS + "label": ("label", "名称"),
    RDFS + "comment": ("comment", "注释"),
    SKOS + "prefLabel": ("name", "名称"),
    SKOS + "altLabel": ("also called", "别名"),
    SKOS + "notation": ("code", "代码"),
    SKOS + "note": ("note", "注释"),
    SKOS + "editorialNote": ("editorial note", "编辑说明"),
    SKOS + "definition": ("definition", "定义"),
    OWL + "sameAs": ("same as", "等同于"),
    SCHEMA + "url": ("web address", "网址"),
    DCTERMS + "title": ("title", "标题"),
    DCTERMS + "identifier": ("identifier", "标识符"),
    DCTERMS + "description": ("description", "描述"),
    DCTERMS + "source": ("source", "来源"),
    DCTERMS + "publisher": ("publisher", "发布者"),
    DCTERMS + "issued": ("issued", "发布日期"),
    DCTERMS + "creator": ("creator", "作者"),
    DCTERMS + "language": ("language", "语言"),
    DCTERMS + "bibliographicCitation": ("citation", "引用格式"),
    PROV + "wasDerivedFrom": ("derived from", "取材于"),
    PROV + "wasQuotedFrom": ("quoted from", "引自"),
    PROV + "hadPrimarySource": ("primary source", "原始来源"),
}


def page_language(requested: str | None, accept_language: str | None) -> str:
    """The page's language: `?lang=` when it is one of the graph's, else the first of them the
    Accept-Language header asks for (by q-value, `zh-CN` counting as `zh`), else English."""
    if requested in LANGUAGES:
        return requested
    ranked = []
    for position, item in enumerate((accept_language or "").split(",")[:32]):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        match = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", parameters)
        if parameters and match:
            quality = float(match.group(1))
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def local_href(iri: str) -> str:
    """Where this server describes `iri`: /id/... for resources, /ontology#... for ontology terms."""
    if iri.startswith(MICR) and len(iri) > len(MICR):
        return "/id/" + iri[len(MICR) :]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(MIC):
        return "/ontology#" + iri[len(MIC) :]
    return iri


def _page(title: str, body: str, head: str = "", lang: str = "en", nav_extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        f"{head}</head>\n<body>\n"
        '<nav><a href="/">micgraph</a><a href="/ontology">ontology</a><a href="/sparql">SPARQL endpoint</a>'
        f"{nav_extra}</nav>\n{body}\n</body>\n</html>\n"
    )


# --- a resource's page -------------------------------------------------------------------------


class _Renderer:
    def __init__(self, description: Description, lang: str) -> None:
        self.d = description
        self.lang = lang
        self.words = WORDS[lang]

    def text_of(self, iri: str) -> tuple[str, str | None]:
        """(label in the page's language, the language it is in when another one), else the compact IRI."""
        own = self.d.label(iri, self.lang)
        if own:
            return own, None
        if iri in TERM_NAMES:
            return TERM_NAMES[iri][LANGUAGES.index(self.lang)], None
        for language in LANGUAGES:
            label = self.d.label(iri, language)
            if label:
                return label, language
        return self.d.label(iri, "") or compact(iri), None

    def name(self, iri: str, text: str | None = None) -> str:
        """A link to `iri` showing its label in the page's language (marked when in the other one)."""
        label, other = (text, None) if text is not None else self.text_of(iri)
        shown = escape(label)
        if other:
            shown = f'<span class="fallback" lang="{other}">{shown} [{other}]</span>'
        href = local_href(iri)
        if not href.startswith(("/", "http://", "https://")):  # no javascript: or data: links from the data
            return f'<span title="{escape(iri)}">{shown}</span>'
        return f'<a href="{escape(href)}" title="{escape(compact(iri))}">{shown}</a>'

    def literal(self, term: ox.Literal) -> str:
        text = escape(term.value).replace("\n", "<br>")
        if term.language:
            return (
                f'<span lang="{escape(term.language)}">{text}</span><span class="lang">@{escape(term.language)}</span>'
            )
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return text
        return f'{text}<span class="datatype">{escape(compact(datatype))}</span>'

    def value(self, term, depth: int = 0, unit: str = "") -> str:
        if isinstance(term, ox.NamedNode):
            return self.name(term.value)
        if isinstance(term, ox.Literal):
            if unit and term.datatype.value in NUMBER_TYPES:
                return f'<span class="amount">{escape(term.value)}</span> {unit}'
            return self.literal(term)
        if isinstance(term, ox.BlankNode):
            facts = self.d.facts.get(term, [])
            if not facts or depth > 8:
                return f'<span class="muted">_:{escape(term.value)}</span>'
            rows = "".join(
                f"<tr><td>{self.name(f.predicate.value)}</td><td>{self.value(f.value, depth + 1)}</td></tr>"
                for f in facts
            )
            return f'<table class="nested">{rows}</table>'
        return escape(str(term))

    def unit(self, term) -> str:
        """A unit as a figure shows it: its symbol (skos:notation) where it has one that is not a mere
        letter ("%", "USD bn"), else its label; linked to its page. A literal unit is shown as it is."""
        if isinstance(term, ox.Literal):
            return escape(term.value)
        if not isinstance(term, ox.NamedNode):
            return ""
        notation = self.d.notations.get(term.value)
        return self.name(term.value, notation if notation and (len(notation) > 1 or not notation.isalpha()) else None)

    def own_sources(self, sources) -> str:
        return "<br>".join(self.name(s.value) for s in sources)

    def group_of(self, fact: Fact) -> str:
        predicate, value = fact.predicate.value, fact.value
        if predicate in PROPERTY_GROUPS:
            return PROPERTY_GROUPS[predicate]
        if isinstance(value, ox.NamedNode):
            return "places" if PLACE_CLASSES & self.d.kinds.get(value.value, set()) else "relations"
        if isinstance(value, ox.BlankNode):
            return "relations"
        if isinstance(value, ox.Triple):  # a triple term (RDF 1.2), shown as its N-Triples text
            return "other"
        if value.datatype.value in DATE_TYPES or DATE_RANGE in self.d.ranges.get(predicate, ()):
            return "dates"
        if value.datatype.value in NUMBER_TYPES:
            return "figures"
        return "notes" if value.language or value.datatype.value == XSD_STRING else "other"

    def rows(self, facts: list[Fact], unit: str, sourced: bool) -> list[str]:
        """A table row per fact; with `sourced`, a third cell with the sources the fact has of its own."""

        def sources(fact: Fact) -> str:
            return (
                f'<td class="sources" title="{escape(self.words["own_sources"])}">{self.own_sources(fact.sources)}</td>'
                if sourced
                else ""
            )

        return [
            f'<tr><td class="property">{self.name(f.predicate.value)}</td>'
            f"<td>{self.value(f.value, unit=unit if f.predicate.value != MIC + 'unit' else '')}</td>{sources(f)}</tr>"
            for f in facts
        ]

    def figure_row(self, figure: Figure, sourced: bool) -> str:
        """An observation about the resource: its name, its amount with the unit, its period, its sources."""

        def number(literal: ox.Literal | None) -> str:
            return escape(literal.value) if literal is not None else ""

        if figure.value is not None:
            amount = ("≈ " if figure.approximate else "") + number(figure.value)
        elif figure.minimum is not None and figure.maximum is not None:
            amount = f"{number(figure.minimum)}–{number(figure.maximum)}"
        elif figure.minimum is not None:
            amount = f"≥ {number(figure.minimum)}"
        elif figure.maximum is not None:
            amount = f"≤ {number(figure.maximum)}"
        else:
            amount = ""
        unit = self.unit(ox.NamedNode(figure.unit)) if figure.unit else ""
        period = "–".join(escape(p.value) for p in (figure.start, figure.end) if p is not None)
        shown = f'<span class="amount">{amount}</span>{" " + unit if unit else ""}' + (
            f' <span class="muted">({period})</span>' if period else ""
        )
        sources = (
            f'<td class="sources" title="{escape(self.words["figure_sources"])}">'
            f"{self.own_sources(figure.sources)}</td>"
            if sourced
            else ""
        )
        return f'<tr class="figure"><td class="property">{self.name(figure.iri)}</td><td>{shown}</td>{sources}</tr>'

    def sources_section(self, facts: list[Fact]) -> str:
        """The resource's sources, each once (with how it was used: derived, quoted), and its confidence."""
        uses: dict[str, list[str]] = {}
        for fact in facts:
            if fact.predicate.value in SOURCE_PROPERTIES and isinstance(fact.value, ox.NamedNode):
                uses.setdefault(fact.value.value, []).append(fact.predicate.value)
        items = []
        for source, predicates in sorted(uses.items(), key=lambda item: self.text_of(item[0])[0].lower()):
            how = ", ".join(self.name(p) for p in predicates)
            address = self.d.addresses.get(source)
            out = (
                f' · <a class="out" href="{escape(address)}" rel="nofollow">{escape(_site(address))}</a>'
                if address and address.lower().startswith(("http://", "https://"))
                else ""
            )
            items.append(f'<li>{self.name(source)} <span class="muted">({how})</span>{out}</li>')
        confidence = [f for f in facts if f.predicate.value in (MIC + "confidence", MIC + "confidenceNote")]
        body = (
            f'<ul class="sources">{"".join(items)}</ul>' if items else f'<p class="muted">{self.words["nothing"]}</p>'
        )
        if confidence:
            body += '<table class="facts">' + "".join(self.rows(confidence, "", False)) + "</table>"
        return (
            f'<section id="sources"><h2>{self.words["sources"]}</h2>'
            f'<p class="muted">{self.words["sources_note"]}</p>{body}</section>'
        )


def _site(url: str) -> str:
    """The host of a URL, as a link out shows it."""
    return re.sub(r"^https?://(www\.)?", "", url).split("/")[0]


def resource_page(description: Description, lang: str = "en") -> str:
    """The page of a resource, in `lang` (en or zh)."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    r = _Renderer(description, lang)
    words = r.words
    iri = description.iri
    node = ox.NamedNode(iri)
    title, _ = r.text_of(iri)
    other = next((description.label(iri, x) for x in LANGUAGES if x != lang and description.label(iri, x)), None)
    heading = escape(title) + (
        f' <span class="other" lang="{next(x for x in LANGUAGES if x != lang)}">{escape(other)}</span>'
        if other and other != title
        else ""
    )
    facts = description.facts.get(node, [])
    types = [f.value.value for f in facts if f.predicate.value == RDF_TYPE and isinstance(f.value, ox.NamedNode)]
    body = [f"<h1>{heading}</h1>", f'<p class="iri">{escape(iri)}</p>']
    if types:
        body.append(f"<p>{words['a']} " + ", ".join(r.name(t) for t in types) + "</p>")
    shown = [f for f in facts if f.predicate.value != RDF_TYPE and f.predicate.value not in PROVENANCE]
    unit = next((r.unit(f.value) for f in facts if f.predicate.value == MIC + "unit"), "")
    grouped: dict[str, list[Fact]] = {group: [] for group in GROUPS}
    for fact in shown:
        grouped[r.group_of(fact)].append(fact)
    grouped["figures"].sort(
        key=lambda f: FIGURE_ORDER.index(f.predicate.value) if f.predicate.value in FIGURE_ORDER else len(FIGURE_ORDER)
    )
    for group in GROUPS:
        figures = description.figures if group == "figures" else []
        sourced = any(f.sources for f in grouped[group]) or any(f.sources for f in figures)
        rows = r.rows(grouped[group], unit, sourced) + [r.figure_row(figure, sourced) for figure in figures]
        if rows:
            body.append(
                f'<section id="{group}"><h2>{words[group]}</h2>\n<table class="facts">\n<tbody>\n'
                + "\n".join(rows)
                + "\n</tbody>\n</table></section>"
            )
    body.append(r.sources_section(facts))
    if description.inbound:
        items = "".join(
            f'<li>{r.name(s.value)} <span class="muted">{r.name(p.value)}</span></li>' for s, p in description.inbound
        )
        more = f'<p class="muted">{words["more"]}</p>' if description.inbound_truncated else ""
        body.append(f'<section id="referenced"><h2>{words["referenced"]}</h2>\n<ul>{items}</ul>{more}</section>')
    alternates = " · ".join(f'<a href="?format={f}">{label}</a>' for f, label in RDF_FORMAT_LINKS)
    body.append(f"<footer>{words['alternates']} {alternates}.</footer>")
    head = "".join(
        f'<link rel="alternate" type="{t}" href="?format={f}">\n'
        for f, t in (
            ("turtle", "text/turtle"),
            ("nt", "application/n-triples"),
            ("jsonld", "application/ld+json"),
            ("xml", "application/rdf+xml"),
        )
    )
    current = ' aria-current="page"'
    switch = "".join(
        f'<a href="?lang={x}" hreflang="{x}"{current if x == lang else ""}>{LANGUAGE_NAMES[x]}</a>' for x in LANGUAGES
    )
    page_title = " · ".join(x for x in (title, other) if x)
    return _page(f"{page_title} — micgraph", "\n".join(body), head, lang, f'<span class="languages">{switch}</span>')


def message_page(status: int, message: str) -> str:
    return _page(f"{status} — micgraph", f"<h1>{status}</h1>\n<p>{escape(message)}</p>")


# --- the query page -----------------------------------------------------------------------------


def query_page(named_queries) -> str:
    """YASGUI (vendored under static/yasgui) with one tab per named query, querying this server's /sparql."""
    from ..sparql import with_prefix_declarations

    tabs = [
        {"name": q.name, "description": q.description, "query": with_prefix_declarations(q.text, PREFIXES)}
        for q in named_queries
    ]
    data = json.dumps(tabs, ensure_ascii=False).replace("</", "<\\/")
    listing = "".join(f"<li><b>{escape(q.name)}</b> — {escape(q.description)}</li>" for q in named_queries)
    body = f"""<h1>micgraph SPARQL endpoint</h1>
<p>Query the knowledge graph of manufacturing-innovation networks (NIST AMS 600-17). Endpoint:
<code id="endpoint">/sparql</code> (SPARQL 1.1 Protocol). Each tab holds one of the named queries.</p>
<div id="yasgui"></div>
<noscript><p>The query editor needs JavaScript. The named queries:</p><ul>{listing}</ul></noscript>
<script type="application/json" id="named-queries">{data}</script>
<script src="/static/yasgui/yasgui.min.js"></script>
<script>
(function () {{
  var endpoint = new URL("/sparql", window.location.href).href;
  document.getElementById("endpoint").textContent = endpoint;
  var queries = JSON.parse(document.getElementById("named-queries").textContent);
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    persistenceId: null,
    autoAddOnInit: queries.length === 0,
    endpointCatalogueOptions: {{ getData: function () {{ return [{{ endpoint: endpoint }}]; }} }},
    yasqe: {{ autocompleters: ["prefixes", "variables"] }}
  }});
  queries.forEach(function (q, i) {{
    yasgui.addTab(i === 0, {{ name: q.name, requestConfig: {{ endpoint: endpoint }}, yasqe: {{ value: q.query }} }});
  }});
}})();
</script>"""
    head = '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">\n'
    return _page("micgraph SPARQL endpoint", body, head)
