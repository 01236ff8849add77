"""The HTML the server writes: a resource's page, the query page (YASGUI with the named queries) and error pages.

Pages are plain HTML with a little CSS; every IRI of the graph links to the page that describes it on
this server (`micr:` resources to /id/..., ontology terms to /ontology#term), other IRIs link out.
"""

from __future__ import annotations

import json
from html import escape

import pyoxigraph as ox

from ..namespaces import MIC, MICR, ONTOLOGY_IRI, PREFIXES, RDF_TYPE, XSD_STRING, compact
from ..describe import Description, Fact
from ..namespaces import SOURCE_PROPERTIES

STYLE = """
body { font: 15px/1.5 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 0 auto;
       max-width: 72rem; padding: 0 1.5rem 3rem; color: #1d2630; }
nav { padding: .8rem 0; border-bottom: 1px solid #d8dee4; margin-bottom: 1.2rem; }
nav a { margin-right: 1.2rem; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.7rem; margin: .2rem 0; } h1 .zh { display: block; font-size: 1.4rem; color: #46535f; }
code, .iri { font: 13px/1.4 ui-monospace, monospace; color: #46535f; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e6eaee; }
th { background: #f3f5f7; font-weight: 600; }
td.property { width: 22%; } td.sources { width: 24%; font-size: 13px; }
.lang, .datatype { font-size: 11px; color: #6a7682; margin-left: .3rem; }
.inherited { color: #6a7682; } .muted { color: #6a7682; }
table.nested { margin: 0; } table.nested td { border: 0; padding: .1rem .4rem; }
footer { margin-top: 2rem; font-size: 13px; color: #46535f; }
"""

RDF_FORMAT_LINKS = (("turtle", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("xml", "RDF/XML"))


def local_href(iri: str) -> str:
    """Where this server describes `iri`: /id/... for resources, /ontology#... for ontology terms."""
    if iri.startswith(MICR) and len(iri) > len(MICR):
        return "/id/" + iri[len(MICR):]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(MIC):
        return "/ontology#" + iri[len(MIC):]
    return iri


def _page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n"
            '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
            f"{head}</head>\n<body>\n"
            '<nav><a href="/">micgraph</a><a href="/ontology">ontology</a><a href="/sparql">SPARQL endpoint</a>'
            f"</nav>\n{body}\n</body>\n</html>\n")


# --- a resource's page -------------------------------------------------------------------------

class _Renderer:
    def __init__(self, description: Description) -> None:
        self.d = description

    def name(self, iri: str) -> str:
        """A link to `iri` showing its English and Chinese labels (or its compact IRI)."""
        english, chinese = self.d.label(iri, "en") or self.d.label(iri, ""), self.d.label(iri, "zh")
        parts = [f"<span>{escape(english)}</span>"] if english else []
        if chinese:
            parts.append(f'<span lang="zh">{escape(chinese)}</span>')
        text = " · ".join(parts) if parts else escape(compact(iri))
        href = local_href(iri)
        if not href.startswith(("/", "http://", "https://")):  # no javascript: or data: links from the data
            return f'<span title="{escape(iri)}">{text}</span>'
        return f'<a href="{escape(href)}" title="{escape(compact(iri))}">{text}</a>'

    def value(self, term, depth: int = 0) -> str:
        if isinstance(term, ox.NamedNode):
            return self.name(term.value)
        if isinstance(term, ox.Literal):
            text = escape(term.value).replace("\n", "<br>")
            if term.language:
                return f'<span lang="{escape(term.language)}">{text}</span><span class="lang">@{escape(term.language)}</span>'
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return text
            return f'{text}<span class="datatype">{escape(compact(datatype))}</span>'
        if isinstance(term, ox.BlankNode):
            facts = self.d.facts.get(term, [])
            if not facts or depth > 8:
                return f'<span class="muted">_:{escape(term.value)}</span>'
            rows = "".join(f'<tr><td>{self.name(f.predicate.value)}</td><td>{self.value(f.value, depth + 1)}</td></tr>'
                           for f in facts)
            return f'<table class="nested">{rows}</table>'
        return escape(str(term))

    def sources(self, fact: Fact) -> str:
        if fact.predicate.value in SOURCE_PROPERTIES:
            return ""
        if fact.sources:
            return "<br>".join(self.name(s.value) for s in fact.sources)
        return "<br>".join(f'<span class="inherited" title="a source of the whole resource">{self.name(s.value)}</span>'
                           for s in self.d.sources)

    def facts_table(self, facts: list[Fact]) -> str:
        rows = []
        for fact in facts:
            rows.append(f'<tr><td class="property">{self.name(fact.predicate.value)}</td>'
                        f"<td>{self.value(fact.value)}</td><td class=\"sources\">{self.sources(fact)}</td></tr>")
        return ('<table class="facts">\n<thead><tr><th>property</th><th>value</th><th>sources</th></tr></thead>\n'
                "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def resource_page(description: Description) -> str:
    r = _Renderer(description)
    iri = description.iri
    node = ox.NamedNode(iri)
    english = description.label(iri, "en") or description.label(iri, "")
    chinese = description.label(iri, "zh")
    heading = escape(english or compact(iri))
    if chinese:
        heading += f' <span class="zh" lang="zh">{escape(chinese)}</span>'
    facts = description.facts.get(node, [])
    types = [f.value.value for f in facts if f.predicate.value == RDF_TYPE
             and isinstance(f.value, ox.NamedNode)]
    shown = [f for f in facts if f.predicate.value != RDF_TYPE]
    body = [f"<h1>{heading}</h1>", f'<p class="iri">{escape(iri)}</p>']
    if types:
        body.append("<p>a " + ", ".join(r.name(t) for t in types) + "</p>")
    body.append(r.facts_table(shown))
    if description.inbound:
        items = "".join(f"<li>{r.name(s.value)} <span class=\"muted\">{r.name(p.value)}</span></li>"
                        for s, p in description.inbound)
        more = '<p class="muted">(only the first ones are listed)</p>' if description.inbound_truncated else ""
        body.append(f"<h2>Referenced by</h2>\n<ul>{items}</ul>{more}")
    alternates = " · ".join(f'<a href="?format={f}">{label}</a>' for f, label in RDF_FORMAT_LINKS)
    body.append(f"<footer>This description as {alternates}.</footer>")
    head = "".join(f'<link rel="alternate" type="{t}" href="?format={f}">\n' for f, t in
                   (("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                    ("xml", "application/rdf+xml")))
    title = " · ".join(x for x in (english, chinese) if x) or compact(iri)
    return _page(f"{title} — micgraph", "\n".join(body), head)


def message_page(status: int, message: str) -> str:
    return _page(f"{status} — micgraph", f"<h1>{status}</h1>\n<p>{escape(message)}</p>")


# --- the query page -----------------------------------------------------------------------------

def query_page(named_queries) -> str:
    """YASGUI (vendored under static/yasgui) with one tab per named query, querying this server's /sparql."""
    from ..sparql import with_prefix_declarations

    tabs = [{"name": q.name, "description": q.description, "query": with_prefix_declarations(q.text, PREFIXES)}
            for q in named_queries]
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
