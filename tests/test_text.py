"""The message helper: a reason that ends with 。 never prints as "。。"."""

from __future__ import annotations

import pytest

from workflow_app.text import clause, sentence, sentences


@pytest.mark.parametrize("raw, expected", [
    ("内容不完整", "内容不完整。"),
    ("内容不完整。", "内容不完整。"),
    ("内容不完整。。", "内容不完整。"),
    ("内容不完整.", "内容不完整。"),
    ("为什么没有佐证？", "为什么没有佐证？"),
    ("请尽快修改！。", "请尽快修改！"),
    ("  ", ""),
])
def test_sentence_ends_once(raw, expected):
    assert sentence(raw) == expected


def test_clause_and_sentences():
    assert clause("佐证不足。 ") == "佐证不足"
    assert sentences("已退回，理由：佐证不足。", "", "请修改后重新提交") == \
        "已退回，理由：佐证不足。请修改后重新提交。"
