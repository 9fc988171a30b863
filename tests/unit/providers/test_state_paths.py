"""The module paths Pulumi state records for riva-tir's providers are public API: `refresh`
and `destroy` of a deployed stack load its providers by these paths (docs/day2.md,
"Upgrading"). A path that moves needs an entry in `riva_tir.migrate.MOVED` and a line here."""
from __future__ import annotations

import base64
import importlib
import pickletools
import pkgutil

from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

import riva_tir.providers
from riva_tir.migrate import moved, rewrite_provider

STATE_PATHS = {
    "riva_tir.providers.artifact:ModelArtifactProvider",
    "riva_tir.providers.cost:StackCostProvider",
    "riva_tir.providers.endpoint:EndpointProvider",
    "riva_tir.providers.keypair:SshKeyPairProvider",
    "riva_tir.providers.model_repository:ModelRepositoryProvider",
    "riva_tir.providers.model_repository:PublishTargetProvider",
    "riva_tir.providers.model_repository:RepositoryContentProvider",
    "riva_tir.providers.names:DeploymentNamesProvider",
    "riva_tir.providers.node:NodeAccessProvider",
    "riva_tir.providers.node:NodeProvider",
    "riva_tir.providers.node_power:NodePowerProvider",
    "riva_tir.providers.node_power:NodeWakeProvider",
    "riva_tir.providers.scale:EndpointScaleProvider",
    "riva_tir.providers.ssh_key:SshKeyProvider",
}


def _providers() -> list[type[ResourceProvider]]:
    for module in pkgutil.iter_modules(riva_tir.providers.__path__, "riva_tir.providers."):
        importlib.import_module(module.name)
    found, todo = [], list(ResourceProvider.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("riva_tir.") and not cls.__subclasses__():
            found.append(cls)
    return found


def _globals(serialized: str) -> list[str]:
    """The module paths a serialized provider's pickle names."""
    ops = list(pickletools.genops(base64.b64decode(serialized)))
    return [str(arg) for op, arg, _ in ops if op.name == "SHORT_BINUNICODE" and str(arg).startswith("riva_tir")]


def test_every_provider_is_pickled_by_a_recorded_path() -> None:
    providers = _providers()
    assert {f"{cls.__module__}:{cls.__qualname__}" for cls in providers} == STATE_PATHS
    for cls in providers:
        assert _globals(serialize_provider(cls())) == [cls.__module__]


def test_paths_of_the_first_layout_move_to_the_package() -> None:
    assert moved("components.providers.node") == "riva_tir.providers.node"
    assert moved("tir.client") == "riva_tir.tir.client"
    assert moved("tir_emulator.state") == "riva_tir.emulator.state"
    assert moved("riva_tir.providers.node") == "riva_tir.providers.node"
    assert moved("tirx") == "tirx"


def test_a_current_pickle_is_left_as_it_is() -> None:
    from riva_tir.providers.node import NodeProvider

    serialized = serialize_provider(NodeProvider())
    assert rewrite_provider(serialized) == serialized
