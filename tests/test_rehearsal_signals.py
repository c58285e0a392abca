"""The rehearsal never loses a child to an interrupt that lands while the child starts."""

from __future__ import annotations

import os
import signal

import pytest

from planner.rehearsal import processes


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # as the rehearsal maps SIGTERM


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_while_a_child_starts_waits_until_it_is_recorded(number: int) -> None:
    """Ctrl-C (or SIGTERM) between a child's fork and its record for cleanup is held, then raised
    as KeyboardInterrupt once the block ends; the handlers in place before come back."""
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        recorded = []
        with pytest.raises(KeyboardInterrupt), processes.starting():
            os.kill(os.getpid(), number)
            recorded.append("child")  # reached: the interrupt waited for the record
        assert recorded == ["child"]
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
        with processes.starting():  # nothing held from before
            recorded.append("again")
        assert recorded == ["child", "again"]
    finally:
        signal.signal(signal.SIGTERM, old_term)
