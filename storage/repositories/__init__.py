"""Repositories: the only place that builds SQL. One class per aggregate; none knows Telegram.

Every query that returns clients or notes takes the therapist's id, so a therapist can only
ever reach their own clients: privacy is a property of the data access, not of the handlers.
"""

from .checkins import CheckInRepository as CheckInRepository
from .clients import ClientRepository as ClientRepository
from .clients import InviteRepository as InviteRepository
from .clients import TherapistRepository as TherapistRepository
from .clients import insert_clients as insert_clients
from .intake import IntakeRepository as IntakeRepository
from .messages import FROM_CLIENT as FROM_CLIENT
from .messages import FROM_THERAPIST as FROM_THERAPIST
from .messages import RELAY as RELAY
from .messages import REPLY as REPLY
from .messages import MessageRepository as MessageRepository
from .notes import DraftRepository as DraftRepository
from .notes import NewNote as NewNote
from .notes import NoteRepository as NoteRepository
from .notes import NotesPage as NotesPage
from .outbox import CHECK_IN as CHECK_IN
from .outbox import DIGEST as DIGEST
from .outbox import HOMEWORK as HOMEWORK
from .outbox import NOTICE as NOTICE
from .outbox import RED_FLAG as RED_FLAG
from .outbox import RETENTION as RETENTION
from .outbox import SNOOZE as SNOOZE
from .outbox import WEEKLY as WEEKLY
from .outbox import Outbox as Outbox
from .outbox import SendBudget as SendBudget
from .plans import ExerciseRepository as ExerciseRepository
from .plans import FormRepository as FormRepository
from .plans import HomeworkLogRepository as HomeworkLogRepository
from .plans import HomeworkRepository as HomeworkRepository
from .plans import PlanRepository as PlanRepository
from .records import AmendmentRepository as AmendmentRepository
from .records import ErasureRepository as ErasureRepository
from .records import RecordRepository as RecordRepository
from .referrals import CONSENT as CONSENT
from .referrals import FOLLOW_UP as FOLLOW_UP
from .referrals import LETTER_DUE as LETTER_DUE
from .referrals import LETTER_GONE as LETTER_GONE
from .referrals import ProviderRepository as ProviderRepository
from .referrals import ReferralRepository as ReferralRepository
from .updates import UpdateLog as UpdateLog
from .visits import VISIT_BOOKED as VISIT_BOOKED
from .visits import VISIT_CANCELLED as VISIT_CANCELLED
from .visits import VISIT_CHECK as VISIT_CHECK
from .visits import VISIT_MOVED as VISIT_MOVED
from .visits import VISIT_OUTCOME as VISIT_OUTCOME
from .visits import VISIT_REMINDER as VISIT_REMINDER
from .visits import SentForVisit as SentForVisit
from .visits import VisitRepository as VisitRepository
