"""Webhook paths. Public ones are the contract; the rest are what we write into TwiML.

TwiML uses relative URLs: Twilio resolves them against the URL it just requested, which
is the public one, so signatures keep matching behind any proxy.
"""

VOICE = "/twilio/voice"
VOICE_GATHER = "/twilio/voice/gather"
VOICE_HOLD = "/twilio/voice/hold"
VOICE_FALLBACK = "/twilio/voice/fallback"
FALLBACK_ANSWERED = f"{VOICE_FALLBACK}?answered=1"
SMS = "/twilio/sms"
STATUS = "/twilio/status"


def gather(turn: int) -> str:
    return f"{VOICE_GATHER}?turn={turn}"


def hold(cycle: int) -> str:
    return f"{VOICE_HOLD}?cycle={cycle}"
