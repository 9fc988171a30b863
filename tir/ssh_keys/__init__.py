from tir.ssh_keys.client import SshKeysClient
from tir.ssh_keys.models import PublicKey, SshKey, SshKeySpec, check_public_key, key_material

__all__ = ["PublicKey", "SshKey", "SshKeySpec", "SshKeysClient", "check_public_key", "key_material"]
