"""SMS through an HTTP provider, in the request shape of the widely used Twilio Messages API
(``POST {url}/2010-04-01/Accounts/{account}/Messages.json``, form fields To, From, Body,
StatusCallback; basic auth with the account and its token; the answer's ``sid`` is the
provider's id). Any provider or gateway that speaks it can stand behind ``CARECIRCLE_SMS_URL``."""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

import urllib3

from services.notifications.channels import ChannelError, Outgoing, Sent
from shared.settings import Settings

TIMEOUT = urllib3.Timeout(connect=3.0, read=10.0)

# GSM 03.38: the basic set (one septet each) and its extension (two: escape and the character).
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("^{}\\[~]|€\f")
# Units (septets or UTF-16 code units) of one SMS alone, and of each part of a longer one.
SINGLE_AND_PART = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class Segments:
    encoding: str  # GSM-7, or UCS-2 for anything else (Cyrillic, Polish letters outside GSM)
    units: int
    count: int  # the SMS it costs


def segments(text: str) -> Segments:
    """What ``text`` costs as SMS: GSM-7 when every character is in the GSM set, else UCS-2."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        encoding, units = "GSM-7", sum(2 if c in GSM_EXTENSION else 1 for c in text)
    else:
        encoding, units = "UCS-2", len(text.encode("utf-16-le")) // 2
    single, part = SINGLE_AND_PART[encoding]
    return Segments(encoding, units, 1 if units <= single else -(-units // part))


class HttpSmsChannel:
    kind = "sms"
    needs_address = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # urllib3, not httpx: a request costs this hot path half the CPU (bench/notifications.py).
        self.pool = urllib3.PoolManager(timeout=TIMEOUT, retries=False)
        self.auth = urllib3.make_headers(
            basic_auth=f"{settings.sms_account}:{settings.sms_token.get_secret_value()}")

    def send(self, message: Outgoing) -> Sent:
        form = {"To": message.to, "From": self.settings.sms_sender, "Body": message.body}
        if self.settings.sms_status_callback:
            form["StatusCallback"] = self.settings.sms_status_callback
        try:
            answer = self.pool.request("POST", self._url, fields=form, encode_multipart=False,
                                       headers={**self.auth, "Idempotency-Key": message.message_id})
        except urllib3.exceptions.HTTPError as exc:  # refused, reset, timed out: the provider may be back soon
            raise ChannelError(f"provider unreachable: {type(exc).__name__}", transient=True) from exc
        if answer.status >= 500 or answer.status == 429:
            raise ChannelError(f"provider answered {answer.status}", transient=True)
        if answer.status >= 400:
            raise ChannelError(f"provider refused the message: {answer.status} {_code(answer)}", transient=False)
        return Sent(provider_id=_field(answer, "sid"))

    @property
    def _url(self) -> str:
        base = self.settings.sms_url.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.settings.sms_account}/Messages.json"


def _field(answer: urllib3.BaseHTTPResponse, name: str) -> str | None:
    try:
        value = answer.json().get(name)
    except ValueError:
        return None
    return str(value) if value is not None else None


def _code(answer: urllib3.BaseHTTPResponse) -> str:
    """The provider's error code, never its message (it may repeat the number or the text)."""
    return _field(answer, "code") or ""


def receipt_signature(url: str, form: Mapping[str, str], token: str) -> str:
    """The provider's signature of a callback (X-Twilio-Signature): HMAC-SHA1 keyed with the
    account's token over the callback's URL followed by each form field's name and value in
    name order, in base64."""
    payload = url + "".join(f"{name}{form[name]}" for name in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
