"""The same report as HTML, for the Chromium print-to-PDF comparison in ``bench/pdf.py``.

Self-contained (no Jinja, no app): it prints the same parts as the reportlab renderer —
cover, narrative sections, funding and expense tables, score summary with an SVG bar chart,
the full 自评表 with row spans, the 分项绩效项目清单 and the signature table — with print
CSS (A4, repeated table headers, page counter footer) so Chromium does comparable work.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from workflow_app.reports.render import (
    METHOD_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATEMENT,
    TIMING_LABELS,
    fmt_date,
    fmt_money,
    fmt_rate,
    fmt_score,
    report_title,
)

_CSS = """
@page { size: A4; margin: 22mm 20mm 20mm 20mm;
        @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; } }
@page wide { size: A4 landscape; margin: 18mm 14mm 16mm 14mm; }
body { font-family: "AR PL UMing CN", "WenQuanYi Zen Hei", serif; font-size: 11.5pt;
       line-height: 1.75; color: #000; }
h1, h2, .sans { font-family: "WenQuanYi Zen Hei", sans-serif; font-weight: normal; }
h1 { font-size: 17pt; text-align: center; } h2 { font-size: 13.5pt; margin: 10pt 0 4pt; }
p { text-indent: 2em; margin: 0; text-align: justify; }
.cover { page-break-after: always; text-align: center; padding-top: 30mm; }
.cover h1 { font-size: 24pt; line-height: 1.6; }
.cover table { margin: 26mm auto; border: none; } .cover td { border: none;
  border-bottom: 0.5pt solid #000; text-align: left; padding: 6pt 4pt 2pt; font-size: 12pt; }
.cover td.l { border: none; font-family: "WenQuanYi Zen Hei"; }
.wide { page: wide; page-break-before: always; }
.break { page-break-before: always; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; line-height: 1.35; }
th, td { border: 0.4pt solid #333; padding: 2pt 3pt; vertical-align: top; }
th { background: #eee; font-family: "WenQuanYi Zen Hei"; font-weight: normal; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
td.n { text-align: right; } td.c { text-align: center; }
.wide table { font-size: 7.5pt; }
.note { color: #666; font-size: 9pt; text-indent: 0; }
.watermark { position: fixed; top: 40%; left: 20%; font-size: 120pt; color: #ddd;
             transform: rotate(-35deg); z-index: -1; font-family: "WenQuanYi Zen Hei"; }
.right { text-align: right; text-indent: 0; }
"""


def _e(value: object) -> str:
    return escape(str(value or "")).replace("\n", "<br>")


def _paras(body: str) -> str:
    return "".join(f"<p>{_e(line.strip())}</p>" for line in (body or "").splitlines()
                   if line.strip())


def _leaves(doc: dict) -> list[tuple[dict, dict, dict]]:
    return [(l1, l2, leaf) for l1 in doc.get("indicators") or []
            for l2 in l1.get("children") or [] for leaf in l2.get("children") or []]


def _chart(doc: dict) -> str:
    groups = []
    for l1 in doc.get("indicators") or []:
        leaves = [leaf for l2 in l1.get("children") or [] for leaf in l2.get("children") or []]
        weight = sum((Decimal(x["weight"]) for x in leaves), Decimal(0))
        score = sum((Decimal(x["score"] or 0) for x in leaves), Decimal(0))
        groups.append((l1["name"], weight, score))
    bars = []
    for i, (name, weight, score) in enumerate(groups):
        x = 40 + i * 110
        for j, (value, fill) in enumerate(((weight, "#d0d0d0"), (score, "#404040"))):
            h = float(value) * 3  # drawing coordinate only
            bars.append(f'<rect x="{x + j * 30}" y="{160 - h}" width="26" height="{h}" '
                        f'fill="{fill}" stroke="#000" stroke-width="0.4"/>'
                        f'<text x="{x + j * 30 + 13}" y="{156 - h}" font-size="8" '
                        f'text-anchor="middle">{fmt_score(value)}</text>')
        bars.append(f'<text x="{x + 28}" y="176" font-size="9" text-anchor="middle">'
                    f'{_e(name)}</text>')
    return f'<svg width="480" height="190" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'


def render_html(doc: dict, record: dict | None = None) -> str:
    """Return the report of ``doc`` as one self-contained HTML page."""
    record = record or {}
    unit = (doc.get("unit") or {}).get("name", "")
    out = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
           f"<title>{_e(report_title(doc))}</title><style>{_CSS}</style></head><body>"]
    if record.get("draft", True):
        out.append("<div class='watermark'>草稿</div>")
    rows = [("项目名称", doc.get("project_name")), ("实施单位", unit),
            ("主管部门", (doc.get("unit") or {}).get("supervising_department")),
            ("项目负责人", doc.get("project_leader")),
            ("评价时间", TIMING_LABELS.get(doc.get("timing", ""), "")),
            ("评价方式", METHOD_LABELS.get(doc.get("method", ""), "")),
            ("填报人", doc.get("preparer_name")), ("报告日期", fmt_date(doc.get("report_date")))]
    out.append(f"<div class='cover'><h1>{_e(report_title(doc))}</h1><table>"
               + "".join(f"<tr><td class='l'>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
               + f"</table><div class='sans'>{_e(unit)}</div></div>")
    out.append(f"<h1>{_e(report_title(doc))}</h1>")
    for section in doc.get("sections") or []:
        if section.get("title"):
            out.append(f"<h2>{_e(section['title'])}</h2>")
        out.append(_paras(section.get("body", "")))
    out.append(f"<h2>存在的问题及改进措施</h2>{_paras(doc.get('problems', ''))}"
               f"{_paras(doc.get('measures', ''))}<p>{STATEMENT}</p>")

    out.append("<div class='break'><h1>预算资金到位及执行情况</h1><table><thead><tr>"
               "<th>资金来源</th><th>年初预算数</th><th>全年预算数</th><th>到位数</th>"
               "<th>执行数</th><th>资金到位率</th><th>预算执行率</th></tr></thead><tbody>")
    for f in doc.get("funding") or []:
        planned, arrived, spent = (Decimal(f[k]) if f.get(k) else None
                                   for k in ("planned", "arrived", "spent"))
        out.append(f"<tr><td>{_e(SOURCE_LABELS.get(f['source'], ''))}</td>"
                   + "".join(f"<td class='n'>{fmt_money(f.get(k))}</td>"
                             for k in ("initial", "planned", "arrived", "spent"))
                   + f"<td class='n'>{fmt_rate(arrived, planned)}</td>"
                     f"<td class='n'>{fmt_rate(spent, planned)}</td></tr>")
    out.append("</tbody></table>")
    if doc.get("expenses"):
        out.append("<h2>支出明细</h2><table><thead><tr><th>支出项目</th><th>预算数</th>"
                   "<th>实际支出数</th></tr></thead><tbody>")
        out += [f"<tr><td>{_e(x['category'])}</td><td class='n'>{fmt_money(x['planned'])}</td>"
                f"<td class='n'>{fmt_money(x['actual'])}</td></tr>" for x in doc["expenses"]]
        out.append("</tbody></table>")
    out.append(f"<h2>综合评价结果：{_e(record.get('total_score', ''))} "
               f"{_e(record.get('grade', ''))}</h2>{_chart(doc)}</div>")

    out.append("<div class='wide'><h1>部门整体支出绩效自评表</h1><table><thead><tr>"
               "<th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标内容</th>"
               "<th>评价标准</th><th>年度指标值</th><th>实际完成值</th><th>分值</th>"
               "<th>得分</th><th>偏差原因分析及改进措施</th></tr></thead><tbody>")
    seen: set[int] = set()
    for l1, l2, leaf in _leaves(doc):
        cells = []
        for node in (l1, l2):
            if id(node) not in seen:
                seen.add(id(node))
                span = sum(len(c.get("children") or [1]) for c in node["children"]) \
                    if node is l1 else len(node["children"])
                cells.append(f"<td rowspan='{span}'>{_e(node['name'])}"
                             f"（{fmt_score(node.get('weight'))}）</td>")
        cells += [f"<td>{_e(leaf.get(k))}</td>" for k in ("name", "description", "standard")]
        cells += [f"<td class='c'>{_e(leaf.get(k))}</td>" for k in ("target", "actual")]
        cells += [f"<td class='c'>{fmt_score(leaf.get(k))}</td>" for k in ("weight", "score")]
        cells.append(f"<td>{_e(leaf.get('deviation_reason'))}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append(f"<tr><td colspan='7' class='c'>合计</td>"
               f"<td class='c'>{fmt_score(doc.get('total_weight'))}</td>"
               f"<td class='c'>{_e(record.get('total_score', ''))}</td><td></td></tr>"
               "</tbody></table></div>")

    if doc.get("sub_projects"):
        out.append("<div class='wide'><h1>分项绩效项目清单</h1><table><thead><tr><th>序号</th>"
                   "<th>项目名称</th><th>预算数</th><th>执行数</th><th>结余交回财政数</th>"
                   "<th>自评得分</th><th>分项项目绩效目标</th><th>完成情况</th></tr></thead>"
                   "<tbody>")
        for n, item in enumerate(doc["sub_projects"], start=1):
            out.append(f"<tr><td class='c'>{n}</td><td>{_e(item['name'])}</td>"
                       + "".join(f"<td class='n'>{fmt_money(item.get(k))}</td>"
                                 for k in ("budget", "executed", "returned"))
                       + f"<td class='c'>{fmt_score(item.get('self_score'))}</td>"
                         f"<td>{_e(item.get('target'))}</td><td>{_e(item.get('achieved'))}</td>"
                         "</tr>")
        total = sum((Decimal(i["budget"]) for i in doc["sub_projects"]), Decimal(0))
        out.append(f"<tr><td colspan='2' class='c'>合计</td><td class='n'>{fmt_money(total)}"
                   "</td><td colspan='5'></td></tr></tbody></table></div>")

    signed = {s.get("username"): s for s in record.get("signatures") or []}
    out.append("<div class='break'><h1>评价工作组人员名单及签字</h1><table><thead><tr>"
               "<th>组内角色</th><th>姓名</th><th>工作单位</th><th>职务</th><th>职称</th>"
               "<th>签字</th></tr></thead><tbody>")
    for m in doc.get("team") or []:
        sig = signed.get(m.get("username"))
        sign = (f"{_e(sig['name'])}<br>{_e(sig.get('signed_at'))} "
                f"{_e(str(sig.get('content_hash'))[:12])}") if sig else "未签"
        out.append(f"<tr><td class='c'>{ROLE_LABELS.get(m.get('role'), '')}</td>"
                   + "".join(f"<td class='c'>{_e(m.get(k))}</td>"
                             for k in ("name", "unit", "position", "title"))
                   + f"<td>{sign}</td></tr>")
    out.append(f"</tbody></table><p>填报人：{_e(doc.get('preparer_name'))} 联系电话："
               f"{_e(doc.get('preparer_phone'))}</p><p class='right'>{_e(unit)}（盖章）</p>"
               f"<p class='right'>{fmt_date(doc.get('report_date'))}</p></div></body></html>")
    return "".join(out)
