"""Riva's TTS postprocessor (`tts_postprocessor-<voice>`) as a Python-based Triton backend: the
vocoder's waveform at the model's rate, resampled (linear interpolation) to the asked rate,
with 5 ms fades at both ends so the audio neither starts nor stops with a click."""

import json

import numpy as np
import triton_python_backend_utils as pb_utils

FADE_S = 0.005


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.rate = int(config["parameters"]["model_sample_rate"]["string_value"])

    def execute(self, requests):
        responses = []
        for request in requests:
            audio = pb_utils.get_input_tensor_by_name(request, "AUDIO").as_numpy().astype(np.float64)
            rate = int(pb_utils.get_input_tensor_by_name(request, "SAMPLE_RATE").as_numpy().reshape(-1)[0])
            if rate != self.rate and len(audio):
                audio = np.interp(np.arange(0, len(audio), self.rate / rate), np.arange(len(audio)), audio)
            fade = min(len(audio) // 2, int(rate * FADE_S))
            if fade:
                ramp = np.linspace(0.0, 1.0, fade)
                audio[:fade] *= ramp
                audio[-fade:] *= ramp[::-1]
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("AUDIO", audio.astype(np.float32))]))
        return responses
