"""The bot's transport under load: PTB send_message, 32 in flight, on each HTTP client.

    .venv/bin/python bench/transport.py [--count 2000] [--repeat 5] [--server emulator|plain]

Measured in the same run, against one server in its own process: PTB's HTTPXRequest (the
baseline), the bot's AiohttpRequest (bot/runtime/transport.py), and a bare aiohttp client
posting the same JSON without PTB (the ceiling). Each round sends `count` messages with
`concurrency` sends in flight on each client, in a rotating order; printed are the sends a
second of every round, their medians, and the ratios of the medians to HTTPXRequest's.
`--server emulator` (default) answers as the tests' Bot API emulator does; `--server plain` is
a stub answering one fixed message, so that only the client's cost is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest  # noqa: E402

from bot.runtime.transport import AiohttpRequest  # noqa: E402
from emulator import BotApiEmulator  # noqa: E402

TOKEN = "123456:TEST"
CHAT = 1001
POOL = 40  # bot/runtime/app.py's CONNECTIONS (WAVE + 8)

Send = Callable[[int], Awaitable[object]]


async def serve(kind: str) -> None:
    """The server process: prints its base URL, runs until stdin closes."""
    if kind == "emulator":
        emu = BotApiEmulator(TOKEN)
        async with emu:
            await emu.user(id=CHAT, first_name="Maya").send("/start", wait=False)
            print(emu.base_url, flush=True)
            await asyncio.to_thread(sys.stdin.read)
        return
    user = {"id": 1, "is_bot": True, "first_name": "Aftercare", "username": "aftercare_bot"}
    me = json.dumps({"ok": True, "result": user}).encode()
    chat = {"id": CHAT, "type": "private", "first_name": "Maya"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "x"}
    sent = json.dumps({"ok": True, "result": message}).encode()

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        body = me if request.match_info["method"] == "getMe" else sent
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"http://127.0.0.1:{port}/bot", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()


async def rate(send: Send, count: int, concurrency: int) -> float:
    """Sends a second: `count` sends, `concurrency` of them in flight at any time."""
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            await send(n)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


class Client:
    def __init__(self, name: str, start: Callable[[], Awaitable[Send]]) -> None:
        self.name = name
        self.start = start
        self.stop: Callable[[], Awaitable[None]] | None = None


def ptb_client(name: str, base_url: str, make: Callable[[], BaseRequest]) -> Client:
    client = Client(name, lambda: _start_ptb(client, base_url, make))
    return client


async def _start_ptb(client: Client, base_url: str, make: Callable[[], BaseRequest]) -> Send:
    bot = Bot(TOKEN, base_url=base_url, request=make(), get_updates_request=make())
    await bot.initialize()
    client.stop = bot.shutdown

    async def send(n: int) -> object:
        return await bot.send_message(CHAT, f"Reminder {n}", parse_mode=None)

    return send


def bare_client(base_url: str) -> Client:
    client = Client("bare aiohttp", lambda: _start_bare(client, base_url))
    return client


async def _start_bare(client: Client, base_url: str) -> Send:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POOL))
    client.stop = session.close
    url = f"{base_url}{TOKEN}/sendMessage"

    async def send(n: int) -> object:
        async with session.post(url, json={"chat_id": CHAT, "text": f"Reminder {n}"}) as r:
            answer = await r.json()
        if not answer.get("ok"):
            raise RuntimeError(answer)
        return answer

    return send


async def main(count: int, repeat: int, concurrency: int, server: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        server,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    base_url = (await process.stdout.readline()).decode().strip()
    clients = [
        ptb_client(
            "PTB HTTPXRequest",
            base_url,
            lambda: HTTPXRequest(connection_pool_size=POOL, read_timeout=30.0),
        ),
        ptb_client(
            "PTB AiohttpRequest",
            base_url,
            lambda: AiohttpRequest(connection_pool_size=POOL, read_timeout=30.0),
        ),
        bare_client(base_url),
    ]
    rates: dict[str, list[float]] = {c.name: [] for c in clients}
    try:
        sends = {c.name: await c.start() for c in clients}
        for c in clients:  # warm-up: connections opened, code paths hot
            await rate(sends[c.name], min(count, 200), concurrency)
        for round_ in range(repeat):
            order = clients[round_ % 3 :] + clients[: round_ % 3]
            for c in order:
                rates[c.name].append(await rate(sends[c.name], count, concurrency))
    finally:
        for c in clients:
            if c.stop is not None:
                await c.stop()
        process.stdin.close()
        await process.wait()
    print(
        f"server: {server}; {count} sends x {repeat} rounds, {concurrency} in flight, pool {POOL}"
    )
    baseline = statistics.median(rates[clients[0].name])
    for c in clients:
        runs = rates[c.name]
        median = statistics.median(runs)
        print(
            f"  {c.name:<20} median {median:7.0f}/s  x{median / baseline:4.2f} of HTTPXRequest"
            f"   runs: {' '.join(f'{r:.0f}' for r in runs)}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--server", choices=["emulator", "plain"], default="emulator")
    parser.add_argument("--serve", choices=["emulator", "plain"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
    else:
        asyncio.run(main(args.count, args.repeat, args.concurrency, args.server))
