"""Model repositories: models and request specs. The client is `tir.model_repositories.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.model_repositories.models import Bucket, BucketObject, ModelRepository, S3Credentials
from riva_tir.tir.model_repositories.specs import RepositorySpec

__all__ = ["Bucket", "BucketObject", "ModelRepository", "RepositorySpec", "S3Credentials"]
