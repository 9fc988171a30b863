from tir.model_repositories.client import ModelRepositoriesClient
from tir.model_repositories.models import Bucket, BucketObject, ModelRepository, S3Credentials
from tir.model_repositories.specs import RepositorySpec

__all__ = ["Bucket", "BucketObject", "ModelRepositoriesClient", "ModelRepository", "RepositorySpec", "S3Credentials"]
