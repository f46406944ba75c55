-- The store that made a workspace owns it: only it makes connect links and manages the other
-- stores. Existing workspaces are owned by their first store.
ALTER TABLE workspaces ADD COLUMN owner_shop TEXT;
UPDATE workspaces SET owner_shop = (
    SELECT shop FROM shops WHERE shops.workspace_id = workspaces.id ORDER BY installed_at, shop LIMIT 1
);

-- Connect links: each for one store, used once, revocable, and kept as a record. Only the
-- token's SHA-256 is stored; the token travels once, in the link.
CREATE TABLE connect_links (
    id           TEXT   PRIMARY KEY,
    token_hash   TEXT   NOT NULL UNIQUE,
    workspace_id TEXT   NOT NULL,
    for_shop     TEXT   NOT NULL,
    created_by   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX connect_links_workspace ON connect_links (workspace_id, created_at);
