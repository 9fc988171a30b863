from tir.datasets.client import DatasetsClient
from tir.datasets.models import Dataset
from tir.datasets.specs import DatasetSpec, PvcSpec

__all__ = ["Dataset", "DatasetSpec", "DatasetsClient", "PvcSpec"]
