"""A local stand-in for Twilio's side of the SMS door: it posts incoming texts and reads the TwiML back.

Each request is what Twilio sends for an incoming SMS: a form post of the
fields Twilio documents (From, To, Body, MessageSid, AccountSid, NumMedia...),
signed the way Twilio signs it, with Twilio's own library:
``RequestValidator(auth_token).compute_signature(url, fields)`` over the
public URL it calls, in the ``X-Twilio-Signature`` header. It talks HTTP to
whatever ``client`` points at: a Starlette TestClient, or uvicorn on a local port.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Mapping
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

#: The door's number in tests: fictional (555-01xx).
DOOR_NUMBER = "+15550100100"
_SIDS = itertools.count(1)


def person(n: int) -> str:
    """A fictional sender's number (555-01xx), one per test person."""
    return f"+1555010{n:04d}"


class SmsProvider:
    def __init__(self, client: httpx.Client, public_url: str, auth_token: str, *, path: str = "/sms") -> None:
        self.client = client
        self.url = public_url.rstrip("/") + path
        self.path = path
        self.validator = RequestValidator(auth_token)
        self.account = "AC" + secrets.token_hex(16)

    def fields(self, sender: str, body: str) -> dict[str, str]:
        sid = f"SM{next(_SIDS):032x}"
        return {
            "ToCountry": "US",
            "ToState": "TX",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": DOOR_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.account,
            "From": sender,
            "FromCountry": "US",
            "ApiVersion": "2010-04-01",
        }

    def sign(self, fields: Mapping[str, str], url: str | None = None) -> str:
        return str(self.validator.compute_signature(url or self.url, dict(fields)))

    def post(
        self,
        sender: str,
        body: str,
        *,
        signature: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST one incoming text as Twilio does; ``signature`` overrides the right one."""
        form = dict(fields) if fields is not None else self.fields(sender, body)
        sent = {"X-Twilio-Signature": signature if signature is not None else self.sign(form), **(headers or {})}
        return self.client.post(self.path, data=form, headers=sent)

    def texts(self, sender: str, body: str) -> list[str]:
        """The texts the door sends back to ``sender`` for ``body`` (the <Message>s of its TwiML)."""
        response = self.post(sender, body)
        assert response.status_code == 200, response.status_code
        return messages_of(response)


def messages_of(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.text)
    assert root.tag == "Response"
    return [element.text or "" for element in root.iter("Message")]
