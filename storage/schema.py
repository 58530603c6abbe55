"""Every table, registered on ``Base.metadata`` (for Alembic and for tests)."""

from storage import (
    blocklist_models,
    callback_models,
    console_models,
    dispatch_models,
    follow_up_models,
    roster_models,
    self_care_models,
    sms_models,
    training_models,
)
from storage.models import Base

__all__ = [
    "Base",
    "blocklist_models",
    "callback_models",
    "console_models",
    "dispatch_models",
    "follow_up_models",
    "roster_models",
    "self_care_models",
    "sms_models",
    "training_models",
]
