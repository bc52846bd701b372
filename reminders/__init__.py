"""Everything the bot sends on its own initiative (homework reminders, check-ins).

Filled by the reminders issue: schedules, the delivery outbox, the dispatcher, rate limits.
"""
