"""The media types the server speaks, and HTTP content negotiation (the Accept header, RFC 9110 12.5.1)."""

from __future__ import annotations

# SELECT and ASK results: media type -> results.render format. The first is the default.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
# ASK has no standard CSV/TSV form.
BOOLEAN_TYPES = {t: f for t, f in RESULT_TYPES.items() if f in ("json", "xml")}
# CONSTRUCT / DESCRIBE results and Linked Data descriptions: media type -> export.rdf format.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
# What a `format=` parameter may name on /id/... and /ontology.
FORMAT_NAMES = {"turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples",
                "jsonld": "application/ld+json", "xml": "application/rdf+xml", "rdf": "application/rdf+xml",
                "html": "text/html"}


def with_charset(media_type: str) -> str:
    """The Content-Type to send: text types say they are UTF-8 (the others are UTF-8 by definition)."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _parse(accept: str) -> list[tuple[str, str, float]]:
    ranges = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        kind, _, subtype = parts[0].lower().partition("/")
        if not kind or not subtype:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((kind, subtype, quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific range that matches `offer` (type/subtype beats type/* beats */*)."""
    kind, _, subtype = offer.partition("/")
    best, specificity = 0.0, -1
    for range_kind, range_subtype, quality in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            level = 2
        elif range_kind == kind and range_subtype == "*":
            level = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = quality, level
    return best


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (ties go to the earlier offer); None if it accepts none of them.
    No Accept header, or an empty one, accepts the first offer."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _parse(accept)
    if not ranges:
        return offers[0]
    scored = [(_quality(offer, ranges), -i, offer) for i, offer in enumerate(offers)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None
