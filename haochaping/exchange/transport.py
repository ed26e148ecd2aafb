"""HTTP transport of the upward delivery: one signed request to a remote, over urllib
(like notify's HTTP gateway). The codec has built the whole request (path, headers,
body); the transport adds the remote's base URL and its timeout, and nothing else.

Every answer with a status comes back (the delivery reads it: acks, retry, refusal);
what never got one — refused connection, DNS failure, timeout, reset — is a
:class:`TransportError` with a Chinese message that names the cause, never the body
(which carries identities).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

MAX_ANSWER_BYTES = 4 * 1024 * 1024  # an answer carries one ack per record


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


class TransportError(Exception):
    """No HTTP answer: the request may or may not have reached the remote (the key
    makes sending it again harmless)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def url_of(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def send(base_url: str, *, method: str, path: str, headers: dict[str, str], body: bytes,
         timeout: float) -> Response:
    url = url_of(base_url, path)
    if not url.startswith(("http://", "https://")):
        raise TransportError(f"接口地址不是 http(s) 地址：{base_url}")
    request = urllib.request.Request(url, data=body, method=method,  # noqa: S310
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return Response(status=answer.status, body=answer.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        body_read = exc.read(MAX_ANSWER_BYTES) if exc.fp is not None else b""
        return Response(status=exc.code, body=body_read)
    except TimeoutError:
        raise TransportError(f"请求超时（{timeout:g} 秒）") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise TransportError(f"请求超时（{timeout:g} 秒）") from None
        raise TransportError(f"连接失败：{type(reason).__name__}") from None
    except (ConnectionError, OSError) as exc:
        raise TransportError(f"连接失败：{type(exc).__name__}") from None
