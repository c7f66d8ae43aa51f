"""Credentials at rest (webhook URLs holding tokens, signing secrets, API tokens): sealed with
AES-256-GCM (the `cryptography` package) under a key derived from the instance key
(ASPM_SECRET_KEY) with HKDF-SHA256.

A sealed value is `v1.<base64url(nonce || ciphertext+tag)>`. The associated data names the row and
the field (e.g. `webhook:<id>:url`), so a sealed value copied into another row or field does not
open. Changing ASPM_SECRET_KEY makes every sealed value unreadable: enter them again (README).
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from aspm.errors import AspmError

PREFIX = "v1."
_INFO = b"aspm integrations credentials v1"
_NONCE_BYTES = 12


class Unreadable(AspmError):  # noqa: N818 - the instance key changed, or the value was tampered
    pass


def _key(instance_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(instance_key)


def seal(value: str, *, instance_key: bytes, context: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(instance_key)).encrypt(nonce, value.encode(), context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def open_sealed(sealed: str, *, instance_key: bytes, context: str) -> str:
    if not sealed.startswith(PREFIX):
        raise Unreadable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :].encode("ascii"))
        plain = AESGCM(_key(instance_key)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()
        )
    except (InvalidTag, ValueError) as exc:
        raise Unreadable(
            "a stored credential cannot be read with this instance key (ASPM_SECRET_KEY "
            "changed?): enter it again"
        ) from exc
    return plain.decode()
