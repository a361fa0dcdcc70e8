"""The score chart of the printed report, drawn straight onto the canvas.

Values arrive as :class:`~decimal.Decimal`; they become floats only here, as drawing
coordinates, and the printed labels are the exact decimal strings.

The chart is the layout of reportlab's ``VerticalBarChart`` with a ``Legend`` (grouped bars,
relative widths 10 per bar, 2 between bars, 14 between groups; a value axis with a light grid;
bar labels 6 pt above each bar) drawn as one flowable: the widget tree validated every
attribute of every node and cost a tenth of a report's render.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib import colors
from reportlab.platypus import Flowable

from .fonts import register_fonts

# Restrained greys: a filed report is printed in black and white.
_FILLS = (colors.Color(0.82, 0.82, 0.82), colors.Color(0.25, 0.25, 0.25),
          colors.Color(0.55, 0.55, 0.55))
_GRID = colors.Color(0.85, 0.85, 0.85)
_BAR, _BAR_GAP, _GROUP_GAP = 10, 2, 14  # relative widths, as VerticalBarChart takes them


class ScoreChart(Flowable):
    """Grouped bar chart: one group per first-level indicator, one bar per series."""

    def __init__(self, categories: list[str],
                 series: list[tuple[str, list[Decimal | None], list[str]]],
                 width: float, height: float) -> None:
        super().__init__()
        self.categories, self.series = categories, series
        self.width, self.height = width, height
        self.font = register_fonts().serif
        top = max((v for _, values, _ in series for v in values if v is not None),
                  default=Decimal(10))
        self.step = 5 if top <= 30 else 10
        self.value_max = ((int(top) // self.step) + 1) * self.step

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c, font = self.canv, self.font
        x0, y0 = 34.0, 34.0
        plot_w, plot_h = self.width - 150, self.height - 52
        scale = plot_h / self.value_max
        c.saveState()
        # Grid, value axis with its ticks and labels.
        c.setLineWidth(0.3)
        c.setStrokeColor(_GRID)
        ticks = range(0, self.value_max + 1, self.step)
        for value in ticks:
            c.line(x0, y0 + value * scale, x0 + plot_w, y0 + value * scale)
        c.setLineWidth(0.5)
        c.setStrokeColor(colors.black)
        c.line(x0, y0, x0, y0 + plot_h)
        c.setFont(font, 7.5)
        for value in ticks:
            y = y0 + value * scale
            c.line(x0 - 5, y, x0, y)
            c.drawRightString(x0 - 5, y - 7.5 * 0.35, str(value))
        # Category axis: the line, a tick between groups, the names under each group.
        count = max(len(self.categories), 1)
        group = plot_w / count
        c.line(x0, y0, x0 + plot_w, y0)
        c.setFont(font, 8)
        for i in range(count + 1):
            c.line(x0 + i * group, y0, x0 + i * group, y0 - 5)
        for i, name in enumerate(self.categories):
            c.drawCentredString(x0 + (i + 0.5) * group, y0 - 4 - 8, name)
        # Bars and their labels.
        n = len(self.series)
        unit = group / (n * _BAR + (n - 1) * _BAR_GAP + _GROUP_GAP)
        c.setLineWidth(0.4)
        for s, (_, values, _labels) in enumerate(self.series):
            c.setFillColor(_FILLS[s % len(_FILLS)])
            for i, value in enumerate(values):
                if value is None:
                    continue
                x = x0 + i * group + unit * (_GROUP_GAP / 2 + s * (_BAR + _BAR_GAP))
                c.rect(x, y0, unit * _BAR, float(value) * scale, stroke=1, fill=1)
        c.setFillColor(colors.black)
        c.setFont(font, 7)
        for s, (_, values, labels) in enumerate(self.series):
            for i, (value, label) in enumerate(zip(values, labels, strict=False)):
                if value is None:
                    continue
                x = x0 + i * group + unit * (_GROUP_GAP / 2 + s * (_BAR + _BAR_GAP) + _BAR / 2)
                c.drawCentredString(x, y0 + float(value) * scale + 6 - 7 * 0.2, label)
        # Legend at the right: a swatch and the series' name per row.
        lx, ly = self.width - 104, self.height - 30
        c.setFont(font, 8)
        for s, (label, _, _) in enumerate(self.series):
            top = ly - s * 14
            c.setFillColor(_FILLS[s % len(_FILLS)])
            c.rect(lx, top - 8, 8, 8, stroke=1, fill=1)
            c.setFillColor(colors.black)
            c.drawString(lx + 8 + 10, top - 8 + 1, label)
        c.setFont(font, 7.5)
        c.drawString(4, self.height - 12, "分")
        c.restoreState()


def score_chart(
    categories: list[str],
    series: list[tuple[str, list[Decimal | None], list[str]]],
    *,
    width: float,
    height: float = 190.0,
) -> ScoreChart:
    """Grouped bar chart: one group per first-level indicator, one bar per series.

    ``series`` is ``[(legend label, values, printed labels), ...]``; a ``None`` value draws
    no bar. Every string uses the embedded CJK font (no Helvetica in the PDF).
    """
    return ScoreChart(categories, series, width, height)
