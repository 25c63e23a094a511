#!/usr/bin/env bash
# Typechecks, bundles and packs the layer into dist/after-response-layer.zip (byte-identical for
# identical sources and C compilers), plus the client's npm package in dist/npm/lambda-after-response.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in tsc esbuild; do
  if [ ! -x "node_modules/.bin/$tool" ]; then
    echo "build.sh: node_modules/.bin/$tool is missing: run \`npm ci\` in $PWD first (build.sh uses the pinned dev dependencies)" >&2
    exit 1
  fi
done

# The native addon (extension/memory/malloc-trim.c) is built for both of Lambda's architectures,
# with the Node-API headers from the pinned devDependency node-api-headers.
for cc in gcc:gcc aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu; do
  if ! command -v "${cc%%:*}" >/dev/null 2>&1; then
    echo "build.sh: the C compiler ${cc%%:*} is missing (it builds the layer's malloc-trim addon): run test/rig/provision.sh as root, or apt-get install ${cc#*:}" >&2
    exit 1
  fi
done
if [ ! -f node_modules/node-api-headers/include/node_api.h ]; then
  echo "build.sh: node_modules/node-api-headers is missing: run \`npm ci\` in $PWD first (the malloc-trim addon needs its headers)" >&2
  exit 1
fi

version="$(node -p 'require("./client/package.json").version')"
final=dist
# Build aside and swap in at the end, so a test run reading dist/ never sees it half-written.
out="$(mktemp -d dist.build.XXXXXX)"
trap 'rm -rf "$out"' EXIT
layer="$out/layer"
pkg="$out/npm/lambda-after-response"
esbuild=(node_modules/.bin/esbuild --bundle --platform=node --target=node22 --log-level=warning --legal-comments=none)

node_modules/.bin/tsc -p tsconfig.json --noEmit
mkdir -p "$layer/lambda-after-response" "$pkg"

"${esbuild[@]}" extension/main.ts --format=esm --minify-whitespace --minify-syntax --define:LAYER_VERSION="\"$version\"" --outfile="$layer/lambda-after-response/extension.mjs"
# The socket's server and spawn hook, required by the extension at the function's first child or
# worker thread only (extension/socket/socket-parts.ts): 14 KB less to compile at every cold start.
"${esbuild[@]}" extension/socket/socket-parts.ts --format=cjs --minify-whitespace --minify-syntax --outfile="$layer/lambda-after-response/socket.cjs"
# Tasks handed off at SIGTERM and the EMF lines (AFTER_RESPONSE_METRICS=emf), required by the extension at
# their first use only (extension/reporting/reporting-parts.ts): not compiled at cold starts that never reach them.
"${esbuild[@]}" extension/reporting/reporting-parts.ts --format=cjs --minify-whitespace --minify-syntax --outfile="$layer/lambda-after-response/reporting.cjs"
# glibc's malloc_trim(0) as a Node-API addon, one per architecture, named by `process.arch`; loaded by
# the extension's trim policy, never at init. Stripped, without a build id or source paths, so
# identical sources give identical bytes; 0644 like the other files (dlopen needs no exec bit).
for arch_cc in x64:gcc arm64:aarch64-linux-gnu-gcc; do
  addon="$layer/lambda-after-response/malloc-trim-${arch_cc%%:*}.node"
  "${arch_cc#*:}" -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -s -Wl,--build-id=none -ffile-prefix-map="$PWD"=. \
    -I node_modules/node-api-headers/include -o "$addon" extension/memory/malloc-trim.c
  chmod 0644 "$addon"
done
"${esbuild[@]}" client/index.ts --format=esm --outfile="$pkg/index.mjs"
"${esbuild[@]}" client/index.ts --format=cjs --outfile="$pkg/index.cjs"
# Framework bridges (subpath exports): each imports the main entry, so they share one client.
for entry in hono middy opennext; do
  "${esbuild[@]}" "client/bridges/$entry.ts" --format=esm --external:../index.ts --outfile="$pkg/$entry.mjs"
  "${esbuild[@]}" "client/bridges/$entry.ts" --format=cjs --external:../index.ts --outfile="$pkg/$entry.cjs"
  sed -i 's#"\.\./index\.ts"#"./index.mjs"#' "$pkg/$entry.mjs" && sed -i 's#"\.\./index\.ts"#"./index.cjs"#' "$pkg/$entry.cjs"
done
# The test kit (lambda-after-response/testing): its own bundle of the layer's lifecycle, for users' tests;
# it never imports the main entry (a checks test keeps the main bundle free of it).
"${esbuild[@]}" extension/testing/index.ts --format=esm --define:LAYER_VERSION="\"$version\"" --outfile="$pkg/testing.mjs"
"${esbuild[@]}" extension/testing/index.ts --format=cjs --define:LAYER_VERSION="\"$version\"" --outfile="$pkg/testing.cjs"
kit_types="$(mktemp -d "$out/kit-types.XXXXXX")"
node_modules/.bin/tsc extension/testing/index.ts --declaration --emitDeclarationOnly --allowImportingTsExtensions --strict --target ES2022 \
  --module NodeNext --moduleResolution NodeNext --types node --skipLibCheck --outDir "$kit_types"
# Its public declarations use only extension/testing/types.ts: published as testing.d.ts and testing-types.d.ts.
sed "s#from './types.ts'#from './testing-types.ts'#" "$kit_types/extension/testing/index.d.ts" >"$pkg/testing.d.ts"
cp "$kit_types/extension/testing/types.d.ts" "$pkg/testing-types.d.ts"
rm -rf "$kit_types"
# Declarations: emitted beside their sources (client/ and shared/), then laid out as the package
# always had them: client/, its hosts/ and bridges/, and shared/ flat at the top (basenames are
# unique), client/tasks/ as tasks/; each relative import re-pointed at its declaration's new place.
node_modules/.bin/tsc client/index.ts client/bridges/hono.ts client/bridges/middy.ts client/bridges/opennext.ts --declaration --emitDeclarationOnly --rewriteRelativeImportExtensions \
  --allowImportingTsExtensions --strict --target ES2022 --module NodeNext --moduleResolution NodeNext \
  --types node --skipLibCheck --rootDir . --outDir "$out/dts"
python3 - "$out/dts" "$pkg" <<'PY'
import os, posixpath, re, sys
src, pkg = sys.argv[1], sys.argv[2]
FLAT = {"client", "shared", "client/hosts", "client/bridges"}
def place(rel):
    folder, name = posixpath.split(rel)
    return name if folder in FLAT else posixpath.relpath(rel, "client")
sources = sorted(posixpath.relpath(os.path.join(d, f), src).replace(os.sep, "/") for d, _, fs in os.walk(src) for f in fs if f.endswith(".d.ts"))
placed = {}
for rel in sources:
    target = place(rel)
    if target in placed.values(): sys.exit(f"build.sh: two declarations would be {target}")
    placed[rel] = target
def repoint(rel, text):
    def swap(m):
        spec = posixpath.normpath(posixpath.join(posixpath.dirname(rel), m.group(2))).removesuffix(".ts") + ".d.ts"
        if spec not in placed: sys.exit(f"build.sh: {rel} imports {m.group(2)}, which has no declaration")
        new = posixpath.relpath(placed[spec], posixpath.dirname(placed[rel])).removesuffix(".d.ts") + ".ts"
        return m.group(1) + (new if new.startswith("../") else "./" + new) + "'"
    return re.sub(r"(from '|import\(')(\.\.?/[^']+)\.ts'", swap, text)
for rel, target in placed.items():
    os.makedirs(os.path.dirname(os.path.join(pkg, target)) or pkg, exist_ok=True)
    with open(os.path.join(src, rel)) as f, open(os.path.join(pkg, target), "w") as out:
        out.write(repoint(rel, f.read()))
PY
rm -rf "$out/dts"
# CommonJS consumers need declarations that TypeScript reads as CommonJS (attw's "masquerading as
# ESM" otherwise): a .d.cts twin of each declaration, its relative imports pointing at the twins.
for dts in "$pkg"/*.d.ts "$pkg"/tasks/*.d.ts; do
  sed -E "s#(from '\.\.?/[a-z/-]+)\.ts'#\1.cts'#" "$dts" >"${dts%.d.ts}.d.cts"
done
cp client/package.json "$pkg/package.json"
cp LICENSE "$pkg/LICENSE"

mkdir -p "$layer/nodejs/node_modules"
cp -r "$pkg" "$layer/nodejs/node_modules/lambda-after-response"
# The layer's copy of the client is split (docs/how-it-works.md, "The layer's copy of the client"):
# its entries load only the API, validation and the host lookup; the fallback hosts and the tasks
# are required from fallback.cjs and tasks.cjs at first need (client/parts-layer.ts). The npm
# package stays one file per entry: users bundle it, and bundlers follow no runtime `require`.
layer_client="$layer/nodejs/node_modules/lambda-after-response"
node scripts/bundle-layer-client.mjs client/index.ts esm "$layer_client/index.mjs"
node scripts/bundle-layer-client.mjs client/index.ts cjs "$layer_client/index.cjs"
"${esbuild[@]}" client/hosts/fallbacks.ts --format=cjs --outfile="$layer_client/fallback.cjs"
"${esbuild[@]}" client/tasks/index.ts --format=cjs --outfile="$layer_client/tasks.cjs"
# The test kit runs in users' tests, never on Lambda: the layer does not carry it.
rm -f "$layer/nodejs/node_modules/lambda-after-response"/testing{.mjs,.cjs,.d.ts,.d.cts,-types.d.ts,-types.d.cts}
install -m 0755 layer/after-response "$layer/after-response"
[[ -d layer/bin ]] && install -m 0755 -D -t "$layer/bin" layer/bin/*
"${esbuild[@]}" extension/hold-command/main.ts --format=iife --banner:js='#!/usr/bin/env node' --outfile="$layer/bin/after-response-hold" && chmod 0755 "$layer/bin/after-response-hold"

# Deterministic zip: sorted entries, fixed timestamps, explicit modes (python's zipfile, always there).
python3 - "$layer" "$out/after-response-layer.zip" <<'PY'
import os, sys, zipfile
root, target = sys.argv[1], sys.argv[2]
paths = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    for rel in paths:
        info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
        mode = 0o755 if os.access(os.path.join(root, rel), os.X_OK) else 0o644
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(root, rel), "rb") as f:
            zf.writestr(info, f.read())
PY

# Verify the layout other tooling depends on before declaring success.
python3 - "$out/after-response-layer.zip" <<'PY'
import sys, zipfile
zf = zipfile.ZipFile(sys.argv[1])
names = {i.filename: i for i in zf.infolist()}
required = ["after-response", "lambda-after-response/extension.mjs", "lambda-after-response/socket.cjs", "lambda-after-response/reporting.cjs", "bin/after-response-hold",
            "lambda-after-response/malloc-trim-x64.node", "lambda-after-response/malloc-trim-arm64.node",
            "nodejs/node_modules/lambda-after-response/package.json",
            "nodejs/node_modules/lambda-after-response/index.mjs",
            "nodejs/node_modules/lambda-after-response/index.cjs",
            "nodejs/node_modules/lambda-after-response/fallback.cjs",
            "nodejs/node_modules/lambda-after-response/tasks.cjs",
            "nodejs/node_modules/lambda-after-response/index.d.ts",
            "nodejs/node_modules/lambda-after-response/index.d.cts"] + [
            f"nodejs/node_modules/lambda-after-response/{entry}.{ext}"
            for entry in ("hono", "middy", "opennext") for ext in ("mjs", "cjs", "d.ts", "d.cts")]
missing = [n for n in required if n not in names]
if missing: sys.exit(f"layer zip is missing: {missing}")
if not (names["after-response"].external_attr >> 16) & 0o111: sys.exit("after-response is not executable")
if any(b"./index.ts\"" in zf.read(n) for n in names if n.endswith((".mjs", ".cjs"))): sys.exit("a bundle still imports index.ts")
if any("node_modules/" in n and not n.startswith("nodejs/node_modules/lambda-after-response/") for n in names):
    sys.exit("layer zip contains unexpected node_modules")
PY
chmod 755 "$out"
rm -rf "$final.old" && { [[ ! -d "$final" ]] || mv "$final" "$final.old"; } && mv "$out" "$final" && rm -rf "$final.old"
echo "built $final/after-response-layer.zip ($(wc -c <"$final/after-response-layer.zip") bytes, version $version)"
