#!/usr/bin/env bash
# Builds every jsii package of cdk8s-egress into one folder, then runs each language's quick start against
# those packages, installed with their real dependencies from the registries, and checks that every
# language writes exactly the TypeScript quick start's YAML. Then runs the Python tests
# (test/package/python/) in the same virtualenv.
#
#   scripts/packages/build-and-run.sh            build + run
#   scripts/packages/build-and-run.sh --build    build only (= what `npm run package` publishes, minus .NET)
#
# Folders (none inside the repository except the packages folder):
#   PACKAGES_DIR    the packages: js/ python/ java/ (a Maven repository) go/    default: artifacts
#   PACKAGES_CACHE  pip, Maven and Go caches, and stand-ins for registry packages that are not served here
#                   default: ${XDG_CACHE_HOME:-~/.cache}/cdk8s-egress-packages
# .NET stays configured in .projenrc.ts but is neither built nor run here: these machines have no .NET SDK.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mode=${1:-run}

out=${PACKAGES_DIR:-artifacts}
mkdir -p "$out" && out=$(cd "$out" && pwd)
cache=${PACKAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-egress-packages}
mkdir -p "$cache" && cache=$(cd "$cache" && pwd)
case "$cache/" in "$root"/*) echo "PACKAGES_CACHE must be outside the repository" >&2; exit 2 ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-egress-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT

export NODE_OPTIONS="${NODE_OPTIONS:-} --no-deprecation"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
export GOPATH="$cache/go" GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local
m2="$cache/m2"
mvn_cmd=(mvn -B -q -Dstyle.color=never "-Dmaven.repo.local=$m2")
# Maven 3.8 still writes colour resets (ESC[0m) without a newline in quiet mode; keep them out of the log.
mvn_run() { "${mvn_cmd[@]}" "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'; }

# The versions the npm package's peers pin (package.json devDependencies) and the jsii runtime pacmak targets.
version() { node -p "require('./package.json').devDependencies['$1'].replace(/^[~^]/, '')"; }
cdk8s_v=$(version cdk8s); plus_v=$(version cdk8s-plus-28); constructs_v=$(version constructs)
jsii_runtime_v=$(node -p "require('jsii-pacmak/package.json').version")
self_v=$(node -p "require('./package.json').version")

step_start=$SECONDS
step() { echo "== $* (+$((SECONDS - step_start))s)"; }

# --- 1. the jsii assembly --------------------------------------------------------------------------------------
step "jsii compile"
npx jsii --silence-warnings=reserved-word

# --- 2. registry packages these machines' registries do not serve --------------------------------------------
# jsii-pacmak generates every published jsii binding, so where a registry does not serve one of our peers we
# generate it from that peer's npm package (its .jsii) with the same jsii-pacmak, at the pinned version, into
# the cache. Each is checked against the registry first and used only when the registry refuses it.
subst="$cache/substitutes"
if ! go list -m "github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2@v$cdk8s_v" >/dev/null 2>&1; then
  cdk8s_go="$subst/cdk8s-go-$cdk8s_v/go/cdk8s"
  if [ ! -f "$cdk8s_go/go.mod" ]; then
    step "generating github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v$cdk8s_v from npm cdk8s@$cdk8s_v (not served by the Go proxy)"
    rm -rf "$subst/cdk8s-go-$cdk8s_v"
    npx jsii-pacmak --code-only --target go -o "$subst/cdk8s-go-$cdk8s_v" node_modules/cdk8s
  fi
  echo "stand-in: github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => $cdk8s_go (generated from npm cdk8s@$cdk8s_v)"
fi
if ! mvn_run dependency:get "-Dartifact=org.cdk8s:cdk8s-plus-28:$plus_v" >/dev/null 2>&1; then
  plus_java="$subst/cdk8s-plus-28-java-$plus_v/java/org/cdk8s/cdk8s-plus-28/$plus_v"
  if [ ! -f "$plus_java/cdk8s-plus-28-$plus_v.jar" ]; then
    step "building org.cdk8s:cdk8s-plus-28:$plus_v from npm cdk8s-plus-28@$plus_v (not served by Maven Central)"
    rm -rf "$subst/cdk8s-plus-28-java-$plus_v"
    npx jsii-pacmak --target java "--maven-local-repository=$m2" -o "$subst/cdk8s-plus-28-java-$plus_v" node_modules/cdk8s-plus-28
  fi
  mvn_run install:install-file "-Dfile=$plus_java/cdk8s-plus-28-$plus_v.jar" "-DpomFile=$plus_java/cdk8s-plus-28-$plus_v.pom"
  echo "stand-in: org.cdk8s:cdk8s-plus-28:$plus_v => built from npm cdk8s-plus-28@$plus_v"
fi

# --- 3. every package into one folder --------------------------------------------------------------------------
step "jsii-pacmak js, python, java -> $out"
rm -rf "$out/js" "$out/python" "$out/java" "$out/go"
npx jsii-pacmak --target js --target python --target java "--maven-local-repository=$m2" -o "$out"
# pacmak's Go "build" is a copy of the generated module plus `go mod tidy`/`go build` with replace lines for
# modules found beside it; the module itself is the generated code, so generate it and build it below.
step "jsii-pacmak go -> $out/go"
npx jsii-pacmak --code-only --target go -o "$out"
rm -f "$out/go/cdk8segress/version"
echo "packages:"
(cd "$out" && find js python java go -maxdepth 6 -type f \( -name '*.tgz' -o -name '*.whl' -o -name '*.tar.gz' -o -name "cdk8s-egress-$self_v.jar" \) -printf '  %p %s bytes\n' | sort)
echo "  go/cdk8segress $(du -sb "$out/go/cdk8segress" | cut -f1) bytes ($(find "$out/go/cdk8segress" -type f | wc -l) files)"
[ "$mode" = --build ] && exit 0

# --- 4. the quick starts ---------------------------------------------------------------------------------------
qs="$root/examples/quickstart"
passed=0; failed=0
check() { # <language> <dir>: its dist/egress.k8s.yaml must be the TypeScript quick start's, byte for byte
  if cmp -s "$work/typescript/dist/egress.k8s.yaml" "$2/dist/egress.k8s.yaml"; then
    echo "ok $1: dist/egress.k8s.yaml is byte-identical to TypeScript's ($(wc -c < "$2/dist/egress.k8s.yaml") bytes)"
    passed=$((passed + 1))
  else
    echo "FAIL $1: dist/egress.k8s.yaml differs from TypeScript's"; diff "$work/typescript/dist/egress.k8s.yaml" "$2/dist/egress.k8s.yaml" | head -20 || true
    failed=$((failed + 1))
  fi
}

step "TypeScript: npm install the packed library with its peers, cdk8s-cli; cdk8s synth"
# README's first screen: npm install cdk8s-egress cdk8s cdk8s-plus-28 constructs; cdk8s.yaml; cdk8s synth. The
# type check is strict (tsconfig.json), so the quick start compiles against the packed .d.ts as users see it.
mkdir -p "$work/typescript" && cp "$qs/typescript/main.ts" "$qs/typescript/cdk8s.yaml" "$qs/typescript/tsconfig.json" "$work/typescript/"
ts_v=$(node -p "require('typescript/package.json').version"); ts_node_v=$(node -p "require('ts-node/package.json').version")
(cd "$work/typescript" && echo '{"name":"quickstart","private":true}' > package.json \
  && npm install --no-audit --no-fund --loglevel=error "$out/js/cdk8s-egress@$self_v.jsii.tgz" "cdk8s@$cdk8s_v" "cdk8s-plus-28@$plus_v" "constructs@$constructs_v" \
  && npm install --no-audit --no-fund --loglevel=error -D cdk8s-cli@2 "ts-node@$ts_node_v" "typescript@$ts_v" \
  && npx tsc --noEmit \
  && npx cdk8s synth)
test -s "$work/typescript/dist/egress.k8s.yaml"
echo "ok typescript: dist/egress.k8s.yaml ($(wc -c < "$work/typescript/dist/egress.k8s.yaml") bytes)"; passed=$((passed + 1))

step "Python: fresh venv, pip install the wheel and its dependencies from PyPI"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$out"/python/*.whl "cdk8s==$cdk8s_v" "cdk8s-plus-28==$plus_v" "constructs==$constructs_v" "jsii==$jsii_runtime_v" pytest
echo "installed: $("$work/venv/bin/pip" freeze | grep -iE '^(cdk8s|cdk8s-egress|cdk8s-plus-28|constructs|jsii|publication|typeguard)[=@ ]' | tr '\n' ' ')"
mkdir -p "$work/python" && cp "$qs/python/main.py" "$work/python/"
(cd "$work/python" && "$work/venv/bin/python" main.py)
check python "$work/python"

step "Java: Maven (org.cdk8s:cdk8s, software.constructs:constructs, software.amazon.jsii:jsii-runtime from Maven Central)"
jar_dir="$out/java/io/github/cdk8s-egress/cdk8s-egress/$self_v"
mvn_run install:install-file "-Dfile=$jar_dir/cdk8s-egress-$self_v.jar" "-DpomFile=$jar_dir/cdk8s-egress-$self_v.pom"
cp -r "$qs/java" "$work/java"
(cd "$work/java" && mvn_run compile exec:java)
check java "$work/java"

step "Go: the generated module, built against the Go proxy's jsii-runtime-go, constructs-go and cdk8s"
cp -r "$qs/go" "$work/go"
(cd "$work/go" \
  && go mod edit -replace "github.com/cdk8s-egress/cdk8s-egress-go/cdk8segress=$out/go/cdk8segress" \
  && { [ -z "${cdk8s_go:-}" ] || go mod edit -replace "github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2=$cdk8s_go"; } \
  && go mod tidy && go vet . && go build -o quickstart . && ./quickstart)
check go "$work/go"

# --- 4b. one HTTP rule (issue 26) in Java and Go: the manifest the repository's TypeScript writes ---------------
step "One HTTP rule (test/package/http-rule): Java and Go against TypeScript"
hr="$root/test/package/http-rule"
OUTDIR="$work/http-rule-ts/dist" npx ts-node --transpile-only --project test/tsconfig.json "$hr/expected.ts"
check_http_rule() { # <language> <dir>
  if cmp -s "$work/http-rule-ts/dist/egress.k8s.yaml" "$2/dist/egress.k8s.yaml"; then
    echo "ok $1 HTTP rule: dist/egress.k8s.yaml is byte-identical to TypeScript's"; passed=$((passed + 1))
  else
    echo "FAIL $1 HTTP rule: dist/egress.k8s.yaml differs"; diff "$work/http-rule-ts/dist/egress.k8s.yaml" "$2/dist/egress.k8s.yaml" | head -20 || true
    failed=$((failed + 1))
  fi
}
cp -r "$work/java" "$work/java-http-rule" && rm -rf "$work/java-http-rule/dist" && cp "$hr/Main.java" "$work/java-http-rule/src/main/java/com/example/Main.java"
(cd "$work/java-http-rule" && mvn_run compile exec:java)
check_http_rule java "$work/java-http-rule"
cp -r "$work/go" "$work/go-http-rule" && rm -rf "$work/go-http-rule/dist" "$work/go-http-rule/quickstart" && cp "$hr/main.go" "$work/go-http-rule/main.go"
(cd "$work/go-http-rule" && go vet . && go build -o http-rule . && ./http-rule)
check_http_rule go "$work/go-http-rule"

# --- 5. Python tests: the example estate through Python, errors as Python exceptions --------------------------
step "Python tests (test/package/python)"
OUTDIR="$work/estate-ts" npx ts-node --transpile-only --project test/tsconfig.json examples/app/main.ts
EXPECTED_ESTATE="$work/estate-ts" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$root/test/package/python" \
  && passed=$((passed + 1)) || failed=$((failed + 1))

step "done"
echo "quick starts and Python tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
