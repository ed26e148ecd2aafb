"""gunicorn's own logs (its access and error lines) with personal data masked (issue 17).

gunicorn writes its access log through handlers it sets up itself, outside
``settings.LOGGING``: a request line such as ``GET /tousu/track/?phone=138…`` would reach
them as sent. ``gunicorn.conf.py`` at the repository root selects this class
(``logger_class``); elsewhere pass ``--logger-class
haochaping.core.gunicorn_logs.ScrubbingLogger``. Every handler gunicorn installs gets the
``core.logs.PersonalDataFilter`` of the application's own handlers.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from haochaping.core.logs import PersonalDataFilter


class ScrubbingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                    handler.addFilter(PersonalDataFilter())
