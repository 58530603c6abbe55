"""Calls and messages rendered as Twilio's 2010-04-01 JSON resources."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from sandbox.phones import Call, Message, formatted

API_VERSION = "2010-04-01"


def _date(ts: float | None) -> str | None:
    return None if ts is None else formatdate(ts, usegmt=False)


def call_resource(call: Call) -> dict[str, Any]:
    uri = f"/{API_VERSION}/Accounts/{call.account_sid}/Calls/{call.sid}"
    return {
        "account_sid": call.account_sid,
        "annotation": None,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": _date(call.created_at),
        "date_updated": _date(call.updated_at),
        "direction": call.direction.value,
        "duration": str(call.duration()) if call.ended else None,
        "end_time": _date(call.ended_at),
        "forwarded_from": None,
        "from": call.from_,
        "from_formatted": formatted(call.from_),
        "group_sid": None,
        "parent_call_sid": call.parent_sid,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": call.sid,
        "start_time": _date(call.answered_at),
        "status": call.status.value,
        "subresource_uris": {
            "notifications": f"{uri}/Notifications.json",
            "recordings": f"{uri}/Recordings.json",
            "payments": f"{uri}/Payments.json",
            "events": f"{uri}/Events.json",
            "siprec": f"{uri}/Siprec.json",
            "streams": f"{uri}/Streams.json",
            "transcriptions": f"{uri}/Transcriptions.json",
            "user_defined_message_subscriptions": f"{uri}/UserDefinedMessageSubscriptions.json",
            "user_defined_messages": f"{uri}/UserDefinedMessages.json",
        },
        "to": call.to,
        "to_formatted": formatted(call.to),
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }


def message_resource(message: Message) -> dict[str, Any]:
    uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
    return {
        "account_sid": message.account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": _date(message.created_at),
        "date_sent": _date(message.sent_at),
        "date_updated": _date(message.updated_at),
        "direction": message.direction,
        "error_code": message.error_code,
        "error_message": None,
        "from": message.from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(message.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": message.status,
        "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
        "to": message.to,
        "uri": f"{uri}.json",
    }
