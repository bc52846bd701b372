"""What the libraries may write to the log: never what people wrote.

python-telegram-bot logs whole API answers and parameters at DEBUG, the raw batch of updates
at CRITICAL when one of them cannot be parsed, and the update itself when a callback context
cannot be built. Every record of its loggers keeps its wording and numbers; any other value
(an update, a dict of parameters, a raw answer, a string) is replaced by its type's name.
"""

from __future__ import annotations

import logging

from reports.render import RENDER_LOG_FLOORS

_KEPT = (int, float, bool, type(None))


class RedactContents(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            record.msg = f"<{type(record.msg).__name__}>"
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redacted(value) for value in record.args)
        return True


def _redacted(value: object) -> object:
    return value if isinstance(value, _KEPT) else f"<{type(value).__name__}>"


_FILTER = RedactContents()


def keep_contents_out_of_logs() -> None:
    """Health details never go to logs: PTB logs whole updates and API parameters at DEBUG,
    and httpx logs request URLs (which contain the token) at INFO. An operator reads one line
    per start, not APScheduler's two lines per tick or Alembic's per migration step."""
    quiet_libraries()
    redact_library_logs()
    for name, floor in (
        ("telegram", logging.INFO),
        ("telegram.ext.Application", logging.WARNING),  # "started", "stopping", "stopped"
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
        ("aiosqlite", logging.INFO),
        ("sqlalchemy.engine", logging.WARNING),
        ("apscheduler", logging.WARNING),
        # The render libraries, as in a render worker (reports/render.py says why).
        *RENDER_LOG_FLOORS.items(),
    ):
        logger = logging.getLogger(name)
        # An explicit level on the logger itself (lowering the root later must not reopen
        # it), never below what the root asks for now.
        wanted = max(floor, logging.getLogger().getEffectiveLevel())
        if logger.level < wanted:
            logger.setLevel(wanted)


def quiet_libraries() -> None:
    """Alembic announces its plugins as it is imported: quiet it before that."""
    logging.getLogger("alembic").setLevel(
        max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    )


def redact_library_logs() -> None:
    """Attach the filter to every logger of python-telegram-bot. A logger's filters do not
    apply to its children's records, so each one gets it; they are all created on import."""
    import telegram.ext  # noqa: F401 -- creates the library's loggers

    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name == "telegram" or name.startswith("telegram.")
    ]
    for name in ["telegram", *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
