"""Applicant (评价人) identity checks: kind, ID number and phone formats. Pure (the vault's
rules: what identity may enter it)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from haochaping.core.errors import ItemError
from haochaping.vault.identity import (
    normalise_id_no,
    normalise_name,
    normalise_phone,
)

# NATIONAL.md "Other code tables": userProp.
APPLICANT_KINDS = {"1": "自然人", "2": "企业法人", "3": "事业法人", "4": "社会组织法人",
                   "5": "非法人企业", "6": "行政机关", "9": "其他组织"}
NATURAL_PERSON = "1"
RESIDENT_ID_CARD = "111"  # GA/T 2000.156 居民身份证
CREDIT_CODE = "001"  # our default for organisations: 统一社会信用代码
MAX_NAME = 100
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"^[1-9]\d{16}[\dX]$")
_OTHER_ID = re.compile(r"^[0-9A-Z\-]{2,32}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


@dataclass(frozen=True)
class Applicant:
    """Normalised identity of the applicant, plaintext: lives only in memory on its way
    into the vault."""

    kind: str
    name: str
    id_type: str
    id_no: str
    phone: str


def resident_id_valid(id_no: str) -> bool:
    """18-character resident ID number with a valid GB 11643-1999 check character."""
    if not _RESIDENT_ID.match(id_no):
        return False
    total = sum(map(operator.mul, map(int, id_no[:17]), _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == id_no[17]


def phone_valid(phone: str) -> bool:
    """A mainland mobile number (11 digits) or a landline with its area code."""
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))


def check_applicant(kind: str, name: str, id_type: str, id_no: str, phone: str,
                    names: dict[str, str]) -> tuple[Applicant | None, list[ItemError]]:
    """Normalise and check; ``names`` maps canonical field names to the ones the client
    used (for error reports)."""
    errors: list[ItemError] = []
    kind = kind or NATURAL_PERSON
    if kind not in APPLICANT_KINDS:
        errors.append(ItemError(names["applicant_kind"], "handling.bad_applicant_kind",
                                "申请人类型无效，应为 1、2、3、4、5、6 或 9"))
    name = normalise_name(name)
    if not name:
        errors.append(ItemError(names["applicant_name"], "handling.missing_field",
                                "缺少申请人姓名或名称"))
    elif len(name) > MAX_NAME:
        errors.append(ItemError(names["applicant_name"], "handling.invalid_value",
                                f"申请人姓名或名称不能超过 {MAX_NAME} 个字符"))
    id_type = id_type or (RESIDENT_ID_CARD if kind == NATURAL_PERSON else CREDIT_CODE)
    id_no, phone = normalise_id_no(id_no), normalise_phone(phone)
    if id_no and id_type == RESIDENT_ID_CARD and not resident_id_valid(id_no):
        errors.append(ItemError(names["applicant_id_no"], "handling.bad_id_no",
                                "居民身份证号码格式或校验位不正确"))
    elif id_no and not _OTHER_ID.match(id_no):
        errors.append(ItemError(names["applicant_id_no"], "handling.bad_id_no",
                                "证件号码格式不正确（2 至 32 位字母、数字）"))
    if phone and not phone_valid(phone):
        errors.append(ItemError(names["applicant_phone"], "handling.bad_phone",
                                "手机号码格式不正确"))
    if not id_no and not phone:
        errors.append(ItemError(names["applicant_id_no"], "handling.applicant_unidentified",
                                "申请人证件号码和手机号码至少提供一项"))
    if errors:
        return None, errors
    return Applicant(kind=kind, name=name, id_type=id_type, id_no=id_no, phone=phone), []
