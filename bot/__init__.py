"""The chat surface: handlers, keyboards, conversation steps and texts."""

import os

# python-telegram-bot 22 returns time spans (RetryAfter.retry_after and the like) as plain
# seconds unless this is set, and warns on every access that timedeltas are coming. We handle
# both, and opt in now so the warning does not fill the logs during 429 storms.
os.environ.setdefault("PTB_TIMEDELTA", "true")
