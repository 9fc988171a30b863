"""Riva's BLS ensemble (`<name>-asr-bls-ensemble`) as a Python-based Triton backend.

The pipeline's front end and its business logic: audio samples at any rate in, 16 kHz PCM
framed on the pipeline's `ms_per_timestep`, voice activity detection, then the acoustic model
and the CTC decoder named in its parameters, called through Triton (BLS), text out. A model
that is missing or not loaded fails the request inside Triton, as Riva's would.
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils

SAMPLE_RATE = 16000
# ASSUMPTION: below this RMS (16-bit samples, about -70 dBFS) audio holds no voice; Riva's
# pipeline has a voice activity detector (docs/riva.md §6), pocketsphinx alone would make up
# a word for digital silence.
SILENCE_RMS = 10.0


def _resampled(samples, factor):
    """Samples stretched to `factor` times their length (linear: enough for a stand-in)."""
    if factor == 1.0 or not len(samples):
        return samples
    at = np.arange(0, len(samples), 1 / factor)
    return np.interp(at, np.arange(len(samples)), samples)


def _infer(model, inputs, output):
    response = pb_utils.InferenceRequest(model_name=model, inputs=inputs,
                                         requested_output_names=[output]).exec()
    if response.has_error():
        raise pb_utils.TritonModelException(f"{model}: {response.error().message()}")
    return pb_utils.get_output_tensor_by_name(response, output).as_numpy()


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        params = {k: v["string_value"] for k, v in config.get("parameters", {}).items()}
        self.acoustic = params["acoustic_model"]
        self.decoder = params["decoder_model"]
        # A pipeline built with ms_per_timestep M for an acoustic model whose frames last N ms
        # places every frame M/N times as far apart as it is (docs/emulator.md).
        self.time_scale = float(params["ms_per_timestep"]) / float(params["model_ms_per_timestep"])

    def execute(self, requests):
        return [self._transcribe(request) for request in requests]

    def _transcribe(self, request):
        audio = pb_utils.get_input_tensor_by_name(request, "AUDIO_SIGNAL").as_numpy()
        rates = pb_utils.get_input_tensor_by_name(request, "SAMPLE_RATE").as_numpy()
        texts = []
        for samples, rate in zip(audio, rates.reshape(-1)):
            pcm = _resampled(samples.astype(np.float64) * 32767, SAMPLE_RATE / int(rate or SAMPLE_RATE))
            if not len(pcm) or float(np.sqrt(np.mean(pcm ** 2))) < SILENCE_RMS:
                texts.append(b"")
                continue
            signal = (_resampled(pcm, self.time_scale) / 32767).astype(np.float32)[None, :]
            logprobs = _infer(self.acoustic, [pb_utils.Tensor("audio_signal", signal)], "logprobs")
            text = _infer(self.decoder, [pb_utils.Tensor("CLASS_LOGITS", logprobs)], "FINAL_TRANSCRIPTS")
            texts.append(text.reshape(-1)[0])
        out = np.array(texts, dtype=object).reshape(-1, 1)
        return pb_utils.InferenceResponse([pb_utils.Tensor("FINAL_TRANSCRIPTS", out)])
