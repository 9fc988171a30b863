"""Account SSH keys: CRUD and lookups by label or key material."""

from __future__ import annotations

from typing import Any

import requests

from riva_tir.tir import TirClient
from riva_tir.tir.ssh_keys import SshKeySpec

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBKeyMaterialForTests deploy@riva"


def test_create_posts_label_and_key(client: TirClient, api: Any) -> None:
    api.reply("POST", "ssh_keys/", {"pk": 8, "label": "riva", "ssh_key": KEY}, status=200, scoped=False)
    key = client.ssh_keys.create(SshKeySpec(label="riva", ssh_key=KEY))
    assert key.id == 8
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "/myaccount/api/v1/gpu/ssh_keys/")
    assert call.body == {"label": "riva", "ssh_key": KEY}
    assert "project_id" not in call.query


def test_find_by_label_and_by_material_ignoring_comment(client: TirClient, api: Any) -> None:
    keys = [{"id": 1, "label": "other", "ssh_key": "ssh-rsa AAAAB3Nza other"},
            {"id": 2, "label": "riva", "ssh_key": KEY.replace("deploy@riva", "laptop")}]
    api.reply("GET", "ssh_keys/", keys, scoped=False)
    api.reply("GET", "ssh_keys/", keys, scoped=False)
    api.reply("GET", "ssh_keys/", keys, scoped=False)
    found = client.ssh_keys.find("riva")
    assert found is not None and found.id == 2
    by_key = client.ssh_keys.find_by_key(KEY)
    assert by_key is not None and by_key.id == 2
    assert client.ssh_keys.find("missing") is None


def test_create_idempotent_finds_key_after_lost_response(client: TirClient, api: Any) -> None:
    api.reply("POST", "ssh_keys/", exc=requests.ConnectionError("reset"), scoped=False)
    api.reply("GET", "ssh_keys/", [{"id": 3, "label": "riva", "ssh_key": KEY}], scoped=False)
    assert client.ssh_keys.create_idempotent(SshKeySpec(label="riva", ssh_key=KEY)).id == 3
    assert [c.method for c in api.calls] == ["POST", "GET"]


def test_delete(client: TirClient, api: Any) -> None:
    api.reply("DELETE", "ssh_keys/3/", {}, scoped=False)
    client.ssh_keys.delete(3)
    assert api.calls[0].method == "DELETE" and api.calls[0].path.endswith("/ssh_keys/3/")
