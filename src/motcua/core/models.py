from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TokenScope(models.TextChoices):
    """What a token may do (docs/security.md). Reads; an applicant's writes; a staff member's actions."""

    DOSSIERS_READ = "dossiers:read", _("Xem hồ sơ")
    DOSSIERS_WRITE = "dossiers:write", _("Nộp, bổ sung, rút hồ sơ")
    STAFF_ACT = "staff:act", _("Xử lý hồ sơ (cán bộ)")


def all_token_scopes() -> list[str]:
    # Tokens made before scopes existed could do everything their owner may; they keep that.
    return list(TokenScope.values)


class ApiToken(models.Model):
    """A token for machine clients (integrators, the LGSP). Only its SHA-256 is stored; the key is shown
    once when the token is created. It ends when revoked or expired (core/auth.py)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("chủ sở hữu")
    )
    name = models.CharField(_("tên"), max_length=128)
    key_prefix = models.CharField(_("đầu khóa"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("phạm vi"), default=all_token_scopes)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người thu hồi"),
    )

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
