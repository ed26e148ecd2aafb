"""Personal data out of a public text (典型案例公示前去除个人信息). Pure Python, no ORM.

``strip_personal`` finds, in a text a department or the office wrote, what points at a
person and replaces it by a neutral word:

- salutations with a surname (李先生、王女士、张老师、刘阿姨、王大爷、小王、老李、王科长),
  with a following 您好 folded into one 您好 and 尊敬的…… kept as 尊敬的群众;
- person names: jieba's part-of-speech tags (``nr``, ``nrfg``, ``nrt``) on a token that
  starts with a common surname; next to an address word (市民、群众、来电人、窗口人员……)
  the word goes with it (市民张建国 → 群众);
- the names and phone numbers the caller knows (the rater's, the staff member's): the
  service decrypts them for this purpose and passes them in, they are never shown;
- mobile and landline numbers (also masked ones such as 138****8000), 15- and
  18-digit ID numbers, any other run of at least 7 digits, licence plates, e-mail
  addresses and house numbers (路 12 号、3 栋 2 单元 501 室).

Place and organisation names (李沧区、张家港市) are tagged ``ns``/``nt`` by jieba and stay;
so do dates, times, counts, window numbers (3 号窗口) and floors of a hall. Every change is
a ``Finding`` with its place in the clean text, so a preview can highlight it. The rule
is idempotent: the clean text has nothing left to strip.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

CITIZEN = "群众"
STAFF = "工作人员"
GREETING = "您好"
MASK = "***"

# Common Chinese surnames. Characters that mostly stand for something else next to a
# title or after 小/老 (和、向、于、时、师、车……) are left out on purpose.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤温施牛樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹"
    "申欧耿焦俞柳祝包尚舒阮柯纪梅童凌毕季裴霍涂苗谷盛翁冉骆蓝靳管柴鲍喻祁蒲滕屈"
    "饶牟艾尤穆卓缪褚娄窦戚岑宫费卜冷晏席卫柏宗瞿桂佟臧闵苟邬卞姬栾隋刁沙巫寇桑郎"
    "甄仲虞敖巩佘邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "夏侯",
                     "尉迟", "公孙", "司徒", "端木", "长孙")
CITIZEN_TITLES = ("老先生", "老太太", "先生", "女士", "小姐", "老师", "阿姨", "师傅", "大爷",
                  "大妈", "大娘", "大姐", "大哥", "叔叔", "奶奶", "爷爷", "老人", "同志", "同学")
STAFF_TITLES = ("科长", "主任", "局长", "处长", "股长", "所长", "站长", "经理", "书记", "队长")
TITLES = tuple(sorted(CITIZEN_TITLES + STAFF_TITLES, key=len, reverse=True))
CITIZEN_WORDS = ("来电群众", "来电人", "投诉人", "反映人", "申请人", "办事人", "评价人",
                 "当事人", "市民", "群众", "居民", "村民", "业主", "家属", "办事群众")
STAFF_WORDS = ("窗口工作人员", "窗口人员", "工作人员", "受理人员", "值班人员", "工作人")
ADDRESS_WORDS = tuple(sorted(STAFF_WORDS + CITIZEN_WORDS, key=len, reverse=True))  # longest first
# Two-character words made of 小/老 and a surname that are not nicknames.
NOT_NICKNAMES = frozenset({"小钱", "小石", "小白", "小包", "小叶", "老林", "小苗", "小龙",
                           "老龙", "小汤", "小金", "小米", "小麦", "小姜", "老姜", "小毛"})
NAME_FLAGS = ("nr", "nrfg", "nrt")
PLACE_AFTER = frozenset("区市县镇乡村省州")  # 郑东新 + 区: a place, not a name
COMMON_FREQ = 50  # a dictionary word this frequent is a word, not a name, when alone
NOT_NAMES = frozenset({"施策", "范文", "高峰", "张贴"})
# A token tagged as a name but ending like a place or an organisation (高新区) is not one.
PLACE_ENDS = frozenset("区市县镇乡村省州港湾山河湖路街巷局委院所站厅处科队馆园场店行社厂")

KIND_LABELS = {
    "salutation": "称呼",
    "name": "姓名",
    "rater_name": "评价人姓名",
    "rater_phone": "评价人电话",
    "staff_name": "工作人员姓名",
    "mobile": "手机号码",
    "landline": "固定电话",
    "id_number": "身份证号码",
    "number": "号码",
    "plate": "车牌号",
    "email": "电子邮箱",
    "address": "详细地址",
}
KNOWN_KINDS = frozenset({"rater_name", "rater_phone", "staff_name"})  # never displayed
DIGIT_KINDS = frozenset({"mobile", "landline", "id_number", "number"})


@dataclass(frozen=True)
class Finding:
    """One replaced part: ``start``/``end`` are its place in the clean text (where the
    replacement stands), ``found`` the original part."""

    kind: str
    found: str
    replacement: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def shown(self) -> str:
        """What a preview may show of the original: nothing of what the caller knew from
        the vault, digits masked in the middle, the rest as written."""
        if self.kind in KNOWN_KINDS:
            return ""
        if self.kind in DIGIT_KINDS or self.kind == "plate":
            keep = 3 if len(self.found) > 8 else 1
            return self.found[:keep] + "*" * max(len(self.found) - keep - 2, 1) + self.found[-2:]
        return self.found


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str
    replacement: str
    priority: int  # lower wins between two spans of the same start and length


_D = r"[0-9０-９]"
_SEP = r"[-－ \u3000]?"
_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("email", MASK, re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("id_number", MASK, re.compile(
        rf"(?<![0-9０-９A-Za-z]){_D}{{17}}[0-9０-９XxＸｘ](?![0-9０-９A-Za-z])"
        rf"|(?<![0-9０-９]){_D}{{15}}(?![0-9０-９])")),
    ("mobile", MASK, re.compile(
        rf"(?<![0-9０-９])(?:\+?86{_SEP})?1[3-9３-９]{_D}(?:{_SEP}{_D}{{4}}){{2}}(?![0-9０-９])"
        rf"|(?<![0-9０-９])1[3-9]{_D}[*＊xX×]{{4}}{_D}{{4}}(?![0-9０-９])")),
    ("landline", MASK, re.compile(
        rf"(?<![0-9０-９])(?:[(（]0{_D}{{2,3}}[)）]{_SEP}|0{_D}{{2,3}}{_SEP})"
        rf"{_D}{{7,8}}(?:转{_D}{{1,5}})?(?![0-9０-９])")),
    # Any other run of 7+ digits, possibly cut into groups of 3+ (dates have 2-digit groups).
    ("number", MASK, re.compile(
        rf"(?<![0-9０-９])(?=(?:{_D}[-－ \u3000]?){{7}}){_D}+(?:[-－ \u3000]{_D}{{3,}})*"
        rf"(?:[XxＸｘ](?![A-Za-z]))?(?![0-9０-９])")),
    ("plate", MASK, re.compile(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
        r"[A-HJ-NP-Z][·•・\s]?(?=[A-HJ-NP-Z0-9]*[0-9][A-HJ-NP-Z0-9]*[0-9])"
        r"[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")),
    ("address", MASK, re.compile(
        r"(?:(?<=[路街巷弄])|(?<=胡同)|(?<=大道))[0-9０-９]+号(?![窗柜台])(?:院|楼)?"
        r"(?:[0-9０-９]+(?:号楼|号院|栋|幢|座|单元|层|楼|室|户|号))*"
        r"|(?:[0-9０-９]+(?:号楼|号院|栋|幢|座))(?:[0-9０-９]+(?:单元|层|楼|室|户|号))*"
        r"|[0-9０-９]+单元(?:[0-9０-９]+(?:层|楼|室|户|号))*"
        r"|(?<![0-9０-９])[0-9０-９]{3,4}(?:室|户)")),
)


@cache
def _tagger() -> Any:
    """jieba's part-of-speech tokenizer, loaded once per process (about 1.5 s)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.dt


def _tokens(text: str) -> list[tuple[int, str, str]]:
    """(offset, token, tag) of ``text``."""
    out, at = [], 0
    for pair in _tagger().cut(text):
        out.append((at, pair.word, pair.flag))
        at += len(pair.word)
    return out


def _has_surname(word: str) -> bool:
    return word[:1] in SURNAMES or word.startswith(COMPOUND_SURNAMES)


def _title_at(text: str, at: int) -> str:
    return next((t for t in TITLES if text.startswith(t, at)), "")


def _common_word(word: str) -> bool:
    """A word jieba's dictionary knows as frequent (高峰、张贴、文明、许可 are tagged ``nr``
    there too), or one of the office's phrases its guesser takes for a name (施策)."""
    return word in NOT_NAMES or _tagger().tokenizer.FREQ.get(word, 0) >= COMMON_FREQ


def _person_spans(text: str) -> Iterator[_Span]:
    """Salutations, nicknames and tagged names, from jieba's tokens. A tagged name counts
    with a title after it or an address word before it; standing alone it must also be
    no common word and no part of a place name (郑东新 + 区)."""
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        at, word, flag = tokens[i]
        end, j = at + len(word), i + 1
        tagged = flag in NAME_FLAGS or (word in COMPOUND_SURNAMES and j < len(tokens)
                                        and tokens[j][2] in NAME_FLAGS)
        name = tagged and _has_surname(word) and word[-1] not in PLACE_ENDS
        nickname = (len(word) == 2 and word[0] in "小老" and word[1] in SURNAMES
                    and word not in NOT_NICKNAMES)
        if not (name or nickname or (len(word) == 1 and word in SURNAMES
                                      and _title_at(text, end))):
            i += 1
            continue
        # A one- or two-character given name tagged apart from its surname (赵 + 志强).
        while (j < len(tokens) and tokens[j][2] in (*NAME_FLAGS, "t") and end - at < 4
               and len(tokens[j][1]) <= 2 and not _title_at(text, tokens[j][0])):
            end += len(tokens[j][1])
            j += 1
        span = _person(text, at, end)
        alone = span.kind == "name" and span.replacement == MASK
        if alone and (len(text[at:end]) > 3 or text[end:end + 1] in PLACE_AFTER
                      or (end - at == len(word) and _common_word(word))):
            i += 1
            continue
        while j < len(tokens) and tokens[j][0] < span.end:
            j += 1
        yield span
        i = j


def _person(text: str, start: int, end: int) -> _Span:
    """The span of a person at [start, end): with a following title, a greeting after it
    and an address word before it."""
    title = next((t for t in TITLES if text[start:end].endswith(t)), "") or _title_at(text, end)
    if title and not text[start:end].endswith(title):
        end += len(title)
    word = next((w for w in ADDRESS_WORDS if text.endswith(w, 0, start)), "")
    if title:
        staff = title in STAFF_TITLES
    elif word:
        start -= len(word)
        staff = word in STAFF_WORDS
    elif text[start] in "小老":
        return _greeted(text, start, end, CITIZEN)
    else:
        return _Span(start, end, "name", MASK, 2)
    if title:
        return _greeted(text, start, end, STAFF if staff else CITIZEN)
    return _Span(start, end, "name", STAFF if staff else CITIZEN, 2)


def _greeted(text: str, start: int, end: int, neutral: str) -> _Span:
    """A salutation; a greeting right after it folds into one 您好 (李先生您好 → 您好),
    unless the letter began with 尊敬的 (尊敬的李先生，您好 → 尊敬的群众，您好)."""
    greeting = re.match(r"[，,、\s]?(?:您好|你好)", text[end:])
    if greeting and neutral == CITIZEN and not text.endswith("尊敬的", 0, start):
        return _Span(start, end + greeting.end(), "salutation", GREETING, 2)
    return _Span(start, end, "salutation", neutral, 2)


def _gapped(value: str) -> str | None:
    """A regular expression for a known name or number that a writer may have cut with
    spaces, dots or hyphens; None when too short to strike safely."""
    chars = [c for c in value if c.isalnum()]
    if len(chars) < 2:
        return None
    body = r"[\s·・•.\-－]*".join(re.escape(c) for c in chars)
    return rf"(?<![A-Za-z]){body}(?![A-Za-z])" if "".join(chars).isascii() else body


def _known_spans(text: str, values: Iterable[str], kind: str, neutral: str) -> Iterator[_Span]:
    for value in sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True):
        pattern = _gapped(value)
        if pattern:
            for found in re.finditer(pattern, text, flags=re.IGNORECASE):
                span = _Span(found.start(), found.end(), kind, neutral, 0)
                if kind == "rater_name":  # 李建国您好 → 您好
                    greeted = _greeted(text, span.start, span.end, CITIZEN)
                    if greeted.replacement == GREETING:
                        span = _Span(span.start, greeted.end, kind, GREETING, 0)
                yield span


def _spans(text: str, rater_names: Iterable[str], rater_phones: Iterable[str],
           staff_names: Iterable[str]) -> list[_Span]:
    spans = [*_known_spans(text, rater_names, "rater_name", CITIZEN),
             *_known_spans(text, staff_names, "staff_name", STAFF),
             *_known_spans(text, rater_phones, "rater_phone", MASK),
             *_person_spans(text)]
    for priority, (kind, neutral, pattern) in enumerate(_PATTERNS, start=3):
        spans += [_Span(m.start(), m.end(), _digit_kind(kind, m.group(0)), neutral, priority)
                  for m in pattern.finditer(text)
                  if kind != "number" or sum(c.isdigit() for c in m.group(0)) >= 7]
    return spans


def _digit_kind(kind: str, found: str) -> str:
    """An 18-digit run is an ID number only with a birth date inside (else a plain number,
    such as a handling's number): masked either way, labelled for the preview."""
    if kind != "id_number" or len(found) != 18:
        return kind
    digits = found.translate(_FULL_WIDTH)
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    born = 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31
    return kind if born else "number"


_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _widen_known(span: _Span, others: list[_Span]) -> _Span:
    """A known name inside a person the tagger found (李建国先生您好, 窗口人员王晓明) takes
    that person's extent and neutral word, keeping its own kind (never displayed)."""
    for other in others:
        if (other.kind in ("salutation", "name") and other.start <= span.start
                and span.end <= other.end and (other.start, other.end) != (span.start, span.end)):
            return _Span(other.start, other.end, span.kind, other.replacement, 0)
    return span


def strip_personal(text: str, *, rater_names: Iterable[str] = (),
                   rater_phones: Iterable[str] = (),
                   staff_names: Iterable[str] = ()) -> tuple[str, list[Finding]]:
    """``text`` with personal data replaced by neutral words, and what was replaced."""
    spans = _spans(text, rater_names, rater_phones, staff_names)
    spans = [_widen_known(s, spans) if s.kind in KNOWN_KINDS else s for s in spans]
    spans.sort(key=lambda s: (s.start, -(s.end - s.start), s.priority))
    out: list[str] = []
    findings: list[Finding] = []
    at = 0
    length = 0
    for span in spans:
        if span.start < at:
            continue
        out.append(text[at:span.start])
        length += span.start - at
        findings.append(Finding(span.kind, text[span.start:span.end], span.replacement,
                                length, length + len(span.replacement)))
        out.append(span.replacement)
        length += len(span.replacement)
        at = span.end
    out.append(text[at:])
    return "".join(out), findings


def segments(clean: str, findings: Iterable[Finding]) -> list[tuple[str, Finding | None]]:
    """The clean text cut into plain parts and replaced parts, for a highlighted preview."""
    parts: list[tuple[str, Finding | None]] = []
    at = 0
    for finding in findings:
        if finding.start > at:
            parts.append((clean[at:finding.start], None))
        parts.append((clean[finding.start:finding.end], finding))
        at = finding.end
    if at < len(clean):
        parts.append((clean[at:], None))
    return parts
