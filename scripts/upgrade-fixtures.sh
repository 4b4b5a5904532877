#!/usr/bin/env bash
# Usage: scripts/upgrade-fixtures.sh
#
# Regenerates internal/e2e/testdata/upgrade, the fixtures of TestUpgradeFromEarlierVersions:
# each earlier release, built from its commit, applies a small configuration against the
# current mock (loopback only) on each API it had, and its terraform.tfstate is kept with
# the main.tf used. OpenTofu fixtures (identity in state) are made when the pinned tofu builds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
out=internal/e2e/testdata/upgrade
seed=$out/seed.json

# version commit APIs...
releases=(
  "0.1.0 eb1ba37 v2"
  "0.2.0 21d9b68 v2 v3"
)

die() { echo "upgrade-fixtures.sh: $*" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || die "jq is required"
[[ -f $seed ]] || die "no seed file $seed"

terraform=$(scripts/tool.sh terraform)
tofu=$(scripts/tool.sh tofu) || { echo "upgrade-fixtures.sh: OpenTofu unavailable, no -tofu fixtures" >&2; tofu=""; }

tmp=$(mktemp -d)
mock_pid=""
worktrees=()
cleanup() {
  [[ -z $mock_pid ]] || { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; }
  for wt in ${worktrees[@]+"${worktrees[@]}"}; do git -C "$root" worktree remove --force "$wt" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

: >"$tmp/empty.tfrc" # never the user's CLI configuration
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 TF_CLI_CONFIG_FILE="$tmp/empty.tfrc"
unset TF_LOG TF_LOG_PROVIDER TF_DATA_DIR TF_WORKSPACE

# The mock is always the current tree's: the fixtures record what the old providers wrote, not an old mock.
go build -o "$tmp/sendgrid-mock" ./internal/cmd/sendgrid-mock
api_user=$(jq -r .api_user "$seed")
api_key=$(jq -r .api_key "$seed")

# resources VERSION prints the configuration's resources, within what that version's schema allowed.
resources() {
  cat <<'EOF'
resource "sendgrid_subuser_ips" "alice" {
  user = "alice"
  ips  = ["192.0.2.1", "192.0.2.2"]
}

resource "sendgrid_subuser_ips" "bob" {
  user       = "bob"
  ips        = ["192.0.2.3"]
  on_destroy = "retain"
}
EOF
  if [[ $1 != 0.1.0 ]]; then # 0.1.0 refused an empty set
    cat <<'EOF'

resource "sendgrid_subuser_ips" "newbie" {
  user = "newbie"
  ips  = []
}
EOF
  fi
}

# fixture VERSION API CLI NAME: one apply of a fresh mock account with the provider in $tmp/bin-VERSION.
fixture() {
  local version=$1 api=$2 cli=$3 name=$4 dir="$tmp/run-$4" url
  mkdir -p "$dir"
  rm -f "$tmp/v2url" "$tmp/v3url"
  "$tmp/sendgrid-mock" -seed "$seed" -url-file "$tmp/v2url" -v3-url-file "$tmp/v3url" >/dev/null 2>"$tmp/mock.log" &
  mock_pid=$!
  for _ in $(seq 100); do [[ -s $tmp/v3url ]] && break; sleep 0.1; done
  [[ -s $tmp/v3url ]] || { cat "$tmp/mock.log" >&2; die "the mock did not start"; }
  url=$(cat "$tmp/$api"url)
  {
    printf 'terraform {\n  required_providers {\n    sendgrid = { source = "terraform-sendgrid/sendgrid" }\n  }\n}\n\n'
    printf 'provider "sendgrid" {\n  base_url = "%s"\n  api_key  = "%s"\n' "$url" "$api_key"
    if [[ $api == v2 ]]; then printf '  api_user = "%s"\n}\n' "$api_user"; else printf '  api_version = "v3"\n}\n'; fi
  } >"$dir/provider.tf"
  resources "$version" >"$dir/main.tf"
  # No init: with dev_overrides it would ask the registry, and apply does not need it.
  (cd "$dir" && TF_CLI_CONFIG_FILE="$tmp/$version.tfrc" "$cli" apply -auto-approve -no-color >"$dir/apply.log" 2>&1) ||
    { cat "$dir/apply.log" >&2; die "$name: apply failed"; }
  kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=""
  ! grep -q -e "$tmp" -e 127.0.0.1 "$dir/terraform.tfstate" || die "$name: machine-specific text in the state"
  cp "$dir/terraform.tfstate" "$out/$name.tfstate"
  cp "$dir/main.tf" "$out/$version-$api.tf"
  echo "wrote $out/$name.tfstate" >&2
}

for release in "${releases[@]}"; do
  read -r version commit apis <<<"$release"
  src="$tmp/src-$version"
  git worktree add --quiet --detach "$src" "$commit"
  worktrees+=("$src")
  (cd "$src" && GOFLAGS=-buildvcs=false go build -o "$tmp/bin-$version/terraform-provider-sendgrid" .)
  git worktree remove --force "$src"
  printf 'provider_installation {\n  dev_overrides {\n    "terraform-sendgrid/sendgrid" = "%s"\n  }\n}\n' "$tmp/bin-$version" >"$tmp/$version.tfrc"
  for api in $apis; do
    fixture "$version" "$api" "$terraform" "$version-$api"
    # 0.1.0 had no identity; 0.2.0's reaches state only through a CLI that records it.
    if [[ -n $tofu && $version != 0.1.0 ]]; then fixture "$version" "$api" "$tofu" "$version-$api-tofu"; fi
  done
done

# 0.1.0 already had on_destroy, so no release wrote state without it: this derived pair stands for
# a state from before the attribute (every resource then had the default, unassign).
jq 'del(.resources[].instances[].attributes.on_destroy)' "$out/0.1.0-v2.tfstate" >"$out/0.1.0-v2-no-on-destroy.tfstate"
grep -v on_destroy "$out/0.1.0-v2.tf" | "$terraform" fmt - >"$out/0.1.0-v2-no-on-destroy.tf"
echo "wrote $out/0.1.0-v2-no-on-destroy.tfstate" >&2
