"""The cost arithmetic (riva_tir/cost.py) and the StackCost provider's pricing and diff,
without TIR: prices are given, the catalog client is a stand-in that counts its use."""
from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator
from typing import Any

import pytest

from riva_tir import cost
from riva_tir.cost import Line, Price, Usage
from riva_tir.providers.cost import StackCostProvider, price
from tests.unit.components.test_deployment_wiring import _config


def _line(resource: str, unit: float | None, billing: cost.Billing = "running", low: int = 1, high: int = 1,
          days: int = 0, currency: str = "INR") -> Line:
    return Line(resource=resource, plan=f"{resource}-plan", billing=billing, replicas_min=low, replicas_max=high,
                unit_price=unit, currency=currency, committed_days=days)


def test_usage_follows_the_stack_config() -> None:
    found = {u.resource: u for u in cost.usage(_config())}
    assert list(found) == ["node", "triton", "riva-api", "repository"]
    assert found["node"].billing == "running" and found["node"].catalog == {"service": "notebook",
                                                                             "image_version": "2.19.0"}
    assert (found["triton"].replicas_min, found["triton"].replicas_max) == (1, 3)
    assert found["triton"].catalog == {"service": "inference_service", "framework": "triton"}
    assert (found["riva-api"].replicas_min, found["riva-api"].replicas_max) == (2, 2)
    assert found["repository"].billing == "monthly" and found["repository"].plan == cost.EOS_PLAN

    stopped = {u.resource: u for u in cost.usage(_config(
        node={"plan": "GPU-L4-8-48GB-1", "state": "stopped"},
        rivaApi={"plan": "CPU-C3-4-8GB-0", "state": "stopped"},
        triton={"plan": "GPU-L4-8-48GB-1", "runtime": "custom-container"},
        repository={"storageType": "e2e_s3", "bucketName": "mine", "accessKey": "AK"}))}
    assert stopped["node"].billing == "converting" and stopped["riva-api"].billing == "stopped"
    assert stopped["triton"].catalog["framework"] == "custom"
    assert stopped["repository"].billing == "external"


def test_monthly_figures_at_730_hours() -> None:
    assert _line("node", 95.0).monthly_min == 95.0 * 730 == 69350
    autoscaled = _line("triton", 226.0, low=2, high=6)
    assert (autoscaled.monthly_min, autoscaled.monthly_max) == (2 * 226 * 730, 6 * 226 * 730)
    assert _line("node", 95.0, billing="converting").monthly_max == 0  # billed only while converting
    assert _line("triton", 95.0, billing="stopped", high=3).monthly_max == 0
    assert _line("repository", 625.0, billing="monthly", low=1, high=1).monthly_max == 625
    # A 30-day term priced 54,720 is 54,720 x 730 / 720 a month, per replica.
    term = _line("triton", 54720.0, days=30, low=2, high=2)
    assert term.monthly_min == pytest.approx(2 * 54720 * 730 / 720)


def test_totals_in_the_plans_currency() -> None:
    lines = [_line("node", 95.0), _line("triton", 95.0, low=1, high=3), _line("repository", 625.0, "monthly")]
    totals = cost.totals(lines)
    assert (totals.min, totals.max, totals.currency) == (69350 * 2 + 625, 69350 * 4 + 625, "INR")
    mixed = cost.totals([_line("node", 3.0, currency="USD"), _line("repository", 625.0, "monthly"),
                         _line("triton", None)])
    assert mixed.currency == "USD" and mixed.max == 3 * 730 and mixed.unpriced == ["repository", "triton"]


@pytest.mark.parametrize(("old", "new", "sentence"), [
    (None, (100.0, 100.0), "Monthly estimate increases by ₹100 to ₹100"),
    ((100.0, 100.0), (250.0, 250.0), "Monthly estimate increases by ₹150 to ₹250"),
    ((250.0, 250.0), (100.0, 100.0), "Monthly estimate decreases by ₹150 to ₹100"),
    ((100.0, 100.0), (100.0, 100.0), "Monthly estimate unchanged at ₹100"),
    ((100.0, 200.0), (100.0, 400.0), "Monthly estimate increases by ₹0–₹200 to ₹100–₹400"),
    ((100.0, 400.0), (150.0, 300.0), "Monthly estimate changes by +₹50–−₹100 to ₹150–₹300"),
    ((0.0, 0.0), (1234567.0, 1234567.0), "Monthly estimate increases by ₹1,234,567 to ₹1,234,567"),
])
def test_change_sentence(old: tuple[float, float] | None, new: tuple[float, float], sentence: str) -> None:
    before = cost.Totals(min=old[0], max=old[1], currency="INR") if old else None
    assert cost.change_sentence(cost.Totals(min=new[0], max=new[1], currency="INR"), before) == sentence


def test_table_rows_and_change_per_resource() -> None:
    deployed = [_line("node", 95.0), _line("triton", 95.0), _line("repository", 625.0, "monthly")]
    lines = [_line("node", 95.0, billing="converting"), _line("triton", 95.0, low=1, high=3),
             _line("repository", 625.0, "monthly")]
    text = cost.render(lines, deployed)
    first, header, node, triton, repository, total, *notes = text.splitlines()
    assert first == "Monthly estimate changes by −₹69,350–+₹69,350 to ₹69,975–₹208,675"
    assert header.split() == ["resource", "plan", "replicas", "price", "billed", "monthly", "change"]
    assert node.split()[:3] == ["node", "node-plan", "1"] and "only while converting" in node
    assert node.split()[-2:] == ["₹0", "−₹69,350"]
    assert triton.split()[2:4] == ["1–3", "₹95.00/h"] and triton.split()[-2:] == ["₹69,350–₹208,050", "₹0–+₹138,700"]
    assert "—" in repository and repository.split()[-1] == "₹625"
    assert total.split() == ["total", "₹69,975–₹208,675", "−₹69,350–+₹69,350"]
    assert "excluding GST" in notes[0] and "730 h" in notes[0]
    markdown = cost.markdown(lines, deployed)
    assert markdown.startswith("**Monthly estimate changes by −₹69,350–+₹69,350 to ₹69,975–₹208,675** "
                               "(excluding GST)\n\n| resource |")
    assert "| **total** | | | | | **₹69,975–₹208,675** | |" in markdown


def test_committed_line_shows_term_price_and_term() -> None:
    row = cost.rows([_line("triton", 54720.0, days=30)], None)[1]
    assert row[3] == "₹54,720/30 d" and row[4] == "30-day term"


class Catalog:
    """A stand-in catalog client: counts how often it is opened."""

    def __init__(self, prices: dict[str, float]) -> None:
        self.prices = prices
        self.opened = 0

    @contextmanager
    def __call__(self) -> Iterator[Catalog]:
        self.opened += 1
        yield self


@pytest.fixture
def catalog(monkeypatch: pytest.MonkeyPatch) -> Catalog:
    fake = Catalog({"GPU-L4-8-48GB-1": 95.0, "GPU-L4-16-96GB-2": 190.0, "CPU-C3-4-8GB-0": 6.0})
    monkeypatch.setattr("riva_tir.providers.cost.catalog_price", lambda tir, item: Price(
        unit_price=tir.prices[item.plan], currency="INR", committed_days=item.committed_days))
    return fake


def test_deployed_plans_keep_their_recorded_price(catalog: Catalog) -> None:
    usage = cost.usage(_config())
    first = price(usage, [], catalog)
    assert catalog.opened == 1 and [line.unit_price for line in first] == [95.0, 95.0, 6.0, 625.0]
    # Replicas and states change no plan: nothing is read.
    scaled = [u.model_copy(update={"replicas_max": 5}) if u.resource == "triton" else u for u in usage]
    assert price(scaled, first, catalog)[1].monthly_max == 5 * 95 * 730 and catalog.opened == 1
    # A new plan is read; the others keep the price state recorded, even one TIR has changed since.
    catalog.prices["CPU-C3-4-8GB-0"] = 7.0
    moved = [u.model_copy(update={"plan": "GPU-L4-16-96GB-2"}) if u.resource == "node" else u for u in usage]
    again = price(moved, first, catalog)
    assert catalog.opened == 2 and [line.unit_price for line in again] == [190.0, 95.0, 6.0, 625.0]


def test_provider_diff_sees_only_the_estimate() -> None:
    provider = StackCostProvider()
    lines = [_line("node", 95.0).model_dump()]
    olds = {"tir": {"api_root": "a"}, "usage": [], "lines": lines, "totals": {"max": 1}}
    assert not provider.diff("cost", olds, {**olds, "tir": {"api_root": "b"}}).changes
    assert provider.diff("cost", olds, {**olds, "credentials": {"api_key": "rotated"}}).changes
    assert provider.diff("cost", olds, {**olds, "lines": [_line("node", 190.0).model_dump()]}).changes


def test_usage_items_are_plain_data() -> None:
    """What the program hands the provider survives a round trip through state."""
    for item in cost.usage(_config()):
        assert Usage.model_validate(item.model_dump()) == item


@pytest.mark.parametrize("indent", ["", "    "])
def test_the_estimate_is_found_in_engine_output(indent: str) -> None:
    """As a preview prints it: under the resource's diagnostics (indented), or bare on
    stderr with --diff; status lines repeat the headline alone."""
    from riva_tir.cost_report import NoEstimate, from_output

    lines = [_line("node", 95.0), _line("repository", 625.0, "monthly")]
    printed = "\n".join(indent + line for line in cost.render(lines).splitlines())
    text = f"  StackCost riva-cost  {cost.render(lines).splitlines()[0]}\nDiagnostics:\n{printed}\n\nResources:\n"
    markdown = from_output(text)
    assert markdown.splitlines()[:3] == ["**Monthly estimate increases by ₹69,975 to ₹69,975** (excluding GST)", "",
                                         "```text"]
    assert markdown.splitlines()[3].split() == ["resource", "plan", "replicas", "price", "billed", "monthly", "change"]
    assert markdown.endswith("(docs/cost.md)\n```") and "Resources" not in markdown
    with pytest.raises(NoEstimate):
        from_output("error: the program failed\n")
