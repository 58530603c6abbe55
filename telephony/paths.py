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


OFFER = "/twilio/offer"  # the supporter answered: the offer menu
OFFER_ANSWER = "/twilio/offer/answer"
OFFER_STATUS = "/twilio/offer/status"
JOIN = "/twilio/voice/join"  # a holding caller moved into the conference
CALLBACK = "/twilio/callback"  # the caller answered our call back
CALLBACK_ANSWER = "/twilio/callback/answer"
CALLBACK_STATUS = "/twilio/callback/status"
CONFERENCE_WAIT = "/twilio/conference/wait"
CONSENT = "/twilio/voice/consent"  # a holding caller answers "may the match widen?"
HELP = "/twilio/offer/help"  # the supporter pressed * in the call: their menu
HELP_ANSWER = "/twilio/offer/help/answer"
CRISIS_JOIN = "/twilio/crisis/join"  # the crisis line, called into a conference, answered


def offer(offer_id: str) -> str:
    return f"{OFFER}?offer={offer_id}"


def offer_answer(offer_id: str) -> str:
    return f"{OFFER_ANSWER}?offer={offer_id}"


def offer_status(offer_id: str) -> str:
    return f"{OFFER_STATUS}?offer={offer_id}"


def join(request_id: str) -> str:
    return f"{JOIN}?request={request_id}"


def callback(request_id: str) -> str:
    return f"{CALLBACK}?request={request_id}"


def callback_answer(request_id: str) -> str:
    return f"{CALLBACK_ANSWER}?request={request_id}"


def callback_status(request_id: str) -> str:
    return f"{CALLBACK_STATUS}?request={request_id}"


def consent(request_id: str, widening: str, cycle: int, again: bool) -> str:
    return f"{CONSENT}?request={request_id}&widening={widening}&cycle={cycle}&again={int(again)}"


def help_menu(offer_id: str) -> str:
    return f"{HELP}?offer={offer_id}"


def help_answer(offer_id: str) -> str:
    return f"{HELP_ANSWER}?offer={offer_id}"


def crisis_join(request_id: str) -> str:
    return f"{CRISIS_JOIN}?request={request_id}"
