#!/usr/bin/env bash
# Publishes the client tarball the release's build job packed, with provenance. Trusted
# publishing: npm >= 11.5.1 trades the job's OIDC token (`id-token: write`) for a one-time publish
# credential; no npm token is stored. Two cases differ:
# - the version is on npm already (a rerun of the workflow): nothing to do;
# - the package does not exist yet: npm attaches a trusted publisher only to an existing package,
#   so the very first publish uses NPM_BOOTSTRAP_TOKEN when it is set (a short-lived granular
#   token, deleted afterwards: docs/releasing.md), and otherwise stops naming that set-up step.
# Usage: release/npm-publish.sh <tarball> <version> <dist-tag>
set -euo pipefail

tarball="$1" version="$2" dist_tag="$3"
name=lambda-after-response
min_npm=11.5.1

die() { printf 'npm-publish: %s\n' "$*" >&2; exit 1; }

[[ -f "$tarball" ]] || die "no tarball at $tarball"
npm_version="$(npm --version)"
[[ "$(printf '%s\n' "$min_npm" "$npm_version" | sort -V | head -n1)" == "$min_npm" ]] ||
  die "npm $npm_version cannot publish through trusted publishing (OIDC); it needs npm >= $min_npm"

if view="$(npm view "$name" name 2>&1)"; then
  if [[ "$(npm view "$name@$version" version 2>/dev/null)" == "$version" ]]; then
    echo "npm-publish: $name@$version is on npm already: nothing to publish"
    exit 0
  fi
  npm publish --provenance --access public --tag "$dist_tag" "$tarball"
elif [[ "$view" == *E404* ]]; then
  [[ -n "${NPM_BOOTSTRAP_TOKEN:-}" ]] ||
    die "$name is not on npm yet, and npm attaches a trusted publisher only to an existing package: set the NPM_BOOTSTRAP_TOKEN secret for this first release (docs/releasing.md, \"The first release\")"
  userconfig="$(mktemp)"
  trap 'rm -f "$userconfig"' EXIT
  # npm expands ${NPM_BOOTSTRAP_TOKEN} from the environment: the token is never written out.
  # shellcheck disable=SC2016
  printf '//registry.npmjs.org/:_authToken=${NPM_BOOTSTRAP_TOKEN}\n' >"$userconfig"
  npm publish --provenance --access public --tag "$dist_tag" --userconfig "$userconfig" "$tarball"
  echo "npm-publish: $name@$version published with the bootstrap token: now add the trusted publisher on npmjs.com and delete NPM_BOOTSTRAP_TOKEN (docs/releasing.md)"
else
  die "cannot ask the registry about $name: $view"
fi
