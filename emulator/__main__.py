"""Run the emulator standalone: ``python -m emulator --port 8081 --token 123456:TEST``.

Point a bot at the printed base URL. Lines typed on stdin are sent as messages from a demo
user; ``!tap <label>`` taps a button, ``!quit`` exits. The transcript is echoed as it grows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from .server import BotApiEmulator

logger = logging.getLogger("emulator.cli")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="aftercare_demo_bot")
    parser.add_argument("--bot-name", default="Aftercare")
    parser.add_argument("--user-id", type=int, default=1001, help="id of the stdin user")
    parser.add_argument("--user-name", default="Maya", help="first name of the stdin user")
    parser.add_argument("--quiet", action="store_true", help="do not log every API call")
    return parser.parse_args(argv)


async def _read_line() -> str:
    # stdin has no asyncio reader that works everywhere; a worker thread keeps it portable.
    return await asyncio.to_thread(sys.stdin.readline)


async def _run(args: argparse.Namespace) -> None:
    emu = BotApiEmulator(
        args.token, args.bot_username, args.bot_name, host=args.host, port=args.port
    )
    async with emu:
        logger.info("base_url=%s  base_file_url=%s", emu.base_url, emu.base_file_url)
        phone = emu.user(id=args.user_id, first_name=args.user_name)
        shown = 0
        while True:
            raw = await _read_line()
            line = raw.rstrip("\n")
            if not raw or line == "!quit":  # readline() returns "" only at end of input
                break
            try:
                if line.startswith("!tap "):
                    await phone.tap(line.removeprefix("!tap ").strip())
                elif line.strip():
                    await phone.send(line)
            except (AssertionError, TimeoutError, RuntimeError) as error:
                logger.warning("%s", error)
            lines = emu.transcript()
            for entry in lines[shown:]:
                logger.info("%s", entry)
            shown = len(lines)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if not args.quiet:
        logging.getLogger("emulator").setLevel(logging.DEBUG)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args))


if __name__ == "__main__":
    main()
