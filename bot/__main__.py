"""`python -m bot`: the command line (bot/runtime/cli.py), the same as the `aftercare` command."""

import sys

from bot.runtime.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m bot"))
