"""The demo's second act: eight weeks between visits, in seconds, on the frozen clock.

Two clients live through the same weeks. Anna does her homework and gets better; Ben does
little of his and does not. The bot sends their reminders and check-ins from the outbox (the
check-ins run until each booked visit, the last the day before it), they answer with one tap,
and each visit's reminder a day ahead, and the health question after it, with one tap too. Maya
looks at /today on a visit day, logs a note after every visit and books the next from its card;
Ben misses one visit, which Maya marks when the bot asks after its time, books again from that
message, and he comes two working days later. The bot brings her the decisions: Anna's
improvement (and a note to her), Ben's re-evaluation, then no change after eight sessions, a
referral to a physiotherapist with Ben's consent, its letter, and the follow-up two weeks
later. Everyday traffic is condensed to a line a week; the moments that matter are shown as the
phones saw them. The chart, letter and record land in the output folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from demo.offline import OfflineBot
from emulator import Phone
from emulator.models import BotMessage
from practice.clock import FrozenClock

LONDON = ZoneInfo("Europe/London")
WEEKS = 8
CONTINUE = "▶️ Continue as planned"
ANNA_AT = time(11, 0)  # Anna's weekly visit, as her first session (its note at 11:05)
BEN_AT = time(15, 0)  # Ben's, as his
NO_SHOW_WEEK = 5  # Ben misses that week's visit and comes two working days later instead
VISIT_NOTE_AFTER = timedelta(minutes=45)  # Maya writes the note after the visit
TODAY_AT = time(8, 30)  # when Maya looks at /today on a visit day

# Ben's intake, condensed in the transcript: no condition, no red flag.
BEN_INTAKE: list[tuple[str, str]] = [
    ("send", "Lower back, after long days at my desk"),
    ("tap", "Longer than 3 months"),
    ("send", "Worse after sitting all day, better when I walk"),
    ("send", "Work a full day without back pain"),
    ("tap", "None of these"),  # answered at once: no Done after it
    ("tap", "Skip"),  # medications
    ("tap", "No"),  # allergies
    ("tap", "No"),  # pregnancy
    *[("tap", "No")] * 8,  # the red-flag questions
    ("tap", "None of these"),  # the head and neck signs
]


@dataclass
class Client:
    """One client's side of the weeks: how they answer, and what happened this week."""

    phone: Phone
    name: str
    pains: list[int]  # pain at this week's check-ins, from week 1
    change: str  # their answer to "compared with before your last session"
    activity: list[int]  # the plan's functional activity, 0–10, per week
    does_homework: Callable[[int], bool]  # by day number since the first session
    sessions: list[tuple[int, int]]  # pain before → after at each weekly visit, from week 1
    pressure: str = "Medium"
    visit_at: time = ANNA_AT
    seen: int = 0  # messages already looked at
    reminders: int = 0  # this week's daily reminders (one a day)
    done: int = 0
    check_ins: list[int] = field(default_factory=list)
    check_in_days: list[str] = field(default_factory=list)  # "Sat", "Tue"
    visit_reminder: str = ""  # this week's visit reminder and what they answered

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def close_week(self) -> str:
        """The week's line; the counts start again for the next."""
        homework = (
            f"homework done on {self.done} of {self.reminders} days"
            if self.reminders
            else "homework finished"
        )
        if self.check_ins:
            *earlier, last = map(str, self.check_ins)
            pains = f"{', '.join(earlier)} and {last}" if earlier else last
            *earlier_days, last_day = self.check_in_days
            days = f"{', '.join(earlier_days)} and {last_day}" if earlier_days else last_day
            ratings = (
                f"check-ins: pain {pains} of 10, “{self.change}” since the last visit ({days})"
            )
        else:
            ratings = "no check-in"
        line = f"{self.name}: {homework}; {ratings}"
        if self.visit_reminder:
            line += f"; {self.visit_reminder}"
        self.reminders = self.done = 0
        self.check_ins = []
        self.check_in_days = []
        self.visit_reminder = ""
        return line


class Weeks:
    """Plays the weeks on a running offline bot; `out` receives the transcript to print."""

    def __init__(
        self, running: OfflineBot, clock: FrozenClock, maya: Phone, out: list[str], folder: Path
    ) -> None:
        self.running = running
        self.clock = clock
        self.maya = maya
        self.out = out
        self.folder = folder
        self.start = clock.now()
        self.shown = len(running.emulator.transcript())
        self.clients: list[Client] = []
        self.saved: list[str] = []  # the files written to the output folder
        self.spotlight: list[str] = []  # a moment of the week to print in full after its line
        self.week = 0

    # --- printing -------------------------------------------------------------------------

    def scene(self, title: str) -> None:
        self.show()
        self.out.extend(["", f"── {title} ──", ""])

    def show(self) -> None:
        """Print the chat since the last print."""
        lines = self.running.emulator.transcript()
        self.out.extend(lines[self.shown :])
        self.shown = len(lines)

    def skip(self) -> None:
        """Pass over the chat since the last print (summarised by the caller instead)."""
        self.shown = len(self.running.emulator.transcript())

    def say(self, line: str) -> None:
        self.out.append(line)

    # --- time -----------------------------------------------------------------------------

    def day(self) -> int:
        return (self.clock.now() - self.start).days

    def visit(self, week: int, at: time = ANNA_AT) -> datetime:
        """Week `week`'s visit day (the first session's weekday), at `at` in London."""
        day = (self.start.astimezone(LONDON) + timedelta(weeks=week)).date()
        return datetime.combine(day, at, LONDON)

    async def live_until(self, end: datetime, week: int) -> None:
        """Jump from one due message to the next until `end`, each client answering."""
        while True:
            wait = await self.running.dispatcher.next_due_in()
            if wait is None or self.clock.now() + wait > end:
                self.clock.set(end)
                return
            self.clock.advance(max(wait, timedelta(0)))
            await self.running.dispatch()
            for client in self.clients:
                await self.answer(client, week)

    async def answer(self, client: Client, week: int) -> None:
        phone = client.phone
        new = phone.messages_from(client.seen)
        for message in new:
            if message.text.startswith("⏰") and _has(message, "I'll be there"):
                await self.visit_reminder(client, message, week)
            elif message.text.startswith("🩺") and _has(message, "No change"):
                await self.health_question(client, message, week)
            elif message.text.startswith("🧘") and _has(message, "Done"):
                client.reminders += 1
                if client.does_homework(self.day()):
                    client.done += 1
                    await phone.tap("Done", message_id=message.message_id)
            elif message.text.startswith("📊"):
                await self.check_in(client, message, week)
        client.seen = phone.message_count  # the check-in's questions were answered inline

    def printed(self, client: Client, message: BotMessage) -> tuple[list[str], int]:
        """The message as the transcript printed it (its buttons under it), and where the
        transcript ends now: what follows is its answer."""
        lines = self.running.emulator.transcript()
        head = f"Bot → {client.first_name}: {message.text.splitlines()[0]}"
        begin = max(i for i, line in enumerate(lines) if line.startswith(head))
        end = begin + 1
        while end < len(lines) and lines[end].startswith("   "):
            end += 1
        return lines[begin:end], len(lines)

    async def visit_reminder(self, client: Client, message: BotMessage, week: int) -> None:
        """Each answers with one tap, except Ben the week he does not come; Anna's first
        reminder and its answer, edited in place, are printed whole."""
        local = self.clock.now().astimezone(LONDON)
        if client.name.startswith("Ben") and week == NO_SHOW_WEEK:
            client.visit_reminder = "visit reminder not answered"
            return
        shown, before = self.printed(client, message)
        await client.phone.tap("I'll be there", message_id=message.message_id)
        client.visit_reminder = "visit reminder: ✅ I'll be there"
        if client.name.startswith("Anna") and week == 1:
            hours = self.running.settings.visit_reminder_hours
            self.spotlight += [
                "",
                f"{_day(local)}, {local:%H:%M}, {hours} h before her visit, Anna's reminder; she "
                "answers with one tap and the message is edited in place:",
                *shown,
                *self.running.emulator.transcript()[before:],
            ]

    async def health_question(self, client: Client, message: BotMessage, week: int) -> None:
        """The pre-visit question, the message after the reminder: nothing new for either,
        one tap (not Ben the week he does not come); Anna's first is printed whole."""
        if client.name.startswith("Ben") and week == NO_SHOW_WEEK:
            return
        shown, before = self.printed(client, message)
        await client.phone.tap("No change", message_id=message.message_id)
        if client.name.startswith("Anna") and week == 1:
            self.spotlight += [
                "",
                "Right after it, the bot asks Anna, who has an intake, about her health; one "
                "tap again:",
                *shown,
                *self.running.emulator.transcript()[before:],
            ]

    async def check_in(self, client: Client, message: BotMessage, week: int) -> None:
        phone = client.phone
        pain = client.pains[min(week, len(client.pains)) - 1]
        pain += (len(client.check_ins) + 1) % 2  # a little noise: the week's first is higher
        client.check_ins.append(pain)
        client.check_in_days.append(f"{self.clock.now().astimezone(LONDON):%a}")
        await phone.tap(str(pain), message_id=message.message_id)
        if "Compared with" in phone.last_text:
            await phone.tap(client.change)
        if "how well can you do it" in phone.last_text:
            await phone.tap(str(client.activity[min(week, len(client.activity)) - 1]))
        if "Anything to add" in phone.last_text:
            await phone.tap("Skip")

    # --- the therapist --------------------------------------------------------------------

    async def note(self, client: Client, week: int) -> int:
        """Maya's note after the visit; returns the saved-note card's message id."""
        before, after = client.sessions[week - 1]
        await self.maya.send("/note")
        for label in (client.name, "Done", "Done", client.pressure, str(before), str(after)):
            await self.maya.tap(label)
        await self.maya.tap("Skip to summary")
        await self.maya.tap("Save")
        if "Yes, I've checked" in self.maya.all_buttons:  # Anna's carried trigger point
            await self.maya.tap("Yes, I've checked")
        return next(m for m in reversed(self.maya.messages) if _has(m, "Next visit")).message_id

    async def book(self, card: int, typed: str | None = None) -> str:
        """📅 Next visit on the saved-note card: same time next week, or a typed time."""
        await self.maya.tap("📅 Next visit", message_id=card)
        if typed is None:
            await self.maya.tap("same time next week")
        else:
            await self.maya.send(typed)
        await self.maya.tap("✅ Save")
        booked = self.maya.last_text.splitlines()[0]
        if not booked.startswith("📅 Booked:"):
            raise RuntimeError(f"the visit was not booked: {self.maya.last_text!r}")
        return booked

    def asked(self) -> bool:
        """Did the note just saved bring a decision to Maya?"""
        return CONTINUE in self.maya.all_buttons

    async def save(self, message: BotMessage | None, name: str) -> None:
        if message is None or message.file_bytes is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(message.file_bytes)
        self.saved.append(name)
        self.say(f"   (saved as {self.folder / name})")


async def _tap_through_quick_note(maya: Phone) -> None:
    """A new client's quick note: confirm the new name if asked, then Save the card."""
    for _ in range(3):
        if "✅ Save" in maya.all_buttons:
            await maya.tap("✅ Save")
            return
        new = next((b for b in maya.all_buttons if b.startswith("➕")), None)
        if new is None:
            raise RuntimeError(f"the quick note's card did not come: {maya.last_text!r}")
        await maya.tap(new)
    raise RuntimeError(f"the quick note could not be saved: {maya.last_text!r}")


def _day(moment: datetime) -> str:
    """ "Tue 8 Dec" (strftime's %-d is not portable)."""
    return f"{moment:%a} {moment.day} {moment:%b}"


def _has(message: BotMessage, label: str) -> bool:
    return any(label in text for row in message.buttons for text in row)


async def play_weeks(
    running: OfflineBot, clock: FrozenClock, out: list[str], folder: Path
) -> list[str]:
    """Play the second act; returns the names of the files written to `folder`."""
    emulator = running.emulator
    maya = emulator.user(id=1001)
    anna_phone = emulator.user(id=2001)
    ben_phone = emulator.user(id=2002, first_name="Ben")
    weeks = Weeks(running, clock, maya, out, folder)

    weeks.scene("6. A second client, Ben: lower back, little time for homework")
    await maya.send("/providers")
    await maya.tap("Add provider")
    await maya.send("Dr Lee")
    await maya.tap("Physiotherapist")
    await maya.send("City Physio")
    for _ in range(3):  # phone, email, notes
        await maya.tap("Skip")
    await maya.tap("Save")
    weeks.show()
    # Ben's first session ends at 15:00; his note in one typed message, the quick note.
    clock.set(weeks.visit(0, BEN_AT) + timedelta(minutes=5))
    await maya.send(
        "Ben R.: lower back, Swedish + MFR, firm. Pain 7 -> 5. Says he sits at a desk all day."
    )
    await _tap_through_quick_note(maya)
    weeks.show()
    card = next(m for m in reversed(maya.messages) if _has(m, "Next visit")).message_id
    booked = await weeks.book(card)
    weeks.say(f"   … Maya books from the card: {booked.removeprefix('📅 Booked: ')}")
    weeks.say("   She invites Ben, who joins and answers the intake in the chat: lower back for")
    weeks.say("   over 3 months, none of the conditions, No to every red-flag question. She sets a")
    weeks.say("   10-session plan (re-evaluate after 4) and gives him cat-cow daily.")
    await maya.send("/invite Ben")
    link = next(line for line in reversed(emulator.transcript()) if "start=" in line)
    token = link.rsplit("start=", 1)[-1].split()[0]
    await ben_phone.send(f"/start {token}")
    await ben_phone.tap("I agree")
    await ben_phone.send("London")
    for how, answer in BEN_INTAKE:
        if how == "send":
            await ben_phone.send(answer)
        else:
            await ben_phone.tap(answer)
    if "that's everything" not in ben_phone.last_text:
        raise RuntimeError(f"Ben's intake did not finish: {ben_phone.last_text!r}")
    await maya.send("/plan Ben")
    await maya.send("Low back pain after long days at the desk")
    await maya.tap("Lower back")
    await maya.send("Work a full day without back pain")
    await maya.send("Bend to tie my shoes")
    for label in ("10", "Weekly", "4", "Today", "Save"):
        await maya.tap(label)
    await maya.send("/homework Ben")
    await maya.tap("Add exercise")
    for label in ("Cat-cow", "Keep", "Every day", "08:00", "8 wk"):
        await maya.tap(label)
    await maya.tap("Skip")
    await maya.tap("Save")
    weeks.skip()

    anna = Client(
        phone=anna_phone,
        name="Anna K.",
        pains=[5, 4, 4, 3, 2, 2, 2],
        change="Better",
        activity=[4, 5, 6, 7, 8, 8, 9],
        does_homework=lambda day: day % 7 != 6,  # all but one day a week
        sessions=[(5, 3), (4, 2), (4, 2), (3, 1), (2, 1)],
    )
    ben = Client(
        phone=ben_phone,
        name="Ben R.",
        pains=[6, 6, 7, 6, 6, 7, 6],
        change="About the same",
        activity=[3, 3, 4, 3, 3, 3, 4],
        does_homework=lambda day: day % 7 in (1, 4),  # twice a week
        sessions=[(7, 5), (6, 4), (7, 5), (7, 5), (6, 4), (7, 5), (6, 5)],
        pressure="Firm",
        visit_at=BEN_AT,
    )
    weeks.clients = [anna, ben]
    for client in weeks.clients:
        client.seen = client.phone.message_count

    weeks.scene(
        f"7. {WEEKS} weeks of reminders, check-ins and visits — a line a week; "
        "the decisions as Maya sees them"
    )
    for week in range(1, WEEKS):
        weeks.week = week
        await weeks.live_until(weeks.visit(week, TODAY_AT), week)
        weeks.skip()
        weeks.say(f"Week {week}, to {_day(weeks.visit(week))} · {anna.close_week()}")
        weeks.say(f"{'':>22}· {ben.close_week()}")
        weeks.out.extend(weeks.spotlight)
        if weeks.spotlight:
            weeks.say("")
            now = weeks.clock.now().astimezone(LONDON)
            weeks.say(f"{_day(now)}, {now:%H:%M}: Maya's /today")
            await maya.send("/today")
            weeks.show()
            weeks.say("")
        weeks.spotlight = []
        for client in (anna, ben):
            if week > len(client.sessions):
                continue
            await visit_and_note(weeks, client, week)
        weeks.skip()

    weeks.scene("8. Two weeks later: did Ben see Dr Lee?")
    await weeks.live_until(weeks.visit(WEEKS + 1) + timedelta(days=1), WEEKS)
    weeks.skip()
    await weeks.live_until(weeks.visit(WEEKS + 1) + timedelta(days=2), WEEKS)
    question = next((m for m in maya.messages if "Did Ben R. see" in m.text), None)
    if question is not None:
        weeks.out.append(f"Bot → Maya: {question.text}" + _buttons_line(question))
        weeks.skip()
        await maya.tap("Seen", message_id=question.message_id)
        weeks.show()

    weeks.scene("9. Where each client stands: /progress, and Ben's record for the next therapist")
    for name, file in (("Anna", "anna-progress.png"), ("Ben", "ben-progress.png")):
        await maya.send(f"/progress {name}")
        photo = maya.photos[-1] if maya.photos else None
        weeks.show()
        await weeks.save(photo, file)
    await maya.send("/export Ben")
    weeks.show()
    documents = maya.documents
    for document in documents[-2:]:
        suffix = (document.filename or "").rsplit(".", 1)[-1]
        await weeks.save(document, f"ben-record.{suffix}")
    return sorted(weeks.saved)


def make_up_day(missed: date) -> date:
    """Two days after a missed visit, or the Monday when that falls at a weekend."""
    day = missed + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def visit_and_note(weeks: Weeks, client: Client, week: int) -> None:
    """The client's visit this week: Maya's note after it and the next one booked from its
    card (while the plan has sessions to come), and the decision the note brings. Ben does not
    come in NO_SHOW_WEEK: Maya says so when asked, and books him two working days later."""
    maya = weeks.maya
    visit = weeks.visit(week, client.visit_at)
    if client.name.startswith("Ben") and week == NO_SHOW_WEEK:
        await weeks.live_until(visit + timedelta(hours=2), week)
        weeks.skip()
        question = next(m for m in reversed(maya.messages) if "How did" in m.text)
        weeks.say("")
        weeks.say(
            f"{_day(visit)}: Ben does not come at {visit:%H:%M}. Half an hour after the "
            "visit's end, with no note for it, the bot asks Maya:"
        )
        weeks.out.append(f"Bot → Maya: {question.text}" + _buttons_line(question))
        await maya.tap("🚫 Didn't come", message_id=question.message_id)
        make_up = make_up_day(visit.date())
        await maya.tap("📅 Book again", message_id=question.message_id)
        await maya.send(f"{make_up:%a} {BEN_AT:%H:%M}".lower())
        await maya.tap("✅ Save")
        weeks.show()
        visit = datetime.combine(make_up, BEN_AT, LONDON)
    await weeks.live_until(visit + VISIT_NOTE_AFTER, week)
    weeks.skip()
    before, after = client.sessions[week - 1]
    card = await weeks.note(client, week)
    line = f"{'':>22}· Maya's note after the visit: {client.name} pain {before} → {after}"
    if week < len(client.sessions):
        # Ben's visit after the make-up one goes back to his usual day: typed, not the rhythm.
        usual = weeks.visit(week + 1, client.visit_at)
        typed = (
            f"{usual:%a} {usual:%H:%M}".lower()
            if client.name.startswith("Ben") and week == NO_SHOW_WEEK
            else None
        )
        booked = await weeks.book(card, typed)
        line += f"; next: {booked.split(', ', 1)[1].removesuffix('.')}"
    if client.name.startswith("Ben") and week == NO_SHOW_WEEK:
        weeks.skip()
        weeks.say(line.replace("after the visit", f"after {visit:%A}'s visit"))
        await maya.send("/clients")
        await maya.tap(client.name)
        weeks.say("")
        weeks.say("The no-show on Ben's card:")
        weeks.show()
        weeks.say("")
    else:
        weeks.say(line)
    prompt = next((m for m in reversed(maya.messages) if _has(m, CONTINUE)), None)
    if prompt is None or prompt.message_id < card:
        weeks.skip()
        return
    weeks.skip()
    weeks.say("")
    weeks.out.append(f"Bot → Maya: {prompt.text}".replace("\n", "\n   ") + _buttons_line(prompt))
    await decide(weeks, client, prompt)
    weeks.show()
    weeks.say("")


async def decide(weeks: Weeks, client: Client, prompt: BotMessage) -> None:
    """Maya's answer to a decision: a note to Anna when she improves; for Ben, continue at
    the re-evaluation and refer when there is still no change."""
    maya = weeks.maya
    if client.name.startswith("Anna"):
        if _has(prompt, "Send Anna a note"):
            await maya.tap("Send Anna a note", message_id=prompt.message_id)
            await maya.tap("✅ Send")
        else:
            await maya.tap(CONTINUE, message_id=prompt.message_id)
        return
    if "re-evaluate" in prompt.text:
        await maya.tap(CONTINUE, message_id=prompt.message_id)
        return
    await maya.tap("Refer", message_id=prompt.message_id)
    await maya.tap("Dr Lee")
    # Her first letter: the referral asks for the letterhead /profile has not had yet.
    await maya.send("Maya Collins, LMT")
    await maya.send("Riverside Massage")
    await maya.send("+44 20 7946 0000, maya@riverside.example")
    await maya.tap("Save")
    weeks.show()
    await weeks.running.dispatch()
    await client.phone.tap("✅ Allow")
    # The letter asks Ben for what its reader needs to match it to him (each optional).
    await client.phone.send("14 March 1985")
    await client.phone.tap("Skip")  # no phone or email
    weeks.show()
    await weeks.save(maya.documents[-1] if maya.documents else None, "ben-referral-letter.pdf")


def _buttons_line(message: BotMessage) -> str:
    rows = [" ".join(f"[{label}]" for label in row) for row in message.buttons]
    return "".join(f"\n   {row}" for row in rows)
