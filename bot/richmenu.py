"""The LINE rich menu image: one tile per main-menu entry, Thai labels in Sarabun.

`tile_bounds` is the single source of the layout: the image draws its tiles inside those
cells and the rich menu's tap areas are those same cells, so the two always line up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont, features

from bot.fonts import sarabun
from handlers.basic import MenuEntry
from handlers.commands import Command

WIDTH = 2500
HEIGHT = 843  # LINE's "compact" full-width size
HEADER_HEIGHT = 150  # office name band; not a tap area
MAX_COLUMNS = 4
MAX_TILES = 12
MAX_IMAGE_BYTES = 1_000_000  # LINE rejects larger rich menu images
SCALE = 2  # draw at 2x and downsample: Pillow's shapes are not anti-aliased

BACKGROUND = "#EEF3F1"
HEADER_COLOR = "#0B5D4B"
HEADER_TEXT = "#FFFFFF"
HEADER_HINT = "#CFE8E0"
LABEL_COLOR = "#1D2B28"
TILE_COLOR = "#FFFFFF"
ACCENTS = ("#0B7A5F", "#1F6FB2", "#C0572B", "#6B4FA3")  # tile border and icon, cycled
HINT_TEXT = "แตะเพื่อเลือกบริการ"


@dataclass(frozen=True)
class Bounds:
    x: int
    y: int
    width: int
    height: int

    def scaled(self, factor: int) -> Bounds:
        return Bounds(self.x * factor, self.y * factor, self.width * factor, self.height * factor)


def tile_bounds(count: int) -> tuple[Bounds, ...]:
    """Cells below the header, row by row, spread evenly; together they cover the whole area."""
    if not 1 <= count <= MAX_TILES:
        raise ValueError(f"a rich menu holds 1 to {MAX_TILES} tiles, got {count}")
    rows = math.ceil(count / MAX_COLUMNS)
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    body = HEIGHT - HEADER_HEIGHT
    cells: list[Bounds] = []
    for r, columns in enumerate(per_row):
        top = HEADER_HEIGHT + round(r * body / rows)
        bottom = HEADER_HEIGHT + round((r + 1) * body / rows)
        for c in range(columns):
            left = round(c * WIDTH / columns)
            right = round((c + 1) * WIDTH / columns)
            cells.append(Bounds(left, top, right - left, bottom - top))
    return tuple(cells)


def render_rich_menu(entries: Sequence[MenuEntry], office_name: str) -> bytes:
    """PNG bytes, WIDTH x HEIGHT, one tile per entry in `tile_bounds` order."""
    canvas = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    _draw_header(draw, office_name)
    cells = [cell.scaled(SCALE) for cell in tile_bounds(len(entries))]
    label_size = _label_size(entries, cells)
    for i, (entry, cell) in enumerate(zip(entries, cells, strict=True)):
        _draw_tile(draw, entry, cell, label_size, ACCENTS[i % len(ACCENTS)])
    image = canvas.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"the rich menu image is {len(data)} bytes, over LINE's 1 MB limit")
    return data


# ---- fonts and Thai text ---------------------------------------------------------------


def thai_layout_engine() -> ImageFont.Layout:
    """Raqm shapes Thai (marks stacked on their base); basic layout is the fallback."""
    return ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=4)
def _font_bytes(weight: str) -> bytes:
    return sarabun(weight)


@lru_cache(maxsize=64)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        BytesIO(_font_bytes(weight)), size, layout_engine=thai_layout_engine()
    )


def _fitted_size(text: str, weight: str, size: int, max_width: int) -> int:
    """The largest size up to `size` that keeps `text` within `max_width`."""
    while size > 12 and _font(weight, size).getlength(text) > max_width:
        size = max(12, int(size * 0.94))
    return size


# Without raqm nothing applies the font's mark positioning, so Sarabun's default marks sit
# low and centred: a tone mark after an upper vowel lands inside it (ที่) and marks over
# ป ฝ ฟ ฬ hit the tall stem. These offsets (in em) were measured against raqm's output.
_TALL = frozenset("ปฝฟฬ")
_UPPER_VOWELS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e47")
_TONES = frozenset("\u0e48\u0e49\u0e4a\u0e4b\u0e4c")
_SARA_AM = "\u0e33"
_RAISE_EM = 0.30
_TALL_SHIFT_EM = 0.14


def _mark_offsets(text: str) -> dict[int, tuple[float, float]]:
    """Index of each mark that basic layout misplaces -> (dx, dy) in em."""
    offsets: dict[int, tuple[float, float]] = {}
    base = ""
    for i, char in enumerate(text):
        if char not in _UPPER_VOWELS and char not in _TONES:
            base = char
            continue
        dx = -_TALL_SHIFT_EM if base in _TALL else 0.0
        after_vowel = i > 0 and text[i - 1] in _UPPER_VOWELS
        before_am = text[i + 1 : i + 2] == _SARA_AM
        dy = -_RAISE_EM if char in _TONES and (after_vowel or before_am) else 0.0
        if dx or dy:
            offsets[i] = (dx, dy)
    return offsets


def draw_thai(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: str,
    anchor: str,
) -> None:
    """`draw.text` with horizontal anchors l/m/r, placing Thai marks right without raqm too."""
    offsets = {} if font.layout_engine == ImageFont.Layout.RAQM else _mark_offsets(text)
    if not offsets:
        draw.text(xy, text, font=font, fill=fill, anchor=anchor)
        return
    plain = "".join(c for i, c in enumerate(text) if i not in offsets)
    draw.text(xy, plain, font=font, fill=fill, anchor=anchor)
    # marks have no advance, so removing them leaves every base glyph where it was
    left = xy[0] - font.getlength(text) * {"l": 0.0, "m": 0.5, "r": 1.0}[anchor[0]]
    for i, (dx, dy) in offsets.items():
        x = left + font.getlength(text[:i]) + dx * font.size
        y = xy[1] + dy * font.size
        draw.text((x, y), text[i], font=font, fill=fill, anchor="l" + anchor[1])


# ---- drawing ----------------------------------------------------------------------------


def _draw_header(draw: ImageDraw.ImageDraw, office_name: str) -> None:
    width, height = WIDTH * SCALE, HEADER_HEIGHT * SCALE
    pad = 70 * SCALE
    draw.rectangle((0, 0, width, height), fill=HEADER_COLOR)
    hint = _font("Medium", _fitted_size(HINT_TEXT, "Medium", 56 * SCALE, width // 3))
    hint_width = int(hint.getlength(HINT_TEXT))
    name_size = _fitted_size(office_name, "Bold", 84 * SCALE, width - hint_width - 3 * pad)
    draw_thai(draw, (pad, height // 2), office_name, _font("Bold", name_size), HEADER_TEXT, "lm")
    draw_thai(draw, (width - pad, height // 2), HINT_TEXT, hint, HEADER_HINT, "rm")


def _inner_box(cell: Bounds) -> tuple[int, int, int, int]:
    gap = 14 * SCALE  # half the space between neighbouring tiles
    return (cell.x + gap, cell.y + gap, cell.x + cell.width - gap, cell.y + cell.height - gap)


def _label_size(entries: Sequence[MenuEntry], cells: Sequence[Bounds]) -> int:
    """One size for every label (the one the longest needs), so the tiles look like a set."""
    sizes = []
    for entry, cell in zip(entries, cells, strict=True):
        left, top, right, bottom = _inner_box(cell)
        start = min(int((bottom - top) * 0.17), 110 * SCALE)
        sizes.append(_fitted_size(entry.label, "SemiBold", start, int((right - left) * 0.88)))
    return min(sizes)


def _draw_tile(
    draw: ImageDraw.ImageDraw,
    entry: MenuEntry,
    cell: Bounds,
    label_size: int,
    accent: str,
) -> None:
    box = _inner_box(cell)
    draw.rounded_rectangle(box, radius=40 * SCALE, fill=TILE_COLOR, outline=accent, width=5 * SCALE)
    inner_w, inner_h = box[2] - box[0], box[3] - box[1]
    centre_x = (box[0] + box[2]) // 2

    r = int(min(inner_h * 0.46, inner_w * 0.5)) // 2
    icon_cy = box[1] + int(inner_h * 0.36)
    draw.ellipse((centre_x - r, icon_cy - r, centre_x + r, icon_cy + r), fill=accent)
    _ICONS.get(entry.payload, _draw_bubble_icon)(draw, centre_x, icon_cy, r, accent)

    label_y = box[1] + int(inner_h * 0.78)
    font = _font("SemiBold", label_size)
    draw_thai(draw, (centre_x, label_y), entry.label, font, LABEL_COLOR, "mm")


# Icons are drawn in white inside the accent circle centred on (cx, cy) with radius r;
# `accent` is for cut-outs such as the padlock's keyhole.
IconDrawer = Callable[[ImageDraw.ImageDraw, int, int, int, str], None]
WHITE = "#FFFFFF"


def _draw_menu_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, accent: str) -> None:
    half, bar = int(r * 0.5), max(2, int(r * 0.13))
    for dy in (-int(r * 0.32), 0, int(r * 0.32)):
        draw.rounded_rectangle(
            (cx - half, cy + dy - bar // 2, cx + half, cy + dy + bar // 2),
            radius=bar // 2,
            fill=WHITE,
        )


def _draw_help_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, accent: str) -> None:
    draw.text((cx, cy), "?", font=_font("Bold", int(r * 1.35)), fill=WHITE, anchor="mm")


def _draw_contact_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, accent: str) -> None:
    head = int(r * 0.24)
    head_cy = cy - int(r * 0.2)
    draw.ellipse((cx - head, head_cy - head, cx + head, head_cy + head), fill=WHITE)
    shoulders = int(r * 0.46)
    top = cy + int(r * 0.12)
    draw.pieslice((cx - shoulders, top, cx + shoulders, top + 2 * shoulders), 180, 360, fill=WHITE)


def _draw_privacy_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, accent: str) -> None:
    body_w, body_h = int(r * 0.9), int(r * 0.62)
    body_top = cy - int(r * 0.08)
    shackle = int(r * 0.3)
    thickness = max(2, int(r * 0.1))
    draw.arc(
        (cx - shackle, body_top - 2 * shackle, cx + shackle, body_top + shackle),
        180,
        360,
        fill=WHITE,
        width=thickness,
    )
    draw.rectangle(
        (cx - shackle, body_top - shackle // 2, cx - shackle + thickness, body_top), fill=WHITE
    )
    draw.rectangle(
        (cx + shackle - thickness, body_top - shackle // 2, cx + shackle, body_top), fill=WHITE
    )
    draw.rounded_rectangle(
        (cx - body_w // 2, body_top, cx + body_w // 2, body_top + body_h),
        radius=int(r * 0.1),
        fill=WHITE,
    )
    hole = max(2, int(r * 0.09))
    hole_cy = body_top + body_h // 2
    draw.ellipse((cx - hole, hole_cy - hole, cx + hole, hole_cy + hole), fill=accent)


def _draw_bubble_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, accent: str) -> None:
    """Any entry without its own icon: a speech bubble."""
    w, h = int(r * 0.56), int(r * 0.38)
    draw.rounded_rectangle(
        (cx - w, cy - h - int(r * 0.08), cx + w, cy + h - int(r * 0.08)),
        radius=int(r * 0.16),
        fill=WHITE,
    )
    tail_top = cy + h - int(r * 0.1)
    draw.polygon(
        (
            (cx - int(r * 0.3), tail_top),
            (cx - int(r * 0.05), tail_top),
            (cx - int(r * 0.4), cy + r // 2),
        ),
        fill=WHITE,
    )


_ICONS: dict[str, IconDrawer] = {
    Command.MENU.value: _draw_menu_icon,
    Command.HELP.value: _draw_help_icon,
    Command.CONTACT.value: _draw_contact_icon,
    Command.PRIVACY.value: _draw_privacy_icon,
}
