"""How the bot's screens render what the dispatcher sends (reminders/outbox_cards.py): each
card's builder lives with the screen that answers its buttons; this gathers them for the
application (bot/runtime/app.py), which hands them to the dispatcher."""

from __future__ import annotations

from bot.client.checkins import check_in_card
from bot.client.homework import reminder_card
from bot.client.messages import reply_text
from bot.client.visits import visit_message
from bot.shared import texts
from bot.shared.exercises import card_of_custom
from bot.shared.letter_details import letter_due, letter_gone, letter_overdue
from bot.shared.reach import client_unreachable
from bot.therapist.agenda import morning
from bot.therapist.intake import red_flag_card
from bot.therapist.referrals import consent_card, consent_not_asked, follow_up_card
from bot.therapist.replies import relay_card
from bot.therapist.visits import visit_outcome_card
from reminders.outbox_cards import OutboxCards

OUTBOX_CARDS = OutboxCards(
    homework_reminder=reminder_card,
    custom_exercise=card_of_custom,
    check_in=check_in_card,
    morning=morning,
    weekly=texts.weekly,
    retention_notice=texts.retention_notice,
    consent_request=consent_card,
    follow_up=follow_up_card,
    red_flag=red_flag_card,
    relay=relay_card,
    reply=reply_text,
    client_unreachable=client_unreachable,
    consent_not_asked=consent_not_asked,
    letter_due=letter_due,
    letter_overdue=letter_overdue,
    letter_gone=letter_gone,
    visit_message=visit_message,
    visit_outcome=visit_outcome_card,
)
