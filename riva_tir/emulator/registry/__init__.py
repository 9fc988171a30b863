"""E2E's container registry as a project lists it (read-only, from the catalog)."""
