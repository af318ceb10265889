"""Bar charts as standalone SVG files (to paste into a slide), laid out on the server.

One dark colour on white, numbers written at the end of each bar, the title and the data
source in the picture: the chart reads the same in greyscale and for colour-blind readers.
"""

import textwrap
from dataclasses import dataclass, field

from catalogue.display import display_label
from stats.queries import Row

WIDTH = 720
LABEL_WIDTH = 300
BAR_WIDTH = 320
ROW_HEIGHT = 24
TOP = 48
BAR_COLOUR = "#253494"


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: float
    width: float
    # The label on as many lines as it needs: a chart image never cuts a label short.
    lines: list[str] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + 16

    @property
    def bar_y(self) -> float:
        return self.y + 4

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    subtitle: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    colour: str = BAR_COLOUR

    @property
    def label_x(self) -> int:
        return self.label_width - 8

    @property
    def footer_y(self) -> int:
        return self.height - 12

    @property
    def description(self) -> str:
        return f"{self.title} : " + " ; ".join(f"{b.label} : {b.value}" for b in self.bars) + "."


LINE_CHARS = 42  # about LABEL_WIDTH at 12 px
LINE_HEIGHT = 15


def bar_chart(title: str, subtitle: str, rows: list[Row], value_format) -> BarChart:
    """`value_format(row)` gives the number written on each bar."""
    top = max((row.share for row in rows), default=0) or 1
    bars, y = [], TOP
    for row in rows:
        label = display_label(row.label)
        lines = textwrap.wrap(label, LINE_CHARS, break_long_words=True) or [""]
        bars.append(Bar(label, value_format(row), y, round(BAR_WIDTH * row.share / top, 1), lines))
        y += max(ROW_HEIGHT, 9 + LINE_HEIGHT * len(lines))
    height = y + 36
    return BarChart(title, subtitle, bars, WIDTH, height)
