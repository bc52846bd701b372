"""The client record as one spreadsheet: one row per session, amendment, plan version, homework,
check-in, decision, referral and missed visit, told apart by `record_type`.

One file rather than seven, because a therapist opens it in Excel or Numbers and filters; the
columns a record type does not use stay empty. Rows come in the order of the PDF: sessions
(each followed by its amendments), plan versions, homework, check-ins, decisions, referrals.

UTF-8 with a byte-order mark, so Excel reads "Zoë" as Zoë. Days are ISO (2026-11-03), moments
"2026-11-03 14:05" in the record's zone. Free text typed by anyone could start with "=" and run
as a formula when opened: such cells get a leading apostrophe (plain numbers such as -3 keep
their sign).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from practice.checkins import CHANGE_LABELS
from reports.data import ClientData, ClientInfo, ClientRecord, MessageRow, PracticeInfo

COLUMNS = (
    "record_type",
    "date",
    "client",
    "session_number",
    "plan_version",
    "areas",
    "techniques",
    "pressure",
    "pain_before",
    "pain_after",
    "subjective",
    "findings",
    "response",
    "plan_next",
    "revised_at",
    "reason",
    "changes",
    "complaint",
    "area",
    "goal",
    "functional_activity",
    "expected_sessions",
    "visit_frequency",
    "reevaluate_after",
    "exercise",
    "dose",
    "schedule",
    "status",
    "done",
    "due",
    "pain",
    "change",
    "change_label",
    "activity",
    "comment",
    "from",
    "message",
    "question",
    "answer",
    "provider",
    "profession",
    "clinic",
    "contact",
    "consent",
    "outcome",
)

# What spreadsheets read as the start of a formula (OWASP's list, tab and CR included).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def client_record_csv(record: ClientRecord) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    for row in _rows(record):
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return out.getvalue().encode("utf-8-sig")


def safe_cell(value: object) -> str:
    """The cell's text, defused if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _rows(record: ClientRecord) -> Iterator[dict[str, Any]]:
    client = record.client.name
    for s in sorted(record.sessions, key=lambda s: (s.session_date, s.number)):
        yield {
            "record_type": "session",
            "date": s.session_date.isoformat(),
            "client": client,
            "session_number": s.number,
            "areas": "; ".join(s.areas),
            "techniques": "; ".join(s.techniques),
            "pressure": s.pressure,
            "pain_before": s.pain_before,
            "pain_after": s.pain_after,
            "subjective": s.subjective,
            "findings": s.findings,
            "response": s.response,
            "plan_next": s.plan_next,
        }
        for r in sorted(s.revisions, key=lambda r: r.revised_at):
            local = r.revised_at.astimezone(record.tz)
            yield {
                "record_type": "revision",
                "date": local.date().isoformat(),
                "client": client,
                "session_number": s.number,
                "revised_at": f"{local:%Y-%m-%d %H:%M}",
                "reason": r.reason,
                "changes": r.changes,
            }
    plans = [record.plan, *record.plan.earlier] if record.plan else []
    for p in sorted(plans, key=lambda p: p.version):
        yield {
            "record_type": "plan",
            "date": p.start_date.isoformat(),
            "client": client,
            "plan_version": p.version,
            "complaint": p.complaint,
            "area": p.area,
            "goal": p.goal,
            "functional_activity": p.activity,
            "expected_sessions": p.expected_sessions,
            "visit_frequency": p.visit_frequency,
            "reevaluate_after": p.reevaluate_after,
        }
    for h in record.homework:
        yield {
            "record_type": "homework",
            "date": h.start_date.isoformat() if h.start_date else None,
            "client": client,
            "exercise": h.exercise,
            "dose": h.dose,
            "schedule": h.schedule,
            "status": h.status,
            "done": h.adherence.done,
            "due": h.adherence.due,
        }
    for c in sorted(record.check_ins, key=lambda c: c.answered_on):
        yield {
            "record_type": "checkin",
            "date": c.answered_on.isoformat(),
            "client": client,
            "pain": c.pain,
            "change": c.change,
            "change_label": CHANGE_LABELS.get(c.change) if c.change is not None else None,
            "activity": c.activity,
            "comment": c.comment,
        }
    for m in sorted(record.messages, key=lambda m: m.at):
        yield {
            "record_type": "message",
            "date": f"{m.at.astimezone(record.tz):%Y-%m-%d %H:%M}",
            "client": client,
            "from": "client" if m.from_client else "therapist",
            "message": m.text,
            "status": _message_status(m),
        }
    for d in sorted(record.decisions, key=lambda d: d.decided_on):
        yield {
            "record_type": "decision",
            "date": d.decided_on.isoformat(),
            "client": client,
            "question": d.question,
            "answer": d.answer,
        }
    for i in record.intake:
        yield {
            "record_type": "intake" if i.current else "intake (since changed)",
            "date": i.answered_on.isoformat(),
            "client": client,
            "question": i.question,
            "answer": i.answer,
        }
    for ref in sorted(record.referrals, key=lambda r: r.referred_on):
        yield {
            "record_type": "referral",
            "date": ref.referred_on.isoformat(),
            "client": client,
            "provider": ref.provider,
            "profession": ref.profession,
            "clinic": ref.clinic,
            "contact": ref.contact,
            "reason": ref.reason,
            "consent": {True: "yes", False: "no", None: "pending"}[ref.consent],
            "outcome": ref.outcome,
        }
    for visit in record.missed_visits:
        yield {
            "record_type": "visit",
            "date": visit.day.isoformat(),
            "client": client,
            "outcome": f"{visit.what} ({visit.time})",
        }


def _message_status(message: MessageRow) -> str:
    """ "delivered", "waiting", and what came with the words ("photo, delivered")."""
    status = "delivered" if message.delivered else "not delivered"
    return f"{message.media}, {status}" if message.media else status


def client_data_csv(data: ClientData) -> bytes:
    """The client's own copy (/mydata) as a spreadsheet: sessions (dates), plan, homework,
    check-ins, messages, intake answers (every version, with dates) and settings, in the
    record's columns."""
    record = ClientRecord(
        practice=PracticeInfo(data.therapist_name),
        client=ClientInfo(data.client_name),
        prepared_on=data.prepared_on,
        plan=data.plan,
        homework=data.homework,
        check_ins=data.check_ins,
        messages=data.messages,
        intake=data.intake,
        tz=data.tz,
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=(*COLUMNS, "setting", "value"), restval="")
    writer.writeheader()
    for day in sorted(data.session_dates):
        writer.writerow(
            {
                "record_type": "session",
                "date": day.isoformat(),
                "client": safe_cell(data.client_name),
            }
        )
    for row in _rows(record):
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    for label, value in data.settings:
        writer.writerow(
            {
                "record_type": "setting",
                "client": safe_cell(data.client_name),
                "setting": label,
                "value": safe_cell(value),
            }
        )
    return out.getvalue().encode("utf-8-sig")
