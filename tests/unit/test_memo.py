"""What the provisioning service remembers of the text phones send."""

from sonata.domain.memo import BoundedMemo


def test_a_memo_computes_each_key_once_and_forgets_the_oldest_past_its_size() -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = BoundedMemo(shout, size=2)
    assert [memo("a"), memo("b"), memo("a")] == ["A", "B", "A"]
    assert calls == ["a", "b"]
    memo("c")  # forgets "a", the oldest
    assert len(memo) == 2
    memo("b")
    memo("a")
    assert calls == ["a", "b", "c", "a"]
