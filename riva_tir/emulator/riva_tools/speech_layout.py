"""The Triton models `riva-deploy` writes for a punctuation and a speech-synthesis pipeline
(docs/riva.md §6; names as deployed 2.19 repositories show them).

Punctuation, name N (default `riva-punctuation`), language L: the entry point `N-L` and the
BERT network `riva-trt-N-L-nn-bert-base-uncased` (`tensorrt_plan`, `1/model.plan`). The
network has a punctuation head (classes PUNCTUATION_LABELS) and a capitalization head (classes
CAPITALIZATION_LABELS) over the words it is given; the entry point writes the label files
into its version directory and applies the heads' choices.

Speech synthesis, voice V: the entry point `fastpitch_hifigan_ensemble-V`, then the steps it
calls: `tts_preprocessor-V` (text normalization, with the build's auxiliary files in `1/`),
`riva-onnx-fastpitch_encoder-V` (`onnxruntime_onnx`, `1/model.onnx`: text to a spectrogram of
HOP-sample frames at MODEL_RATE), `spectrogram_chunker-V` (frames into chunks for streaming),
`riva-trt-hifigan-V` (`tensorrt_plan`: frames to a waveform) and `tts_postprocessor-V`
(to the asked sample rate).

ASSUMPTION: as for ASR (triton_layout.py), the entry points and the pre/post steps are
declared in Riva backends of their own (`riva_nlp_punctuation`, `riva_tts_bls`,
`riva_tts_preprocessor`, `riva_tts_chunker`, `riva_tts_postprocessor`), which the emulator's
Triton plays with Python-based backends; the real configs are UNKNOWN. Each entry point's
`parameters` say what it serves (`task`, `language_code`, and for TTS `voice_name`,
`sample_rate`, `subvoices`) and name the models it calls; the Riva API stand-in reads them
through Triton's ModelConfig call.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

PUNCTUATION_TASK = "punctuation"
SYNTHESIS_TASK = "speech_synthesis"
PUNCTUATION_LABELS = ("O", ",", ".", "?")
CAPITALIZATION_LABELS = ("O", "U")
MODEL_RATE = 22050  # FastPitch + HiFi-GAN's own sample rate
HOP = 256  # samples per spectrogram frame
CHUNK_FRAMES = 64  # frames per streamed chunk (about 0.74 s)


def _tensor(name: str, dtype: int, dims: list[int], output: bool = False) -> mc.ModelInput | mc.ModelOutput:
    return (mc.ModelOutput if output else mc.ModelInput)(name=name, data_type=dtype, dims=dims)


def _config(name: str, inputs: list[tuple[str, int, list[int]]], outputs: list[tuple[str, int, list[int]]],
            params: dict[str, str], *, backend: str = "", platform: str = "", filename: str = "") -> str:
    config = mc.ModelConfig(
        name=name, backend=backend, platform=platform, max_batch_size=0,
        input=[_tensor(*spec) for spec in inputs],
        output=[_tensor(*spec, output=True) for spec in outputs],
        # KIND_AUTO for the networks (the GPU where there is one), the CPU for the rest.
        instance_group=[mc.ModelInstanceGroup(
            count=1, kind=mc.ModelInstanceGroup.KIND_AUTO if platform else mc.ModelInstanceGroup.KIND_CPU)],
    )
    if filename:
        config.default_model_filename = filename
    for key, value in params.items():
        config.parameters[key].string_value = value
    return str(text_format.MessageToString(config))


@dataclass(frozen=True)
class PunctuationModels:
    ensemble: str
    network: str

    @classmethod
    def for_pipeline(cls, name: str, language: str) -> PunctuationModels:
        return cls(f"{name}-{language}", f"riva-trt-{name}-{language}-nn-bert-base-uncased")

    @property
    def names(self) -> tuple[str, ...]:
        return self.ensemble, self.network

    def configs(self, language: str) -> dict[str, str]:
        """Model name -> config.pbtxt."""
        return {
            self.ensemble: _config(self.ensemble, [("TEXT", mc.TYPE_STRING, [-1])], [("TEXT", mc.TYPE_STRING, [-1])],
                                   {"task": PUNCTUATION_TASK, "language_code": language, "network": self.network},
                                   backend="riva_nlp_punctuation"),
            self.network: _config(self.network, [("tokens", mc.TYPE_STRING, [-1])],
                                  [("punct_logits", mc.TYPE_FP32, [-1, len(PUNCTUATION_LABELS)]),
                                   ("capit_logits", mc.TYPE_FP32, [-1, len(CAPITALIZATION_LABELS)])],
                                  {}, platform="tensorrt_plan", filename="model.plan"),
        }


@dataclass(frozen=True)
class SynthesisModels:
    ensemble: str
    preprocessor: str
    encoder: str
    chunker: str
    vocoder: str
    postprocessor: str

    @classmethod
    def for_voice(cls, voice: str) -> SynthesisModels:
        return cls(f"fastpitch_hifigan_ensemble-{voice}", f"tts_preprocessor-{voice}",
                   f"riva-onnx-fastpitch_encoder-{voice}", f"spectrogram_chunker-{voice}",
                   f"riva-trt-hifigan-{voice}", f"tts_postprocessor-{voice}")

    @property
    def names(self) -> tuple[str, ...]:
        return self.ensemble, self.preprocessor, self.encoder, self.chunker, self.vocoder, self.postprocessor

    def configs(self, manifest: dict[str, object], speakers: int) -> dict[str, str]:
        """Model name -> config.pbtxt, from the RMIR's manifest."""
        text, frames = ("TEXT", mc.TYPE_STRING, [1]), ("SPECTROGRAM", mc.TYPE_FP32, [-1, HOP])
        audio, rate = ("AUDIO", mc.TYPE_FP32, [-1]), ("SAMPLE_RATE", mc.TYPE_UINT32, [1])
        files = manifest.get("files")
        aux = {flag: str(name) for flag, name in files.items()} if isinstance(files, dict) else {}
        flags = manifest.get("flags")
        upper = str(flags.get("upper_case_chars", False)) if isinstance(flags, dict) else "False"
        return {
            self.ensemble: _config(
                self.ensemble, [text, ("SPEAKER", mc.TYPE_INT32, [1]), rate], [audio],
                {"task": SYNTHESIS_TASK, "voice_name": str(manifest["voice_name"]),
                 "language_code": str(manifest["language_code"]), "sample_rate": str(manifest["sample_rate"]),
                 "subvoices": str(manifest.get("subvoices", "")), "model_sample_rate": str(MODEL_RATE),
                 "preprocessor": self.preprocessor, "encoder": self.encoder, "chunker": self.chunker,
                 "vocoder": self.vocoder, "postprocessor": self.postprocessor},
                backend="riva_tts_bls"),
            self.preprocessor: _config(self.preprocessor, [text], [text], {**aux, "upper_case_chars": upper},
                                       backend="riva_tts_preprocessor"),
            self.encoder: _config(self.encoder, [text, ("SPEAKER", mc.TYPE_INT32, [1])], [frames],
                                  {"num_speakers": str(speakers), "sample_rate": str(MODEL_RATE)},
                                  platform="onnxruntime_onnx", filename="model.onnx"),
            self.chunker: _config(self.chunker, [frames],
                                  [("CHUNKS", mc.TYPE_FP32, [-1, CHUNK_FRAMES, HOP]), ("FRAMES", mc.TYPE_INT32, [-1])],
                                  {"chunk_frames": str(CHUNK_FRAMES)}, backend="riva_tts_chunker"),
            self.vocoder: _config(self.vocoder, [frames], [audio], {}, platform="tensorrt_plan",
                                  filename="model.plan"),
            self.postprocessor: _config(self.postprocessor, [audio, rate], [audio],
                                        {"model_sample_rate": str(MODEL_RATE)}, backend="riva_tts_postprocessor"),
        }
