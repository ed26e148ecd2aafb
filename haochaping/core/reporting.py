"""Django's error reports without personal data (issue 17; settings
``DEFAULT_EXCEPTION_REPORTER_FILTER`` and ``DEFAULT_EXCEPTION_REPORTER``).

A 500 report (the debug page, a mailed report, ``ExceptionReporter`` in a log handler)
lists the request's GET and POST fields, its META, cookies, the settings and every frame's
local variables. ``PersonalDataReporterFilter`` hides fields and settings whose names look
like a phone, an ID number, a name, a token or a code (whatever ``DEBUG`` says), and masks
phones, ID numbers and landlines in the values it keeps (``core.pii.scrub``).
``PersonalDataReporter`` scrubs what Django renders without asking the filter (the GET
fields, the URL, the exception's message, frame variables) by scrubbing the finished
report, HTML and text alike.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from haochaping.core.pii import is_personal_param, is_secret_param, scrub

# Names of settings and request fields whose values are hidden outright: Django's own list
# plus personal data and credentials.
HIDDEN_NAMES = re.compile(
    "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|PHONE|MOBILE|ID_NO|IDNO|ID_CARD|"
    "NAME|CODE|OTP|NONCE|EMAIL", flags=re.I)


def _hidden(name: str) -> bool:
    return bool(HIDDEN_NAMES.search(name)) or is_personal_param(name) or is_secret_param(name)


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = HIDDEN_NAMES

    def is_active(self, request: HttpRequest | None) -> bool:
        return True  # personal data is hidden on the debug page too

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        return scrub(cleansed) if isinstance(cleansed, str) else cleansed

    def _cleansed(self, data: MultiValueDict[str, Any] | dict[str, Any]) -> QueryDict:
        copy = QueryDict(mutable=True)
        pairs = data.lists() if isinstance(data, MultiValueDict) else (
            (k, [v]) for k, v in data.items())
        for key, values in pairs:
            copy.setlist(key, [self.cleansed_substitute if _hidden(key)
                               else scrub(v) if isinstance(v, str) else v for v in values])
        return copy

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None:
            return {}
        post = super().get_post_parameters(request)
        return self._cleansed(post)

    def get_cleansed_multivaluedict(self, request: HttpRequest,
                                    multivaluedict: Any) -> Any:
        return self._cleansed(super().get_cleansed_multivaluedict(request, multivaluedict))

    def get_traceback_frame_variables(self, request: HttpRequest,
                                      tb_frame: Any) -> Any:
        return [(name, self.cleansed_substitute if _hidden(str(name)) else
                 scrub(value) if isinstance(value, str) else value)
                for name, value in super().get_traceback_frame_variables(request, tb_frame)]


class PersonalDataReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if "request_GET_items" in data and self.request is not None:
            data["request_GET_items"] = self.filter.get_cleansed_multivaluedict(
                self.request, self.request.GET).items()
        return data

    # The scrub only masks digits and hides query values: the escaped HTML stays safe.
    def get_traceback_html(self) -> SafeString:
        return mark_safe(scrub(super().get_traceback_html()))  # noqa: S308

    def get_traceback_text(self) -> SafeString:
        return mark_safe(scrub(super().get_traceback_text()))  # noqa: S308
