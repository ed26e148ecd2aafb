"""Real-format codes for the demo: 12-digit region codes and 18-character unified social
credit codes (统一社会信用代码, GB 32100-2015) with valid check characters. Pure Python."""

from __future__ import annotations

# GB 32100-2015: 31 characters (no I, O, S, V, Z) and the weights of positions 1..17.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: weights of the 8-character organisation code body.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority + organisation type (the first two USCC characters).
GOVERNMENT_ORGAN = "11"  # 机构编制 · 机关
PUBLIC_INSTITUTION = "12"  # 机构编制 · 事业单位
MASS_ORGANISATION = "13"  # 机构编制 · 群团组织
VILLAGE_COMMITTEE = "54"  # 基层群众性自治组织（村民委员会、居民委员会）


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def org_code_check(body: str) -> str:
    """Check character of an 8-character organisation code body (GB 11714)."""
    if len(body) != 8:
        raise ValueError("organisation code body must have 8 characters")
    total = sum(_char_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc(kind: str, region6: str, body: str) -> str:
    """An 18-character unified social credit code: kind (2) + region (6) + organisation
    code (8 + check) + check character (GB 32100)."""
    if len(kind) != 2 or len(region6) != 6 or not region6.isdigit():
        raise ValueError("kind must have 2 characters and region 6 digits")
    head = f"{kind}{region6}{body}{org_code_check(body)}"
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(head, USCC_WEIGHTS, strict=True))
    return head + USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    try:
        return uscc(code[:2], code[2:8], code[8:16]) == code
    except ValueError:
        return False


def region_code(prefix: str) -> str:
    """Pad a 2-, 4-, 6- or 9-digit region prefix to the 12-digit statistical code."""
    if not prefix.isdigit() or len(prefix) > 12:
        raise ValueError(f"bad region prefix {prefix!r}")
    return prefix.ljust(12, "0")


def township_code(county6: str, seq: int, *, is_town: bool) -> str:
    """乡镇/街道: 街道 001-099, 镇与乡 100-299 (the statistical division convention)."""
    return region_code(f"{county6}{(100 + seq) if is_town else (1 + seq):03d}")


def village_code(township9: str, seq: int, *, is_village: bool) -> str:
    """村/社区: 居委会（社区） 001-199, 村委会 200-399."""
    return f"{township9}{(200 + seq) if is_village else (1 + seq):03d}"
