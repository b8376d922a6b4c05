"""The reader's memory of answers about short texts (parsers.memo)."""
from __future__ import annotations

from decimal import Decimal

from parsers import memo
from parsers.amounts import parse_amount


def test_an_answer_is_the_functions_and_is_kept_for_a_short_text() -> None:
    calls: list[str] = []

    @memo.by_text
    def shout(text: str, times: int) -> str:
        calls.append(text)
        return text.upper() * times

    assert [shout("ab", 2), shout("ab", 2), shout("ab", 1)] == ["ABAB", "ABAB", "AB"]
    assert calls == ["ab", "ab"]  # worked out once per (text, argument)
    assert shout.cache_info().currsize == 2


def test_a_long_text_is_worked_out_each_time_and_not_kept() -> None:
    calls: list[int] = []

    @memo.by_text
    def length(text: str) -> int:
        calls.append(len(text))
        return len(text)

    long = "x" * (memo.LONGEST_KEPT + 1)
    assert [length(long), length(long)] == [memo.LONGEST_KEPT + 1] * 2
    assert calls == [memo.LONGEST_KEPT + 1] * 2
    assert length.cache_info().currsize == 0
    assert length("x" * memo.LONGEST_KEPT) == memo.LONGEST_KEPT
    assert length.cache_info().currsize == 1


def test_the_number_of_answers_kept_is_bounded() -> None:
    @memo.by_text
    def same(text: str) -> str:
        return text

    for i in range(memo.ANSWERS_KEPT + 500):
        same(str(i))
    assert same.cache_info().currsize == memo.ANSWERS_KEPT


def test_a_remembered_amount_is_the_same_value_each_time() -> None:
    assert parse_amount("1.234,56") == parse_amount("1.234,56") == Decimal("1234.56")
    assert parse_amount("Timeløn") is None
