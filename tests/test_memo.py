"""The per-process memos: bounded, built once per key, all emptied by forget_all."""

from workflow_app.memo import Memo, forget_all


def test_built_once_per_key_bounded_and_forgotten():
    memo, builds = Memo(size=2), []

    def build(value):
        return lambda: builds.append(value) or value

    assert memo.get_or_build("a", build(1)) == 1
    assert memo.get_or_build("a", build(99)) == 1 and builds == [1]
    memo.get_or_build("b", build(2))
    memo.get("a")  # used: "b" is now the least recent
    memo.get_or_build("c", build(3))
    assert len(memo) == 2 and memo.get("b") is None and memo.get("a") == 1
    forget_all()
    assert len(memo) == 0 and memo.get("a") is None
