from __future__ import annotations

from django.db import models


class Rating(models.Model):
    proj_no = models.CharField(max_length=64, db_index=True)
    level = models.PositiveSmallIntegerField()
    content_codes = models.JSONField(default=list)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "minimal"

    def __str__(self) -> str:
        return self.proj_no
