"""A seeded generator of a scaled graph in micgraph's ontology, for the store benchmark (bench/run.py).

    python bench/generate.py --triples 100000 --seed 42 -o bench/out/graph-100k.nt

What it writes (N-Triples, deterministic for a seed and a size):
- a small TBox: the class and property hierarchy of micgraph's ontology that the benchmark queries lean
  on (centres are typed only with the subclasses of mic:InnovationCenter, observations point at what
  they are about only through sub-properties of mic:about), so inference changes the answers;
- programs, innovation centres (Chinese, co-built, Manufacturing USA, Fraunhofer), organisations
  (government agencies among them), countries and cities, with rdfs:label in English and Chinese;
- observations: mic:value (xsd:decimal), mic:unit, mic:indicator, mic:refArea / mic:refProgram,
  period years and prov:wasDerivedFrom a mic:SourceDocument.
About 70 % of the triples are observations, as in the report's own data.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

MIC = "https://w3id.org/micgraph/ontology#"
MICR = "https://w3id.org/micgraph/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

CENTER_CLASSES = ("ChineseInnovationCenter", "CoBuiltInnovationCenter", "ManufacturingUSAInstitute",
                  "FraunhoferInstitute")
TBOX = [
    ("InnovationCenter", "subClassOf", "Organization"),
    ("ChineseInnovationCenter", "subClassOf", "InnovationCenter"),
    ("CoBuiltInnovationCenter", "subClassOf", "ChineseInnovationCenter"),
    ("ManufacturingUSAInstitute", "subClassOf", "InnovationCenter"),
    ("FraunhoferInstitute", "subClassOf", "InnovationCenter"),
    ("GovernmentAgency", "subClassOf", "Organization"),
    ("Country", "subClassOf", "Place"),
    ("City", "subClassOf", "Place"),
    ("refArea", "subPropertyOf", "about"),
    ("refProgram", "subPropertyOf", "about"),
]
FIELDS_EN = ["power batteries", "robotics", "additive manufacturing", "integrated circuits", "biomedical materials",
             "advanced rail transit", "intelligent sensors", "digital manufacturing", "lightweight materials",
             "flexible electronics", "photonics", "new energy vehicles"]
FIELDS_ZH = ["动力电池", "机器人", "增材制造", "集成电路", "生物医用材料", "先进轨道交通", "智能传感器", "数字化制造",
             "轻量化材料", "柔性电子", "光子", "新能源汽车"]
CITIES = [("Beijing", "北京"), ("Shanghai", "上海"), ("Shenzhen", "深圳"), ("Wuhan", "武汉"), ("Xi'an", "西安"),
          ("Pittsburgh", "匹兹堡"), ("Detroit", "底特律"), ("Chicago", "芝加哥"), ("Munich", "慕尼黑"),
          ("Dresden", "德累斯顿")]
COUNTRIES = [("cn", "China", "中国"), ("us", "United States", "美国"), ("de", "Germany", "德国")]
CITY_COUNTRY = ["cn"] * 5 + ["us"] * 3 + ["de"] * 2
UNITS = ["percent", "million-cny", "million-usd", "count", "square-metre"]
INDICATORS = ["rd-spending", "revenue", "patents", "staff", "members", "floor-area", "share-of-output", "funding"]


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str, language: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if language:
        return f'"{escaped}"@{language}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def generate(triples: int, seed: int = 42):
    """Yield N-Triples lines, about `triples` of them."""
    rng = random.Random(seed)
    a = iri(RDF + "type")
    label = iri(RDFS + "label")

    def mic(name: str) -> str:
        return iri(MIC + name)

    def res(name: str) -> str:
        return iri(MICR + name)

    def line(s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} .\n"

    for sub, relation, sup in TBOX:
        yield line(mic(sub), iri(RDFS + relation), mic(sup))
    for code, en, zh in COUNTRIES:
        yield line(res(f"country-{code}"), a, mic("Country"))
        yield line(res(f"country-{code}"), label, literal(en, "en"))
        yield line(res(f"country-{code}"), label, literal(zh, "zh"))
    for index, (en, zh) in enumerate(CITIES):
        city = res(f"city-{index}")
        yield from (line(city, a, mic("City")), line(city, label, literal(en, "en")),
                    line(city, label, literal(zh, "zh")),
                    line(city, mic("country"), res(f"country-{CITY_COUNTRY[index]}")))
    for name in UNITS:
        yield line(res(f"unit-{name}"), a, mic("Unit"))
        yield line(res(f"unit-{name}"), label, literal(name.replace("-", " "), "en"))
    for name in INDICATORS:
        yield line(res(f"indicator-{name}"), a, mic("Indicator"))
        yield line(res(f"indicator-{name}"), label, literal(name.replace("-", " "), "en"))

    # scale: about 8 triples per observation (70 %), 13 per centre (20 %), 5 per organisation (10 %)
    observations = max(20, int(triples * 0.70 / 8))
    centers = max(8, int(triples * 0.20 / 13))
    organizations = max(4, int(triples * 0.10 / 5))
    programs = max(3, centers // 40)
    sources = max(2, observations // 50)

    for p in range(programs):
        program = res(f"program-{p}")
        yield from (line(program, a, mic("Program")), line(program, label, literal(f"Program {p}", "en")),
                    line(program, label, literal(f"计划 {p}", "zh")))
    for o in range(organizations):
        org = res(f"org-{o}")
        kind = "GovernmentAgency" if o % 10 == 0 else "Organization"
        code = COUNTRIES[rng.randrange(3)][0]
        yield from (line(org, a, mic(kind)), line(org, label, literal(f"Organization {o}", "en")),
                    line(org, label, literal(f"组织 {o}", "zh")), line(org, mic("country"), res(f"country-{code}")))
        if o % 3 == 0:
            yield line(org, iri(DCTERMS + "identifier"), literal(f"ORG-{o:07d}"))
    for c in range(centers):
        center = res(f"center-{c}")
        kind = CENTER_CLASSES[rng.choices(range(4), weights=(6, 1, 2, 1))[0]]
        field = rng.randrange(len(FIELDS_EN))
        city = rng.randrange(len(CITIES))
        yield from (
            line(center, a, mic(kind)),
            line(center, label, literal(f"National {FIELDS_EN[field].title()} Innovation Center {c}", "en")),
            line(center, label, literal(f"国家{FIELDS_ZH[field]}创新中心 {c}", "zh")),
            line(center, mic("program"), res(f"program-{rng.randrange(programs)}")),
            line(center, mic("leadOrganization"), res(f"org-{rng.randrange(organizations)}")),
            line(center, mic("city"), res(f"city-{city}")),
            line(center, mic("country"), res(f"country-{CITY_COUNTRY[city]}")),
            line(center, mic("technologyField"), literal(FIELDS_EN[field], "en")),
            line(center, mic("foundingDate"), literal(f"{rng.randrange(2012, 2025)}-{rng.randrange(1, 13):02d}-01",
                                                      datatype=XSD + "date")),
            line(center, mic("staff"), literal(str(rng.randrange(20, 2000)), datatype=XSD + "integer")),
        )
        if rng.random() < 0.7:
            yield line(center, mic("hostOrganization"), res(f"org-{rng.randrange(organizations)}"))
        for _ in range(2):
            yield line(center, mic("shareholder"), res(f"org-{rng.randrange(organizations)}"))
    for s in range(sources):
        source = res(f"source-{s}")
        yield from (line(source, a, mic("SourceDocument")),
                    line(source, iri(DCTERMS + "title"), literal(f"Source document {s}", "en")),
                    line(source, iri(DCTERMS + "issued"), literal(str(2015 + s % 10), datatype=XSD + "gYear")))
    for o in range(observations):
        obs = res(f"obs-{o}")
        value = f"{rng.randrange(0, 1_000_000) / 100:.2f}"
        about = (mic("refArea"), res(f"country-{COUNTRIES[rng.randrange(3)][0]}")) if o % 2 else \
            (mic("refProgram"), res(f"program-{rng.randrange(programs)}"))
        yield from (
            line(obs, a, mic("Observation")),
            line(obs, mic("value"), literal(value, datatype=XSD + "decimal")),
            line(obs, mic("unit"), res(f"unit-{UNITS[rng.randrange(len(UNITS))]}")),
            line(obs, mic("indicator"), res(f"indicator-{INDICATORS[rng.randrange(len(INDICATORS))]}")),
            line(obs, *about),
            line(obs, mic("periodStart"), literal(str(rng.randrange(2010, 2025)), datatype=XSD + "gYear")),
            line(obs, iri(PROV + "wasDerivedFrom"), res(f"source-{rng.randrange(sources)}")),
            line(obs, mic("refOrganization"), res(f"org-{rng.randrange(organizations)}")),
        )


def write(path: Path, triples: int, seed: int = 42) -> int:
    """Write the graph to `path` (N-Triples); return the number of triples written."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for count, text in enumerate(generate(triples, seed), 1):  # noqa: B007
            out.write(text)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    written = write(args.output, args.triples, args.seed)
    print(f"{args.output}: {written:,} triples (seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
