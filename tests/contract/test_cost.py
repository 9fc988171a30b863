"""The cost table's figures for whole stacks, priced from the emulator's live catalog over
HTTP as the StackCost resource prices them (riva_tir/providers/cost.py): fixed replicas,
autoscaling, a stopped node, a committed plan."""
from __future__ import annotations

from typing import Any

import pytest

from riva_tir import cost
from riva_tir.config import StackConfig
from riva_tir.cost import Line, Usage
from riva_tir.emulator.catalog.models import SKUS
from riva_tir.providers.cost import price
from tests.contract.harness import Contract

pytestmark = pytest.mark.emulator


def _catalog(name: str, committed_days: int = 0) -> float:
    """The emulator catalog's price of SKU `name` (its own data, not the HTTP answer)."""
    sku = next(s for s in SKUS if s.name == name)
    return next(p.unit_price for p in sku.plans if p.committed_days == committed_days)


def _stack(**sections: Any) -> StackConfig:
    raw: dict[str, Any] = {"tir": {"apiRoot": "https://tir.example/api/", "projectId": 1},
                           "node": {"plan": "GPU-L4-8-48GB-1"},
                           "model": {"ngc": "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:2.19.0"},
                           "triton": {"plan": "GPU-L4-8-48GB-1", "replicas": 2},
                           "rivaApi": {"plan": "CPU-C3-4-8GB-0", "replicas": 3}}
    return StackConfig.model_validate({**raw, **sections})


def _priced(contract: Contract, usage: list[Usage]) -> dict[str, Line]:
    return {line.resource: line for line in price(usage, [], lambda: _borrowed(contract))}


class _borrowed:
    """The contract's client as the context manager `price` opens (left open for the test)."""

    def __init__(self, contract: Contract) -> None:
        self.client = contract.client

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *_exc: object) -> None:
        return None


def test_stack_with_replicas(contract: Contract) -> None:
    lines = _priced(contract, cost.usage(_stack()))
    l4, c3 = _catalog("GDC3.L4-1.48GB"), _catalog("C3.4")
    assert (l4, c3) == (95.0, 6.0)  # the emulator's (invented) L4 and C3 prices
    assert lines["node"].monthly_max == l4 * 730
    assert lines["triton"].monthly_min == lines["triton"].monthly_max == 2 * l4 * 730
    assert lines["riva-api"].monthly_max == 3 * c3 * 730
    assert lines["repository"].monthly_max == cost.EOS_MONTHLY_PRICE
    totals = cost.totals(list(lines.values()))
    assert totals.min == totals.max == 3 * 69350 + 3 * 4380 + 625 and totals.currency == "INR"


def test_stack_with_autoscaling_on_published_a100_prices(contract: Contract) -> None:
    lines = _priced(contract, cost.usage(_stack(
        node={"plan": "GPU-A100-16-115GB-1"},
        triton={"plan": "GPU-A100-16-115GB-1", "autoscaling": {"minReplicas": 2, "maxReplicas": 6}},
        rivaApi={"plan": "CPU-C3-8-16GB-0", "autoscaling": {"minReplicas": 2, "maxReplicas": 10}})))
    a100, c3 = _catalog("GDC3.A10080-1.115GB"), _catalog("C3.8")
    assert a100 == 226.0  # E2E's published A100 80 GB price
    assert (lines["triton"].monthly_min, lines["triton"].monthly_max) == (2 * a100 * 730, 6 * a100 * 730)
    assert (lines["riva-api"].monthly_min, lines["riva-api"].monthly_max) == (2 * c3 * 730, 10 * c3 * 730)
    totals = cost.totals(list(lines.values()))
    assert (totals.min, totals.max) == (a100 * 730 * 3 + 2 * c3 * 730 + 625, a100 * 730 * 7 + 10 * c3 * 730 + 625)
    assert "₹329,960–₹989,880" in cost.render(list(lines.values()))


def test_stack_with_a_stopped_node(contract: Contract) -> None:
    lines = _priced(contract, cost.usage(_stack(node={"plan": "GPU-L4-8-48GB-1", "state": "stopped"})))
    node = lines["node"]
    assert node.billing == "converting" and node.unit_price == _catalog("GDC3.L4-1.48GB")
    assert node.monthly_max == 0
    row = next(r for r in cost.rows(list(lines.values()), None) if r[0] == "node")
    assert row[3] == "₹95.00/h" and row[4] == "only while converting" and row[5] == "₹0"


def test_committed_plan_shows_term_price_and_term(contract: Contract) -> None:
    usage = [u.model_copy(update={"committed_days": 30}) if u.resource == "triton" else u
             for u in cost.usage(_stack())]
    triton = _priced(contract, usage)["triton"]
    term = _catalog("GDC3.L4-1.48GB", committed_days=30)
    assert triton.unit_price == term and triton.committed_days == 30
    assert triton.monthly_max == pytest.approx(2 * term * 730 / (24 * 30))
    row = cost.rows([triton], None)[1]
    assert row[3] == f"₹{term:,.0f}/30 d" and row[4] == "30-day term"


def test_an_unknown_plan_has_no_price_rather_than_a_guess(contract: Contract) -> None:
    usage = [u.model_copy(update={"plan": "GPU-X-1-1GB-1"}) if u.resource == "node" else u
             for u in cost.usage(_stack())]
    lines = _priced(contract, usage)
    assert lines["node"].unit_price is None
    assert cost.totals(list(lines.values())).unpriced == ["node"]
