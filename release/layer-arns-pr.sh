#!/usr/bin/env bash
# Proposes the regenerated Layer ARNs page (docs/layer-arns.md and docs/layer-arns.json, written by
# `release/cli.ts layer-arns` in a checkout of the base branch) as a pull request from the branch
# release/layer-arns-<version>. A pull request rather than a push: the tag cannot hold ARNs that
# exist only after publishing, and the base branch stays protected and reviewed. Run it again and
# it updates the same branch and pull request. Needs GH_TOKEN with `contents: write` and
# `pull-requests: write`, and the checkout's credentials to push.
# Usage: release/layer-arns-pr.sh <version> <base-branch>
set -euo pipefail

version="$1" base="$2"
branch="release/layer-arns-$version"
files=(docs/layer-arns.json docs/layer-arns.md)

if [[ -z "$(git status --porcelain -- "${files[@]}")" ]]; then
  echo "layer-arns-pr: ${files[*]} unchanged on $base: no pull request"
  exit 0
fi
git switch -C "$branch"
git add -- "${files[@]}"
git -c user.name='github-actions[bot]' -c user.email='41898282+github-actions[bot]@users.noreply.github.com' \
  commit --quiet -m "Layer ARNs: lambda-after-response $version" \
  -m "The layer versions published by the release workflow for $version, one per region."
git push --force --quiet origin "$branch"
if [[ -z "$(gh pr list --head "$branch" --base "$base" --state open --json number --jq '.[].number')" ]]; then
  gh pr create --head "$branch" --base "$base" --title "Layer ARNs: lambda-after-response $version" \
    --body "The release workflow published lambda-after-response $version: this adds its layer version ARNs to docs/layer-arns.md and docs/layer-arns.json."
else
  echo "layer-arns-pr: the pull request from $branch is open already; its branch is updated"
fi
