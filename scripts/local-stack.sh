# Backend and secrets for the `local` stack only; sourced by scripts/up-local and
# scripts/pulumi-local. State lives in .state/ (ignored). The passphrase is fixed and
# public on purpose: the local stack talks to the embedded emulator and holds nothing
# real. Never use it for a real stack: see README "Real TIR".
export PULUMI_BACKEND_URL="file://$RIVA_TIR_ROOT/.state"
export PULUMI_CONFIG_PASSPHRASE=riva-tir-local
unset PULUMI_CONFIG_PASSPHRASE_FILE
mkdir -p "$RIVA_TIR_ROOT/.state"
