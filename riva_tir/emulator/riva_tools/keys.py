"""Model-key handling shared by the `.riva` and `.rmir` stand-ins.

A key never leaves this module in clear: archives store only a random salt and a check value
derived from the key with scrypt, and payloads are AES-256-CTR encrypted with a key derived
the same way. CTR mode lets multi-GB payloads be transformed chunk by chunk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_SCRYPT_N = 2**14


class KeyMismatch(Exception):
    """The given key does not open the archive (the message never contains the key)."""


@dataclass(frozen=True)
class SealedKey:
    """What an archive manifest stores about its key: salt, check value and the CTR nonce."""

    salt: str
    check: str
    nonce: str

    def as_manifest(self) -> dict[str, str]:
        return {"kdf": "scrypt", "salt": self.salt, "check": self.check, "nonce": self.nonce}

    @classmethod
    def from_manifest(cls, data: object) -> SealedKey:
        if not isinstance(data, dict):
            raise ValueError("manifest key block is not an object")
        return cls(salt=str(data["salt"]), check=str(data["check"]), nonce=str(data["nonce"]))


def _derive(key: str, salt: bytes) -> tuple[bytes, bytes]:
    """(cipher key, check value) from one scrypt run."""
    material = hashlib.scrypt(key.encode(), salt=salt, n=_SCRYPT_N, r=8, p=1, dklen=64)
    return material[:32], material[32:]


def seal(key: str) -> tuple[SealedKey, bytes]:
    """New salt and nonce for `key`; returns the manifest block and the cipher key."""
    salt = secrets.token_bytes(16)
    cipher_key, check = _derive(key, salt)
    sealed = SealedKey(salt=salt.hex(), check=check.hex(), nonce=secrets.token_bytes(16).hex())
    return sealed, cipher_key


def open_sealed(sealed: SealedKey, key: str) -> bytes:
    """The cipher key if `key` is the one the archive was sealed with, else KeyMismatch."""
    cipher_key, check = _derive(key, bytes.fromhex(sealed.salt))
    if not hmac.compare_digest(check.hex(), sealed.check):
        raise KeyMismatch("the key does not match the archive")
    return cipher_key


def ctr_stream(chunks: Iterable[bytes], cipher_key: bytes, nonce_hex: str) -> Iterator[bytes]:
    """AES-256-CTR over a chunk stream (encrypts and decrypts alike)."""
    ctx = Cipher(algorithms.AES(cipher_key), modes.CTR(bytes.fromhex(nonce_hex))).encryptor()
    for chunk in chunks:
        yield ctx.update(chunk)
    tail = ctx.finalize()
    if tail:
        yield tail
