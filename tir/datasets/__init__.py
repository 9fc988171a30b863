"""Datasets: models and request specs. The client is `tir.datasets.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from tir.datasets.models import Dataset
from tir.datasets.specs import DatasetSpec, PvcSpec

__all__ = ["Dataset", "DatasetSpec", "PvcSpec"]
