"""Demo applicants (评价人): natural persons with valid-format resident ID numbers
(GB 11643-1999 check character) and mobile numbers, and legal entities with unified social
credit codes (GB 32100-2015). Pure Python, seeded; the values are fictitious.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from haochaping.demo import codes
from haochaping.demo.names import NameMaker
from haochaping.handlings.rules import Applicant
from haochaping.vault.applicant import CREDIT_CODE, RESIDENT_ID_CARD

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Where the demo's residents were registered: mostly Zhengzhou's districts, some from the
# rest of Henan (开封, 洛阳, 平顶山, 安阳, 新乡, 许昌, 南阳, 商丘, 信阳, 周口, 驻马店).
HOME_REGIONS = ("410102", "410103", "410104", "410105", "410106", "410108", "410122",
                "410181", "410182", "410183", "410184", "410185")
OTHER_REGIONS = ("410202", "410302", "410402", "410502", "410702", "411002", "411302",
                 "411402", "411502", "411602", "411702")
# Mobile prefixes of the three carriers (and Broadnet 192).
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                   "151", "152", "153", "155", "156", "157", "158", "159", "166", "173",
                   "175", "176", "177", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189", "191", "192", "198", "199")
INDUSTRIES = ("商贸", "科技", "建筑工程", "餐饮管理", "物流", "电子商务", "装饰工程", "农业科技",
              "文化传媒", "医药", "机械设备", "物业服务", "信息技术", "教育咨询", "食品")
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
BRAND_CHARS = "华恒泰鑫瑞兴宏祥盛达安博康源嘉诚信润豪裕丰凯隆锦"
SOCIAL_ORG_KINDS = ("协会", "商会", "研究会", "服务中心")
PERSON_SHARE = 0.9
NO_PHONE_SHARE = 0.03  # a few applicants gave only their ID number
BIRTH_FIRST = date(1948, 1, 1)
BIRTH_DAYS = (date(2006, 12, 31) - BIRTH_FIRST).days


def id_check(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(region6: str, birth: date, seq: int, *, male: bool) -> str:
    """18-character 居民身份证号码: region, birth date, sequence (odd for men), check."""
    order = seq * 2 + (1 if male else 0)
    body = f"{region6}{birth:%Y%m%d}{order:03d}"
    return body + id_check(body)


class ApplicantMaker:
    """Draws applicants; ``district_codes`` are the 6-digit codes of the demo districts."""

    def __init__(self, rng: random.Random, names: NameMaker,
                 district_names: dict[str, str]) -> None:
        self.rng = rng
        self.names = names
        self.district_names = district_names  # 6-digit code -> short name (金水 …)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def person(self) -> Applicant:
        rng = self.rng
        region = rng.choice(HOME_REGIONS) if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)
        birth = BIRTH_FIRST + timedelta(days=rng.randrange(BIRTH_DAYS))
        id_no = resident_id(region, birth, rng.randrange(500), male=rng.random() < 0.5)
        phone = "" if rng.random() < NO_PHONE_SHARE else self.phone()
        return Applicant(kind="1", name=self.names.person(), id_type=RESIDENT_ID_CARD,
                         id_no=id_no, phone=phone)

    def entity(self) -> Applicant:
        rng = self.rng
        code6, short = rng.choice(list(self.district_names.items()))
        brand = "".join(rng.sample(BRAND_CHARS, 2))
        body = f"{rng.randrange(10**8):08d}"
        if rng.random() < 0.9:
            name = f"郑州{brand}{rng.choice(INDUSTRIES)}{rng.choice(COMPANY_SUFFIXES)}"
            kind, uscc = "2", codes.uscc("91", code6, body)
        else:
            name = f"郑州市{short}{rng.choice(INDUSTRIES)}{rng.choice(SOCIAL_ORG_KINDS)}"
            kind, uscc = "4", codes.uscc("51", code6, body)
        return Applicant(kind=kind, name=name, id_type=CREDIT_CODE, id_no=uscc,
                         phone=self.phone())

    def __call__(self) -> Applicant:
        return self.person() if self.rng.random() < PERSON_SHARE else self.entity()
