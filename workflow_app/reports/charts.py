"""The score chart of the printed report (reportlab.graphics, no matplotlib).

Values arrive as :class:`~decimal.Decimal`; they become floats only here, as drawing
coordinates, and the printed labels are the exact decimal strings.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from .fonts import register_fonts

# Restrained greys: a filed report is printed in black and white.
_FILLS = (colors.Color(0.82, 0.82, 0.82), colors.Color(0.25, 0.25, 0.25),
          colors.Color(0.55, 0.55, 0.55))


def score_chart(
    categories: list[str],
    series: list[tuple[str, list[Decimal | None], list[str]]],
    *,
    width: float,
    height: float = 190.0,
) -> Drawing:
    """Grouped bar chart: one group per first-level indicator, one bar per series.

    ``series`` is ``[(legend label, values, printed labels), ...]``; a ``None`` value draws
    no bar. Every string uses the embedded CJK font (no Helvetica in the PDF).
    """
    fonts = register_fonts()
    drawing = Drawing(width, height, initialFontName=fonts.serif)
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 34
    chart.width, chart.height = width - 150, height - 52
    chart.data = [[float(v) if v is not None else 0.0 for v in values]
                  for _, values, _ in series]
    top = max((v for _, values, _ in series for v in values if v is not None),
              default=Decimal(10))
    step = 5 if top <= 30 else 10
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = float(((int(top) // step) + 1) * step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = fonts.serif
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.strokeWidth = 0.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = fonts.serif
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -4
    chart.categoryAxis.strokeWidth = 0.5
    chart.barSpacing = 2
    chart.groupSpacing = 14
    chart.barLabels.fontName = fonts.serif
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.barLabelFormat = "values"
    chart.barLabelArray = [labels for _, _, labels in series]
    for i in range(len(series)):
        chart.bars[i].fillColor = _FILLS[i % len(_FILLS)]
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = 0.4
    drawing.add(chart)

    legend = Legend()
    legend.x, legend.y = width - 104, height - 30
    legend.fontName = fonts.serif
    legend.fontSize = 8
    legend.dx = legend.dy = 8
    legend.deltay = 14
    legend.strokeWidth = 0.4
    legend.strokeColor = colors.black
    legend.alignment = "right"
    legend.colorNamePairs = [(_FILLS[i % len(_FILLS)], label)
                             for i, (label, _, _) in enumerate(series)]
    drawing.add(legend)
    drawing.add(String(4, height - 12, "分", fontName=fonts.serif, fontSize=7.5))
    return drawing
