"""Model endpoints (Triton and custom containers) with a real data plane."""
