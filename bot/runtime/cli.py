"""`python -m bot` runs the bot; without a token (or with `demo`) it plays the offline demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.shared.config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    # Everything the bot writes (database, backups, exported records) is health data: private
    # to the account that runs it, whatever that account's own umask says.
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "mode",
        nargs="?",
        choices=["run", "send", "demo", "backup", "restore"],
        help="run: connect to Telegram (needs TELEGRAM_BOT_TOKEN); send: only deliver "
        "reminders from the outbox (extra processes on PostgreSQL); demo: offline demo; "
        "backup: write a backup to BACKUP_DIR; restore FILE: replace the database with a "
        "backup (the bot stopped). Default: run if a token is set, else demo.",
    )
    parser.add_argument("file", nargs="?", type=Path, help="restore: the backup file")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="restore: replace a database that holds records (a copy of it is kept first)",
    )
    args = parser.parse_args(argv)
    if (args.mode == "restore") != (args.file is not None):
        parser.error("restore takes the backup file to restore, and only restore takes a file")
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    from bot.runtime.logs import quiet_libraries

    quiet_libraries()
    # A library's warning may quote what it was given (matplotlib names the glyph a font
    # lacks): warnings go through logging, where bot/runtime/logs.py keeps them out.
    logging.captureWarnings(True)

    mode = args.mode or ("run" if settings.token else "demo")
    if mode in ("backup", "restore"):
        from bot.runtime import maintenance

        if mode == "backup":
            return asyncio.run(maintenance.backup_command(settings))
        return asyncio.run(maintenance.restore_command(settings, args.file, replace=args.replace))
    if mode == "demo":
        if not args.mode:
            print("No TELEGRAM_BOT_TOKEN set: playing the offline demo.\n")
        for name in ("", "telegram"):
            logging.getLogger(name).setLevel(logging.WARNING)
        from demo.play import main as demo

        demo()
        return 0
    if not settings.token:
        print(
            "Configuration error: TELEGRAM_BOT_TOKEN is not set (see .env.example)", file=sys.stderr
        )
        return 2
    if not settings.therapist_ids:
        print("Warning: THERAPIST_IDS is empty, so the bot will serve nobody.", file=sys.stderr)
    from telegram.error import InvalidToken, TelegramError

    from bot.runtime.app import REFUSED_BY_TELEGRAM, run_bot, without_token
    from storage.database import DatabaseUnusable

    # What ends the bot is said in one line (the cause, never the token), not a traceback.
    try:
        asyncio.run(run_bot(settings, receive_updates=mode == "run"))
    except ConfigError as exc:  # a refused token: restarting cannot help
        print(exc, file=sys.stderr)
        return 2
    except InvalidToken:  # revoked while running
        print(REFUSED_BY_TELEGRAM, file=sys.stderr)
        return 2
    except TelegramError as exc:  # e.g. Forbidden: the bot was deleted at @BotFather
        reason = without_token(str(exc), settings.token)
        print(f"Telegram stopped the bot ({type(exc).__name__}): {reason}", file=sys.stderr)
        return 1
    except DatabaseUnusable as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
