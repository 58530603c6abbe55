"""REST API errors in Twilio's shape, so the twilio SDK raises TwilioRestException(code)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def invalid_to(number: str) -> ApiError:
    return ApiError(400, 21211, f"Invalid 'To' Phone Number: {number}")


def opted_out() -> ApiError:
    return ApiError(400, 21610, "Attempt to send to unsubscribed recipient")


def too_many_requests() -> ApiError:
    return ApiError(429, 20429, "Too Many Requests")


def not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


def unauthorized() -> ApiError:
    return ApiError(401, 20003, "Authenticate")
