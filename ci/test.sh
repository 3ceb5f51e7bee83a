#!/usr/bin/env bash
# sheaf's test command (the README's, and what .ci/run calls): formatting, lints, every test
# suite in debug and release, and a smoke run of the benches. Runs on a fresh clone with only
# the Rust toolchain installed; builds go to a persistent target directory outside the clone
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

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests, debug build (conformance up to 2^16)"
cargo test --workspace --locked

step "tests, release build (conformance up to 2^20)"
cargo test --workspace --release --locked

step "bench smoke run (each criterion bench once)"
cargo bench -p sheaf-benches --locked -- --test

step "done in $((SECONDS - started))s"
