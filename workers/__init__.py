"""Work that takes seconds of CPU, run beside the event loop in worker processes.

One type, `workers.Pool`, used by the two rooms that have such work: reports/render.py (charts
and PDFs) and speech/pool.py (transcription). It lives in a room of its own because neither
of them may import the other (reports/ sits below the bot, speech/ beside the domain, and
"nothing below the bot uses speech/"), and practice/ is the domain's plain functions, with no
processes in it. workers/ uses at most practice/ (pyproject.toml's contracts).
"""

from workers.pool import Pool, PoolClosed

__all__ = ["Pool", "PoolClosed"]
