"""The SMS rating channel's reply parsing (evaluations.sms.rules). No database."""

from __future__ import annotations

import pytest

from haochaping.evaluations.sms import rules


@pytest.mark.parametrize(("body", "level"),
                         [("5", 5), (" 1 ", 1), ("３", 3), ("\u3000２\u3000", 2), ("4\n", 4),
                          ("6", None), ("0", None), ("55", None), ("五", None), ("", None),
                          ("好评", None)])
def test_parse_level_reply(body: str, level: int | None) -> None:
    assert rules.parse_level_reply(body) == level
