-- Catalogue and stock: the last state of each JLM offer (by shop SKU) and what Klaviyo variant it matched.
CREATE TABLE offer_snapshot (
    shop_sku        VARCHAR(255)  NOT NULL PRIMARY KEY,
    offer_id        BIGINT,
    klaviyo_sku     VARCHAR(255)  NOT NULL,
    sku_key         VARCHAR(255)  NOT NULL,
    loose_key       VARCHAR(255)  NOT NULL,
    quantity        INTEGER       NOT NULL,
    price           DECIMAL(18, 4),
    currency        VARCHAR(3),
    title           VARCHAR(1000),
    variant_id      VARCHAR(400),
    version         INTEGER       NOT NULL,
    last_updated    VARCHAR(40),
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_offer_sku_key ON offer_snapshot (sku_key);
CREATE INDEX ix_offer_loose_key ON offer_snapshot (loose_key);
CREATE INDEX ix_offer_variant ON offer_snapshot (variant_id);

-- The seller's Klaviyo catalogue variants as last read through the catalogue API (all pages).
CREATE TABLE klaviyo_variant (
    id              VARCHAR(400)  NOT NULL PRIMARY KEY,
    sku             VARCHAR(255),
    sku_key         VARCHAR(255),
    loose_key       VARCHAR(255),
    generation      BIGINT        NOT NULL
);
CREATE INDEX ix_variant_sku_key ON klaviyo_variant (sku_key);
CREATE INDEX ix_variant_loose_key ON klaviyo_variant (loose_key);

-- Klaviyo catalogue bulk jobs accepted (202) and not yet checked for per-object errors.
CREATE TABLE catalogue_job (
    id              VARCHAR(200)  NOT NULL PRIMARY KEY,
    path            VARCHAR(200)  NOT NULL,
    outbox_ids      TEXT          NOT NULL,
    status          VARCHAR(20)   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    checked_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_catalogue_job_status ON catalogue_job (status, created_at);

-- Restocks jump the catalogue lane: they are claimed by metric.
CREATE INDEX ix_outbox_metric ON outbox (flow, metric, status, id);
