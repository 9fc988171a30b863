"""Dataset (``datasets``) response model: same bucket/credential shape as repositories."""

from __future__ import annotations

from tir.model_repositories.models import ModelRepository


class Dataset(ModelRepository):
    """Inherits ``bucket``/``credentials`` and the readiness rule (ASSUMPTION: statuses undocumented)."""

    encryption_enable: bool | None = None
    encryption_type: str | None = None
    description: str | None = None
