"""Account SSH keys: create / list / find / find_by_key / create_idempotent / delete."""

from __future__ import annotations

import pytest

from tests.contract.harness import PUBKEY_A, PUBKEY_B, Contract
from riva_tir.tir import NotFound, ValidationFailed
from riva_tir.tir.ssh_keys import SshKeySpec

pytestmark = pytest.mark.emulator


def test_create_find_and_delete(contract: Contract) -> None:
    keys = contract.client.ssh_keys
    created = keys.create(SshKeySpec(label="alice", ssh_key=PUBKEY_A))
    assert created.id > 0 and created.label == "alice" and created.ssh_key == PUBKEY_A
    assert [k.id for k in keys.list()] == [created.id]
    assert keys.find("alice") == created
    material, _comment = PUBKEY_A.rsplit(" ", 1)
    found = keys.find_by_key(f"{material} another-comment")  # comments do not matter
    assert found is not None and found.id == created.id
    assert keys.find_by_key(PUBKEY_B) is None and keys.find("bob") is None

    keys.delete(created.id)
    assert keys.list() == [] and contract.control.inventory()["ssh_keys"] == []
    with pytest.raises(NotFound):
        keys.delete(created.id)


def test_duplicate_key_is_a_field_error(contract: Contract) -> None:
    keys = contract.client.ssh_keys
    keys.create(SshKeySpec(label="alice", ssh_key=PUBKEY_A))
    with pytest.raises(ValidationFailed) as caught:
        keys.create(SshKeySpec(label="alice-again", ssh_key=PUBKEY_A))
    assert "ssh_key" in caught.value.field_errors


def test_create_idempotent_after_a_dropped_post(contract: Contract) -> None:
    contract.control.faults({"fault": "drop", "method": "POST", "path": "ssh_keys/$", "nth": 1})
    created = contract.client.ssh_keys.create_idempotent(SshKeySpec(label="bob", ssh_key=PUBKEY_B))
    assert [k["id"] for k in contract.control.inventory()["ssh_keys"]] == [created.id]
    posts = contract.control.requests("POST", "ssh_keys/")
    assert [p["fault"] for p in posts] == ["drop", None] and posts[-1]["status"] == 200
