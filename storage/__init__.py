"""The data: SQLAlchemy models, repositories (one per aggregate), the unit of work, migrations."""

from storage.database import Database
from storage.unit_of_work import UnitOfWork

__all__ = ["Database", "UnitOfWork"]
