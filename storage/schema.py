"""Every table, registered on ``Base.metadata`` (for Alembic and for tests)."""

from storage import dispatch_models, roster_models, sms_models
from storage.models import Base

__all__ = ["Base", "dispatch_models", "roster_models", "sms_models"]
