"""The practice's rules as plain data and functions: no Telegram, no database.

Everything here is unit-tested in microseconds; the chat surface (`bot/`) and the
storage (`storage/`) call into it, never the other way round.
"""
