"""Account SSH keys (not project-scoped)."""
