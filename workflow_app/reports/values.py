"""Labels, fixed wording and how values (money, scores, rates, dates) are printed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

TIMING_LABELS = {"ex_ante": "事前评价", "in_progress": "事中评价", "ex_post": "事后评价"}


METHOD_LABELS = {"self": "单位自评", "department": "部门评价", "third_party": "第三方评价"}


KIND_LABELS = {"project": "项目支出绩效自评", "unit_whole": "部门整体支出绩效自评"}


SOURCE_LABELS = {"central": "中央财政", "provincial": "省级(自治区)财政",
                 "local": "市县财政", "other": "其他"}


ROLE_LABELS = {"leader": "组长", "deputy": "副组长", "member": "成员"}


ROLE_ORDER = {"leader": 0, "deputy": 1, "member": 2}


STATEMENT = "本单位对本报告内容的真实性、完整性负责。"


CN_DIGITS = "一二三四五六七八九十"


NUMBERED_TITLE = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")


SUBHEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")


MINOR_HEADING = re.compile(r"^\s*(\d+\s*[、.．]|[（(]\d+[）)])")


_HUNDRED = Decimal(100)


# Above this many characters in one cell a table row may outgrow a page (landscape 自评表
# columns hold ~17 characters a line, ~48 lines a page).
IN_ROW_SPLIT_CHARS = 700


_CENT = Decimal("0.01")


def dec(value: Any) -> Decimal | None:
    """Parse a decimal string of the content document; ``None``/"" stay ``None``."""
    if value is None:
        return None
    if isinstance(value, float):
        # Floats never belong in the document; refuse rather than print a rounding artefact.
        raise TypeError(f"expected a decimal string, got float {value!r}")
    text = str(value).strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


def plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 96.50 → "96.5", 1E+2 → "100"."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_score(value: Any) -> str:
    """Score or weight as printed: exact, no trailing zeros, "—" when missing."""
    d = dec(value)
    return "—" if d is None else plain(d)


def fmt_money(value: Any) -> str:
    """Money in 万元: exact, at least two decimals (4.5 → 4.50, 307.991 stays)."""
    d = dec(value) if not isinstance(value, Decimal) else value
    if d is None:
        return "—"
    d = d.normalize()
    if d.as_tuple().exponent > -2:  # type: ignore[operator]
        d = d.quantize(_CENT)
    return format(d, "f")


def fmt_rate(numerator: Decimal | None, denominator: Decimal | None) -> str:
    """Percentage with two decimals, half-up; "—" when it cannot be computed."""
    if numerator is None or denominator is None or denominator == 0:
        return "—"
    return f"{(numerator / denominator * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)}%"


def fmt_date(value: Any) -> str:
    """ISO date → 2022年5月19日 (the form used on Chinese official documents)."""
    if not value:
        return ""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


BEIJING = timezone(timedelta(hours=8), "北京时间")


def fmt_datetime(value: Any) -> str:
    """A stored (UTC) timestamp as printed: Beijing time with its zone, to the minute,
    e.g. "2026-12-01 14:05 (北京时间)" (a naive value is UTC, as the database stores it)."""
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " (北京时间)"


def sum_present(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def esc(text: Any) -> str:
    """Escape user text for a Paragraph; keep line breaks."""
    # U+3000 (full-width space, how Chinese text is spaced and indented) would be collapsed
    # by the paragraph parser as whitespace; as a character reference it survives.
    return escape(str(text or "")).replace("\n", "<br/>").replace("\u3000", "&#12288;")


def keep_spaces(text: Any) -> str:
    """Escape a name and keep its inner blanks as typed ("王  磊" is padded on purpose)."""
    return esc(text).replace(" ", "&nbsp;")


TITLE_WORDS = {"self_evaluation": "自评报告", "evaluation": "评价报告"}


def revision_label(record: dict) -> str:
    """How the report names its revision: the caller's ``revision_label`` when given (a
    returned draft: "第 1 版已退回，正在修改"; a first draft: nothing), else "第 N 版"."""
    if "revision_label" in record:
        return str(record["revision_label"] or "")
    return f"第 {record['revision']} 版" if record.get("revision") is not None else ""


def report_title(doc: dict) -> str:
    """The report's title, e.g. "高邑县人民政府办公室2021年度整体支出绩效自评报告"; the last
    word follows the document's ``title_word`` (自评报告 / 评价报告)."""
    unit = (doc.get("unit") or {}).get("name", "").strip()
    year = str(doc.get("fiscal_year") or "").strip()
    name = (doc.get("project_name") or "").strip()
    word = TITLE_WORDS.get(doc.get("title_word") or "", "自评报告")
    for suffix in ("绩效自评报告", "绩效评价报告", "自评报告", "评价报告", "报告"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if not name:
        name = "整体支出" if doc.get("kind") != "project" else "项目支出"
    # Seed 001's project name already reads "<unit><year>年度整体支出": do not repeat.
    prefix = "" if (unit and unit in name) else unit
    if year and f"{year}年" not in name:
        prefix += f"{year}年度"
    return f"{prefix}{name}绩效{word}"

