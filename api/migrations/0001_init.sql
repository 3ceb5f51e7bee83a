-- sheaf's schema. Portable between SQLite and PostgreSQL: only BIGINT and TEXT columns, ids
-- assigned by the service, hashes as 0x-prefixed lowercase hex, times in Unix milliseconds.

-- Verifying keys by vk_hash (SHA-256 of the key's canonical EVM encoding).
CREATE TABLE vks (
    vk_hash       TEXT PRIMARY KEY,
    n_public      BIGINT NOT NULL,
    vk_json       TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- Epochs: open -> sealed -> settling -> anchored, or failed with a reason.
CREATE TABLE epochs (
    id            BIGINT PRIMARY KEY,
    state         TEXT NOT NULL
                  CHECK (state IN ('open', 'sealed', 'settling', 'anchored', 'failed')),
    opened_at_ms  BIGINT NOT NULL,
    sealed_at_ms  BIGINT,
    proof_count   BIGINT NOT NULL DEFAULT 0,
    root          TEXT,
    failure       TEXT,
    tx_hash       TEXT,
    block         BIGINT
);

-- At most one epoch is open.
CREATE UNIQUE INDEX epochs_one_open ON epochs (state) WHERE state = 'open';

-- Accepted (verified) proofs. `position` is the acceptance order inside the epoch; it becomes
-- the leaf index when the epoch is sealed, and `merkle_path` (a JSON array of hex siblings,
-- bottom-up) is filled in then.
CREATE TABLE proofs (
    id             BIGINT PRIMARY KEY,
    epoch_id       BIGINT NOT NULL REFERENCES epochs (id),
    position       BIGINT NOT NULL,
    vk_hash        TEXT NOT NULL REFERENCES vks (vk_hash),
    leaf           TEXT NOT NULL,
    proof_hash     TEXT NOT NULL,
    proof_json     TEXT NOT NULL,
    public_signals TEXT NOT NULL,
    leaf_index     BIGINT,
    merkle_path    TEXT,
    created_at_ms  BIGINT NOT NULL,
    UNIQUE (epoch_id, position),
    UNIQUE (epoch_id, vk_hash, leaf, proof_hash)
);
