"""ONNX models (`platform: "onnxruntime_onnx"`) as a Python-based Triton backend: the FastPitch
encoder of a TTS pipeline (riva_tir/emulator/riva_tools/speech_layout.py).

Loading checks what ONNX Runtime would: the version holds the model (`model.onnx`, or the
config's `default_model_filename`). Inference speaks the text with eSpeak NG (the
`espeakng-loader` wheel ships libespeak-ng and its voice data; nothing is downloaded), driven
through its C API with ctypes, and returns it as the encoder's spectrogram: frames of HOP
samples at the model's rate (eSpeak's own 22050 Hz), each frame holding its hop's samples,
which the vocoder stand-in lays end to end. Speaker k of the model speaks with eSpeak's
variant VARIANTS[k % len(VARIANTS)]. The voice settings were chosen for pocketsphinx to
recognize the speech (docs/emulator.md, "Speech synthesis").
"""

import ctypes
import json
import threading
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

HOP = 256
# eSpeak's Klatt variants are the ones pocketsphinx recognizes best (docs/emulator.md).
VARIANTS = ("en-us+klatt5", "en-us+klatt4", "en-us+klatt3")
WORDS_PER_MINUTE = 150
PITCH = 50
RETRIEVAL = 1  # AUDIO_OUTPUT_RETRIEVAL: samples go to the callback
RATE, PITCH_PARAMETER = 1, 3
CHARS_UTF8, POS_CHARACTER = 1, 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class Speaker:
    """libespeak-ng in this process (it keeps global state: one speaker, under a lock)."""

    def __init__(self):
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.rate = self.lib.espeak_Initialize(RETRIEVAL, 0, espeakng_loader.get_data_path().encode(), 0)
        if self.rate <= 0:
            raise pb_utils.TritonModelException("eSpeak NG failed to initialize")
        self.chunks = []
        self.callback = _CALLBACK(self._collect)  # kept referenced while the library holds it
        self.lib.espeak_SetSynthCallback(self.callback)
        self.lock = threading.Lock()

    def _collect(self, samples, count, _events):
        if samples and count > 0:
            self.chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def speak(self, text, variant):
        raw = text.encode("utf-8")
        with self.lock:
            self.chunks = []
            if self.lib.espeak_SetVoiceByName(variant.encode()) != 0:
                raise pb_utils.TritonModelException(f"eSpeak NG has no voice {variant}")
            self.lib.espeak_SetParameter(RATE, WORDS_PER_MINUTE, 0)
            self.lib.espeak_SetParameter(PITCH_PARAMETER, PITCH, 0)
            if self.lib.espeak_Synth(raw, len(raw) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None) != 0:
                raise pb_utils.TritonModelException("eSpeak NG failed to synthesize")
            self.lib.espeak_Synchronize()
            chunks = self.chunks
        return np.concatenate(chunks).astype(np.float32) / 32768.0 if chunks else np.zeros(0, np.float32)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        folder = Path(args["model_repository"]) / args["model_version"]
        model = config.get("default_model_filename") or "model.onnx"
        if not (folder / model).is_file():
            raise pb_utils.TritonModelException(f"unable to find '{model}' in version {args['model_version']}")
        self.speakers = int(config["parameters"]["num_speakers"]["string_value"])
        self.speaker = Speaker()
        expected = int(config["parameters"]["sample_rate"]["string_value"])
        if self.speaker.rate != expected:
            raise pb_utils.TritonModelException(f"the model speaks at {self.speaker.rate} Hz, not {expected}")

    def execute(self, requests):
        responses = []
        for request in requests:
            text = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy().reshape(-1)[0].decode("utf-8")
            speaker = int(pb_utils.get_input_tensor_by_name(request, "SPEAKER").as_numpy().reshape(-1)[0])
            if not 0 <= speaker < self.speakers:
                raise pb_utils.TritonModelException(f"speaker {speaker} out of range (the model has {self.speakers})")
            samples = self.speaker.speak(text, VARIANTS[speaker % len(VARIANTS)])
            frames = np.zeros((-(-len(samples) // HOP), HOP), dtype=np.float32)
            frames.reshape(-1)[:len(samples)] = samples
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("SPECTROGRAM", frames)]))
        return responses
