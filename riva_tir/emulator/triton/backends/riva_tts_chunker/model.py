"""Riva's spectrogram chunker (`spectrogram_chunker-<voice>`) as a Python-based Triton backend:
the encoder's frames in chunks of `chunk_frames` (the last one zero-padded), with the number of
real frames in each, so the vocoder can run chunk by chunk as streaming synthesis does."""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.size = int(config["parameters"]["chunk_frames"]["string_value"])

    def execute(self, requests):
        responses = []
        for request in requests:
            frames = pb_utils.get_input_tensor_by_name(request, "SPECTROGRAM").as_numpy()
            count = max(1, -(-len(frames) // self.size))
            chunks = np.zeros((count, self.size, frames.shape[1]), dtype=np.float32)
            chunks.reshape(-1, frames.shape[1])[:len(frames)] = frames
            filled = np.array([min(self.size, len(frames) - i * self.size) for i in range(count)], dtype=np.int32)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("CHUNKS", chunks),
                                                         pb_utils.Tensor("FRAMES", np.maximum(filled, 0))]))
        return responses
