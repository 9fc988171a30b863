"""Riva's TTS entry point (`fastpitch_hifigan_ensemble-<voice>`) as a Python-based Triton
backend: the text through the steps its parameters name, each through Triton (BLS):
preprocessor, FastPitch encoder, chunker, the HiFi-GAN vocoder chunk by chunk, and the
postprocessor at the asked sample rate (0: the rate the pipeline was built for)."""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


def _infer(model, inputs, outputs):
    response = pb_utils.InferenceRequest(model_name=model, inputs=inputs, requested_output_names=outputs).exec()
    if response.has_error():
        raise pb_utils.TritonModelException(f"{model}: {response.error().message()}")
    return [pb_utils.get_output_tensor_by_name(response, name).as_numpy() for name in outputs]


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.params = {k: v["string_value"] for k, v in config["parameters"].items()}

    def execute(self, requests):
        return [self._synthesize(request) for request in requests]

    def _synthesize(self, request):
        p = self.params
        text = pb_utils.get_input_tensor_by_name(request, "TEXT")
        speaker = pb_utils.get_input_tensor_by_name(request, "SPEAKER")
        rate = int(pb_utils.get_input_tensor_by_name(request, "SAMPLE_RATE").as_numpy().reshape(-1)[0])
        (normalized,) = _infer(p["preprocessor"], [text], ["TEXT"])
        (frames,) = _infer(p["encoder"], [pb_utils.Tensor("TEXT", normalized), speaker], ["SPECTROGRAM"])
        chunks, filled = _infer(p["chunker"], [pb_utils.Tensor("SPECTROGRAM", frames)], ["CHUNKS", "FRAMES"])
        pieces = [_infer(p["vocoder"], [pb_utils.Tensor("SPECTROGRAM", chunk[:count])], ["AUDIO"])[0]
                  for chunk, count in zip(chunks, filled) if count > 0]
        waveform = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        target = np.array([rate or int(p["sample_rate"])], dtype=np.uint32)
        (audio,) = _infer(p["postprocessor"], [pb_utils.Tensor("AUDIO", waveform.astype(np.float32)),
                                               pb_utils.Tensor("SAMPLE_RATE", target)], ["AUDIO"])
        return pb_utils.InferenceResponse([pb_utils.Tensor("AUDIO", audio)])
