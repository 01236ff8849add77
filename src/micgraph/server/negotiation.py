"""HTTP content negotiation (the Accept header, RFC 9110 12.5.1) over the media types of the format registry."""

from __future__ import annotations

from .. import formats

# The W3C result formats a server offers, JSON first; ASK has no standard CSV or TSV form.
RESULT_FORMATS = {media: f for media, f in formats.media_types(formats.RESULTS).items() if f.results is not None}
BOOLEAN_FORMATS = {media: f for media, f in RESULT_FORMATS.items() if f.name in ("json", "xml")}
# CONSTRUCT and DESCRIBE results, and Linked Data descriptions: every RDF syntax micgraph writes, Turtle first.
GRAPH_FORMATS = formats.media_types(formats.RDF)
HTML = "text/html"


def document_format(extension: str) -> formats.Format | None:
    """The RDF syntax whose document URLs end in `.extension` (its first extension in the registry)."""
    return next((f for f in GRAPH_FORMATS.values() if f.extension == extension), None)


def page_format(name: str) -> str:
    """The media type a `?format=` parameter names: an RDF syntax of the registry, or `html`."""
    return HTML if name.lower() == "html" else formats.get(name, formats.RDF, writable=True).media_type


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
