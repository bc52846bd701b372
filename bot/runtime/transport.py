"""The bot's HTTP transport: PTB's request interface on one aiohttp session.

PTB's default HTTPXRequest is the bottleneck of a busy bot (httpcore's pool is pure Python):
with 32 sends in flight on a two-core machine, PTB's send_message on this class made 4.1-4.4
times the sends a second of HTTPXRequest (bench/transport.py).

Errors are raised as HTTPXRequest raises them: a timeout is `TimedOut`, anything else on the
wire `NetworkError`, each `from` the aiohttp exception, so that reminders.arrival's
may_have_arrived can tell a request that never left (a refused connection, a slow connect, no
free connection: safe to repeat) from one that went out unanswered.

aiohttp has no write timeout of its own: the write (with the wait for the answer) is bounded
by a total of connect + write + read, and the answer's silence by the read timeout.

A request without a file goes as one JSON object (the Bot API takes that as it takes a form);
one with a file as HTTPXRequest sends it, a multipart form.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from reminders.arrival import NotSent


class AiohttpRequest(BaseRequest):
    """HTTPXRequest's constructor and behaviour, on aiohttp. `connection_pool_size` requests
    are on the wire at most; one more waits `pool_timeout` for a free connection, then fails
    with `TimedOut` before anything was sent."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        # The pool is counted here, not left to the connector: the connector's wait for a free
        # connection and its connect share one timeout, and only the first means "never sent".
        self._pool = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the status and parses the body itself; aiohttp must not raise on 4xx.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._write_timeout if not files else self._media_write_timeout
        else:
            write = write_timeout
        parts = (connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with asyncio.timeout(pool):
                await self._pool.acquire()
        except TimeoutError:
            raise TimedOut(
                message=(
                    "Pool timeout: All connections in the connection pool are occupied. "
                    "Request was *not* sent to Telegram. Consider adjusting the connection "
                    "pool size or the pool timeout."
                )
            ) from NotSent("no free connection")
        try:
            data, headers = _body(request_data)
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            # ServerTimeoutError is a TimeoutError on Python 3.11; named for clarity.
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._pool.release()


_JSON = {"Content-Type": "application/json"}


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The request body and its content type. Without a file, the parameters as one JSON
    object (PTB's RequestParameter values are JSON-dumpable by contract: a keyboard is its
    dict), which the Bot API takes as it takes a form; encoded by one json.dumps instead of
    each parameter JSON-encoded and the form URL-encoded character by character. With a file,
    a multipart form as HTTPXRequest sends it (the other parameters as fields of the form)."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        values = request_data.parameters
        return (_dumps(values).encode(), _JSON) if values else (None, None)
    fields = request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


_dumps = json.JSONEncoder(separators=(",", ":")).encode
