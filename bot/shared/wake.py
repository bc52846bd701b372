"""Sending what a handler has just queued in the outbox now, not at the dispatcher's next tick."""

from __future__ import annotations

from bot.shared.context import Context


def wake_dispatcher(context: Context) -> None:
    """Run the dispatcher's tick once now (when one is running): a consent question, a booking
    notice or a cancellation reaches the client at once."""
    queue = context.job_queue
    if queue is None:
        return
    ticks = queue.get_jobs_by_name("dispatch")
    if not ticks:
        return  # tests run the dispatcher themselves
    # The tick's own callback (bot/runtime/app.py's dispatch_job), run once now.
    tick = ticks[0]
    queue.run_once(tick.callback, when=0.05, name="dispatch-next", data=tick.data)
