"""What every module of bot/shared/texts uses: `esc` for what was typed, and the `Html` and
`Plain` markers of what a text is (bot/shared/texts/__init__.py says what they mean)."""

from __future__ import annotations

import html
from typing import NewType

esc = html.escape
Html = NewType("Html", str)  # put in as it is; a `str` argument is escaped
Plain = NewType("Plain", str)  # shown as it is, never parsed: so never escaped
