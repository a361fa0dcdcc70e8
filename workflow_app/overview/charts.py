"""Server-rendered SVG charts of 统计汇总 (no chart library, no script: they print and work
offline). Every text is escaped; every bar and point links to the filtered list it counts.

Each chart scales with its container (``viewBox`` + ``width: 100%``) and carries a ``<title>``
per mark, so a screen reader or a hover tells the exact number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
BAR = "#a4161a"
GRID = "#d8dee4"
INK = "#1f2328"
MUTED = "#656d76"


def _svg(body: list[str], label: str, css_class: str) -> Markup:
    head = (f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" '
            f'font-size="13" font-family="sans-serif">')
    return Markup(head + "".join(body) + "</svg>")


def _nice_max(value: int) -> int:
    """A round upper bound for the y axis, divisible into four whole-number steps."""
    raw = max(1, -(-value // 4))  # the smallest whole step that reaches value in four
    magnitude = 10 ** (len(str(raw)) - 1)
    for nice in (1, 2, 3, 4, 5, 6, 8, 10):
        if raw <= nice * magnitude:
            return nice * magnitude * 4
    return raw * 4


def bar_chart(data: Sequence[tuple[str, int]], *, label: str,
              link: Callable[[int], str] | None = None, css_class: str = "bars") -> Markup:
    """Vertical bars, one per (category, count); ``link(i)`` gives the drill-down URL of bar i."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_max(max((c for _, c in data), default=0))
    body: list[str] = []
    for i in range(5):  # horizontal grid with its labels
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/>')
        text = f"{value:g}"
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                    f'fill="{MUTED}">{escape(text)}</text>')
    n = max(len(data), 1)
    slot = plot_w / n
    width = min(slot * 0.6, 64)
    for i, (category, count) in enumerate(data):
        h = plot_h * count / top if top else 0
        x = LEFT + slot * i + (slot - width) / 2
        y = TOP + plot_h - h
        bar = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
               f'fill="{BAR}" data-category="{escape(category)}" data-count="{count}">'
               f'<title>{escape(category)}：{count} 项</title></rect>'
               f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
               f'fill="{INK}">{count}</text>')
        if link is not None and count:
            bar = f'<a href="{escape(link(i))}">{bar}</a>'
        body.append(bar)
        body.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                    f'text-anchor="middle" fill="{INK}">{escape(category)}</text>')
    if not data or not any(c for _, c in data):
        body.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                    f'fill="{MUTED}">暂无数据</text>')
    return _svg(body, label, css_class)


def scatter(points: Sequence[tuple[int, str, Decimal, Decimal]], *, label: str,
            link: Callable[[int], str] | None = None, x_label: str = "预算执行率（%）",
            y_label: str = "自评得分") -> Markup:
    """Points (id, name, x in 0–100+ %, y score 0–100); x beyond 100 is drawn at the edge."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_max = max([Decimal(100), *(p[2] for p in points)])
    x_max = Decimal(min(int(x_max) + (10 - int(x_max) % 10) % 10, 200))
    body: list[str] = []
    for i in range(6):
        y = TOP + plot_h - plot_h * i / 5
        x = LEFT + plot_w * i / 5
        body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                    f'fill="{MUTED}">{20 * i}</text>')
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                    f'fill="{MUTED}">{escape(f"{x_max * i / 5:g}")}</text>')
    body.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
                f'fill="{INK}">{escape(x_label)}</text>')
    body.append(f'<text x="12" y="{TOP + plot_h / 2}" text-anchor="middle" fill="{INK}" '
                f'transform="rotate(-90 12 {TOP + plot_h / 2})">{escape(y_label)}</text>')
    for evaluation_id, name, rate, score in points:
        cx = LEFT + plot_w * float(min(rate, x_max) / x_max)
        cy = TOP + plot_h - plot_h * float(min(score, Decimal(100)) / 100)
        dot = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{BAR}" fill-opacity="0.7" '
               f'data-evaluation="{evaluation_id}"><title>{escape(name)}：执行率 '
               f'{escape(f"{rate.normalize():f}")}%，得分 '
               f'{escape(f"{score.normalize():f}")}</title></circle>')
        if link is not None:
            dot = f'<a href="{escape(link(evaluation_id))}">{dot}</a>'
        body.append(dot)
    if not points:
        body.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                    f'fill="{MUTED}">暂无数据</text>')
    return _svg(body, label, "scatter")
