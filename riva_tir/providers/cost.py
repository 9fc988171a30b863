"""StackCost: the stack's monthly estimate, priced from TIR's catalog, shown by every
preview and `up` and recorded in state (docs/cost.md).

`check` prices the stack's usage and prints the table with the change against the
deployed estimate (the one this resource's state holds), under this resource in the
engine's output. A plan already in state keeps its recorded price, so a preview that
changes no plan asks TIR nothing; a new plan costs the catalog read the resources'
own checks make anyway (shared, riva_tir/tir/read_cache.py). Nothing here writes to TIR.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from riva_tir import NAMESPACE
from riva_tir.cost import CONFIG_SECTIONS, Line, Price, Usage, fixed_price, price_line, render, totals
from riva_tir.providers.base import TirInputs, TirOutputs, TirProvider, TirResource, is_unknown, own_props
from riva_tir.providers.engine_log import progress
from riva_tir.tir import PlanNotFound, ImageNotFound, TermNotOffered, TirError

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient

# What `check` adds to the inputs: the priced lines and their totals (the budget policy's figure).
PRICED = ("lines", "totals")
# What an update records: the estimate, and new credentials (so state keeps no revoked key).
# The connection settings are only read at `check`, from the new inputs.
DIFFED = (*PRICED, "credentials")


class UnofferedTerm(Exception):
    """A committedDays the catalog does not offer for the plan; the message names the key."""


class CostInputs(TirInputs):
    usage: list[Usage]
    lines: list[Line] | None = None
    totals: dict[str, Any] | None = None


class CostOutputs(TirOutputs):
    pass


class StackCostProvider(TirProvider[CostInputs, CostOutputs]):
    inputs = CostInputs
    outputs = CostOutputs
    name_field = None

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if is_unknown([news.get("usage"), news.get("tir"), news.get("credentials")]):
            return CheckResult(news, [])
        usage = [Usage.model_validate(item) for item in news["usage"]]
        deployed = [Line.model_validate(line) for line in olds.get("lines") or []] if olds else None
        try:
            lines = price(usage, deployed or [], lambda: self.client(news))
        except UnofferedTerm as exc:
            return CheckResult(news, [CheckFailure("usage", str(exc))])
        except TirError as exc:
            return CheckResult(news, [CheckFailure("usage", f"could not read plan prices from TIR's catalog: {exc}")])
        progress(render(lines, deployed))
        return CheckResult({**news, "lines": [line.model_dump() for line in lines],
                            "totals": totals(lines).model_dump()}, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in DIFFED if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("cost", own_props(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(own_props(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing in TIR to delete: the estimate lives only in state."""


def price(usage: list[Usage], deployed: list[Line], client: Any) -> list[Line]:
    """Each usage priced: from state where its plan is deployed, else fixed (EOS) or from
    TIR's catalog (one client for all the reads, opened only when one is needed)."""
    known = {(line.resource, line.plan, line.committed_days): Price(
        unit_price=line.unit_price, currency=line.currency, committed_days=line.committed_days)
        for line in deployed if line.priced}
    missing = [item for item in usage if fixed_price(item) is None
               and (item.resource, item.plan, item.committed_days) not in known]
    if missing:
        with client() as tir:
            for item in missing:
                known[(item.resource, item.plan, item.committed_days)] = catalog_price(tir, item)
    return [price_line(item, fixed_price(item) or known[(item.resource, item.plan, item.committed_days)])
            for item in usage]


def catalog_price(tir: TirClient, item: Usage) -> Price:
    """A plan's price in TIR's catalog, listed as its resource lists it (nodes per image,
    endpoints per framework; docs/tir.md §3). A plan or image the catalog lacks has no
    price here: the resource's own check fails the preview naming it. A term the catalog
    does not offer for the plan fails here, naming the stack config key."""
    from riva_tir.tir.plans.client import resolve_plan

    try:
        if item.catalog.get("service") == "notebook":
            version = item.catalog.get("image_version")
            version_id = tir.images.find_riva(version).image_version_id if version else None
            skus = tir.plans.for_nodes(version_id)
        else:
            skus = tir.plans.for_endpoints(str(item.catalog.get("framework") or "custom"))
        plan = resolve_plan(item.plan, skus, item.committed_days).sku.plan_for(item.committed_days)
    except (PlanNotFound, ImageNotFound):
        plan = None
    except TermNotOffered as exc:
        key = f"{NAMESPACE}:{CONFIG_SECTIONS.get(item.resource, item.resource)}.committedDays"
        raise UnofferedTerm(f"{key}: {exc.committed_days} days is not a term TIR's catalog offers for plan "
                            f"{exc.plan} (it offers: {', '.join(exc.available) or 'no committed term'}): set "
                            f"{key} to one of them, or to 0 (by the hour)") from None
    if plan is None or plan.unit_price is None:
        return Price(unit_price=None, currency="", committed_days=item.committed_days)
    return Price(unit_price=plan.unit_price, currency=plan.currency or "INR", committed_days=item.committed_days)


class StackCost(TirResource, module="tir", name="StackCost"):
    """The stack's estimate: `lines` per resource and `totals` (min, max, currency)."""

    lines: pulumi.Output[list[dict[str, Any]]]
    totals: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(StackCostProvider(), name, {**props, "lines": None, "totals": None}, opts)
