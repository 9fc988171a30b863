"""TensorRT engines (`platform: "tensorrt_plan"`) as a Python-based Triton backend.

Loading checks what TensorRT would: the version holds the engine (`model.plan`, or the
config's `default_model_filename`), and every plugin library the engine needs (its config's
`parameters["trt_plugins"]`, a stand-in convention: a real engine records them itself) is
mapped into this process, which only LD_PRELOAD does (docs/riva.md §6). The engine's input
binding says which network it is (riva_tir/emulator/riva_tools/triton_layout.py and
speech_layout.py):
- `audio_signal`, the ASR acoustic model: recognizes the audio with pocketsphinx and emits one
  CTC frame per symbol over the model's output classes (`vocabulary.txt` in the version
  directory, plus the blank), as an acoustic model's log-probabilities;
- `tokens`, the punctuation BERT: per word, a punctuation class (none , . ?) and a
  capitalization class (lower, upper) from rules of English (punctuation.py beside this file);
- `SPECTROGRAM`, the HiFi-GAN vocoder: the FastPitch stand-in's frames hold their hop's
  samples, so vocoding lays them end to end as a waveform.
"""

import json
import sys
import threading
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
from punctuation import heads  # noqa: E402 (beside this file, not on the stub's path)

CHOSEN, OTHER = 0.0, -30.0  # log-probabilities of a frame's symbol and of the rest


def _mapped_libraries():
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return {Path(line.split()[-1]).name for line in maps if line.rstrip().endswith(".so")}


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        folder = Path(args["model_repository"]) / args["model_version"]
        plan = config.get("default_model_filename") or "model.plan"
        if not (folder / plan).is_file():
            raise pb_utils.TritonModelException(f"unable to find '{plan}' in version {args['model_version']}")
        needed = config.get("parameters", {}).get("trt_plugins", {}).get("string_value", "")
        loaded = _mapped_libraries()
        for plugin in filter(None, needed.split(",")):
            if plugin not in loaded:
                raise pb_utils.TritonModelException(
                    f"unable to deserialize the TensorRT engine: plugin library '{plugin}' not found "
                    "(IPluginCreator not found in Plugin Registry: undefined symbol); preload it with LD_PRELOAD")
        self.network = config["input"][0]["name"]
        if self.network != "audio_signal":
            return
        vocabulary = (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
        self.classes = {symbol.replace("▁", " "): i for i, symbol in enumerate(s for s in vocabulary if s)}
        self.blank = len(self.classes)
        self.lock = threading.Lock()
        self.decoder = None  # loaded on the first request: a replica starts faster

    def execute(self, requests):
        if self.network == "tokens":
            return [self._punctuate(request) for request in requests]
        if self.network == "SPECTROGRAM":
            return [self._vocode(request) for request in requests]
        responses = []
        for request in requests:
            audio = pb_utils.get_input_tensor_by_name(request, "audio_signal").as_numpy()
            frames = [self._frames(self._recognize(samples)) for samples in audio]
            width = max(len(f) for f in frames)
            batch = np.full((len(frames), width, self.blank + 1), OTHER, dtype=np.float32)
            batch[:, :, self.blank] = CHOSEN
            for row, symbols in enumerate(frames):
                batch[row, np.arange(len(symbols)), self.blank] = OTHER
                batch[row, np.arange(len(symbols)), symbols] = CHOSEN
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("logprobs", batch)]))
        return responses

    def _punctuate(self, request):
        words = [w.decode("utf-8") for w in pb_utils.get_input_tensor_by_name(request, "tokens").as_numpy().reshape(-1)]
        punct, capit = heads(words)
        return pb_utils.InferenceResponse([pb_utils.Tensor("punct_logits", punct.astype(np.float32)),
                                           pb_utils.Tensor("capit_logits", capit.astype(np.float32))])

    def _vocode(self, request):
        frames = pb_utils.get_input_tensor_by_name(request, "SPECTROGRAM").as_numpy()
        return pb_utils.InferenceResponse([pb_utils.Tensor("AUDIO", frames.reshape(-1).astype(np.float32))])

    def _recognize(self, samples):
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        with self.lock:
            if self.decoder is None:
                from pocketsphinx import Decoder

                self.decoder = Decoder(loglevel="FATAL")
            self.decoder.start_utt()
            self.decoder.process_raw(pcm, no_search=False, full_utt=True)
            self.decoder.end_utt()
            hyp = self.decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def _frames(self, text):
        """CTC frames spelling `text`: a blank between repeated symbols, unknown ones dropped."""
        frames, previous = [], None
        for char in text.lower():
            symbol = self.classes.get(char)
            if symbol is None:
                continue
            if symbol == previous:
                frames.append(self.blank)
            frames.append(symbol)
            previous = symbol
        return frames
