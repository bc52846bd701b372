"""The faces for the scripts DejaVu lacks, shared by the PDFs and the chart.

Kurinto, a Noto-derived family, from the weblate-fonts package: the pan-script face has
Devanagari, Thai, kana and most other scripts; the SC, JP and KR faces add Han and Hangul.
Only the regular weights are used: each face is 5-10 MB to read.
"""

from __future__ import annotations

from pathlib import Path

import weblate_fonts

FALLBACK_DIR = Path(weblate_fonts.__file__).parent / "static" / "weblate_fonts" / "kurinto" / "ttf"
FALLBACKS = ("KurintoSans", "KurintoSansSC", "KurintoSansJP", "KurintoSansKR")


def fallback_file(family: str) -> Path:
    return FALLBACK_DIR / f"{family}-Rg.ttf"
