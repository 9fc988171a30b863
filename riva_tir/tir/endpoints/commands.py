"""Wire encoding of ``detailed_info.commands``/``args``.

TIR wants base64 text; senders disagree on what is inside (SDK: Python ``repr``
of a list, TF: usually JSON), and responses may show plain arrays. We send
base64 of a JSON array and read all three forms.
"""

from __future__ import annotations

import ast
import base64
import binascii
import json
from collections.abc import Sequence


def encode_command_list(items: Sequence[str]) -> str:
    return base64.b64encode(json.dumps(list(items)).encode("utf-8")).decode("ascii")


def _parse_list_text(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValueError("not a JSON or Python list") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return value


def decode_command_list(value: object) -> list[str]:
    """A list of strings from an array, or base64 (or plain) text of a JSON/Python list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if not isinstance(value, str):
        raise ValueError("must be a list or base64 text")
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        text = value  # not base64: maybe the list text itself
    return _parse_list_text(text)
