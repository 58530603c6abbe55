"""The outbound side of Twilio, through the official SDK: calls, messages, number set-up."""

from __future__ import annotations

from twilio.rest import Client

from telephony import paths


def twilio_client(account_sid: str, auth_token: str, api_url: str | None = None) -> Client:
    """A real ``twilio.rest.Client``; ``api_url`` points it at the sandbox or a test double."""
    client = Client(account_sid, auth_token)
    if api_url:
        client.api.base_url = api_url.rstrip("/")
    return client


def configure_number(client: Client, hotline: str, public_base: str) -> str:
    """Point the hotline's voice, fallback, status and SMS webhooks at ``public_base``."""
    numbers = client.incoming_phone_numbers.list(phone_number=hotline, limit=2)
    if not numbers:
        raise LookupError(f"no incoming number {hotline} on this Twilio account")
    number = numbers[0]
    number.update(
        voice_url=public_base + paths.VOICE,
        voice_method="POST",
        voice_fallback_url=public_base + paths.VOICE_FALLBACK,
        voice_fallback_method="POST",
        status_callback=public_base + paths.STATUS,
        status_callback_method="POST",
        sms_url=public_base + paths.SMS,
        sms_method="POST",
    )
    return str(number.sid)
