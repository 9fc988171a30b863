"""`dashboard/service-count/`: the SDK's access check (docs/tir.md §11)."""
