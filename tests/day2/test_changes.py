"""A sample of the day-2 change matrix (tests/day2/changes.py) on every run: each change's
preview lists exactly what its `up` does, and that is what the change should do."""
from __future__ import annotations

import pytest
from pydantic import BaseModel

from riva_tir.config import StackConfig
from tests.day2.changes import CHANGES, SAMPLES, render, run
from riva_tir.tir.config import DataPlane

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_sampled_changes_preview_what_up_does(sample: tuple[str, ...]) -> None:
    rows = run(list(sample))
    assert [r.name for r in rows] == [c.name for c in CHANGES if c.name in sample]
    assert all(r.ok for r in rows), render(rows)


# Under the SDK's own provider host (a stock Pulumi CLI), whose previews show every output of
# an updated resource as unknown (docs/day2.md, "Previews"): the node, repository and content
# updated in place (their records keep what the steps that connect and publish take), a node
# setting its record records, a node change the record keeps, Triton's address from its id,
# and the scaling from the endpoints' ids.
STOCK_SAMPLE = ("tir.apiRoot", "node.sshUser", "node.diskSizeGb", "triton.replicas", "triton.diskSizeGb",
                "rivaApi.plan")


def test_sampled_changes_preview_what_up_does_under_the_stock_host() -> None:
    rows = run(list(STOCK_SAMPLE), stock_host=True)
    assert [r.name for r in rows] == [c.name for c in CHANGES if c.name in STOCK_SAMPLE]
    assert all(r.ok for r in rows), render(rows)


# Keys the matrix does not change itself, and where each is covered instead.
ELSEWHERE = {
    "models": "tests/integration/test_speech_services.py (models added and removed one at a time, preview = up)",
    "triton.committedDays": "tests/integration/test_cost.py::test_committed_plan_in_preview_and_up",
    "rivaApi.committedDays": "the endpoint code path of triton.committedDays (tests/integration/test_cost.py)",
    "node.committedDays": "priced and checked as the endpoints' terms (tests/integration/test_cost.py); "
                          "no test changes a committed node's term",
    "tir.projectId": "identity: another project is another deployment (README, Day 2)",
    "tir.location": "identity: another region is another deployment (README, Day 2)",
    "tir.teamId": "changed together with tir.urlStyle in the matrix",
    "node.image": "tests/integration/test_registry_images.py (a new tag changes the node in place)",
    "node.registryNamespaceId": "with node.image, tests/integration/test_registry_images.py",
    "node.sshPublicKey": "tests/day2/test_rotation.py (key rotation in one up)",
    "node.trustedHostKey": "tests/integration/test_host_keys.py (re-pinning a rebuilt node)",
    "model.file": "tests/integration/test_deployment.py (a new model converts and rolls the endpoints)",
    "model.url": "tests/integration/test_artifact_sources.py",
    "model.ngc": "tests/integration/test_artifact_sources.py",
    "model.pipeline.model": "a build flag: converts again exactly as model.pipeline.extra_flags",
    "model.pipeline.language_code": "a build flag: converts again exactly as model.pipeline.extra_flags",
    "model.pipeline.decoder": "a build flag: converts again exactly as model.pipeline.extra_flags",
    "model.pipeline.lm_binary": "a build flag: converts again exactly as model.pipeline.extra_flags",
    "model.pipeline.vocab": "a build flag: converts again exactly as model.pipeline.extra_flags",
    "repository.storageType": "tests/day2/test_rotation.py (the team's own bucket, its keys rotated)",
    "repository.bucketName": "tests/day2/test_rotation.py",
    "repository.accessKey": "tests/day2/test_rotation.py",
    "triton.registryNamespaceId": "with triton.image, tests/integration/test_registry_images.py",
    "rivaApi.registryNamespaceId": "with rivaApi.image, tests/integration/test_registry_images.py",
    "triton.plan": "an endpoint plan: updates in place exactly as rivaApi.plan",
    "triton.autoscaling": "an endpoint size: EndpointScale updates exactly as rivaApi.autoscaling",
    "rivaApi.diskSizeGb": "an endpoint container setting: updates in place exactly as triton.diskSizeGb",
    "rivaApi.state": "changed together with triton.state in the matrix (they stop together)",
    "verify": "tests/team/test_verify.py (the verification step)",
    **{key: "tests/integration/test_doctor.py (pasted from the doctor against an emulator playing the "
            "alternative; `up` then converges and previews empty)"
       for key in ("tir.sshFields.user", "tir.ingress.projectHeader", "rivaApi.grpcPort")},
    "tir.sshFields.port": "changed in the matrix with tir.sshFields.host",
}
COLLAPSED = ("autoscaling", "retries")  # changed as a whole


def _schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        section = next((a for a in (getattr(field.annotation, "__args__", ()) or (field.annotation,))
                        if isinstance(a, type) and issubclass(a, BaseModel)), None)
        leaf = section is None or (field.alias or name) in COLLAPSED or section is DataPlane
        found += [key] if leaf else _schema_keys(section, key + ".")  # type: ignore[arg-type]
    return found


def test_every_stack_config_key_is_in_the_matrix_or_named_where_it_is_covered() -> None:
    keys = set(_schema_keys(StackConfig))
    matrix = {c.name for c in CHANGES}
    assert keys - matrix - set(ELSEWHERE) == set(), "stack config keys no day-2 test changes"
    assert (matrix | set(ELSEWHERE)) - keys == set(), "names that are not stack config keys"
    assert not matrix & set(ELSEWHERE)
