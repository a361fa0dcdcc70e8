"""The state machine drawn from the same table: inline SVG (served by us, no CDN) and, for
documentation, mermaid text from a throw-away GraphMachine.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from workflow_app.workflow.machine import STATES, TABLE, machine_rows, sources, trigger_label
from workflow_app.workflow.states import EvaluationState

BOX_W, BOX_H, GAP, MARGIN, TOP = 136, 44, 56, 20, 70


def mermaid() -> str:
    """The table as a mermaid ``stateDiagram-v2`` (via transitions' GraphMachine)."""
    from transitions.extensions import GraphMachine

    class _Model:
        pass

    model = _Model()
    rows = [dict(r, conditions=[], unless=[], before=None) for r in machine_rows()]
    for row in rows:
        if row["dest"] is None:
            row["dest"] = "="
    GraphMachine(model=model, states=STATES, transitions=rows, initial=STATES[0],
                 auto_transitions=False, graph_engine="mermaid", title="绩效自评工作流")
    return model.get_graph().draw(None)


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in TABLE:
        for src in sources(row):
            dst = EvaluationState(row["dest"]).value if row["dest"] is not None else src
            label = f"{trigger_label(row['trigger'])}（{row['who']}）"
            if label not in edges[(src, dst)]:
                edges[(src, dst)].append(label)
    return edges


def svg(current: str | EvaluationState | None = None) -> str:
    """The diagram as an inline ``<svg>``; the current state is highlighted."""
    current = EvaluationState(current).value if current else None
    index = {s: i for i, s in enumerate(STATES)}
    width = MARGIN * 2 + len(STATES) * BOX_W + (len(STATES) - 1) * GAP
    x = {s: MARGIN + i * (BOX_W + GAP) for s, i in index.items()}
    mid_y = TOP + BOX_H / 2
    parts: list[str] = []
    back_depth = 0
    for (src, dst), labels in sorted(_edges().items(), key=lambda e: (index[e[0][0]],
                                                                      index[e[0][1]])):
        text = escape("／".join(labels))
        if src == dst:  # a loop above the box
            cx = x[src] + BOX_W / 2
            parts.append(
                f'<path class="edge loop" d="M{cx - 24},{TOP} C{cx - 40},{TOP - 46} '
                f'{cx + 40},{TOP - 46} {cx + 24},{TOP}" marker-end="url(#wf-arrow)"/>'
                f'<text class="edge-label" x="{cx}" y="{TOP - 40}">{text}</text>')
        elif index[dst] > index[src]:  # forward, to the right
            x1, x2 = x[src] + BOX_W, x[dst]
            parts.append(
                f'<line class="edge" x1="{x1}" y1="{mid_y}" x2="{x2 - 2}" y2="{mid_y}" '
                f'marker-end="url(#wf-arrow)"/>'
                f'<text class="edge-label" x="{(x1 + x2) / 2}" y="{mid_y - 8}">'
                f'{escape(labels[0].split("（")[0])}</text>')
        else:  # back, below
            back_depth += 1
            depth = TOP + BOX_H + 18 + back_depth * 20
            x1 = x[src] + BOX_W / 2 - 10 + back_depth * 3
            x2 = x[dst] + BOX_W / 2 + back_depth * 8 - 30
            parts.append(
                f'<path class="edge back" d="M{x1},{TOP + BOX_H} L{x1},{depth} L{x2},{depth} '
                f'L{x2},{TOP + BOX_H + 2}" marker-end="url(#wf-arrow)"/>'
                f'<text class="edge-label back" x="{x1 - 6}" y="{depth - 4}" '
                f'text-anchor="end">{text}</text>')
    height = TOP + BOX_H + 18 + back_depth * 20 + 16
    for state in STATES:
        cls = "node current" if state == current else "node"
        label = escape(EvaluationState(state).label)
        parts.append(
            f'<g class="{cls}" data-state="{state}"><rect x="{x[state]}" y="{TOP}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="8"/>'
            f'<text x="{x[state] + BOX_W / 2}" y="{TOP + 27}">{label}</text></g>')
    style = (
        "<style>.wf-diagram .node rect{fill:#fff;stroke:#8a94a6;stroke-width:1.5}"
        ".wf-diagram .node text{text-anchor:middle;font-size:14px;fill:#1f2937}"
        ".wf-diagram .node.current rect{fill:#c8102e;stroke:#8b0a1f;stroke-width:2.5}"
        ".wf-diagram .node.current text{fill:#fff;font-weight:700}"
        ".wf-diagram .edge{fill:none;stroke:#6b7280;stroke-width:1.3}"
        ".wf-diagram .edge.back{stroke:#d97706;stroke-dasharray:4 3}"
        ".wf-diagram .edge-label{font-size:11px;fill:#374151;text-anchor:middle}"
        ".wf-diagram .edge-label.back{fill:#b45309}</style>")
    return (
        f'<svg class="wf-diagram" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="工作流状态图" viewBox="0 0 {width} {height}" width="100%" '
        f'data-current="{current or ""}">{style}'
        '<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#6b7280"/></marker></defs>' + "".join(parts) + "</svg>")
