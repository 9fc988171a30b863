"""Riva's `riva_asr_decoder` (the CTC decoder) as a Python-based Triton backend: greedy CTC
decoding of the acoustic model's per-frame log-probabilities over the vocabulary riva-deploy
wrote into the model's version directory (`vocabulary.txt`, one symbol a line; the blank is
the class after the last symbol)."""

from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        folder = Path(args["model_repository"]) / args["model_version"]
        self.vocabulary = (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
        self.vocabulary = [symbol.replace("▁", " ") for symbol in self.vocabulary if symbol]

    def execute(self, requests):
        responses = []
        for request in requests:
            logits = pb_utils.get_input_tensor_by_name(request, "CLASS_LOGITS").as_numpy()
            texts = [self._decode(frames).encode() for frames in logits]
            out = np.array(texts, dtype=object).reshape(-1, 1)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("FINAL_TRANSCRIPTS", out)]))
        return responses

    def _decode(self, frames):
        blank, previous, symbols = len(self.vocabulary), None, []
        for best in np.argmax(frames, axis=-1):
            if best != previous and best != blank:
                symbols.append(self.vocabulary[best])
            previous = best
        return " ".join("".join(symbols).split())
