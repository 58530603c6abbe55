"""The dispatch use case run by the ``dispatch`` job.

Today it records that a waiting request reached a worker; matching a supporter and
ringing them arrives with the matching-and-dispatch work (see docs/roadmap in README).
"""

from __future__ import annotations

import logging

from storage.models import RequestStatus
from storage.repository import Store

logger = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, store: Store) -> None:
        self.store = store

    def dispatch(self, request_id: str) -> None:
        request = self.store.get_request(request_id)
        if request is None:
            logger.warning("dispatch: no such request=%s", request_id)
            return
        if request.status != RequestStatus.WAITING:
            logger.info("dispatch: request=%s is %s; nothing to do", request_id, request.status)
            return
        self.store.add_event("dispatch.run", request_id=request_id, urgency=request.urgency)
        logger.info("dispatch ran request=%s urgency=%s", request_id, request.urgency)
