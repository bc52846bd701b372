"""bench/latency.py keeps working as the note flow evolves: run it with a tiny count.

Four notes after the two warm-up ones take Anna past her fourth session, where a decision
question ("no meaningful change") follows "Saved ✓": the script must carry on past it.
"""

from __future__ import annotations

import pytest

from bench import latency


async def test_latency_bench_runs_past_the_decision_question(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await latency.main(["--notes", "4", "--pace", "0.01"])
    out = capsys.readouterr().out
    assert "Aftercare, 4 notes, 36 updates (8 taps per default note after /note)" in out
    assert "Baseline (bare PTB bot, same transport), 36 taps" in out
    assert "median latency" in out
