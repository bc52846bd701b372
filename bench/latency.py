"""Tap-to-answer latency and the bot's CPU time per update, through the Bot API emulator.

    .venv/bin/python bench/latency.py [--notes 40]

The bot runs as its own process (`python -m bot run`) against the emulator on 127.0.0.1 and a
fresh SQLite file; the emulator plays the therapist. Latency is measured from the moment a
tap or message is handed to the emulator until the bot has handled it and asked for the next
update (its answer and card edit are done by then). CPU is the bot process's user+system time
from /proc. A bare PTB bot (bench/baseline_bot.py) is measured in the same run on the same
transport; the ratios against it are the figures to compare between machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.offline import DEMO_TOKEN  # noqa: E402
from emulator import BotApiEmulator, Phone  # noqa: E402

THERAPIST = 1001
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


async def spawn(
    emu: BotApiEmulator, args: list[str], db: Path, extra: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "THERAPIST_IDS": str(THERAPIST),
        "PRACTICE_TIMEZONE": "Europe/London",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }
    return await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env)


# Actions are spaced so the bot stays under Telegram's ~30 edits/s per bot, which PTB's
# AIORateLimiter enforces: back-to-back taps would measure the limiter's queue, not the bot.
PACE = 0.05


async def timed(samples: list[float], action: object) -> None:
    started = time.perf_counter()
    await action  # type: ignore[misc]
    samples.append(time.perf_counter() - started)
    await asyncio.sleep(PACE)


async def one_note(maya: Phone, taps: list[float], messages: list[float]) -> int:
    """A returning client's default note: keep the preselection, skip the free text."""
    await timed(messages, maya.send("/note"))
    labels = ("Anna K.", "Done ➡️", "Done ➡️", "Medium", "6", "3", "⏭ Skip to summary", "✅ Save")
    card = maya.last_message_id  # the note's card, edited in place step by step
    for label in labels:
        await timed(taps, maya.tap(label, message_id=card))
    # The card says so; a decision question (re-evaluate, no change…) may follow it as a
    # message of its own, from the fourth session on.
    saved = maya.message(card).text
    assert saved.startswith("Saved ✓"), saved
    return len(labels)


async def measure_aftercare(notes: int, folder: Path) -> dict[str, float]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        process = await spawn(emu, ["-m", "bot", "run"], folder / "bench.db")
        maya = emu.user(id=THERAPIST, first_name="Maya")
        try:
            # Warm-up, not measured: the first note (a new client) and one returning note.
            await maya.send("/note")
            await maya.tap("New client")
            await maya.send("Anna K.")
            for label in ("Neck", "Done", "Swedish", "Done", "Medium", "6", "3", "Skip to"):
                await maya.tap(label)
            await maya.tap("Save")
            taps_per_note = await one_note(maya, [], [])
            taps: list[float] = []
            messages: list[float] = []
            cpu_before = cpu_seconds(process.pid)
            for _ in range(notes):
                await one_note(maya, taps, messages)
            cpu = cpu_seconds(process.pid) - cpu_before
        finally:
            process.terminate()
            await process.wait()
    updates = len(taps) + len(messages)
    return {
        "tap_median": statistics.median(taps),
        "tap_p95": statistics.quantiles(taps, n=20)[18],
        "message_median": statistics.median(messages),
        "cpu_per_update": cpu / updates,
        "updates": updates,
        "taps_per_note": taps_per_note,
    }


async def measure_baseline(count: int, folder: Path) -> dict[str, float]:
    async with BotApiEmulator(token=DEMO_TOKEN) as emu:
        process = await spawn(emu, [str(ROOT / "bench" / "baseline_bot.py")], folder / "x.db")
        maya = emu.user(id=THERAPIST, first_name="Maya")
        try:
            await maya.send("ping")
            for _ in range(10):
                await maya.tap("Tap")
            taps: list[float] = []
            cpu_before = cpu_seconds(process.pid)
            for _ in range(count):
                await timed(taps, maya.tap("Tap"))
            cpu = cpu_seconds(process.pid) - cpu_before
        finally:
            process.terminate()
            await process.wait()
    return {
        "tap_median": statistics.median(taps),
        "tap_p95": statistics.quantiles(taps, n=20)[18],
        "cpu_per_update": cpu / count,
    }


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=40, help="notes to log (9 updates each)")
    parser.add_argument("--pace", type=float, default=PACE, help="seconds between actions")
    args = parser.parse_args(argv)
    globals()["PACE"] = args.pace
    with tempfile.TemporaryDirectory() as folder:
        ours = await measure_aftercare(args.notes, Path(folder))
        base = await measure_baseline(int(ours["updates"]), Path(folder))
    ms = 1000
    print(f"(actions {args.pace * ms:.0f} ms apart; medians and p95 over every tap)")
    print(
        f"Aftercare, {args.notes} notes, {int(ours['updates'])} updates "
        f"({int(ours['taps_per_note'])} taps per default note after /note)"
    )
    print(
        f"  tap → answer     median {ours['tap_median'] * ms:6.2f} ms   "
        f"p95 {ours['tap_p95'] * ms:6.2f} ms"
    )
    print(f"  /note → card     median {ours['message_median'] * ms:6.2f} ms")
    print(f"  bot CPU          {ours['cpu_per_update'] * ms:6.2f} ms per update")
    print(f"Baseline (bare PTB bot, same transport), {int(ours['updates'])} taps")
    print(
        f"  tap → answer     median {base['tap_median'] * ms:6.2f} ms   "
        f"p95 {base['tap_p95'] * ms:6.2f} ms"
    )
    print(f"  bot CPU          {base['cpu_per_update'] * ms:6.2f} ms per update")
    print("Ratios (Aftercare / baseline)")
    print(f"  median latency   {ours['tap_median'] / base['tap_median']:.2f}×")
    print(f"  p95 latency      {ours['tap_p95'] / base['tap_p95']:.2f}×")
    print(f"  CPU per update   {ours['cpu_per_update'] / max(base['cpu_per_update'], 1e-9):.2f}×")


if __name__ == "__main__":
    asyncio.run(main())
