"""Password rules beyond Django's: at least three of four character classes, and the
minimum length with a Chinese message."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Require at least three of: lower case, upper case, digit, symbol."""

    min_classes = 3

    def validate(self, password: str, user: object | None = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的三类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "密码须至少包含大写字母、小写字母、数字、符号中的三类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message: Django 5.2 reworded this message and
    its zh-Hans catalogue has no translation for the new wording yet."""

    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
