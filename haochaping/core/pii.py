"""Personal data that must never travel in a URL or reach a log (issue 17, "Raters
protected"; docs/privacy.md "Never in URLs or logs"). Pure: no Django import.

- ``is_personal_param(name)``: a query (or form) parameter named like a rater's phone, ID
  number or name. ``core.edge`` refuses a request carrying one in its query string; the
  error reports hide form fields so named.
- ``is_secret_param(name)``: credentials (tokens, keys, codes, passwords) whose values the
  logs hide too.
- ``scrub(text)``: mainland mobile numbers, 18-digit resident ID numbers (check digit
  ``X`` included) and landlines masked wherever they occur in a text, and the values of
  personal or secret query parameters hidden in the URLs it contains. Used by every log
  handler (``core.logs``) and by the error reports (``core.reporting``).
"""

from __future__ import annotations

import re

# Word parts of parameter names that carry personal data. A name matches when one of
# these is the whole name or a ``_``/``-`` separated part of it (``rater_phone``,
# ``id-no``), or when it ends in it (``userphone``). ``name`` alone is not listed: the
# catalog searches org, hall, window and matter names, which are no one's personal data;
# a person's name is asked for by the specific names below.
PERSONAL_WORDS = ("phone", "mobile", "tel", "telephone", "cellphone", "idno", "id_no",
                  "idcard", "id_card", "id_number", "cert_no", "certno", "certificate_no",
                  "card_no", "sfz", "sfzh", "email")
PERSONAL_NAMES = frozenset({"rater", "rater_name", "applicant", "applicant_name",
                            "contact", "contact_name", "real_name", "realname", "user_name",
                            "first_name", "last_name", "full_name", "person_name",
                            "submitter", "submitter_name", "name_of_rater"})
SECRET_WORDS = ("token", "key", "code", "password", "passwd", "secret", "signature",
                "sign", "otp", "session", "csrf", "nonce")

_SEPARATORS = re.compile(r"[-\s.]+")


def _normal(name: str) -> str:
    return _SEPARATORS.sub("_", name.strip().lower())


def _has_word(name: str, words: tuple[str, ...]) -> bool:
    """Is one of ``words`` a run of ``_``-separated parts of ``name``, or (words of five
    letters or more) its ending (``userphone``)?"""
    parts = name.split("_")
    for word in words:
        wanted = word.split("_")
        if any(parts[i:i + len(wanted)] == wanted for i in range(len(parts))):
            return True
        if len(word) >= 5 and "_" not in word and parts[-1].endswith(word):
            return True
    return False


def is_personal_param(name: str) -> bool:
    """Is a parameter so named a rater's (or any person's) phone, ID number or name?"""
    normal = _normal(name)
    return normal in PERSONAL_NAMES or _has_word(normal, PERSONAL_WORDS)


def is_secret_param(name: str) -> bool:
    """Is a parameter so named a credential (token, key, code, password …)?"""
    return _has_word(_normal(name), SECRET_WORDS)


# Digits that are not part of a longer number (an order number or a timestamp keeps its
# digits): look-behind and look-ahead on digits and letters of an identifier.
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
# 18-digit resident ID number (GB 11643): region, birth date 18xx–20xx, sequence, check.
ID_NUMBER = re.compile(_B + r"([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                       r"(?:0[1-9]|[12]\d|3[01]))(\d{3}[0-9Xx])" + _E)
# Mainland mobile: 1[3-9] and 9 digits, optionally +86 / 0086 / 86, spaces or hyphens
# as people write them (138 0013 8000, 138-0013-8000).
MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?"
                    r"(\d{4})" + _E)
# Landline: 0 + 2–3 digit area code, optional hyphen / space / brackets, 7–8 digits.
LANDLINE = re.compile(r"(?<![0-9A-Za-z])(\(?0[1-9]\d{1,2}\)?)[\s-]?([2-9]\d{2,3})[\s-]?"
                      r"(\d{4})" + _E)
# ``name=value`` pairs of a query string: inside a logged URL (after ``?``, ``&`` or the
# ``;`` of an HTML-escaped ``&amp;``), or a whole query string.
QUERY_PAIR = re.compile(r"(?:(?<=[?&;])|^)(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,60})="
                        r"(?P<value>[^&\s\"'#<>]*)")
HIDDEN = "***"


def mask_text(text: str) -> str:
    """Mobile numbers → ``138****8000``, ID numbers → ``410105********123X``, landlines
    → ``0371-****5678``."""
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)}", text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def _hide_pair(match: re.Match[str]) -> str:
    name = match.group("name")
    if match.group("value") and (is_personal_param(name) or is_secret_param(name)):
        return f"{name}={HIDDEN}"
    return match.group(0)


def scrub(text: str) -> str:
    """``text`` with personal and secret query values hidden and numbers masked."""
    if "=" in text:
        text = QUERY_PAIR.sub(_hide_pair, text)
    if any(c.isdigit() for c in text):
        text = mask_text(text)
    return text
