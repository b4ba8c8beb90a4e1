"""Sequence rules: server-side misuse is a programming error, not a client error."""

from __future__ import annotations

import pytest

from sync import ReplayVerdict, check_batch, check_replay, classify_seq, replay_verdict


@pytest.mark.parametrize(("last", "seq"), [(-1, 1), (0, 0), (True, 1)])
def test_classify_seq_refuses_impossible_counters(last: int, seq: int) -> None:
    with pytest.raises(ValueError, match=">="):
        classify_seq(last, seq)


def test_replay_of_same_digest_returns_stored_result_marker() -> None:
    assert replay_verdict("a" * 64, "a" * 64) is ReplayVerdict.SAME
    check_replay(3, "a" * 64, "a" * 64)


def test_check_batch_retry_with_only_new_tail_is_plain_new() -> None:
    plan = check_batch(2, [3, 4])
    assert plan.replayed == ()
    assert plan.new == (3, 4)
    assert plan.last_seq == 4
