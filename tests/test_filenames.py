"""The names of the files the bot sends: readable in the client's script, harmless anywhere."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from demo.offline import OfflineBot
from emulator import Phone
from reports.filenames import MAX_NAME_BYTES, document_name, safe_name
from tests.chat import new_client_note, past_the_letterhead

DAY = date(2026, 11, 25)
# What no file name may carry: separators, Windows' reserved characters, and every control.
FORBIDDEN = set('/\\:*?"<>|') | {chr(c) for c in range(32)} | {"\x7f", "\u202e", "\u202d"}


def test_a_plain_name_reads_as_it_is() -> None:
    assert document_name("Anna K.", "record", DAY, "pdf") == "Anna K. — record 2026-11-25.pdf"
    assert safe_name("O’Brien-Smith (Jo)") == "O’Brien-Smith (Jo)"


def test_hostile_names_lose_only_what_is_dangerous() -> None:
    assert safe_name("Ann/../../etc passwd") == "Ann_._._etc passwd"
    assert safe_name("C:\\Users\\x") == "C_Users_x"
    assert safe_name("../.bashrc") == "bashrc"  # never a hidden file
    assert safe_name("Anna\x00\x07\x1b[31m K.") == "Anna_31m K."
    assert safe_name("Line\nbreak\ttab") == "Line break tab"
    # A right-to-left override would show the name backwards ("evilexe.jpg").
    assert safe_name("evil\u202egpj.exe") == "evil_gpj.exe"
    for nothing_left in ("....", "🌸🌸", "", "/\\"):
        assert safe_name(nothing_left) == "client"


def test_readable_letters_of_every_script_stay() -> None:
    names = ("Zoë Ødegård", "李小龙", "さくら", "김민준", "प्रिया", "สมชาย", "فاطمة", "דוד", "Ирина")
    for name in names:
        assert safe_name(name) == name
    assert safe_name("Jose\u0301") == "José"  # decomposed accents are composed, not dropped
    assert safe_name("Anna 🌸") == "Anna"


def test_a_very_long_name_is_cut_between_letters() -> None:
    assert len(safe_name("x" * 1000).encode()) == MAX_NAME_BYTES
    long = "प्रि" * 100  # a consonant, a virama, a consonant and a vowel sign, again and again
    cut = safe_name(long)
    assert long.startswith(cut) and 0 < len(cut.encode()) <= MAX_NAME_BYTES
    assert unicodedata.category(long[len(cut)])[0] != "M"  # no mark torn from its letter
    assert len(document_name("ü" * 500, "record", DAY, "pdf").encode()) < 255


@given(st.text(max_size=300))
def test_no_name_makes_a_dangerous_file_name(name: str) -> None:
    made = document_name(name, "record", DAY, "pdf")
    assert not FORBIDDEN & set(made)
    assert not made.startswith(".") and len(made.encode()) < 255
    assert made.endswith(" — record 2026-11-25.pdf")


async def test_every_document_of_a_hostile_name_has_a_safe_file_name(
    running: OfflineBot, maya: Phone
) -> None:
    name = "Ann/../../etc passwd"
    await new_client_note(maya, name)
    await maya.send("/clients")
    await maya.tap(name)
    await maya.tap("⋯ More")
    await maya.tap("Refer")
    await maya.send("Shoulder clicks on every lift")
    await maya.tap("Any physician")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    await maya.send("/export Ann")
    await maya.send("/progress Ann")
    names = [m.filename for m in maya.messages if m.kind in ("document", "photo")]
    assert names == [
        "Ann_._._etc passwd — referral 2026-11-25.pdf",
        "Ann_._._etc passwd — record 2026-11-25.pdf",
        "Ann_._._etc passwd — record 2026-11-25.csv",
        "Ann_._._etc passwd — progress 2026-11-25.png",
    ]
