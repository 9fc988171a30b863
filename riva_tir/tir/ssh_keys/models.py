"""Account SSH keys (``ssh_keys/``): not project-scoped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, AliasChoices, Field, StringConstraints

from riva_tir.tir._models import TirModel
from riva_tir.tir.validation import Spec

_KEY_TYPES = ("ssh-", "ecdsa-", "sk-")
def key_material(public_key: str) -> str:
    """``type base64`` without the comment: two copies of a key compare equal."""
    return " ".join(public_key.split()[:2])


def check_public_key(value: str) -> str:
    """OpenSSH one-line public key (``ssh-ed25519 AAAA... comment``); never a private key."""
    parts = value.split()
    if len(parts) < 2 or not parts[0].startswith(_KEY_TYPES):
        raise ValueError("must be an OpenSSH public key line like 'ssh-ed25519 AAAA... comment'")
    return value


PublicKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=16), AfterValidator(check_public_key)]


class SshKeySpec(Spec):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    ssh_key: PublicKey


class SshKey(TirModel):
    # ASSUMPTION: the id field name is not documented; accept "id" or "pk".
    id: int = Field(validation_alias=AliasChoices("id", "pk"))
    label: str = ""
    ssh_key: str = ""
    created_at: str | None = None


def same_key(keys: Iterable[SshKey], public_key: str) -> SshKey | None:
    """The key of `keys` with the type and material of `public_key` (comments ignored), or None."""
    wanted = key_material(public_key)
    return next((k for k in keys if key_material(k.ssh_key) == wanted), None)
