"""What every TIR dynamic provider shares: the client from secret inputs, `check` through
pydantic, exact `diff`s, and outputs that mirror inputs so `refresh` can show drift.

Nothing is stored on the provider instance: it is pickled into the state (`__provider`).
Credentials travel as the secret input `credentials` and live only for one call.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import pulumi
from pulumi.dynamic import (CheckFailure, CheckResult, ConfigureRequest, CreateResult, DiffResult, Resource,
                            ResourceProvider)
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from riva_tir.providers.engine_log import progress
from riva_tir.tir import (AuthError, CapacityError, NotFound, PlanNotFound, RateLimited, ResolutionError, ResourceFailed,
                 ServerError, TermNotOffered, TirConfig, TirError, TransportError, ValidationFailed, WaitTimeout,
                 field_errors)
from riva_tir.tir.config import TirConnection
from riva_tir.tir.read_cache import ReadCache

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient

# What provider calls import on first use, kept out of the program process (docs/
# performance.md). Each host configures a provider under one lock before any call on it, so
# `configure` loads them all there, and every provider module a later call unpickles: two
# first imports at once can deadlock in CPython's per-module import locks (a package and its
# submodule taken in opposite orders).
CALL_MODULES = (
    "grpc", "grpc_health.v1.health_pb2", "pulumi.runtime.proto.engine_pb2",
    "pulumi.runtime.proto.engine_pb2_grpc", "requests", "riva_tir.ingress", "riva_tir.tir.client",
    "riva_tir.tir.plans.client", "tenacity",
)
# The libraries only some calls need, which no preview loads (~0.15 s): asyncssh (a call
# that reaches a node) and cryptography's key generation (an SSH key pair's create). Those
# calls import them under this one lock, so no two first imports ever run at once.
FIRST_USE_IMPORTS = threading.Lock()
# What the engine sends for values not known until apply.
UNKNOWN: str = rpc.UNKNOWN
# One read cache per provider process: all its resources' check and create share it.
SHARED_READS = ReadCache()


ModelT = TypeVar("ModelT", bound=BaseModel)
InputsT = TypeVar("InputsT", bound="TirInputs")
OutputsT = TypeVar("OutputsT", bound="TirOutputs")


class TirCredentials(BaseModel):
    """The two TIR API secrets; always passed to resources as a secret Output."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    api_key: SecretStr
    auth_token: SecretStr


class RetryPolicy(BaseModel):
    """The stack's retry budgets (config `retries`); unset fields keep the client's defaults."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    max_retries: int = Field(default=4, ge=0)
    capacity_retries: int = Field(default=5, ge=0)
    capacity_backoff_seconds: float = Field(default=15.0, ge=0)


class TirInputs(BaseModel):
    """Inputs every TIR resource has; subclasses add their own (strict: typos fail)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    tir: TirConnection
    credentials: TirCredentials
    retries: RetryPolicy | None = None


def is_unknown(value: Any) -> bool:
    """True when the value, or anything inside it, is only known after apply (the SDK
    hands `check` and `diff` an `Unknown` object, other calls the sentinel string)."""
    if isinstance(value, Unknown) or value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


def own_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's own properties, without the SDK's entries (`__provider`), which
    the engine adds to inputs and which outputs must not echo."""
    return {k: v for k, v in props.items() if not k.startswith("__")}


class TirOutputs(BaseModel):
    """What a provider computes, beside the inputs it echoes: the one declaration of a
    resource's outputs (its provider's `computed` and its registration come from it)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")


class HasOutputs(Protocol):
    @property
    def computed(self) -> frozenset[str]: ...


class TirResource(Resource):
    """A dynamic resource registered with its provider's computed outputs (unknown until
    the provider sets them), so every declared output is there to read."""

    def __init__(self, provider: HasOutputs, name: str, props: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(provider, name, {**props, **dict.fromkeys(provider.computed)}, opts)  # type: ignore[arg-type]


def outputs_of(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(model.model_fields)


class TypedProvider(ResourceProvider, Generic[ModelT, OutputsT]):
    """A provider that reads its inputs and recorded outputs through its own models (those
    that never call TIR, too): subclasses declare `inputs` and `outputs`."""

    inputs: type[ModelT]
    outputs: type[OutputsT]
    # Outputs the provider computes (its `outputs` model); never compared against inputs in diff.
    computed: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "outputs" in cls.__dict__:
            cls.computed = outputs_of(cls.outputs)

    def configure(self, req: ConfigureRequest) -> None:
        """The provider process ends with its engine, whichever host runs it (the SDK's own
        does not: riva_tir/providers/host.py, docs/day2.md "Killed runs"), and loads what
        the calls import on first use while no call runs (docs/performance.md, "A no-op preview")."""
        from riva_tir.providers.host import watch_engine

        watch_engine()
        for module in CALL_MODULES:
            importlib.import_module(module)
        for found in pkgutil.iter_modules([str(Path(__file__).parent)], "riva_tir.providers."):
            importlib.import_module(found.name)

    def applied_before(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """True when `news` are the inputs the resource was last applied with: they passed
        this same validation then, so a no-op `preview` does not run it again (each model's
        first validation in a process builds its schema: docs/performance.md)."""
        return bool(olds) and all(olds.get(k) == v for k, v in self.own_inputs(news).items())

    def own_inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """A call's inputs: its recorded outputs and the SDK's entries left out."""
        return {k: v for k, v in own_props(props).items() if k not in self.computed}

    def args(self, props: Mapping[str, Any]) -> ModelT:
        """A call's inputs, typed."""
        return self.inputs.model_validate(self.own_inputs(props))

    def recorded(self, state: Mapping[str, Any]) -> OutputsT:
        """The outputs a resource's state holds."""
        return self.outputs.model_validate({k: state.get(k) for k in self.computed})

    @staticmethod
    def result(props: Mapping[str, Any], outputs: TirOutputs) -> dict[str, Any]:
        """The state to record: the inputs as given, then what the provider computed."""
        return {**own_props(props), **outputs.model_dump()}


class TirProvider(TypedProvider[InputsT, OutputsT]):
    """Base of the TIR providers. Subclasses declare their input and output models and
    which input changes force a replacement; everything else updates in place."""

    replace_on: ClassVar[frozenset[str]] = frozenset()
    # Inputs used only at create (later changes are another resource's job).
    create_only: ClassVar[frozenset[str]] = frozenset()
    # Inputs `catalog_errors` reads (it runs only once they are known).
    catalog_keys: ClassVar[tuple[str, ...]] = ()
    # The input TIR knows the resource by (recovery looks it up by this name).
    name_field: ClassVar[str | None] = "name"
    # How patient the client is never changes a resource.
    undiffed: ClassVar[frozenset[str]] = frozenset({"retries"})
    # What TIR calls the kind (in messages), and the client's collection of it; None: the
    # resource has no TIR object of its own (subclasses that make one set both).
    kind: ClassVar[str] = ""
    collection: ClassVar[str | None] = None

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Make the TIR object under a name nothing holds yet, then wait for it."""
        with self.client(props) as tir:
            made = self.find(tir, props)
            if made is not None and not self.made_here(tir, made, props):
                raise name_taken(self.kind, made.name, made.id)
            if made is not None:
                # A create of this deployment that failed after TIR made the resource (its
                # name carries the deployment's suffix, and it is what these inputs make).
                progress(f"taking back {self.kind} {made.name} (id {made.id}), made by an earlier run")
                self.take_over(tir, made, props)
            else:
                try:
                    made = self.make(tir, props)
                except Exception:
                    self._remove_lost_create(tir, props)
                    raise
            return CreateResult(str(made.id), self.result(props, self.finish(tir, props, made)))

    def made_here(self, tir: TirClient, found: Any, props: dict[str, Any]) -> bool:
        """Whether `found`, under this resource's name, is what these inputs make: the
        evidence that this deployment made it (subclasses; none by default, so the name
        is taken)."""
        return False

    def take_over(self, tir: TirClient, found: Any, props: dict[str, Any]) -> None:
        """Bring what an earlier run made to these inputs before `finish` (subclasses)."""

    def _remove_lost_create(self, tir: TirClient, props: dict[str, Any]) -> None:
        """After a POST that failed on our side (its answer lost, retries spent): what TIR
        made under the name, which was free just before, is ours; delete it, as Pulumi
        records nothing of a failed create. Best effort: the error that follows names it."""
        try:
            made = self.find(tir, props)
            if made is not None:
                progress(f"{self.kind} {made.name} (id {made.id}) was made by a create that failed; deleting it")
                getattr(tir, self.collection or "").delete(made.id)
        except TirError:
            pass

    def take_back(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The id and outputs of what an interrupted create with these inputs made (found by
        its name and finished as `create` finishes it), or None; only riva_tir.recovery
        calls it, for a create Pulumi recorded as pending (docs/day2.md, "Ownership")."""
        if self.collection is None:
            return None
        with self.client(props) as tir:
            found = self.find(tir, props)
            return None if found is None else (str(found.id), self.result(props, self.finish(tir, props, found)))

    def find(self, tir: TirClient, props: dict[str, Any]) -> Any:
        """The TIR object holding this resource's name, or None."""
        assert self.collection is not None and self.name_field is not None
        found: Any = getattr(tir, self.collection).find(props[self.name_field])
        return found

    def make(self, tir: TirClient, props: dict[str, Any]) -> Any:
        """POST the TIR object (subclasses that make one)."""
        raise NotImplementedError

    def finish(self, tir: TirClient, props: dict[str, Any], made: Any) -> TirOutputs:
        """Wait for what `make` (or an interrupted run) made; its outputs (subclasses)."""
        raise NotImplementedError

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs with the same pydantic rules the client's request specs use,
        skipping values only known after apply; failures name the input field."""
        known = self.own_inputs(news)
        errors: list[tuple[str, str]] = []
        if not self.applied_before(olds, news):
            try:
                self.inputs.model_validate({k: (None if is_unknown(v) else v) for k, v in known.items()})
            except ValidationError as exc:
                errors += field_errors(exc)
            errors += self.spec_errors(known)
        failures = [CheckFailure(path, message) for path, message in dict.fromkeys(errors)
                    if not is_unknown(known.get(path.split(".")[0].split("[")[0]))]
        if not failures:
            catalog = not self._catalog_checked(olds, news)
            failures = [CheckFailure(path, message) for path, message in self._api_errors(known, catalog=catalog)]
        # Defaults of omitted inputs are recorded, so later steps and diffs see them.
        defaults = {name: field.get_default(call_default_factory=True)
                    for name, field in self.inputs.model_fields.items()
                    if name not in news and not field.is_required()}
        return CheckResult({**defaults, **news}, failures)

    def preview_update(self, _id: str | None, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """Computed outputs an update with these inputs may change, as unknown (for the
        preview, riva_tir/providers/host.py); the others keep their recorded value."""
        return {}

    def spec_errors(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        """Errors of the client's request spec for these inputs (subclasses)."""
        return []

    def catalog_errors(self, tir: TirClient, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        """Errors only the TIR catalog can tell, e.g. an unknown plan (subclasses)."""
        return []

    def _catalog_checked(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """True when TIR already accepted these catalog inputs: the resource exists with
        the same ones, so a no-op `preview` does not ask again. (A plan TIR withdraws
        later shows when the resource is next created or changed.)"""
        return bool(olds) and all(olds.get(k) == news.get(k) for k in ("tir", "credentials", *self.catalog_keys))

    def _api_errors(self, inputs: dict[str, Any], *, catalog: bool) -> list[tuple[str, str]]:
        """What only TIR can tell, at `check`, so `preview` fails before anything is
        created: credentials, project or region it refuses (one shared read per run:
        even a no-op preview must not report "no changes" with a revoked key), and, when
        `catalog`, an unknown plan or image."""
        if is_unknown([inputs.get("tir"), inputs.get("credentials")]):
            return []
        catalog = catalog and bool(self.catalog_keys) and not is_unknown([inputs.get(k) for k in self.catalog_keys])
        try:
            # Best effort, no retries: when TIR cannot answer now, create resolves it again.
            with self.client({**inputs, "retries": {"max_retries": 0}}) as tir:
                tir.check_access()
                return self.catalog_errors(tir, inputs) if catalog else []
        except (TransportError, ServerError, RateLimited):
            return []
        except AuthError as exc:
            return [("credentials", f"TIR refused the API key or token (HTTP {exc.status}): set valid "
                                    "riva-tir:tirApiKey and riva-tir:tirAuthToken with `pulumi config set --secret`")]
        except ResolutionError as exc:
            field = "plan" if isinstance(exc, PlanNotFound) else \
                "committed_days" if isinstance(exc, TermNotOffered) else "image_version"
            return [(field, f"{exc}: use one of them")]
        except (ValidationFailed, NotFound) as exc:
            fields = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
            return [("tir", f"TIR refused the project or region (HTTP {exc.status}: {fields or exc.message}): "
                            "check riva-tir:tir.projectId, tir.teamId and tir.location")]

    @staticmethod
    def spec_check(spec: type[BaseModel], names: Mapping[str, str], body: dict[str, Any]) -> list[tuple[str, str]]:
        """Validate `body` as the client's request `spec`; report errors under input names
        (`names`: spec field -> input field). Unknown or missing values are not checked."""
        try:
            spec.model_validate({k: v for k, v in body.items() if v is not None and not is_unknown(v)})
        except ValidationError as exc:
            out = []
            for path, message in field_errors(exc):
                head, sep, rest = path.partition(".")
                field, bracket, index = head.partition("[")
                if field in names:
                    out.append((names[field] + bracket + index + sep + rest, message))
            return out
        return []

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = {k for k in set(olds) | set(news)
                if not k.startswith("__") and k not in self.computed | self.create_only | self.undiffed}
        changed = sorted(k for k in keys if is_unknown(news.get(k)) or olds.get(k) != news.get(k))
        replaces = [k for k in changed if k in self.replace_on or (k == "tir" and _moved(olds, news))]
        # TIR names are deterministic (so an interrupted run adopts what it created): a
        # replacement under the same name must wait for the old resource to go; one under
        # a new name is created first, so nothing that depends on it is ever without it.
        same_name = self.name_field is not None and olds.get(self.name_field) == news.get(self.name_field)
        return DiffResult(changes=bool(changed), replaces=replaces,
                          delete_before_replace=bool(replaces) and same_name)

    @staticmethod
    @contextmanager
    def client(props: Mapping[str, Any]) -> Iterator[TirClient]:
        """A client for one provider call, built from the resource's own inputs."""
        # Imported on first use: the program process imports the providers to declare
        # resources but never calls TIR, so it does not pay for the HTTP stack (~0.1 s).
        from riva_tir.tir.client import TirClient

        conn = TirConnection.model_validate(props["tir"])
        creds = TirCredentials.model_validate(props["credentials"])
        retries = RetryPolicy.model_validate(props.get("retries") or {})
        config = TirConfig(api_key=creds.api_key, auth_token=creds.auth_token,
                           max_retries=retries.max_retries, capacity_retries=retries.capacity_retries,
                           capacity_backoff_initial=retries.capacity_backoff_seconds,
                           capacity_backoff_max=max(120.0, retries.capacity_backoff_seconds),
                           **conn.model_dump())
        with TirClient(config, read_cache=SHARED_READS) as tir:
            try:
                yield tir
            except CapacityError as exc:
                # TIR's refusal names SKU ids only: say which plan, what was tried, what to do.
                plan = props.get("plan") or "of this resource"
                raise RuntimeError(
                    f"no capacity for plan {plan} in {conn.location} after {exc.attempts} attempts "
                    f"(TIR: {exc.message}): try again later, choose another plan, or raise the "
                    "stack's retries.capacityRetries") from None


def _moved(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """True when the resource would live in another project or region: how riva-tir
    talks to TIR (API root spelling, URL style, team, data-plane base) is no identity."""
    old, new = olds.get("tir") or {}, news.get("tir")
    if is_unknown(new) or not isinstance(new, Mapping):
        return True
    return any(old.get(k) != new.get(k) for k in TirConnection.identity)


def name_taken(kind: str, name: str, resource_id: int) -> RuntimeError:
    """A create whose TIR name is already in use: riva-tir never takes over a resource
    this deployment's state does not hold (docs/day2.md, "Ownership")."""
    return RuntimeError(
        f"TIR already has a {kind} named {name} (id {resource_id}) that this deployment did not create, "
        "and riva-tir never takes over a resource it did not create. If an interrupted `pulumi up` of this "
        "stack created it, run `python -m riva_tir.recovery --stack <stack>` to take it into the stack; "
        "otherwise give this deployment other names (riva-tir:namePrefix, or the component's name) or "
        f"remove that {kind} in TIR")


class _Deletable(Protocol):
    def delete(self, resource_id: int) -> Any: ...
    def wait_deleted(self, resource_id: int, timeout: float | None = None) -> None: ...


@contextmanager
def cleanup_failed_create(api: _Deletable, resource: Any, what: str) -> Iterator[None]:
    """A create that fails after the POST deletes what it made, then fails with the
    platform's reason and the id, so nothing is left behind untracked."""
    try:
        yield
    except (ResourceFailed, WaitTimeout) as exc:
        last = exc.last
        reason = getattr(last, "status", None)
        progress(f"{what} (id {resource.id}) did not become ready; deleting it")
        try:
            api.delete(resource.id)
            api.wait_deleted(resource.id)
        except NotFound:
            pass
        except TirError as cleanup:
            raise RuntimeError(f"{what} (id {resource.id}) failed ({exc}) and could not be "
                               f"deleted ({cleanup}): delete it in TIR") from None
        raise RuntimeError(f"{what} (id {resource.id}) failed: {exc}"
                           + (f" (last status {reason!r})" if reason else "")) from None
