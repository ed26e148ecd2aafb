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


class PasswordHistoryValidator:
    """A new password may not repeat one of the user's last ``HCP_PASSWORD_HISTORY``
    passwords (the current one included); every change is remembered and stamps
    ``User.password_changed_at`` for the password-age rule (issue 17)."""

    def _limit(self) -> int:
        from django.conf import settings

        return max(int(settings.HCP_PASSWORD_HISTORY), 0)

    def validate(self, password: str, user: object | None = None) -> None:
        from django.contrib.auth.hashers import check_password

        from haochaping.accounts.models import PasswordHistory

        pk = getattr(user, "pk", None)
        limit = self._limit()
        if pk is None or limit == 0:
            return
        recent = list(PasswordHistory.objects.filter(user_id=pk)
                      .values_list("password", flat=True)[:limit])
        current = getattr(user, "password", "")
        if any(check_password(password, stored) for stored in [current, *recent] if stored):
            raise ValidationError(f"新密码不能与最近 {limit} 次使用过的密码相同。",
                                  code="password_reused")

    def password_changed(self, password: str, user: object | None = None) -> None:
        from django.utils import timezone

        from haochaping.accounts.models import PasswordHistory, User

        pk = getattr(user, "pk", None)
        if pk is None:
            return
        now = timezone.now()
        User.objects.filter(pk=pk).update(password_changed_at=now)
        limit = self._limit()
        if limit:
            PasswordHistory.objects.create(user_id=pk, password=getattr(user, "password", ""),
                                           created_at=now)
            keep = PasswordHistory.objects.filter(user_id=pk).values_list("pk", flat=True)
            PasswordHistory.objects.filter(user_id=pk).exclude(
                pk__in=list(keep[:limit])).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self._limit()} 次使用过的密码相同。"
