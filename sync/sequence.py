"""Per-client sequence rules: what to apply, what to replay, what to refuse.

Each client numbers its mutations 1, 2, 3, ... and the server remembers the
highest seq it acknowledged (last_seq) plus, for every seq, the mutation digest
and the result it gave. That is what makes retries and lost responses safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import SyncError


class SeqClass(StrEnum):
    """How one incoming seq relates to the client's acknowledged prefix."""

    NEW = "new"
    ALREADY_ACKED = "already_acked"
    GAP = "gap"


class ReplayVerdict(StrEnum):
    """Whether a re-sent seq carries the same content as the stored one."""

    SAME = "same"
    SEQ_REUSED = "seq_reused"


@dataclass(frozen=True)
class SeqVerdict:
    """Classification of a seq; `expected` is always last_acked_seq + 1."""

    kind: SeqClass
    expected: int


@dataclass(frozen=True)
class BatchPlan:
    """A valid batch split into seqs to replay (stored results) and seqs to apply."""

    replayed: tuple[int, ...]
    new: tuple[int, ...]
    last_seq: int


def _check_counter(value: int, name: str, minimum: int) -> None:
    # These come from the server's own storage or an already-parsed envelope,
    # so a bad value is a programming error, not a client error.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def classify_seq(last_acked_seq: int, seq: int) -> SeqVerdict:
    """Classify `seq` against the client's last acknowledged seq."""
    _check_counter(last_acked_seq, "last_acked_seq", 0)
    _check_counter(seq, "seq", 1)
    expected = last_acked_seq + 1
    if seq == expected:
        return SeqVerdict(SeqClass.NEW, expected)
    if seq < expected:
        return SeqVerdict(SeqClass.ALREADY_ACKED, expected)
    return SeqVerdict(SeqClass.GAP, expected)


def check_batch(last_acked: int, seqs: Sequence[int]) -> BatchPlan:
    """Validate a batch is contiguous and increasing; it may start inside the acked prefix."""
    _check_counter(last_acked, "last_acked", 0)
    replayed: list[int] = []
    new: list[int] = []
    previous: int | None = None
    for index, seq in enumerate(seqs):
        _check_counter(seq, "seq", 1)
        where = f"mutations[{index}].seq"
        expected = last_acked + 1 if previous is None else previous + 1
        if seq > expected:
            raise _gap(where, expected, seq)
        # Only the first seq may sit below `expected`: a retry may overlap the
        # acknowledged prefix because the client cannot know whether its last
        # response was lost. Inside a batch, seqs must rise by exactly 1.
        if previous is not None and seq < expected:
            raise SyncError(
                "invalid_batch",
                f"{where}: seqs in a batch must rise by 1; expected {expected}, got {seq}",
                {"field": where, "expected": expected, "got": seq},
            )
        (replayed if seq <= last_acked else new).append(seq)
        previous = seq
    last_seq = new[-1] if new else last_acked
    return BatchPlan(tuple(replayed), tuple(new), last_seq)


def _gap(where: str, expected: int, got: int) -> SyncError:
    return SyncError(
        "seq_gap",
        f"{where}: expected seq {expected}, got {got}",
        {"field": where, "expected": expected, "got": got},
    )


def replay_verdict(stored_digest: str, new_digest: str) -> ReplayVerdict:
    """Same digest: answer the stored result again; different: `seq_reused`."""
    return ReplayVerdict.SAME if stored_digest == new_digest else ReplayVerdict.SEQ_REUSED


def check_replay(seq: int, stored_digest: str, new_digest: str) -> None:
    """Raise `seq_reused` if a re-sent seq carries different content."""
    if replay_verdict(stored_digest, new_digest) is ReplayVerdict.SEQ_REUSED:
        raise SyncError(
            "seq_reused",
            f"seq {seq} was already acknowledged with different content",
            {"seq": seq, "field": "seq"},
        )
