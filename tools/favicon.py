"""Draw micgraph's icon: src/micgraph/server/static/favicon.svg and favicon.ico (16, 32 and 48 px).

A small graph (four nodes, four edges) in white on the blue of the pages' links. Drawn here, from these
coordinates, so the icon carries no one else's licence. Run it again after changing the shapes:

    python tools/favicon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "src" / "micgraph" / "server" / "static"
BLUE, WHITE = "#0b5cad", "#ffffff"
SIZE = 32  # the drawing's own units
NODES = [(9, 10, 4.2), (23, 8, 3.4), (22, 23, 4.2), (9, 24, 3.0)]  # x, y, radius
EDGES = [(0, 1), (1, 2), (0, 2), (2, 3)]
EDGE_WIDTH = 2.2


def svg() -> str:
    lines = "".join(f'<line x1="{NODES[a][0]}" y1="{NODES[a][1]}" x2="{NODES[b][0]}" y2="{NODES[b][1]}"/>'
                    for a, b in EDGES)
    circles = "".join(f'<circle cx="{x}" cy="{y}" r="{r}"/>' for x, y, r in NODES)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
            f'<title>micgraph</title><rect width="{SIZE}" height="{SIZE}" rx="6" fill="{BLUE}"/>'
            f'<g stroke="{WHITE}" stroke-width="{EDGE_WIDTH}" stroke-linecap="round">{lines}</g>'
            f'<g fill="{WHITE}">{circles}</g></svg>\n')


def bitmap(pixels: int) -> Image.Image:
    """The same drawing rasterised at `pixels` (drawn 8 times larger, then reduced: smooth edges)."""
    scale = pixels * 8 / SIZE
    image = Image.new("RGBA", (pixels * 8, pixels * 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, pixels * 8 - 1, pixels * 8 - 1), radius=6 * scale, fill=BLUE)
    for a, b in EDGES:
        (x1, y1, _), (x2, y2, _) = NODES[a], NODES[b]
        draw.line((x1 * scale, y1 * scale, x2 * scale, y2 * scale), fill=WHITE, width=round(EDGE_WIDTH * scale))
    for x, y, r in NODES:
        draw.ellipse(((x - r) * scale, (y - r) * scale, (x + r) * scale, (y + r) * scale), fill=WHITE)
    return image.resize((pixels, pixels), Image.LANCZOS)


def main() -> None:
    (STATIC / "favicon.svg").write_text(svg(), encoding="utf-8")
    bitmap(48).save(STATIC / "favicon.ico", format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
