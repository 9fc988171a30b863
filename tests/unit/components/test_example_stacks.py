"""The stacks the repository ships (stacks/Pulumi.*.yaml) are valid stack config: users copy
dev and prod, and the local stack is what `./scripts/up-local` deploys."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riva_tir import NAMESPACE
from riva_tir.config import StackConfig
from riva_tir.emulator.riva_tools import make_riva_archive

STACKS = sorted((Path(__file__).resolve().parents[3] / "stacks").glob("Pulumi.*.yaml"))


@pytest.mark.parametrize("path", STACKS, ids=[p.name for p in STACKS])
def test_shipped_stack_config_is_valid(path: Path, tmp_path: Path) -> None:
    config = yaml.safe_load(path.read_text())["config"]
    plain = {key.split(":", 1)[1]: value for key, value in config.items()
             if key.startswith(f"{NAMESPACE}:") and not (isinstance(value, dict) and "secure" in value)}
    if "file" in plain["model"]:  # the local stack's model is made by ./scripts/up-local
        make_riva_archive(tmp_path / "model.riva", model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=4096)
        plain["model"] = {**plain["model"], "file": str(tmp_path / "model.riva")}
    for entry in plain.get("models", []):  # and its other models' stand-ins
        for field, kind in (("file", entry["kind"]), ("fastpitch", "tts_fastpitch"), ("hifigan", "tts_hifigan")):
            source = entry.get(field)
            if isinstance(source, dict) and "file" in source or field == "file" and source:
                made = tmp_path / f"{kind}-{len(list(tmp_path.iterdir()))}.riva"
                make_riva_archive(made, model=kind, kind=kind, key="tlt_encode", size_bytes=4096)
                if field == "file":
                    entry["file"] = str(made)
                else:
                    entry[field] = {"file": str(made)}
    stack = StackConfig.model_validate(plain)
    assert not [w for w in stack.warnings() if "nvcr.io" in w], "shipped stacks use images TIR can pull"


def test_every_stack_is_checked() -> None:
    assert {p.name for p in STACKS} >= {"Pulumi.local.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"}
