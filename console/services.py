"""What the console's routes reach through ``app.state.console``: the use cases, built by
the composition root, and how cookies must be set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from usecases.accounts import Accounts
from usecases.audit import AuditTrail
from usecases.blocklist import Blocklist
from usecases.board import Board
from usecases.board_actions import BoardActions
from usecases.check_ins import CheckIns
from usecases.coordinators import Coordinators
from usecases.coverage import Coverage
from usecases.explain import MatchExplainer
from usecases.reports import Reports
from usecases.roster_import import RosterImport
from usecases.signin import SignIn
from usecases.supporters import Supporters
from usecases.tokens import Tokens
from usecases.training import TrainingLedger
from usecases.web_form import FormGuard
from usecases.web_intake import WebIntake


class BoardFeed(Protocol):
    """Board events as they happen, for one subscriber; None now and then (a heartbeat)."""

    def listen(self, seconds: float) -> AsyncIterator[dict[str, Any] | None]: ...


@dataclass(frozen=True)
class WebRequests:
    """The public request form: its guard, the web intake, and the hotline to show."""

    guard: FormGuard
    intake: WebIntake
    hotline: str


@dataclass(frozen=True)
class ConsoleConfig:
    secure_cookies: bool  # the public URL is https: cookies get Secure and the __Host- prefix

    @property
    def session_cookie(self) -> str:
        return "__Host-peerline_session" if self.secure_cookies else "peerline_session"

    @property
    def login_cookie(self) -> str:
        return "__Host-peerline_login" if self.secure_cookies else "peerline_login"

    @property
    def form_cookie(self) -> str:
        return "__Host-peerline_form" if self.secure_cookies else "peerline_form"


@dataclass(frozen=True)
class ConsoleServices:
    config: ConsoleConfig
    signin: SignIn
    accounts: Accounts
    tokens: Tokens
    audit: AuditTrail
    supporters: Supporters
    roster_import: RosterImport
    coordinators: Coordinators
    board: Board
    explainer: MatchExplainer
    actions: BoardActions
    feed: BoardFeed
    blocklist: Blocklist
    training: TrainingLedger
    check_ins: CheckIns
    web_requests: WebRequests
    reports: Reports
    coverage: Coverage
