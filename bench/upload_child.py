"""Child process of benchmark 4: one artifact upload exactly as the engine's provider
process runs it (`ModelArtifactProvider.create`), from inputs in a JSON file."""
import json
import sys
from pathlib import Path

from riva_tir.providers.artifact import ModelArtifactProvider

result = ModelArtifactProvider().create(json.loads(Path(sys.argv[1]).read_text()))
print((result.outs or {})["size_bytes"])
