"""Schemathesis hooks for tests/sdk/run.sh: the server runs with `--auth verify`, so every request
schemathesis sends is signed with SDK-HMAC-SHA256 (reference §3.1) by the key huawei_check.py
puts in the server's credentials file. The signature is computed over the request exactly as
`requests` prepared it (final path, query and body bytes) and signs only X-Sdk-Date, so the fuzzed
headers and bodies stay free.

Loaded through SCHEMATHESIS_HOOKS=schemathesis_hooks (with this directory on PYTHONPATH).
"""

import datetime
import hashlib
import hmac
import urllib.parse

import requests
import schemathesis

from huawei_check import AK, SK


def _rfc3986(raw: bytes) -> str:
    return urllib.parse.quote(raw, safe="")


def _canonical_uri(path: str) -> str:
    uri = "/".join(_rfc3986(segment) for segment in urllib.parse.unquote_to_bytes(path).split(b"/"))
    return uri if uri.endswith("/") else uri + "/"


def _canonical_query(query: str) -> str:
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append(tuple(urllib.parse.unquote_to_bytes(part.replace("+", " ")) for part in (name, value)))
    return "&".join(f"{_rfc3986(name)}={_rfc3986(value)}" for name, value in sorted(pairs))


class HuaweiSigner(requests.auth.AuthBase):
    def __call__(self, request):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
            request.body = body
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Sdk-Date"] = date
        url = urllib.parse.urlsplit(request.url)
        canonical = "\n".join([
            request.method,
            _canonical_uri(url.path),
            _canonical_query(url.query),
            f"x-sdk-date:{date}\n",
            "x-sdk-date",
            hashlib.sha256(body).hexdigest(),
        ])
        string_to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(SK.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        request.headers["Authorization"] = (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=x-sdk-date, Signature={signature}")
        return request


@schemathesis.hook
def before_call(context, case, kwargs):
    kwargs["auth"] = HuaweiSigner()
