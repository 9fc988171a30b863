"""Riva's punctuation entry point (`<name>-<language>`) as a Python-based Triton backend.

Per text: the words (edge punctuation stripped: the BERT network is uncased and sees bare
words) go to the network its parameters name, through Triton (BLS); its heads' classes, read
with the label files in this model's version directory, put the punctuation after each word
and raise its first letter. Letters the input already had in upper case stay.
"""

import json
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

EDGE = ".,;:!?\"()[]{}"


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.network = config["parameters"]["network"]["string_value"]
        folder = Path(args["model_repository"]) / args["model_version"]
        self.punctuation = (folder / "punct_label_ids.csv").read_text(encoding="utf-8").split("\n")[:-1]
        self.capitalization = (folder / "capit_label_ids.csv").read_text(encoding="utf-8").split("\n")[:-1]

    def execute(self, requests):
        responses = []
        for request in requests:
            texts = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy().reshape(-1)
            out = np.array([self._punctuate(t.decode("utf-8")).encode("utf-8") for t in texts], dtype=object)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("TEXT", out)]))
        return responses

    def _punctuate(self, text):
        words = [w for w in (w.strip(EDGE) for w in text.split()) if w]
        if not words:
            return ""
        tokens = pb_utils.Tensor("tokens", np.array([w.lower().encode("utf-8") for w in words], dtype=object))
        response = pb_utils.InferenceRequest(model_name=self.network, inputs=[tokens],
                                             requested_output_names=["punct_logits", "capit_logits"]).exec()
        if response.has_error():
            raise pb_utils.TritonModelException(f"{self.network}: {response.error().message()}")
        punct = pb_utils.get_output_tensor_by_name(response, "punct_logits").as_numpy().argmax(axis=-1)
        capit = pb_utils.get_output_tensor_by_name(response, "capit_logits").as_numpy().argmax(axis=-1)
        out = []
        for word, p, c in zip(words, punct, capit):
            if self.capitalization[c] == "U":
                word = word[0].upper() + word[1:]
            label = self.punctuation[p]
            out.append(word + ("" if label == "O" else label))
        return " ".join(out)
