"""Time to render a client's record and a referral letter, per script of the client's name.

    .venv/bin/python bench/pdf_render.py [--runs 5]

A typical client: 5 sessions, a plan with an earlier version, homework, check-ins, a decision
and a referral (the record the tests build), no chart. Figures are the median CPU time of the
rendering thread (process_time, steadier than wall time on a shared machine), the PDF's size,
and the first render of the process apart, since it reads the fonts' character maps. Run it on
an older checkout with PYTHONPATH to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.pdf import client_record, referral_letter
from tests.test_reports import PHYSIO, PLAN, PRACTICE, record
from tests.test_scripts_in_pdfs import NAMES as SCRIPTS

NAMES = {"Latin": "Zoë Łukasiewicz", **SCRIPTS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'script':10} {'first':>7} {'record':>8} {'size':>7} {'letter':>8} {'size':>7}")
    for script, name in NAMES.items():
        data = record(5)
        data = replace(data, client=replace(data.client, name=name))

        def render_record(data=data) -> bytes:  # type: ignore[no-untyped-def]
            return client_record(data)

        def render_letter(data=data) -> bytes:  # type: ignore[no-untyped-def]
            return referral_letter(
                PRACTICE,
                data.client,
                PHYSIO,
                written_on=date(2026, 11, 25),
                sessions=data.sessions,
                plan=PLAN,
            )

        first = _cpu(render_record)[0]
        rec = [_cpu(render_record) for _ in range(runs)]
        let = [_cpu(render_letter) for _ in range(runs)]
        print(
            f"{script:10} {first:6.2f}s {statistics.median(t for t, _ in rec):7.2f}s "
            f"{rec[0][1] // 1024:5d}KB {statistics.median(t for t, _ in let):7.2f}s "
            f"{let[0][1] // 1024:5d}KB"
        )


def _cpu(render) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    start = time.process_time()
    pdf = render()
    return time.process_time() - start, len(pdf)


if __name__ == "__main__":
    main()
