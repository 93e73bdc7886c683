# SPDX-License-Identifier: MIT
"""Draws the Checkpoint Studio icon: a parameter list with freeze checkboxes (one ticked), on a blue tile.
Writes checkpoint-studio.svg and the hicolor PNG sizes from the same shapes, so the two never drift.
Run with /usr/bin/python3 (needs PIL) from anywhere; the outputs are committed (a few KB each)."""

import os

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
TILE, WHITE, ACCENT = "#2f5d9e", "#ffffff", "#f5a623"

# (kind, geometry on a 256 x 256 canvas, fill, stroke width)
SHAPES = [
    ("rect", (16, 16, 240, 240, 44), TILE, 0),
    # row 1: a ticked (frozen) box and a bar
    ("rect", (48, 56, 92, 100, 8), ACCENT, 0),
    ("line", ((58, 78), (68, 89), (83, 66)), WHITE, 9),
    ("rect", (108, 68, 208, 88, 10), WHITE, 0),
    # row 2: indented child, an empty box
    ("box", (72, 112, 112, 152, 8), WHITE, 7),
    ("rect", (128, 122, 208, 142, 10), WHITE, 0),
    # row 3: an empty box and a shorter bar
    ("box", (48, 166, 88, 206, 8), WHITE, 7),
    ("rect", (104, 176, 180, 196, 10), WHITE, 0),
]


def svg():
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">']
    for kind, g, colour, width in SHAPES:
        if kind == "rect":
            x0, y0, x1, y1, r = g
            out.append('  <rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s"/>' % (x0, y0, x1 - x0, y1 - y0, r, colour))
        elif kind == "box":
            x0, y0, x1, y1, r = g
            h = width / 2
            out.append('  <rect x="%g" y="%g" width="%g" height="%g" rx="%d" fill="none" stroke="%s" stroke-width="%d"/>'
                       % (x0 + h, y0 + h, x1 - x0 - width, y1 - y0 - width, r, colour, width))
        else:
            points = " ".join("%d,%d" % p for p in g)
            out.append('  <polyline points="%s" fill="none" stroke="%s" stroke-width="%d" stroke-linecap="round" '
                       'stroke-linejoin="round"/>' % (points, colour, width))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def png(size):
    scale = 4 * 1024 // 256  # draw at 1024 px, then scale down smoothly
    big = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    for kind, g, colour, width in SHAPES:
        if kind in ("rect", "box"):
            x0, y0, x1, y1, r = (v * scale // 4 for v in g)
            if kind == "rect":
                d.rounded_rectangle((x0, y0, x1, y1), radius=r, fill=colour)
            else:
                d.rounded_rectangle((x0, y0, x1, y1), radius=r, outline=colour, width=width * scale // 4)
        else:
            points = [(x * scale // 4, y * scale // 4) for x, y in g]
            d.line(points, fill=colour, width=width * scale // 4, joint="curve")
            r = width * scale // 8
            for x, y in (points[0], points[-1]):
                d.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    return big.resize((size, size), Image.LANCZOS)


def main():
    with open(os.path.join(HERE, "checkpoint-studio.svg"), "w") as f:
        f.write(svg())
    for size in SIZES:
        folder = os.path.join(HERE, "hicolor", "%dx%d" % (size, size))
        os.makedirs(folder, exist_ok=True)
        png(size).save(os.path.join(folder, "checkpoint-studio.png"), optimize=True)


if __name__ == "__main__":
    main()
