"""The boxes of a Graphviz SVG: each node's shape and each text's extent, measured with the font Graphviz
drew it with (fontconfig's choice for the picture's font list, read with Pillow), so a test can say
whether any two overlap."""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from xml.etree import ElementTree

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass(frozen=True)
class Box:
    owner: str  # the <title> of the node or edge the box belongs to
    kind: str  # "node" (a node's shape), "text"
    text: str
    x1: float
    y1: float
    x2: float
    y2: float

    def overlaps(self, other: Box, margin: float = 0.5) -> bool:
        """Whether the boxes share more than a sliver (`margin` points each way: touching is not overlapping)."""
        return (min(self.x2, other.x2) - max(self.x1, other.x1) > margin
                and min(self.y2, other.y2) - max(self.y1, other.y1) > margin)


@cache
def _font(family: str, size: float):
    from PIL import ImageFont

    path = subprocess.run(["fc-match", "-f", "%{file}", family.split(",")[0]], capture_output=True, text=True,
                          check=True).stdout
    return ImageFont.truetype(path, round(size * 4))  # measured at 4x, for sub-point precision


def text_width(text: str, family: str, size: float) -> float:
    return _font(family, size).getlength(text) / 4


def boxes(svg: bytes) -> list[Box]:
    """Every node shape and every text of the picture, in the SVG's user units (points)."""
    root = ElementTree.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        kind = (group.get("class") or "").split()[:1]
        if kind not in (["node"], ["edge"], ["cluster"]):
            continue
        title = group.findtext(f"{SVG}title") or ""
        if kind == ["node"]:
            points = []
            for shape in group.iter():
                if shape.tag == f"{SVG}ellipse":
                    cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
                    points += [(cx - rx, cy - ry), (cx + rx, cy + ry)]
                elif shape.tag in (f"{SVG}polygon", f"{SVG}path"):
                    numbers = [float(n) for n in _NUMBER.findall(shape.get("points") or shape.get("d") or "")]
                    points += list(zip(numbers[::2], numbers[1::2]))
            if points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                found.append(Box(title, "node", "", min(xs), min(ys), max(xs), max(ys)))
        for text in group.iter(f"{SVG}text"):
            content = text.text or ""
            if not content.strip():
                continue
            size = float(text.get("font-size"))
            width = text_width(content, text.get("font-family"), size)
            x, y = float(text.get("x")), float(text.get("y"))
            left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor", "start")]
            # from the ascender to the descender line: about 0.8 em above the baseline and 0.2 below
            found.append(Box(title, "text", content, left, y - 0.8 * size, left + width, y + 0.2 * size))
    return found


def overlapping(found: list[Box]) -> list[tuple[Box, Box]]:
    """Pairs of boxes that overlap: two node shapes, two texts, or a text and a node it does not belong to."""
    clashes = []
    for a, b in itertools.combinations(found, 2):
        if a.owner == b.owner and (a.kind != b.kind or a.kind == "text"):
            continue  # a node's own label inside it; the lines of one label
        if a.overlaps(b):
            clashes.append((a, b))
    return clashes
