"""The evaluation page reads like the report: content first, a compact side panel (state in
Chinese, who acts next, signatures, actions), comments at their indicator, the diagram
collapsed and in Chinese, a Chinese timeline that folds consecutive saves; every irreversible
action is confirmed in a dialog that says what will happen (no inline scripts)."""

from __future__ import annotations

import io
import re

from tests.workflow.helpers import S
from workflow_app.evaluations import operations as ops
from workflow_app.extensions import db
from workflow_app.workflow.operations import add_comment, fire

STATE_IDS = ("draft", "team_review", "leader_signoff", "finance_acceptance", "accepted",
             "published")


def _visible_text(html: str, *, dialogs: bool = True) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    if not dialogs:  # a closed dialog is not on screen
        html = re.sub(r"<dialog\b(?![^>]*\bopen\b).*?</dialog>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(login, user, e):
    return login(user).get(f"/evaluations/{e.id}").get_data(as_text=True)


def test_content_comes_first_and_the_side_panel_is_compact(world, login):
    e = world.go(S.TEAM_REVIEW)
    fire(e, "sign", world.member1)
    db.session.commit()
    page = _page(login, world.member2, e)
    assert page.index('id="side-panel"') < page.index('class="report-main"')  # phone: on top
    main = page.split('class="report-main"', 1)[1]
    assert main.index('id="scores"') < main.index('id="workflow-below"')
    assert main.index('id="workflow-below"') < main.index('id="audit-timeline"')
    side = page.split('id="side-panel"', 1)[1].split("</aside>", 1)[0]
    text = _visible_text(side)
    assert "工作组会签" in text and "等待评价工作组成员 成员丁 会签" in text
    assert 'data-username="' + world.member1.username + '" data-signed="yes"' in side
    assert 'id="workflow-actions"' in side
    # The diagram is collapsed and the page shows no English state id anywhere.
    assert re.search(r'<details class="card" id="workflow-diagram-box">', page)
    visible = _visible_text(page)
    for state in STATE_IDS:
        assert not re.search(rf"\b{state}\b", visible), state


def test_comments_are_shown_at_their_indicator(world, login):
    e = world.go(S.TEAM_REVIEW)
    add_comment(e, world.member1, "1.2", "质量指标扣分理由太简单")
    db.session.commit()
    page = _page(login, world.preparer, e)
    row = page.split('data-code="1.2"', 1)[1]
    after = row.split("</tr>", 1)[1]
    assert after.lstrip().startswith('<tr class="comment-row" id="thread-1.2"')
    assert "质量指标扣分理由太简单" in after.split("</tr>", 1)[0]


def test_timeline_is_chinese_with_names_and_folds_consecutive_saves(world, login):
    e = world.evaluation
    for leader in ("甲", "乙", "丙"):
        ops.update_header(e, world.preparer, e.version, {"project_leader": leader},
                          partial=True)
    fire(e, "submit", world.preparer)
    fire(e, "return", world.member1, reason="请补充。")
    db.session.commit()
    page = _page(login, world.preparer, e)
    timeline = page.split('id="audit-timeline"', 1)[1].split("</ol>", 1)[0]
    text = _visible_text(timeline)
    assert f"{world.preparer.name} 编辑了 3 次" in text and "基本信息" in text
    assert timeline.count('data-action="edit"') == 1
    assert f"{world.preparer.name} 提交会签（第 1 版）" in text
    assert f"{world.member1.name} 退回了第 1 版" in text and "理由：请补充。" in text
    assert "草稿 → 工作组会签" in text
    assert not re.search(r"\b(edit|submit|return|team_review)\b", text)


def test_a_returned_draft_is_not_called_revision_2(world, login):
    e = world.go(S.TEAM_REVIEW)
    fire(e, "return", world.member1, reason="请补充")
    db.session.commit()
    client = login(world.preparer)
    for url in (f"/evaluations/{e.id}", f"/evaluations/{e.id}/edit/header"):
        text = _visible_text(client.get(url).get_data(as_text=True), dialogs=False)
        assert "第 1 版已退回，正在修改" in text
        assert "第 2 版" not in text


def test_a_returned_drafts_pdf_is_not_called_revision_2(world):
    """The draft PDF's footer and cover name a returned draft as the pages do."""
    from pypdf import PdfReader

    from workflow_app.public.publication import current_report

    e = world.go(S.TEAM_REVIEW)
    fire(e, "return", world.member1, reason="请补充")
    db.session.commit()
    report = current_report(e)
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(report.pdf)).pages]
    assert report.draft and len(pages) > 1
    assert all("第 1 版已退回，正在修改" in page for page in pages)  # the footer of each page
    assert "报告版本：第 1 版已退回，正在修改" in pages[0]
    assert not any("第 2 版" in page for page in pages)


def test_publish_and_return_are_confirmed_in_a_dialog_saying_what_happens(world, login,
                                                                         no_publication):
    e = world.go(S.ACCEPTED)
    db.session.commit()
    page = _page(login, world.finance, e)
    for trigger, says in (("publish", "公开不能撤回"), ("return", "个签字留档但不再计入")):
        button = re.search(rf'<button type="button"[^>]*data-open="{trigger}"[^>]*>', page)
        assert button and f'data-dialog-open="dlg-{trigger}"' in button.group(0)
        dialog = page.split(f'<dialog class="wf-dialog" id="dlg-{trigger}"', 1)[1].split(
            "</dialog>", 1)[0]
        assert says in dialog and f'data-trigger="{trigger}"' in dialog
    assert not re.search(r"<script>(?!</script>)|<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "/static/js/dialog.js" in page


def test_security_events_stay_out_of_the_timeline(world, login):
    """A refused request and a download are audited (issue 9) but are not the report's story."""
    e = world.evaluation
    db.session.commit()
    login(world.member1).post(f"/evaluations/{e.id}/transitions/submit")  # 403, audited
    page = _page(login, world.preparer, e)
    timeline = page.split('id="audit-timeline"', 1)[1].split("</ol>", 1)[0]
    assert 'data-action="refused"' not in timeline and "进行了操作" not in timeline
