#!/usr/bin/env bash
# Builds the Pulumi engine (CLI, Python language host and its policy-pack pass-through,
# exec shim, dynamic-provider launcher), the `command` resource plugin, the MinIO server
# and the actionlint workflow linter from pinned Go modules.
#
# Outputs are cached per input hash in $RIVA_TIR_CACHE (default ~/.cache/riva-tir), so a
# fresh clone on a machine that built them before links them in seconds; a cold build
# takes minutes (figures in README.md). Usage: engine/build.sh DEST_BIN_DIR [piece...]
# where pieces are: cli langhost pyhost command minio actionlint (default: all).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: engine/build.sh DEST_BIN_DIR [piece...]}
shift
pieces=("$@")
[ ${#pieces[@]} -gt 0 ] || pieces=(cli langhost pyhost command minio actionlint)
# shellcheck source=engine/versions.env
source "$here/versions.env"
cache=${RIVA_TIR_CACHE:-$HOME/.cache/riva-tir}/engine
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
mkdir -p "$dest" "$cache"

go_version=$(go env GOVERSION)
release_flags=(-trimpath -tags osusergo,grpcnotrace)

# key PIECE -> hash of everything that determines the piece's binaries: its module and, for
# pyhost, the command module it takes engine/command/enginewatch from.
key() {
  local extra=()
  [ "$1" = pyhost ] && extra=(../command)
  (cd "$here/$1" && { echo "$go_version"; cat "$here/versions.env"; find . "${extra[@]}" -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
}

# build_piece PIECE OUT_NAME PACKAGE LDFLAGS [INSTALLED_NAME]
build_piece() {
  local piece=$1 out=$2 pkg=$3 ldflags=$4 name=${5:-$2} dir
  dir="$cache/$piece-$(key "$piece")"
  if [ ! -x "$dir/$out" ]; then
    echo "riva-tir: building $out from Go modules (cached in $dir)..."
    local start=$SECONDS
    mkdir -p "$dir.tmp"
    (cd "$here/$piece" && go build "${release_flags[@]}" -ldflags "$ldflags" -o "$dir.tmp/$out" "$pkg")
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    echo "riva-tir: built $out in $((SECONDS - start))s"
  fi
  # Hard link (or copy): the CLI looks for bundled plugins beside its resolved path. Left
  # alone when already there, so a set-up never touches what running engines use.
  [ "$dir/$out" -ef "$dest/$name" ] || ln -f "$dir/$out" "$dest/$name" 2>/dev/null || put "$dir/$out" "$dest/$name"
}

# put SRC DEST: DEST becomes a copy of SRC (mode 0755) in one rename, only when it differs.
put() { cmp -s "$1" "$2" || { install -m 0755 "$1" "$2.new" && mv -f "$2.new" "$2"; }; }

sdk_dir() {
  (cd "$here/cli" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
}

stamp="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
build_one() {
  case $1 in
    cli)
      build_piece cli pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$stamp=v$PULUMI_VERSION"
      # The exec shim and the dynamic-provider launcher are scripts in the sdk module.
      # The host looks for the shim beside itself; module-cache files are read-only.
      src=$(sdk_dir)
      stage=$(mktemp -d)
      install -m 0755 "$src/python/cmd/pulumi-language-python-exec" "$src/python/dist/pulumi-resource-pulumi-python" "$stage/"
      # The SDK's own launcher, kept for the tests that run riva-tir as a stock CLI does
      # (scripts/setup links the rest of the engine beside it).
      mkdir -p "$dest/../stock-host/bin"
      put "$stage/pulumi-resource-pulumi-python" "$dest/../stock-host/bin/pulumi-resource-pulumi-python"
      # Ours starts riva-tir's provider host, which serves more calls at once
      # (riva_tir/providers/host.py says why; the project's virtualenv has it).
      sed -i 's/ -m pulumi\.dynamic / -m riva_tir.providers.host /' "$stage/pulumi-resource-pulumi-python"
      grep -q 'riva_tir.providers.host' "$stage/pulumi-resource-pulumi-python"
      put "$stage/pulumi-language-python-exec" "$dest/pulumi-language-python-exec"
      put "$stage/pulumi-resource-pulumi-python" "$dest/pulumi-resource-pulumi-python"
      rm -rf "$stage" ;;
    langhost)
      # Installed as the base host behind pyhost (engine/pyhost/main.go says why).
      build_piece langhost pulumi-language-python github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
        "$stamp=v$LANGHOST_SDK_VERSION" pulumi-language-python-base ;;
    pyhost)
      build_piece pyhost pulumi-language-python . "-s -w" ;;
    command)
      build_piece command pulumi-resource-command . "-s -w -X main.Version=$COMMAND_VERSION" ;;
    minio)
      build_piece minio minio github.com/minio/minio "-s -w" ;;
    actionlint)
      build_piece actionlint actionlint github.com/rhysd/actionlint/cmd/actionlint "-s -w" ;;
  esac
}

for piece in "${pieces[@]}"; do
  case $piece in
    cli|langhost|pyhost|command|minio|actionlint) ;;
    *) echo "engine/build.sh: unknown piece '$piece' (cli langhost pyhost command minio actionlint)" >&2; exit 2 ;;
  esac
done
# All pieces at once: one Go build keeps about 1.2 of 2 cores busy (module downloads and
# links are serial), so building them side by side takes less time than one after another.
# Pieces made of the same packages are better built one after the other, the second from
# the build cache: scripts/setup builds pyhost and command after cli.
pids=()
for piece in "${pieces[@]}"; do
  build_one "$piece" &
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
exit "$failed"
