"""Turn a researcher's CSV of institutions (id, name, name_zh, country) into Turtle that
`micgraph links discover --target` can read: one schema:Organization per row, its names as
rdfs:label in English and Chinese, its country as schema:addressCountry.

    python csv_to_rdf.py institutions.csv institutions.ttl
"""

import csv
import sys

import pyoxigraph as ox

BASE = "https://example.org/my-institutions/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ORGANIZATION = ox.NamedNode("https://schema.org/Organization")
COUNTRY = ox.NamedNode("https://schema.org/addressCountry")

triples = []
with open(sys.argv[1], newline="", encoding="utf-8") as rows:
    for row in csv.DictReader(rows):
        institution = ox.NamedNode(BASE + row["id"])
        triples.append(ox.Triple(institution, TYPE, ORGANIZATION))
        if row["name"]:
            triples.append(ox.Triple(institution, LABEL, ox.Literal(row["name"], language="en")))
        if row["name_zh"]:
            triples.append(ox.Triple(institution, LABEL, ox.Literal(row["name_zh"], language="zh")))
        if row["country"]:
            triples.append(ox.Triple(institution, COUNTRY, ox.Literal(row["country"])))
with open(sys.argv[2], "wb") as out:
    ox.serialize(triples, out, ox.RdfFormat.TURTLE,
                 prefixes={"mine": BASE, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "schema": "https://schema.org/"})
