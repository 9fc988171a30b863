# Backend, secrets and selection of the `local` stack only; sourced by scripts/up-local,
# scripts/pulumi-local and the scripts that read the local stack. State lives in .state/
# (ignored). The passphrase is fixed and public on purpose: the local stack talks to the
# embedded emulator and holds nothing real. Never use it for a real stack: see README "Real TIR".
local_state="$RIVA_TIR_ROOT/.state"
export PULUMI_BACKEND_URL="file://$local_state"
export PULUMI_CONFIG_PASSPHRASE=riva-tir-local
unset PULUMI_CONFIG_PASSPHRASE_FILE
mkdir -p "$local_state"

# Selects the `local` stack (made on first use) and migrates state an older riva-tir wrote
# (docs/day2.md, "Upgrading"). The migration's check exports the whole stack (~0.8 s, most
# of a no-op preview again), so it runs again only when the state file or the migration's
# rules (riva_tir/migrate.py) changed since it last ran.
select_local_stack() {
  pulumi stack select --create local >/dev/null
  local checked="$local_state/local.migrated" now
  now=$(_local_state_and_rules | sha256sum) || now=
  if [ -z "$now" ] || [ "$now" != "$(cat "$checked" 2>/dev/null)" ]; then
    python -m riva_tir.migrate --stack local
    { _local_state_and_rules | sha256sum >"$checked"; } || rm -f "$checked"
  fi
}

_local_state_and_rules() {
  cat "$local_state/.pulumi/stacks/riva-tir/local.json" "$RIVA_TIR_ROOT/riva_tir/migrate.py" 2>/dev/null
}
