"""The PDF documents: a referral letter to another provider, the client record, and the client's
own copy of their data.

Callers import them from here: `document` is the page (fonts, layout, the blocks), and `record`,
`letter` and `my_data` are the three documents.
"""

from .document import BODY_PT as BODY_PT
from .document import BOTTOM_MARGIN as BOTTOM_MARGIN
from .document import CHART_WIDTH as CHART_WIDTH
from .document import FONT as FONT
from .document import FONT_DIR as FONT_DIR
from .document import FONT_FILES as FONT_FILES
from .document import GREY as GREY
from .document import HANDOVER_TEXT as HANDOVER_TEXT
from .document import HEADING_FILL as HEADING_FILL
from .document import INK as INK
from .document import LABEL_WIDTH as LABEL_WIDTH
from .document import LINE as LINE
from .document import MARGIN as MARGIN
from .document import MAX_CELL_CHARS as MAX_CELL_CHARS
from .document import MISSING as MISSING
from .document import RECORD_CHART_WIDTH as RECORD_CHART_WIDTH
from .document import RULE as RULE
from .document import SMALL_PT as SMALL_PT
from .document import TABLE_LINE as TABLE_LINE
from .document import TABLE_PT as TABLE_PT
from .document import TOP_MARGIN as TOP_MARGIN
from .letter import referral_letter as referral_letter
from .my_data import client_data_pdf as client_data_pdf
from .record import client_record as client_record
