-- Marketing consent per JLM customer: JLM is the source of truth and the newest timestamp wins.
CREATE TABLE consent_state (
    customer_id       VARCHAR(100)  NOT NULL PRIMARY KEY,
    email             VARCHAR(320),
    accepts_marketing BOOLEAN       NOT NULL,
    consent_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    source            VARCHAR(20)   NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Who an outbox row is about (consent: the customer), so a newer decision can supersede an older queued one.
ALTER TABLE outbox ADD COLUMN subject_ref VARCHAR(200);
CREATE INDEX ix_outbox_subject ON outbox (flow, subject_ref, status);
