"""Catalog lookup failures: always a 400 naming the field the client sent."""

from __future__ import annotations

from riva_tir.emulator.envelope import ValidationFailed


class UnknownSku(ValidationFailed):
    def __init__(self, field: str, sku_id: int) -> None:
        super().__init__(field, f"invalid sku_id {sku_id}")


class UnknownPlan(ValidationFailed):
    def __init__(self, field: str, sku_item_price_id: int) -> None:
        super().__init__(field, f"invalid sku_item_price_id {sku_item_price_id}")


class UnknownImageVersion(ValidationFailed):
    def __init__(self, field: str, image_version_id: int) -> None:
        super().__init__(field, f"invalid image_version_id {image_version_id}")
