"""Riva's TTS preprocessor (`tts_preprocessor-<voice>`) as a Python-based Triton backend: text
normalization before the FastPitch encoder. Abbreviations from the build's
`--abbreviations_file` (copied into the version directory; one `ABBREVIATION EXPANSION` a
line) are expanded as whole words, with or without their period; white space is collapsed.
"""

import json
import re
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils


def _abbreviations(path):
    table = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and not parts[0].startswith("#"):
            table[parts[0].rstrip(".")] = parts[1].strip()
    return table


class TritonPythonModel:
    def initialize(self, args):
        params = {k: v["string_value"] for k, v in json.loads(args["model_config"]).get("parameters", {}).items()}
        folder = Path(args["model_repository"]) / args["model_version"]
        name = params.get("abbreviations_file")
        self.abbreviations = _abbreviations(folder / name) if name else {}
        self.pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(self.abbreviations, key=len, reverse=True)))
                                  + r")\b\.?") if self.abbreviations else None

    def execute(self, requests):
        responses = []
        for request in requests:
            text = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy().reshape(-1)[0].decode("utf-8")
            if self.pattern is not None:
                text = self.pattern.sub(lambda m: self.abbreviations[m.group(1)], text)
            out = np.array([" ".join(text.split()).encode("utf-8")], dtype=object)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("TEXT", out)]))
        return responses
