#!/usr/bin/env bash
# Checks every directory under examples/ that contains .tf files:
#   1. terraform fmt -check
#   2. terraform validate, against a freshly built provider binary.
#
# The provider is wired in through a temporary CLI config with dev_overrides
# (TF_CLI_CONFIG_FILE); ~/.terraformrc is never read or written. Each example
# is validated in a scratch copy so no .terraform/ or lock file lands in the
# repository. Directories that do not declare the provider source themselves
# (the usual tfplugindocs snippets) get a required_providers block added in the
# scratch copy only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PROVIDER_SOURCE="registry.terraform.io/terraform-sendgrid/sendgrid"

if [[ ! -d examples ]]; then
  echo "examples-check: no examples/ directory, nothing to check"
  exit 0
fi

dirs=()
while IFS= read -r d; do
  dirs+=("$d")
done < <(find examples -name .terraform -prune -o -type f -name '*.tf' -print | sed 's|/[^/]*$||' | sort -u)
if [[ ${#dirs[@]} -eq 0 ]]; then
  echo "examples-check: no .tf files under examples/, nothing to check"
  exit 0
fi

tf="$(scripts/tool.sh terraform)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/examples-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "examples-check: building the provider"
mkdir -p "$tmp/plugins"
go build -o "$tmp/plugins/terraform-provider-sendgrid" .

cat >"$tmp/terraformrc" <<HCL
provider_installation {
  dev_overrides {
    "$PROVIDER_SOURCE" = "$tmp/plugins"
  }
  direct {}
}
HCL

export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_WORKSPACE

nocolor=""
[[ -t 1 ]] || nocolor="-no-color"

# Import blocks by identity need 1.12; an older CLI validates the other files
# (TestExamplesConverge applies identity examples where the CLI can).
read -r major minor < <("$tf" version | sed -n '1s/^[^0-9]*\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
old_cli=0
if (( major == 1 && minor < 12 )); then old_cli=1; fi

failed=()
for dir in "${dirs[@]}"; do
  ok=1

  if ! "$tf" fmt -check -diff $nocolor "$dir" >"$tmp/out" 2>&1; then
    echo "FAIL fmt       $dir (run 'make fmt')"
    sed 's/^/    /' "$tmp/out"
    ok=0
  fi

  work="$tmp/work/$dir"
  mkdir -p "$work"
  (cd "$dir" && tar --exclude=.terraform --exclude=.terraform.lock.hcl -cf - .) | (cd "$work" && tar -xf -)
  if [[ $old_cli == 1 ]]; then
    { grep -lrsZ --include='*.tf' 'identity *=' "$work" || true; } | xargs -0 -r rm -f
  fi
  if ! grep -rqs --include='*.tf' "terraform-sendgrid/sendgrid" "$work"; then
    cat >"$work/zz_examples_check_providers.tf" <<'HCL'
terraform {
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}
HCL
  fi
  if ! (cd "$work" && TF_DATA_DIR="$work/.terraform" "$tf" validate $nocolor) >"$tmp/out" 2>&1; then
    echo "FAIL validate  $dir"
    sed 's/^/    /' "$tmp/out"
    ok=0
  fi

  if [[ $ok == 1 ]]; then
    echo "ok   $dir"
  else
    failed+=("$dir")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "examples-check: ${#failed[@]} of ${#dirs[@]} example directories failed" >&2
  exit 1
fi
echo "examples-check: all ${#dirs[@]} example directories passed"
