#!/usr/bin/env bash
# Usage: scripts/tool.sh <terraform|tofu|tfplugindocs|golangci-lint|goreleaser>
#
# Installs the pinned tool into the shared cache if it is missing and prints
# the absolute path of its binary on stdout (so "$(scripts/tool.sh terraform)"
# works). Progress goes to stderr, build output to a log file in the cache.
#
# Installs are idempotent, atomic (built under a temporary name, then moved
# into place) and serialised per tool with flock, so concurrent callers wait
# for one build instead of racing.
set -euo pipefail

TERRAFORM_VERSION=1.8.5
OPENTOFU_VERSION=1.12.6
TFPLUGINDOCS_VERSION=v0.25.0
GOLANGCI_LINT_VERSION=v2.15.0
GORELEASER_VERSION=v2.12.7

cache="${SENDGRID_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-sendgrid}"
[[ "$cache" == /* ]] || cache="$PWD/$cache" # callers rely on an absolute path

die() { echo "tool.sh: $*" >&2; exit 1; }

name="${1:-}"
case "$name" in
terraform)
  dest="$cache/terraform-$TERRAFORM_VERSION/terraform"
  label="Terraform $TERRAFORM_VERSION"; eta="~4 min"
  pkg="github.com/hashicorp/terraform@v$TERRAFORM_VERSION" ;;
tofu)
  dest="$cache/opentofu-$OPENTOFU_VERSION/tofu"
  label="OpenTofu $OPENTOFU_VERSION"; eta="~5 min"
  pkg="" ;; # built from the module source, see build_tofu
tfplugindocs)
  dest="$cache/bin/tfplugindocs"
  label="tfplugindocs $TFPLUGINDOCS_VERSION"; eta="~1 min"
  pkg="github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$TFPLUGINDOCS_VERSION" ;;
golangci-lint)
  dest="$cache/bin/golangci-lint"
  label="golangci-lint $GOLANGCI_LINT_VERSION"; eta="~3 min"
  pkg="github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION" ;;
goreleaser)
  dest="$cache/bin/goreleaser"
  label="goreleaser $GORELEASER_VERSION"; eta="~4 min"
  pkg="github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" ;;
*)
  die "usage: scripts/tool.sh <terraform|tofu|tfplugindocs|golangci-lint|goreleaser>" ;;
esac

if [[ -x "$dest" ]]; then
  echo "$dest"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is required to install $label"

mkdir -p "$cache" "$(dirname "$dest")"
log="$cache/install-$name.log"

# Serialise installs of the same tool; re-check once we hold the lock because
# another process may have finished the build while we waited.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.install-$name.lock"
  flock 9
  if [[ -x "$dest" ]]; then
    echo "$dest"
    exit 0
  fi
  # Holding the lock, any temporary build dir of this tool is a leftover of an
  # interrupted run.
  rm -rf "$(dirname "$dest")"/.tmp-"$name".* 2>/dev/null || true
fi

echo "installing $label into $dest (first run only, $eta)" >&2

# The temporary directory lives next to the destination so the final mv is an
# atomic rename on the same filesystem.
tmp="$(mktemp -d "$(dirname "$dest")/.tmp-$name.XXXXXX")"
cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export GOFLAGS=-buildvcs=false
export GOWORK=off
export CGO_ENABLED=0

# Note: the builders run in an "if" condition, where set -e is ignored, hence
# the explicit && chains.
build_go_install() {
  # Run outside any module so the project's go.mod cannot interfere.
  (cd "$tmp" && GOBIN="$tmp/bin" go install "$pkg") &&
    mv "$tmp/bin/$(basename "$dest")" "$tmp/built"
}

build_tofu() {
  # OpenTofu is not "go install"-able, so build it from a writable copy of the
  # module source (the module cache is read-only).
  local json dir
  json="$(cd "$tmp" && go mod download -json "github.com/opentofu/opentofu@v$OPENTOFU_VERSION")" || return 1
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || { printf '%s\n' "$json"; echo "could not locate the module directory"; return 1; }
  cp -R "$dir" "$tmp/src" &&
    chmod -R u+w "$tmp/src" &&
    (cd "$tmp/src" && go build -o "$tmp/built" ./cmd/tofu)
}

{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) installing $label"
  go version
} >"$log" 2>&1

if [[ "$name" == tofu ]]; then
  builder=build_tofu
else
  builder=build_go_install
fi

if ! "$builder" >>"$log" 2>&1 || ! "$tmp/built" --version >>"$log" 2>&1; then
  echo "tool.sh: installing $label failed; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi

mv -f "$tmp/built" "$dest"
echo "$dest"
