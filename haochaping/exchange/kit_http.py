"""The conformance kit's HTTP client (stdlib ``urllib``): the check command's probes and
the fake remote's downward sends. No proxy from the environment: the kit talks to the
address it is given. No ORM."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from haochaping.exchange.rules.wire import SignedRequest

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    body: bytes
    error: str = ""  # why there was no answer

    def text(self, limit: int = 300) -> str:
        return self.body[:limit].decode("utf-8", "replace")


def http_send(method: str, url: str, body: bytes | None, headers: dict[str, str],
              timeout: float) -> HttpAnswer:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return HttpAnswer(answer.status, answer.read())
    except urllib.error.HTTPError as err:
        return HttpAnswer(err.code, err.read())
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return HttpAnswer(0, b"", f"{type(reason).__name__}: {reason}")


def send_signed(base_url: str, request: SignedRequest, timeout: float) -> HttpAnswer:
    """POST a codec's signed request to ``base_url`` + its path."""
    return http_send(request.method, base_url.rstrip("/") + request.path, request.body,
                     request.headers, timeout)


def json_call(method: str, url: str, data: Any = None, timeout: float = 30) -> Any:
    """A control call to a fake remote: JSON in, JSON out; RuntimeError unless 2xx."""
    body = None if data is None else json.dumps(data).encode()
    answer = http_send(method, url, body, {"Content-Type": "application/json"}, timeout)
    if not 200 <= answer.status < 300:
        raise RuntimeError(f"{method} {url}: HTTP {answer.status} {answer.error} {answer.text()}")
    return json.loads(answer.body)
