"""Server-rendered SVG geometry for the trend chart (the template draws it; a table shows the same numbers)."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM, PAD_LEFT = 720, 220, 16, 28, 64


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal
    count: int


def bar_chart(points, label_format: str) -> dict:
    """Bars scaled to the largest net amount; zero periods get a zero-height bar (their label still shows)."""
    top = max((p.net for p in points), default=Decimal(0)) or Decimal(1)
    plot_h, plot_w = HEIGHT - PAD_TOP - PAD_BOTTOM, WIDTH - PAD_LEFT
    step = plot_w / max(len(points), 1)
    bars = []
    for i, p in enumerate(points):
        h = float(p.net / top) * plot_h
        x = PAD_LEFT + i * step + step * 0.1
        bars.append(
            Bar(
                round(x, 1),
                round(PAD_TOP + plot_h - h, 1),
                round(step * 0.8, 1),
                round(h, 1),
                p.start.strftime(label_format),
                p.net,
                p.count,
            )
        )
    every = max(1, len(bars) // 12)  # at most about twelve axis labels
    return dict(
        bars=bars,
        top=top,
        width=WIDTH,
        height=HEIGHT,
        base_y=HEIGHT - PAD_BOTTOM,
        left=PAD_LEFT,
        label_every=every,
        top_y=PAD_TOP,
    )


LABEL_FORMATS = {"day": "%b %d", "week": "wk %b %d", "month": "%b %Y"}
