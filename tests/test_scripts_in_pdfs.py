"""Names in any script reach the PDFs: fpdf2's font fallback finds a face for Chinese,
Japanese, Korean, Devanagari and Thai, and HarfBuzz shapes Arabic, Hebrew, Devanagari and Thai.

What pypdf can tell: each name comes back in logical order (the order it was typed), so the
name typed is the name found, right-to-left ones included. Around a right-to-left name inside
an English sentence it misplaces a space ("client  ليلى حدادto you"), and after a Devanagari
reph it adds two control characters: the sentence is not compared whole. The pages were also
looked at (pdftoppm): letters joined, marks stacked, right-to-left names read right to left."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from demo.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note, past_the_letterhead

NAMES = {
    "Chinese": "王秀英",
    "Japanese": "佐藤 さくら",
    "Korean": "김민준",
    "Hindi": "अनन्या शर्मा",
    "Thai": "สมชาย ใจดี",
    "Arabic": "ليلى حداد",
    "Hebrew": "נועה כהן",
}


def text_of(document: bytes | None) -> str:
    assert document is not None and document.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


# Through the bot: Han with kana, Devanagari (shaped), Arabic (right to left). Every script is
# rendered directly in tests/test_reports.py.
@pytest.mark.parametrize("script", ["Japanese", "Hindi", "Arabic"])
async def test_a_name_in_any_script_is_in_the_record_and_the_letter(
    running: OfflineBot, maya: Phone, script: str
) -> None:
    name = NAMES[script]
    await new_client_note(maya, name)
    await maya.send(f"/export {name}")
    record = text_of(maya.documents[-2].file_bytes)
    assert record.count(name) >= 2  # the handover's title, and the footer of each page

    await maya.send(f"/refer {name}")
    await maya.tap("Suspected disc or joint problem")
    await maya.tap("Any physician")
    await past_the_letterhead(maya)
    await maya.tap("Save")
    letter = text_of(maya.documents[-1].file_bytes)
    assert f"Referral: {name}" in letter
    assert "I am referring my client" in letter
    assert letter.count(name) >= 4  # the title, two sentences and the footer
