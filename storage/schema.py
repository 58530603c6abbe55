"""Every table, registered on ``Base.metadata`` (for Alembic and for tests)."""

from storage import console_models, dispatch_models, roster_models, sms_models
from storage.models import Base

__all__ = ["Base", "console_models", "dispatch_models", "roster_models", "sms_models"]
