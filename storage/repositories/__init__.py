"""Repositories: the only place that builds SQL. One class per aggregate; none knows Telegram.

Every query that returns clients or notes takes the therapist's id, so a therapist can only
ever reach their own clients: privacy is a property of the data access, not of the handlers.
"""

from .checkins import CheckInRepository as CheckInRepository
from .clients import ClientRepository as ClientRepository
from .clients import InviteRepository as InviteRepository
from .clients import TherapistRepository as TherapistRepository
from .notes import DraftRepository as DraftRepository
from .notes import NewNote as NewNote
from .notes import NoteRepository as NoteRepository
from .notes import NotesPage as NotesPage
from .outbox import CHECK_IN as CHECK_IN
from .outbox import DIGEST as DIGEST
from .outbox import HOMEWORK as HOMEWORK
from .outbox import NOTICE as NOTICE
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
from .referrals import ProviderRepository as ProviderRepository
from .referrals import ReferralRepository as ReferralRepository
from .updates import UpdateLog as UpdateLog
