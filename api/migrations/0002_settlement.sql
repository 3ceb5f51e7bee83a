-- The settlement state machine: open -> sealed -> settling -> anchored, or settling -> failed
-- -> settling again after a backoff. Portable between SQLite and PostgreSQL like 0001.

-- When the epoch last entered `settling`, when it was anchored, when it last failed.
ALTER TABLE epochs ADD COLUMN settling_at_ms BIGINT;
ALTER TABLE epochs ADD COLUMN anchored_at_ms BIGINT;
ALTER TABLE epochs ADD COLUMN failed_at_ms BIGINT;
-- Settlement attempts started so far, and when the next one is due after a failure.
ALTER TABLE epochs ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE epochs ADD COLUMN next_attempt_at_ms BIGINT;
-- The settlement mode that anchored the epoch, and the anchoring transaction's gas.
ALTER TABLE epochs ADD COLUMN settlement TEXT;
ALTER TABLE epochs ADD COLUMN gas_used BIGINT;

-- Every state an epoch has entered, in order, with its time and (for `failed`) the reason.
CREATE TABLE epoch_transitions (
    epoch_id BIGINT NOT NULL REFERENCES epochs (id),
    seq      BIGINT NOT NULL,
    state    TEXT NOT NULL
             CHECK (state IN ('open', 'sealed', 'settling', 'anchored', 'failed')),
    at_ms    BIGINT NOT NULL,
    detail   TEXT,
    PRIMARY KEY (epoch_id, seq)
);

-- Epochs that existed before this migration get their known transitions.
INSERT INTO epoch_transitions (epoch_id, seq, state, at_ms)
    SELECT id, 1, 'open', opened_at_ms FROM epochs;
INSERT INTO epoch_transitions (epoch_id, seq, state, at_ms)
    SELECT id, 2, 'sealed', sealed_at_ms FROM epochs WHERE sealed_at_ms IS NOT NULL;

-- The settlement worker looks for the oldest epoch that is not anchored yet.
CREATE INDEX epochs_by_state ON epochs (state, id);

-- Duplicate lookups go by proof hash: many proofs may share a statement (leaf) in an epoch,
-- hardly any share a proof.
CREATE INDEX proofs_by_proof_hash ON proofs (epoch_id, proof_hash);
