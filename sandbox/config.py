"""Configuration of the sandbox carrier."""

from __future__ import annotations

from dataclasses import dataclass, field

DemoPhone = tuple[str, str] | tuple[str, str, bool]  # number, label, open on the page at first
CRISIS_LABEL = "988 Lifeline"
DEFAULT_CRISIS_NUMBER = "+18002738255"  # the Lifeline's ten-digit number, which routes to 988
DEFAULT_DEMO_PHONES: tuple[DemoPhone, ...] = (
    ("+16175550101", "Caller (nurse)"),
    ("+16175550102", "Supporter A"),
    ("+16175550103", "Supporter B"),
    ("+16175550104", "Coordinator"),
)


@dataclass(frozen=True)
class SandboxConfig:
    """What the sandbox needs to stand in for Twilio in front of one Peerline.

    ``peerline_url`` is where webhooks are actually sent; ``public_url`` is the base URL
    Peerline believes Twilio uses (``PEERLINE_PUBLIC_URL``). Webhooks are signed over the
    public URL, exactly as Twilio signs the URL it requests, and delivered through
    ``peerline_url``. Both default to each other.

    ``demo_phones`` are preloaded on the page; those flagged ``True`` are the ones it
    opens at first (else the first two). ``crisis_number`` is where Peerline sends a
    caller in crisis; its phone is preloaded too, named ``988 Lifeline``.
    """

    account_sid: str
    auth_token: str
    hotline_number: str
    peerline_url: str
    public_url: str | None = None
    cps: float = 1.0  # REST Calls.json creations per second before 20429
    sms_per_second: float = 1.0  # REST Messages.json creations per second before 20429
    ring_timeout: float = 60.0  # default Timeout of a REST call, as Twilio's
    speech_confidence: float = 0.92  # Confidence posted with a typed SpeechResult
    demo_phones: tuple[DemoPhone, ...] = field(default=DEFAULT_DEMO_PHONES)
    crisis_number: str = DEFAULT_CRISIS_NUMBER  # its phone is labelled "988 Lifeline"

    @property
    def base_url(self) -> str:
        """Peerline's base URL as Peerline sees itself; webhooks are signed over it."""
        return (self.public_url or self.peerline_url).rstrip("/")

    @property
    def voice_url(self) -> str:
        return f"{self.base_url}/twilio/voice"

    @property
    def sms_url(self) -> str:
        return f"{self.base_url}/twilio/sms"

    @property
    def status_url(self) -> str:
        return f"{self.base_url}/twilio/status"

    def transport_url(self, url: str) -> str:
        """Where to send a request for ``url``: public URLs are rerouted to ``peerline_url``."""
        base = self.base_url
        if url == base or url.startswith((base + "/", base + "?")):
            return self.peerline_url.rstrip("/") + url[len(base) :]
        return url
