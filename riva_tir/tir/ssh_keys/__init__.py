"""SSH keys: models and specs. The client is `tir.ssh_keys.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.ssh_keys.models import PublicKey, SshKey, SshKeySpec, check_public_key, key_material

__all__ = ["PublicKey", "SshKey", "SshKeySpec", "check_public_key", "key_material"]
