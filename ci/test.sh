#!/usr/bin/env bash
# sheaf's test command (the README's, and what .ci/run calls): formatting, lints, every test
# suite in debug and release, and a smoke run of the benches. Runs on a fresh clone with the
# Rust toolchain installed; it installs Node.js from Debian if missing and the pinned JS tools
# of ci/js (snarkjs, which checks our prover's proofs) with npm, and PostgreSQL from Debian if
# missing (ci/postgres.sh starts a throwaway server on loopback for the store tests). Builds go
# to a persistent target directory outside the clone (override with CARGO_TARGET_DIR) so
# repeated runs on one machine reuse compiled dependencies.
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

step "PostgreSQL (a throwaway server on loopback for the store tests)"
pg_dir=$(mktemp -d /tmp/sheaf-ci-pg.XXXXXX)
cleanup_pg() { ci/postgres.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup_pg EXIT
SHEAF_TEST_DATABASE_URL=$(ci/postgres.sh start "$pg_dir")
export SHEAF_TEST_DATABASE_URL
echo "store tests on SQLite and on $SHEAF_TEST_DATABASE_URL"
# The PostgreSQL store tests must run, not skip.
export SHEAF_REQUIRE_POSTGRES=1

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests, debug build (conformance up to 2^16)"
cargo test --workspace --locked

step "tests, release build (conformance up to 2^20)"
cargo test --workspace --release --locked

step "bench smoke run (each criterion bench once, the comparison runner on small cases)"
cargo bench -p sheaf-benches --locked -- --test
cargo run --release -p sheaf-benches --locked --bin compare -- kernels --runs 1 --max-log 12
cargo run --release -p sheaf-benches --locked --bin compare -- groth16 --runs 1 --prove-logs 10
cargo run --release -p sheaf-benches --locked --bin compare -- service --rates 200 --seconds 1 --max-seconds 1 --connections 16

step "done in $((SECONDS - started))s"
