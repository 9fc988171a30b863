# Environment for the project's engine and virtualenv; sourced by every script here.
# `source scripts/env.sh` in a shell to run `pulumi` by hand the way the scripts do.
RIVA_TIR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RIVA_TIR_ROOT
export PATH="$RIVA_TIR_ROOT/.tools/bin:$RIVA_TIR_ROOT/.venv/bin:$PATH"
export PULUMI_HOME="$RIVA_TIR_ROOT/.tools/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# The language host and the dynamic-provider launcher run the program with this
# interpreter, so they see the project's virtualenv (pulumi, dill, riva-tir itself).
export PULUMI_PYTHON_CMD="$RIVA_TIR_ROOT/.venv/bin/python"
# Resource steps the engine runs at once (its default is 4 per core): riva-tir's steps
# mostly wait on TIR, and the provider host serves as many (riva_tir/providers/host.py).
export PULUMI_PARALLEL=64
