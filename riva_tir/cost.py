"""What a stack costs a month, from TIR's own plan prices (docs/cost.md).

The arithmetic and its presentation, apart from how prices are read: the StackCost
resource (riva_tir/providers/cost.py) prices each `Usage` from TIR's catalog and records
the `Line`s in state, so a preview compares the stack's new estimate with the deployed one.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from riva_tir.config import StackConfig

# Hours in a month, as Infracost, OpenCost and E2E's own estimation advice count them (docs/cost.md).
HOURS_PER_MONTH = 730
# ASSUMPTION (docs/cost.md): a model repository is one EOS bucket in slab 0 (peak under 250 GB),
# billed a flat monthly fee per bucket; EOS is not in TIR's plan catalog.
EOS_PLAN = "EOS slab 0"
EOS_MONTHLY_PRICE = 625.0
EOS_CURRENCY = "INR"
SYMBOLS = {"INR": "₹", "USD": "$"}
GST_NOTE = "excluding GST"

# How a resource is billed (docs/cost.md): `running` by the hour per replica; `converting` by
# the hour only while a model converts (a node with `node.state: stopped`); `stopped` not at
# all; `monthly` a flat fee; `external` not by E2E through this stack (the user's own bucket).
Billing = Literal["running", "converting", "stopped", "monthly", "external"]


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class Usage(_Model):
    """What the stack config asks for of one resource, before prices."""

    resource: str
    plan: str
    billing: Billing
    replicas_min: int = 1
    replicas_max: int = 1
    # Where TIR's catalog lists the plan: {"service": "notebook", "image_version": "2.19.0" | None}
    # or {"service": "inference_service", "framework": "triton" | "custom"}; empty: not in it.
    catalog: dict[str, str | None] = {}
    committed_days: int = 0


class Price(_Model):
    """One plan's price as TIR's catalog gives it: per hour (`committed_days == 0`), else
    for the whole term (ASSUMPTION, docs/cost.md), per replica."""

    unit_price: float | None
    currency: str
    committed_days: int = 0


class Line(_Model):
    """One resource of the estimate: its usage and price (what state records)."""

    resource: str
    plan: str
    billing: Billing
    replicas_min: int
    replicas_max: int
    unit_price: float | None
    currency: str
    committed_days: int = 0

    @property
    def priced(self) -> bool:
        return self.unit_price is not None

    @property
    def per_replica_monthly(self) -> float:
        """A month of one replica; 0 where the resource is not billed by the month."""
        if self.unit_price is None or self.billing in ("converting", "stopped", "external"):
            return 0.0
        if self.billing == "monthly":
            return self.unit_price
        if self.committed_days:
            return self.unit_price * HOURS_PER_MONTH / (24 * self.committed_days)
        return self.unit_price * HOURS_PER_MONTH

    @property
    def monthly_min(self) -> float:
        return self.per_replica_monthly * (1 if self.billing == "monthly" else self.replicas_min)

    @property
    def monthly_max(self) -> float:
        return self.per_replica_monthly * (1 if self.billing == "monthly" else self.replicas_max)


class Totals(_Model):
    """The stack's month at its least and at its autoscaling maximum (what the budget
    policy checks), in one currency; `unpriced` names resources without a price."""

    min: float
    max: float
    currency: str
    unpriced: list[str] = []


def price_line(usage: Usage, price: Price) -> Line:
    return Line(resource=usage.resource, plan=usage.plan, billing=usage.billing, replicas_min=usage.replicas_min,
                replicas_max=usage.replicas_max, unit_price=price.unit_price, currency=price.currency,
                committed_days=price.committed_days)


def totals(lines: Sequence[Line]) -> Totals:
    """Sums in the currency of TIR's plans; lines in another currency count as unpriced
    rather than being converted."""
    plans = [line.currency for line in lines if line.priced and line.billing not in ("monthly", "external")]
    currency = plans[0] if plans else EOS_CURRENCY
    counted = [line for line in lines if line.priced and line.currency == currency]
    return Totals(min=round(sum(line.monthly_min for line in counted), 2),
                  max=round(sum(line.monthly_max for line in counted), 2), currency=currency,
                  unpriced=[line.resource for line in lines if line not in counted])


# The stack config section of each priced resource, for errors that name a key.
CONFIG_SECTIONS = {"node": "node", "triton": "triton", "riva-api": "rivaApi"}


def usage(config: StackConfig) -> list[Usage]:
    """What a stack config runs, resource by resource."""
    node_catalog: dict[str, str | None] = {"service": "notebook",
                                           "image_version": None if config.node.image else config.node.riva_version}
    found = [Usage(resource="node", plan=config.node.plan, catalog=node_catalog,
                   committed_days=config.node.committed_days, billing="running" if config.node.state == "running" else "converting")]
    for resource, section, framework in (("triton", config.triton, "triton" if config.triton.runtime == "triton"
                                          else "custom"), ("riva-api", config.riva_api, "custom")):
        low, high = ((section.autoscaling.min_replicas, section.autoscaling.max_replicas)
                     if section.autoscaling else (section.replicas, section.replicas))
        found.append(Usage(resource=resource, plan=section.plan, replicas_min=low, replicas_max=high,
                           committed_days=section.committed_days,
                           catalog={"service": "inference_service", "framework": framework},
                           billing="running" if section.state == "running" else "stopped"))
    managed = config.repository.storage_type == "managed"
    found.append(Usage(resource="repository", plan=EOS_PLAN if managed else f"own bucket ({config.repository.storage_type})",
                       billing="monthly" if managed else "external"))
    return found


def fixed_price(item: Usage) -> Price | None:
    """The price of what TIR's catalog does not list (the repository); None: ask the catalog."""
    if item.billing == "monthly":
        return Price(unit_price=EOS_MONTHLY_PRICE, currency=EOS_CURRENCY)
    if item.billing == "external":
        return Price(unit_price=0.0, currency=EOS_CURRENCY)
    return None


def money(amount: float, currency: str, *, signed: bool = False, cents: bool = False) -> str:
    """`₹69,350`, `+₹1,200`, `−₹95.00` (hourly prices with paise or cents)."""
    rounded = amount if cents else round(amount)
    sign = "−" if rounded < 0 else "+" if signed and rounded > 0 else ""
    figure = f"{abs(rounded):,.2f}" if cents else f"{abs(rounded):,}"
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{figure}"


def span(low: float, high: float, currency: str, *, signed: bool = False) -> str:
    """One figure, or `low–high` where autoscaling makes them differ."""
    first = money(low, currency, signed=signed)
    return first if round(low) == round(high) else f"{first}–{money(high, currency, signed=signed)}"


def change_sentence(new: Totals, deployed: Totals | None) -> str:
    """The pull request's headline: "Monthly estimate increases by ₹X to ₹Y"."""
    old = deployed or Totals(min=0.0, max=0.0, currency=new.currency)
    low, high = round(new.min - old.min), round(new.max - old.max)
    now = span(new.min, new.max, new.currency)
    if low == 0 and high == 0:
        return f"Monthly estimate unchanged at {now}"
    if low >= 0 and high >= 0:
        return f"Monthly estimate increases by {span(low, high, new.currency)} to {now}"
    if low <= 0 and high <= 0:
        return f"Monthly estimate decreases by {span(-low, -high, new.currency)} to {now}"
    return f"Monthly estimate changes by {span(low, high, new.currency, signed=True)} to {now}"


def _billed(line: Line) -> str:
    if line.billing == "converting":
        return "only while converting"
    if line.billing == "stopped":
        return "stopped: not billed"
    if line.billing == "external":
        return "billed with your bucket"
    if line.billing == "monthly":
        return "flat a month (ASSUMPTION)"
    return f"{line.committed_days}-day term" if line.committed_days else "by the hour"


def _unit(line: Line) -> str:
    if line.unit_price is None:
        return "no price"
    if line.billing in ("monthly", "external"):
        return "—"
    price = money(line.unit_price, line.currency, cents=not line.committed_days)
    return f"{price}/{line.committed_days} d" if line.committed_days else f"{price}/h"


def _replicas(line: Line) -> str:
    return str(line.replicas_min) if line.replicas_min == line.replicas_max else \
        f"{line.replicas_min}–{line.replicas_max}"


def rows(lines: Sequence[Line], deployed: Sequence[Line] | None) -> list[list[str]]:
    """The table's rows: resource, plan, replicas, price, billed, monthly, change."""
    before = {line.resource: line for line in deployed or []}
    out = [["resource", "plan", "replicas", "price", "billed", "monthly", "change"]]
    for line in lines:
        old = before.get(line.resource)
        low = line.monthly_min - (old.monthly_min if old else 0.0)
        high = line.monthly_max - (old.monthly_max if old else 0.0)
        change = "" if round(low) == 0 and round(high) == 0 else span(low, high, line.currency, signed=True)
        monthly = span(line.monthly_min, line.monthly_max, line.currency) if line.priced else "no price"
        out.append([line.resource, line.plan, _replicas(line), _unit(line), _billed(line), monthly, change])
    return out


def render(lines: Sequence[Line], deployed: Sequence[Line] | None = None) -> str:
    """The headline, the table and its total, as the preview and `scripts/cost` print them."""
    new = totals(lines)
    old = totals(deployed) if deployed is not None else None
    table = rows(lines, deployed)
    low, high = round(new.min - (old.min if old else 0.0)), round(new.max - (old.max if old else 0.0))
    table.append(["total", "", "", "", "", span(new.min, new.max, new.currency),
                  "" if low == 0 and high == 0 else span(low, high, new.currency, signed=True)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    body = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    notes = [f"{new.currency} prices from TIR's plan catalog, {GST_NOTE}; a month is {HOURS_PER_MONTH} h; "
             "replicas a–b: autoscaling minimum–maximum (docs/cost.md)"]
    if new.unpriced:
        notes.append(f"not in the total (no price in {new.currency}): {', '.join(new.unpriced)}")
    return "\n".join([change_sentence(new, old), *body, *notes])


def markdown(lines: Sequence[Line], deployed: Sequence[Line] | None = None) -> str:
    """The same for a pull request comment or a job summary."""
    new = totals(lines)
    old = totals(deployed) if deployed is not None else None
    table = rows(lines, deployed)
    out = [f"**{change_sentence(new, old)}** ({GST_NOTE})", "",
           "| " + " | ".join(table[0]) + " |", "|" + " --- |" * len(table[0])]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in table[1:]]
    out.append(f"| **total** | | | | | **{span(new.min, new.max, new.currency)}** | |")
    return "\n".join(out)
