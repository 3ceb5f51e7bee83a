#!/usr/bin/env bash
# sheaf's test command (the README's, and what .ci/run calls): formatting, lints, every test
# suite (once, in the optimized `ci` profile), and a smoke run of the benches. Runs on a fresh
# clone with the Rust toolchain installed; it installs Node.js from Debian if missing and the
# pinned JS tools of ci/js with npm: snarkjs (checks our prover's proofs), solc-js (checks the
# committed contract artifacts) and hardhat (its loopback node serves the JSON-RPC base-layer
# tests), and PostgreSQL from Debian if missing (ci/postgres.sh starts a throwaway server on
# loopback for the store tests); both servers are stopped on exit. Builds go to a persistent
# target directory outside the clone (override with CARGO_TARGET_DIR) so repeated runs on one
# machine reuse compiled dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sheaf/target}"
export RUST_BACKTRACE=1

started=$SECONDS
step() { printf '\n==> %s  (t = %ds)\n' "$*" "$((SECONDS - started))"; }

step "toolchain"
cargo --version
rustc --version
echo "cores: $(nproc), target dir: $CARGO_TARGET_DIR"

step "JS tools (ci/js: snarkjs, circom2)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "installing nodejs and npm from Debian"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null
fi
node --version
(cd ci/js && npm ci --no-audit --no-fund --loglevel=error)
# The snarkjs cross-check and the contract-artifact check must run, not skip.
export SHEAF_REQUIRE_SNARKJS=1
export SHEAF_REQUIRE_SOLC=1

step "loopback Ethereum node (hardhat, ci/js/hardhat.config.js) for the JSON-RPC base-layer tests"
# One JSON-RPC call without parameters; prints the result, fails when there is none.
rpc_call() {
    node -e 'fetch(process.argv[1], {method: "POST", headers: {"content-type": "application/json"},
        body: JSON.stringify({jsonrpc: "2.0", id: 1, method: process.argv[2], params: []})})
        .then((r) => r.json()).then((j) => { if (!("result" in j)) process.exit(1); console.log(j.result); })
        .catch(() => process.exit(1))' "$1" "$2"
}
rpc_port="${SHEAF_RPC_PORT:-8545}"
while (exec 3<>"/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null; do rpc_port=$((rpc_port + 1)); done
hardhat_log=$(mktemp "${TMPDIR:-/tmp}/sheaf-hardhat.XXXXXX")
(cd ci/js && HARDHAT_DISABLE_TELEMETRY_PROMPT=true exec node_modules/.bin/hardhat node \
    --hostname 127.0.0.1 --port "$rpc_port" >"$hardhat_log" 2>&1) &
hardhat_pid=$!
stop_hardhat() { kill "$hardhat_pid" 2>/dev/null || true; rm -f "$hardhat_log"; }
trap stop_hardhat EXIT
for _ in $(seq 1 120); do
    if rpc_call "http://127.0.0.1:$rpc_port" eth_chainId >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$hardhat_pid" 2>/dev/null; then
        cat "$hardhat_log"
        echo "the hardhat node did not start" >&2
        exit 1
    fi
    sleep 0.5
done
export SHEAF_RPC_URL="http://127.0.0.1:$rpc_port"
# The RPC tests must run against it, not skip.
export SHEAF_REQUIRE_RPC=1
rpc_call "$SHEAF_RPC_URL" web3_clientVersion

step "PostgreSQL (a throwaway server on loopback for the store tests)"
pg_dir=$(mktemp -d /tmp/sheaf-ci-pg.XXXXXX)
cleanup_pg() { ci/postgres.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap 'cleanup_pg; stop_hardhat' EXIT
SHEAF_TEST_DATABASE_URL=$(ci/postgres.sh start "$pg_dir")
export SHEAF_TEST_DATABASE_URL
echo "store tests on SQLite and on $SHEAF_TEST_DATABASE_URL"
# The PostgreSQL store tests must run, not skip.
export SHEAF_REQUIRE_POSTGRES=1

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors; then with the CUDA features)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p sheaf-kernels -p sheaf-benches --features sheaf-kernels/cuda,sheaf-benches/cuda \
    --all-targets --locked -- -D warnings

# Every suite runs once, in the `ci` profile (Cargo.toml): optimized like release, without LTO,
# with overflow checks in sheaf's own crates. So the conformance suite runs up to 2^20 and the
# release-only tests run, and one set of compiled dependencies serves the tests, the CUDA
# checks, the benches and the comparison runner.
# `--all-targets` takes in the criterion benches, which run each bench once under `cargo test`.
# The comparison runner is then run from the same build: `cargo run -p sheaf-benches` would
# resolve features without the workspace's dev-dependencies and rebuild half the graph.
step "tests (profile ci: conformance up to 2^20, the recursion tests, each criterion bench once)"
cargo test --workspace --profile ci --locked --all-targets
cargo test --workspace --profile ci --locked --doc

step "CUDA backend without a GPU: NVRTC from PyPI compiles every kernel for sm_90; CPU emulation"
# NVRTC 13.0 (the CUDA version cudarc is pinned to) comes as a wheel carrying libnvrtc.so.13;
# it is installed once into a cache outside the clone. The kernels are also compiled for the
# host with the C++ compiler and run on the emulator against arkworks.
CUDA_TOOLS="${SHEAF_CUDA_TOOLS:-$HOME/.cache/sheaf/cuda-tools}"
if [ ! -e "$CUDA_TOOLS/nvidia/cu13/lib/libnvrtc.so.13" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
        --target "$CUDA_TOOLS" "nvidia-cuda-nvrtc==13.0.88"
fi
if ! command -v c++ >/dev/null; then
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq g++ >/dev/null
fi
(
    export LD_LIBRARY_PATH="$CUDA_TOOLS/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    # Missing NVRTC or C++ compiler fails these tests instead of skipping them.
    export SHEAF_REQUIRE_CUDA_TOOLS=1
    export SHEAF_CUDA_CACHE=off
    cargo test -p sheaf-kernels --features cuda --profile ci --locked --lib --test cuda --test cuda_emulated
    # Prints ptxas' registers, stack and spills per kernel.
    cargo test -p sheaf-kernels --features cuda --profile ci --locked --test cuda_nvrtc -- --nocapture
)

step "comparison runner on small cases (compare, from the ci build)"
cargo build --workspace --profile ci --locked --all-targets
compare() { "$CARGO_TARGET_DIR/ci/compare" "$@"; }
compare kernels --runs 1 --max-log 12
compare groth16 --runs 1 --prove-logs 10
compare circuit --signals 1 --prove-signals 0
compare gas --sizes 1,8 --circuits multiplier
compare service --rates 200 --seconds 1 --max-seconds 1 --connections 16

step "done in $((SECONDS - started))s"
