"""The command line: `aftercare` (the installed command) and `python -m bot`, the same thing.

Without a subcommand it runs the bot when a token is set, else it plays the offline demo.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.shared.config import Settings

DESCRIPTION = (
    "Aftercare, a Telegram bot for massage therapists. Settings come from the environment "
    "or a .env file in the working directory (see .env.example). Without a subcommand: run "
    "if TELEGRAM_BOT_TOKEN is set, else demo."
)
EPILOG = (
    "Exit status: 0 done, 1 failed (one line on stderr says why), 2 a configuration error or "
    "a refusal. `aftercare` and `python -m bot` are the same command."
)


def version() -> str:
    try:
        return metadata.version("aftercare")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {details}"
        )

    command(
        "run",
        "connect to Telegram and serve the practice",
        "Needs TELEGRAM_BOT_TOKEN. The database schema is migrated first (a backup taken "
        "before a pending migration). Stops on Ctrl-C or SIGTERM. Telegram lets one process "
        "poll a bot: run one `run` per bot, or, with WEBHOOK_URL set (webhook mode), several "
        "behind a proxy on PostgreSQL.",
    )
    command(
        "send",
        "only deliver reminders from the outbox",
        "Needs TELEGRAM_BOT_TOKEN; receives no updates. For more sending capacity beside the "
        "one `run`, on PostgreSQL: any number of `send` processes share the outbox, no "
        "reminder goes out twice, and TELEGRAM_RATE_LIMIT holds for them all together.",
    )
    command(
        "demo",
        "play the offline demo",
        "Eight weeks of a practice against the bundled Bot API emulator, on a temporary "
        "SQLite file: no network, no token. Writes its charts and records to demo-output/.",
    )
    command(
        "backup",
        "write a backup of the database to BACKUP_DIR now",
        "Named …-manual, never rotated away. Works while the bot runs.",
    )
    restore = command(
        "restore",
        "replace the database with a backup",
        "Stop the bot first: a restore refuses while anything has the database open. What it "
        "replaces is kept as …-before-restore. Start the bot afterwards: an older backup's "
        "schema is migrated on start (or by `migrate`).",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup file to restore")
    restore.add_argument(
        "--replace",
        action="store_true",
        help="replace a database that holds records (a copy of it is kept first)",
    )
    command(
        "migrate",
        "bring the database schema up to date, and say what that did",
        "What every start does first, on its own (e.g. before starting several processes): "
        "a backup is taken before an existing schema is changed (unless BACKUP_KEEP=0), and "
        "if it cannot be, nothing is changed.",
    )
    command(
        "check-config",
        "check the settings without starting anything",
        "Each problem is one line on stderr (exit status 2); else a short summary, with the "
        "token's secret part and the database password left out.",
    )
    return parser


def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    # Everything the bot writes (database, backups, exported records) is health data: private
    # to the account that runs it, whatever that account's own umask says.
    os.umask(0o077)
    args = build_parser(prog).parse_args(argv)  # --help and --version import nothing more
    if args.command == "check-config":
        from bot.runtime import maintenance

        return maintenance.check_config_command()
    from bot.shared.config import NO_THERAPISTS, NO_TOKEN, ConfigError, load_settings

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

    mode = args.command or ("run" if settings.token else "demo")
    if mode in ("backup", "restore", "migrate"):
        return _maintain(mode, settings, args)
    if mode == "demo":
        if not args.command:
            print("No TELEGRAM_BOT_TOKEN set: playing the offline demo.\n")
        for name in ("", "telegram"):
            logging.getLogger(name).setLevel(logging.WARNING)
        from demo.play import main as demo

        demo()
        return 0
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if not settings.therapist_ids:
        print(NO_THERAPISTS, file=sys.stderr)
    # Importing the application makes some 160,000 objects the collector tracks, nearly all
    # living as long as the process: its passes over them during the imports are about a
    # twentieth of the instructions a start runs, for next to no garbage. Frozen once
    # imported, they are out of every later pass too.
    gc.disable()
    try:
        from telegram.error import InvalidToken, TelegramError

        from bot.runtime.app import REFUSED_BY_TELEGRAM, run_bot, without_token
        from storage.database import DatabaseUnusable
    finally:
        gc.freeze()
        gc.enable()

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


def _maintain(mode: str, settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime import maintenance

    if mode == "backup":
        return asyncio.run(maintenance.backup_command(settings))
    if mode == "restore":
        return asyncio.run(maintenance.restore_command(settings, args.file, replace=args.replace))
    # The command's own line says what the migration did; the log's lines would repeat it.
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))
    return asyncio.run(maintenance.migrate_command(settings))


if __name__ == "__main__":
    sys.exit(main())
