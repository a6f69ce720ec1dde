"""The picture a shared link shows (Open Graph ``og:image``): 1200 × 630 PNG with the unit's name and,
for a session, its title, time and place — what a neighbour sees when the link is sent on Zalo or
Facebook. Drawn with Pillow in DejaVu Sans (shipped with matplotlib; every Vietnamese letter)."""

from __future__ import annotations

import importlib.util
import io
from functools import cache
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
RED, WHITE, INK = (138, 28, 28), (255, 255, 255), (27, 27, 27)


def _font_dir() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return folder if folder.exists() else None


@cache
def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    folder = _font_dir()
    if folder is not None:
        return ImageFont.truetype(str(folder / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)
    return ImageFont.load_default(size)


def _wrap(draw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(",.;:") + "…"
    return lines


def render(unit: str, headline: str, details: list[str]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 150), fill=RED)
    y = 40
    for line in _wrap(draw, unit.upper(), _font(44, bold=True), WIDTH - 120, 1):
        draw.text((60, y), line, font=_font(44, bold=True), fill=WHITE)
    y = 200
    for line in _wrap(draw, headline, _font(60, bold=True), WIDTH - 120, 3):
        draw.text((60, y), line, font=_font(60, bold=True), fill=INK)
        y += 76
    y += 20
    for detail in details:
        for line in _wrap(draw, detail, _font(38), WIDTH - 120, 2):
            if y > HEIGHT - 60:
                break
            draw.text((60, y), line, font=_font(38), fill=INK)
            y += 50
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
