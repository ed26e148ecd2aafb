"""Start-up check: production refuses the demo exchange keys.

The demo-only keys (``exchange.fakeremote.demokeys``) are printed in the repository and
``make run`` exports them; an environment copied from a demo machine, or an ``export``
line pasted into a production unit file, would sign and encrypt the data sent to the
province with keys anyone can read. Every variable of the process environment is
searched (any name, since a ``Remote`` may name any ``key_env``, and ``…_FILE`` variants
point at files, which are read too); the message names the variables, never a value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from haochaping.core.checks import START_TAG
from haochaping.exchange.fakeremote.demokeys import demo_secrets

FILE_SUFFIX = "_FILE"
FILE_LIMIT = 64 * 1024  # a key file is a few hundred bytes; a bigger one is not a key file


def _value(name: str, value: str) -> str:
    """The variable's value, or the content of the file a ``…_FILE`` variable names."""
    if not (name.startswith("HCP_EXCHANGE_") and name.endswith(FILE_SUFFIX)):
        return value
    try:
        path = Path(value)
        if path.is_file() and path.stat().st_size <= FILE_LIMIT:
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return ""


def holding_demo_keys(environ: dict[str, str] | None = None) -> list[str]:
    """The names of the variables (or key files) holding a demo exchange key."""
    secrets = demo_secrets()
    env = os.environ if environ is None else environ
    return sorted(name for name, value in env.items()
                  if any(s in _value(name, value) for s in secrets))


@register(START_TAG, deploy=False)  # also at every production start (WSGI, worker, padwait)
def production_exchange_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.HCP_ENV != "production":
        return []
    names = holding_demo_keys()
    if not names:
        return []
    return [Error(f"生产环境不得使用演示对接密钥：环境变量 {'、'.join(names)} 含有仓库中公开的"
                  "演示密钥（exchange/fakeremote/demokeys.py）",
                  hint="为每个对接平台生成自己的密钥，按 docs/exchange.md“Keys”设置",
                  id="haochaping.E011")]
