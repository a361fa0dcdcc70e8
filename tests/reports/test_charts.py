"""The report's score chart: every group, bar label and legend entry is on the page."""

from __future__ import annotations

import io
from decimal import Decimal as D

from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from workflow_app.reports.charts import score_chart


def _text(chart) -> str:  # noqa: ANN001
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([chart])
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()


def test_groups_labels_and_legend_are_drawn() -> None:
    chart = score_chart(
        ["投入", "过程", "产出", "效果"],
        [("分值", [D(20), D(40), D(25), D(15)], ["20", "40", "25", "15"]),
         ("自评得分", [D(19), D("38.5"), D(25), None], ["19", "38.5", "25", ""]),
         ("复核得分", [D(18), D("37.25"), D(24), D(13)], ["18", "37.25", "24", "13"])],
        width=480)
    text = _text(chart)
    for word in ("投入", "过程", "产出", "效果", "分值", "自评得分", "复核得分", "38.5", "37.25"):
        assert word in text
    # The value axis runs past the highest value in steps of 10 (above 30).
    assert "50" in text and "60" not in text


def test_small_values_step_by_five() -> None:
    chart = score_chart(["投入"], [("分值", [D(12)], ["12"])], width=300)
    assert chart.value_max == 15 and chart.step == 5
    assert "12" in _text(chart)
