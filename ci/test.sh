#!/usr/bin/env bash
# sheaf's test command (the README's, and what .ci/run calls): formatting, lints, every test
# suite in debug and release, and a smoke run of the benches. Runs on a fresh clone with the
# Rust toolchain installed; it installs Node.js from Debian if missing and the pinned JS tools
# of ci/js (snarkjs, which checks our prover's proofs) with npm. Builds go to a persistent target directory outside the clone
# (override with CARGO_TARGET_DIR) so repeated runs on one machine reuse compiled dependencies.
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
# The snarkjs cross-check must run, not skip.
export SHEAF_REQUIRE_SNARKJS=1

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests, debug build (conformance up to 2^16)"
cargo test --workspace --locked

step "tests, release build (conformance up to 2^20)"
cargo test --workspace --release --locked

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
    cargo clippy -p sheaf-kernels -p sheaf-benches --features sheaf-kernels/cuda,sheaf-benches/cuda \
        --all-targets --locked -- -D warnings
    cargo test -p sheaf-kernels --features cuda --locked --lib --test cuda --test cuda_emulated
    # Prints ptxas' registers, stack and spills per kernel.
    cargo test -p sheaf-kernels --features cuda --locked --test cuda_nvrtc -- --nocapture
)

step "bench smoke run (each criterion bench once, the comparison runner on small cases)"
cargo bench -p sheaf-benches --locked -- --test
cargo run --release -p sheaf-benches --locked --bin compare -- kernels --runs 1 --max-log 12
cargo run --release -p sheaf-benches --locked --bin compare -- groth16 --runs 1 --prove-logs 10

step "done in $((SECONDS - started))s"
