"""ModelRepository: the TIR model repository (an EOS bucket) that holds the Triton model
repository riva-deploy wrote. Its S3 credentials are secret outputs.

RepositoryContent watches what was published there: emptied outside Pulumi, it shows in
`refresh`, and its new `marker` makes the next `up` publish again (and wake the node).
"""
from __future__ import annotations

import uuid

from typing import TYPE_CHECKING, Any, Literal

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import Field, SecretStr

from riva_tir.providers.base import (TirInputs, TirOutputs, TirProvider, TirResource,
                                       cleanup_failed_create, name_taken)
from riva_tir.providers.record import RecordInputs, RecordProvider
from riva_tir.tir import NotFound
from riva_tir.tir.model_repositories.models import ModelRepository as Repo
from riva_tir.tir.model_repositories.specs import RepositorySpec
from riva_tir.tir.validation import ResourceName

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient

_SPEC_FIELDS = {"name": "name", "storage_type": "storage_type", "bucket_name": "bucket_name",
                "access_key": "access_key", "secret_key": "secret_key"}
SECRET_OUTPUTS = ["credentials", "secret_key", "bucket_secret_key"]


class RepositoryInputs(TirInputs):
    name: ResourceName
    storage_type: Literal["managed", "e2e_s3", "external"] = "managed"
    bucket_name: str = ""
    access_key: str | None = None
    secret_key: SecretStr | None = None
    ready_timeout: float = Field(default=600, gt=0)


class RepositoryOutputs(TirOutputs):
    repository_id: int
    status: str | None
    bucket: str | None
    bucket_endpoint: str | None
    bucket_access_key: str | None
    bucket_secret_key: str | None  # a secret output (SECRET_OUTPUTS)


class ModelRepositoryProvider(TirProvider[RepositoryInputs, RepositoryOutputs]):
    inputs = RepositoryInputs
    outputs = RepositoryOutputs
    kind, collection = "model repository", "model_repositories"
    replace_on = frozenset({"name", "storage_type", "bucket_name", "access_key", "secret_key"})

    def spec_errors(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        return self.spec_check(RepositorySpec, _SPEC_FIELDS, {k: inputs.get(v) for k, v in _SPEC_FIELDS.items()})

    def make(self, tir: TirClient, props: dict[str, Any]) -> Repo:
        args = self.args(props)
        repo: Repo = tir.model_repositories.create_idempotent(RepositorySpec(
            name=args.name, model_type="triton", storage_type=args.storage_type,
            bucket_name=args.bucket_name, access_key=args.access_key, secret_key=args.secret_key))
        return repo

    def finish(self, tir: TirClient, props: dict[str, Any], made: Repo) -> RepositoryOutputs:
        args = self.args(props)
        with cleanup_failed_create(tir.model_repositories, made, f"model repository {args.name}"):
            repo = made if made.is_ready else tir.model_repositories.wait_ready(made.id, timeout=args.ready_timeout)
            return _outputs(repo)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only the credentials or the timeout can change in place; nothing to send.
        with self.client(news) as tir:
            return UpdateResult(self.result(news, _outputs(tir.model_repositories.get(int(_id)))))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            repo = tir.model_repositories.get_or_none(int(id_))
            return ReadResult(id_, self.result(props, _outputs(repo))) if repo else ReadResult("", {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.args(props)
        with self.client(props) as tir:
            try:
                tir.model_repositories.delete(int(id_))
            except NotFound:
                return
            tir.model_repositories.wait_deleted(int(id_), timeout=args.ready_timeout)


def _outputs(repo: Repo) -> RepositoryOutputs:
    bucket, creds = repo.bucket, repo.credentials
    return RepositoryOutputs(
        repository_id=repo.id, status=repo.status,
        bucket=bucket.bucket_name if bucket else None,
        bucket_endpoint=bucket.endpoint if bucket else None,
        bucket_access_key=creds.access_key if creds else None,
        bucket_secret_key=creds.secret_key.get_secret_value() if creds and creds.secret_key else None)


class BucketAccess:
    """The repository's bucket and its keys, as the publish step takes them."""

    bucket: pulumi.Output[str]
    bucket_endpoint: pulumi.Output[str]
    bucket_access_key: pulumi.Output[str]
    bucket_secret_key: pulumi.Output[str]  # a secret output


class ModelRepository(BucketAccess, TirResource, module="tir", name="ModelRepository"):
    """A TIR model repository of type triton; managed bucket unless told otherwise."""

    repository_id: pulumi.Output[int]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=SECRET_OUTPUTS))
        super().__init__(ModelRepositoryProvider(), name, props, opts)


# The marker `read` reports when the published models are gone from the bucket.
MISSING = "missing"


class ContentInputs(TirInputs):
    repository_id: int = Field(gt=0)
    prefix: str = ""


class ContentOutputs(TirOutputs):
    marker: str


class RepositoryContentProvider(TirProvider[ContentInputs, ContentOutputs]):
    inputs = ContentInputs
    outputs = ContentOutputs
    replace_on = frozenset({"repository_id", "prefix"})

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(self.args(props).repository_id),
                            self.result(props, ContentOutputs(marker=uuid.uuid4().hex)))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        if olds.get("marker") == MISSING:
            # A new marker is a new content record: its replacement shows it unknown in a
            # preview under any CLI, while an update in place keeps it (PublishTarget).
            return DiffResult(changes=True, replaces=result.replaces or ["marker"], delete_before_replace=False)
        return result

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.result(news, self.recorded(olds)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            try:
                objects = tir.model_repositories.list_objects(int(id_), props.get("prefix") or "")
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, props if objects else {**props, "marker": MISSING})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the publish step removes what it published."""


class RepositoryContent(TirResource, module="tir", name="RepositoryContent"):
    """Whether the published models are still in the repository's bucket (see module doc)."""

    marker: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RepositoryContentProvider(), name, props, opts)


class PublishTargetInputs(RecordInputs):
    repository_id: int
    bucket: str | None = None
    bucket_endpoint: str | None = None
    bucket_access_key: str | None = None
    bucket_secret_key: str | None = None
    content_id: int
    marker: str


class PublishTargetProvider(RecordProvider[PublishTargetInputs]):
    """A repository updated in place keeps its bucket and keys: every input that could change
    them replaces it (`replace_on`). Its content keeps its marker unless it is replaced (the
    models were found gone: RepositoryContentProvider.diff)."""

    inputs = PublishTargetInputs
    upstreams = {"repository_id": ("bucket", "bucket_endpoint", "bucket_access_key", "bucket_secret_key"),
                 "content_id": ("marker",)}


class PublishTarget(BucketAccess, TirResource, module="tir", name="PublishTarget"):
    """Where the publish step writes (the repository's bucket and its keys) and when it
    publishes again (the content's marker), recorded so that an update of either in place
    previews the step unchanged under any CLI (riva_tir/providers/record.py)."""

    marker: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["bucket_secret_key"]))
        super().__init__(PublishTargetProvider(), name, props, opts)
