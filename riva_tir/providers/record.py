"""Records of another resource's outputs, for the resources that take them, so that a preview
under a stock Pulumi CLI shows them as `up` finds them (docs/day2.md, "Previews").

The SDK's own provider host answers no preview calls: for a resource being updated the
engine shows its new inputs as its outputs, so each output that is no input (a node's SSH
address, a bucket's keys) is unknown, and whatever takes one previews as changed although
`up` finds it the same. A record sits between them. It takes the upstream's Pulumi id (which
a preview knows), the upstream's settings that can change the recorded values, and the
values themselves. Its `check` keeps a value that is only unknown because the upstream is
being updated at the one it recorded, unless the settings changed in a way that may change
it (the rule the upstream's own `preview_update` follows, one function for both); `up` sees
every value known, so a value that did change is recorded, and passed on, whatever the rule
assumed. Of another upstream (a new id, unknown in a preview) it keeps nothing. It updates
whenever an input changes, and is never replaced: preview and `up` agree on its step even
where an upstream's id is unknown in the one and the same in the other. Nothing is called:
create and update return the inputs as the outputs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import BaseModel, ConfigDict, ValidationError

from riva_tir.providers.base import TirOutputs, TypedProvider, is_unknown, own_props
from riva_tir.tir import field_errors


class RecordInputs(BaseModel):
    """Inputs of a record: the upstream's id, its settings and the values (subclasses)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")


class RecordOutputs(TirOutputs):
    """A record computes nothing: its outputs are its inputs."""


RecordInputsT = TypeVar("RecordInputsT", bound=RecordInputs)


class RecordProvider(TypedProvider[RecordInputsT, RecordOutputs]):
    outputs = RecordOutputs
    # Each input holding an upstream's Pulumi id, and that upstream's outputs the record passes on.
    upstreams: ClassVar[Mapping[str, tuple[str, ...]]]

    def unsettled(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> set[str]:
        """The recorded values an update of the upstream from the settings in `olds` to
        those in `news` may change; it keeps the others (subclasses; none by default)."""
        return set()

    def named(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """Recorded values the settings name, whatever the upstream shows (subclasses)."""
        return {}

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {**news, **self.named(news)}
        may_change = self.unsettled(olds, news) if olds else set()
        for upstream, passed_on in self.upstreams.items():
            if olds and not is_unknown(news.get(upstream)) and olds.get(upstream) == news.get(upstream):
                props |= {key: olds[key] for key in passed_on
                          if key in olds and key not in may_change and is_unknown(props.get(key))}
        if self.applied_before(olds, props):
            return CheckResult(props, [])
        try:
            self.inputs.model_validate({k: (None if is_unknown(v) else v) for k, v in own_props(props).items()})
        except ValidationError as exc:
            return CheckResult(props, [CheckFailure(path, message) for path, message in field_errors(exc)
                                       if not is_unknown(props.get(path.split(".")[0]))])
        return CheckResult(props, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = {k for k in set(olds) | set(news) if not k.startswith("__")}
        changed = sorted(k for k in keys if is_unknown(news.get(k)) or olds.get(k) != news.get(k))
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Its id: the first upstream's at create (nothing reads it)."""
        return CreateResult(str(int(props[next(iter(self.upstreams))])), own_props(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(own_props(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """What it records is the upstream's to read: the next `up` records what that found."""
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing outside the state."""
