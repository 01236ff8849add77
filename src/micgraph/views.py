"""Views: the parts of the graph a picture or the explorer's first screen shows, defined as data.

A view is a SPARQL CONSTRUCT query (run on the graph; its result is projected like any CONSTRUCT result,
labels and the class hierarchy read from the whole graph) and, optionally, the properties whose objects
group the nodes into clusters (a centre is drawn inside its programme's box). `micgraph render --view
NAME` draws one and the HTML explorer opens on the default one. Each query runs as it stands with
`micgraph query` (the prefixes are micgraph's predeclared ones), so a view is also a network export away.

Views construct only mic: classes, so a node's class is the most specific one of the ontology and
every class of a view gets its own colour (projection.assign_styles over the view's classes alone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UsageError
from .namespaces import expand

if TYPE_CHECKING:
    from .export.network.projection import Projection

_MIC_CLASS = "FILTER(STRSTARTS(STR({var}), STR(mic:)))"


def _typed(var: str, cls: str) -> str:
    """`?var a ?cls`, keeping only micgraph's classes."""
    return f"?{var} a ?{cls} . {_MIC_CLASS.format(var='?' + cls)}"


def _kind(var: str, *classes: str) -> str:
    """`?var` is an instance of one of `classes` (directly or by a subclass), bound to `?varClass`: a view
    that draws kinds of things with one class each keeps few enough classes for a colour each."""
    return f"?{var} a/rdfs:subClassOf* ?{var}Class . VALUES ?{var}Class {{ {' '.join(classes)} }}"


# A policy keeps its kind (strategic plan, legislation, fund); the four kinds of trade measure are one class.
_MEASURE_KINDS = ("mic:StrategicPlan", "mic:Legislation", "mic:Fund", "mic:TradeMeasure")


@dataclass(frozen=True)
class View:
    name: str
    title: dict[str, str]  # language -> what the view shows: the picture's title (its SVG <title>)
    construct: str | None  # None: the whole graph (the projection of docs/visualization.md)
    cluster_by: tuple[str, ...] = ()  # compact IRIs: a node is boxed with the object of one of these
    edge_labels: bool = False  # label the edges (but the cluster_by ones: the boxes say it) in a picture
    further: tuple[str, ...] = ()  # compact IRIs: their targets are drawn a column further (cities after fields)


VIEWS: dict[str, View] = {
    v.name: v
    for v in (
        View(
            "programmes",
            {
                "en": "Programmes, their centres and institutes, with their technology fields and cities",
                "zh": "计划及其创新中心与研究所，及其技术领域和城市",
            },
            f"""CONSTRUCT {{
  ?programme a ?programmeClass .
  ?centre a ?centreClass ; mic:program ?programme ; mic:technologyField ?field ; mic:city ?city .
  ?field a ?fieldClass . ?city a ?cityClass .
}} WHERE {{
  ?programme a mic:Program . {_typed("programme", "programmeClass")}
  OPTIONAL {{
    ?centre mic:program ?programme . {_typed("centre", "centreClass")}
    OPTIONAL {{ ?centre mic:technologyField ?field . {_typed("field", "fieldClass")} }}
    OPTIONAL {{ ?centre mic:city ?city . {_typed("city", "cityClass")} }}
  }}
}}""",
            ("mic:program",),
            further=("mic:city",),
        ),
        View(
            "centres",
            {
                "en": "Centres and institutes with the organisations that lead, operate, host, own and sponsor them",
                "zh": "创新中心与研究所，及其牵头、运营、依托、持股和资助单位",
            },
            f"""CONSTRUCT {{
  ?programme a ?programmeClass .
  ?centre a ?centreClass ; mic:program ?programme ; ?role ?organisation .
  ?organisation a ?organisationClass .
}} WHERE {{
  ?centre mic:program ?programme . {_typed("programme", "programmeClass")} {_typed("centre", "centreClass")}
  OPTIONAL {{
    VALUES ?role {{ mic:leadOrganization mic:operatedBy mic:hostOrganization mic:shareholder mic:founder
                   mic:sponsor }}
    ?centre ?role ?organisation . {_typed("organisation", "organisationClass")}
  }}
}}""",
            ("mic:program",),
            edge_labels=True,
        ),
        View(
            "policies-and-measures",
            {
                "en": "Policies and trade measures: who issued or imposed them, on whom, and what they concern",
                "zh": "政策与贸易措施：发布或实施者、针对对象及涉及领域",
            },
            f"""CONSTRUCT {{
  ?measure a ?measureClass ; ?relation ?other .
  ?other a ?otherClass .
  ?programme a ?programmeClass ; mic:legalBasis ?measure .
}} WHERE {{
  {_kind("measure", *_MEASURE_KINDS)}
  OPTIONAL {{
    VALUES ?relation {{ mic:issuedBy mic:implements mic:concerns mic:imposedBy mic:targetCountry mic:country }}
    ?measure ?relation ?other . {_typed("other", "otherClass")}
  }}
  OPTIONAL {{ ?programme mic:legalBasis ?measure . {_typed("programme", "programmeClass")} }}
}}""",
            edge_labels=True,
        ),
        View(
            "sources",
            {
                "en": "The sources of the programmes, their centres and institutes, policies and trade measures, "
                "with their publishers",
                "zh": "计划、创新中心与研究所、政策和贸易措施的来源文献及其发布者",
            },
            f"""CONSTRUCT {{
  ?thing a ?thingClass ; mic:program ?programme ; ?derivation ?source .
  ?source a ?sourceClass ; dcterms:publisher ?publisher .
  ?publisher a ?publisherClass .
}} WHERE {{
  {_kind("thing", "mic:Program", "mic:InnovationCenter", *_MEASURE_KINDS)}
  OPTIONAL {{ ?thing mic:program ?programme }}
  VALUES ?derivation {{ prov:wasDerivedFrom prov:wasQuotedFrom }}
  ?thing ?derivation ?source . {_kind("source", "mic:SourceDocument")}
  OPTIONAL {{ ?source dcterms:publisher ?publisher . {_kind("publisher", "mic:Organization")} }}
}}""",
            ("mic:program",),
        ),
        View(
            "all",
            {
                "en": "The whole graph (the network projection of docs/visualization.md)",
                "zh": "整个图（docs/visualization.md 所述的网络投影）",
            },
            None,
        ),
    )
}
DEFAULT_VIEW = "programmes"


def get_view(name: str) -> View:
    if name not in VIEWS:
        raise UsageError(f"unknown view {name!r}; use one of: {', '.join(VIEWS)}")
    return VIEWS[name]


def project_view(store, name: str = DEFAULT_VIEW, *, classes: Iterable[str] = (), schema: bool = False) -> Projection:
    """The view's part of the graph as a network (the whole projection for `all`, where `schema` may keep
    the T-box); `classes` keeps only the nodes of those classes, as for any projection."""
    from .export.network.projection import project_construct, project_store

    view = get_view(name)
    if view.construct is None:
        return project_store(store, schema=schema, classes=classes)
    if schema:
        raise UsageError(f"--schema draws the T-box of the whole graph: use it with --view all, not {name}")
    projection = project_construct(list(store.query(view.construct)), store, classes=classes)
    if not projection.nodes:
        raise UsageError(f"view {name}: the graph has nothing this view shows (try --view all)")
    return projection


def clusters(projection: Projection, view: View) -> dict[str, str]:
    """node id -> the id of the node whose box it is drawn in (its programme, say), for the nodes that have one.

    A node with a `cluster_by` edge goes with that edge's target, and the target with itself (so does a
    node of the same class with no link at all: a programme without centres gets its own box); a node
    left over whose linked nodes all sit in one box goes in that box too (a centre's city, when no other
    programme's centre is in that city). A node whose `cluster_by` edges point to several boxes, or whose
    neighbours do, stays outside every box.
    """
    properties = {expand(p) for p in view.cluster_by}
    owners: dict[str, set[str]] = defaultdict(set)
    for edge in projection.edges:
        if edge.property in properties:
            owners[edge.source].add(edge.target)
    heads = {target for targets in owners.values() for target in targets}
    head_classes = {n.cls for n in projection.nodes if n.id in heads}
    linked = {node for edge in projection.edges for node in (edge.source, edge.target)}
    heads |= {n.id for n in projection.nodes if n.cls in head_classes and n.id not in linked}  # a programme alone
    box = {node: next(iter(targets)) for node, targets in owners.items() if len(targets) == 1 and node not in heads}
    box.update({head: head for head in heads})
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in projection.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    for node in projection.nodes:
        if node.id not in box and node.id not in owners:
            found = {box[n] for n in neighbours[node.id] if n in box}
            if len(found) == 1:
                box[node.id] = found.pop()
    return box


def cluster_order(projection: Projection, box: dict[str, str], lang: str) -> list[str]:
    """Cluster heads, largest box first, then by label: the report's own programme leads the picture."""
    sizes = Counter(box.values())
    return sorted(sizes, key=lambda head: (-sizes[head], projection.label(head, lang), head))
