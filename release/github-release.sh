#!/usr/bin/env bash
# Creates the GitHub release of a tag with its notes and files, or, when the workflow runs again,
# updates that release's notes and replaces its files. Needs GH_TOKEN with `contents: write`.
# Usage: release/github-release.sh <tag> <notes-file> <prerelease: true|false> <file>...
set -euo pipefail

tag="$1" notes="$2" prerelease="$3"
shift 3
flags=()
[[ "$prerelease" == true ]] && flags+=(--prerelease)

if gh release view "$tag" >/dev/null 2>&1; then
  gh release edit "$tag" --notes-file "$notes" "${flags[@]}"
  gh release upload "$tag" --clobber "$@"
  echo "github-release: updated $tag"
else
  gh release create "$tag" --verify-tag --title "lambda-after-response ${tag#v}" --notes-file "$notes" "${flags[@]}" "$@"
  echo "github-release: created $tag"
fi
