"""The demo speaks Chinese (issue 16): the build's progress lines and ``demo_info``, no
English glosses beside them (commands, user names and URLs stay as they are typed)."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

GLOSS = re.compile(r"(?:^|[\s）)])/ [A-Za-z]")
ENGLISH_WORDS = re.compile(r"\b(?:Home|Login|Admin|Tasks|Workbench|Console|Office|Monitor|"
                           r"Bulletin|Privacy|Notice|done in|demo built)\b")


def _without_urls(text: str) -> str:
    return re.sub(r"(?:https?://|/)\S*", "", text)


def test_the_build_log_and_demo_info_are_chinese(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    for text in (built, out.getvalue()):
        for line in text.splitlines():
            assert not GLOSS.search(line), line
            assert not ENGLISH_WORDS.search(_without_urls(line)), line


def test_every_count_of_the_summary_has_a_chinese_name(built: str) -> None:
    summary = next(line for line in built.splitlines() if line.startswith("演示数据已生成"))
    assert not re.search(r"[a-z]{3,}_?[a-z]*", summary), summary
