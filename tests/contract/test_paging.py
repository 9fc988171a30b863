"""Lists against a server that ignores `per_page` (docs/tir.md §2: SDK lists send no paging
parameters, so a server may answer with more or fewer items than asked)."""

from __future__ import annotations

import pytest

from tests.contract.harness import Contract
from riva_tir.tir.model_repositories import RepositorySpec

pytestmark = pytest.mark.emulator

NAMES = [f"page-repo-{i}" for i in range(5)]


@pytest.mark.parametrize("page_size", [2, None], ids=["fewer-than-asked", "everything-every-page"])
def test_lookup_by_name_never_misses_and_list_all_has_each_once(contract: Contract, page_size: int | None) -> None:
    repos = contract.client.model_repositories
    created = [repos.create(RepositorySpec(name=name)) for name in NAMES]
    contract.control.paging(ignore_per_page=True, page_size=page_size)
    last = repos.find(NAMES[-1])  # on the server's third page when it pages by 2
    assert last is not None and last.id == created[-1].id
    assert [r.id for r in repos.list_all()] == [r.id for r in created]


def test_retry_after_a_lost_response_finds_the_resource_on_a_later_page(contract: Contract) -> None:
    repos = contract.client.model_repositories
    for name in NAMES:
        repos.create(RepositorySpec(name=name))
    contract.control.paging(ignore_per_page=True, page_size=2)
    contract.control.faults({"fault": "lose_response", "method": "POST", "path": "serving/model/$", "nth": 1})
    made = repos.create_idempotent(RepositorySpec(name="page-repo-lost"))  # created, answer lost
    names = [r["name"] for r in contract.control.inventory()["model_repositories"]]
    assert names.count("page-repo-lost") == 1 and made.name == "page-repo-lost"
    assert [e["fault"] for e in contract.control.requests("POST", "serving/model/")][-1] == "lose_response"  # not re-sent
