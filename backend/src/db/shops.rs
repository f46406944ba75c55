//! Workspaces, the stores connected to them, their sealed tokens and their setup progress.

use super::{DbError, StepState, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A merchant's account.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Workspace {
    /// `ws_…`.
    pub id: String,
    /// From the first store's subdomain; unique.
    pub slug: String,
    /// `pk_…`, public: the storefront pixel sends it.
    pub public_key: String,
    /// The store that made it: only it makes connect links and manages the other stores.
    pub owner_shop: Option<ShopDomain>,
}

/// A connect link as stored (its token is not).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectLink {
    /// `cl_…`.
    pub id: String,
    /// The workspace it moves a store into.
    pub workspace_id: String,
    /// The one store that may use it.
    pub for_shop: ShopDomain,
    /// The store that made it.
    pub created_by: ShopDomain,
    /// Unix seconds.
    pub created_at: UnixTime,
    /// Unix seconds.
    pub expires_at: UnixTime,
    /// When it was used.
    pub used_at: Option<UnixTime>,
    /// When it was revoked.
    pub revoked_at: Option<UnixTime>,
}

/// What the storefront pixel sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PixelSettings {
    /// Standard events by their pixel API names; empty for every one.
    pub tracked_events: Vec<String>,
    /// The share of visitors tracked, from `0.01` to `1`.
    pub sampling_rate: String,
}

impl Default for PixelSettings {
    fn default() -> Self {
        Self { tracked_events: Vec::new(), sampling_rate: "1".to_owned() }
    }
}

/// How Seglink reaches a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// Installed from Shopify (managed install, token exchange or OAuth).
    Managed,
    /// A custom app's Admin API token pasted by the merchant.
    Custom,
}

impl Connection {
    fn as_str(self) -> &'static str {
        match self {
            Self::Managed => "managed",
            Self::Custom => "custom",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "custom" { Self::Custom } else { Self::Managed }
    }
}

/// A store's tokens, sealed by the caller (`crypto::Keys::seal`) before they get here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTokens {
    /// The sealed access token.
    pub access_token: String,
    /// When it expires (Unix seconds); never for custom-app and legacy tokens.
    pub access_expires_at: Option<UnixTime>,
    /// The sealed refresh token of an expiring token.
    pub refresh_token: Option<String>,
    /// When the refresh token expires.
    pub refresh_expires_at: Option<UnixTime>,
    /// The scopes granted, comma separated.
    pub scopes: String,
    /// The sealed API secret of a custom app, which signs the webhooks it subscribed.
    pub webhook_secret: Option<String>,
}

/// A connected store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopRecord {
    /// `<handle>.myshopify.com`.
    pub shop: ShopDomain,
    /// Its workspace.
    pub workspace_id: String,
    /// How it is reached.
    pub connection: Connection,
    /// `false` after uninstall or disconnect.
    pub active: bool,
    /// Present while active.
    pub tokens: Option<StoredTokens>,
}

/// A `shops` row as read (`SHOP_COLUMNS`).
#[derive(sqlx::FromRow)]
struct ShopRow {
    shop: ShopDomain,
    workspace_id: String,
    connection: String,
    active: bool,
    access_token: Option<String>,
    access_expires_at: Option<UnixTime>,
    refresh_token: Option<String>,
    refresh_expires_at: Option<UnixTime>,
    scopes: String,
    webhook_secret: Option<String>,
}

impl From<ShopRow> for ShopRecord {
    fn from(row: ShopRow) -> Self {
        Self {
            shop: row.shop,
            workspace_id: row.workspace_id,
            connection: Connection::parse(&row.connection),
            active: row.active,
            tokens: row.access_token.map(|access_token| StoredTokens {
                access_token,
                access_expires_at: row.access_expires_at,
                refresh_token: row.refresh_token,
                refresh_expires_at: row.refresh_expires_at,
                scopes: row.scopes,
                webhook_secret: row.webhook_secret,
            }),
        }
    }
}

const SHOP_COLUMNS: &str = "shop, workspace_id, connection, active, access_token, access_expires_at, refresh_token, \
     refresh_expires_at, scopes, webhook_secret";

impl Store {
    /// Creates a workspace whose slug is `slug` or, when that is taken, `slug-2`, `slug-3`, ….
    pub async fn create_workspace(
        &self,
        id: &str,
        slug: &str,
        public_key: &str,
        server_key_hash: &str,
        owner_shop: &ShopDomain,
        now: UnixTime,
    ) -> Result<Workspace, DbError> {
        let taken: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT slug FROM workspaces WHERE slug = $1 OR slug LIKE $2")
                .bind(slug)
                .bind(format!("{slug}-%"))
                .fetch_all(pool)
                .await?
        });
        // The read only skips slugs known to be taken; the insert decides: a slug another
        // install took meanwhile makes it try the next one, with no read-then-write race.
        let mut candidates = (1..)
            .map(|n: u32| if n == 1 { slug.to_owned() } else { format!("{slug}-{n}") })
            .filter(|candidate| !taken.contains(candidate));
        let free = loop {
            let Some(candidate) = candidates.next() else {
                unreachable!("an unbounded range always has a free slug")
            };
            let inserted = on_pool!(self, pool => {
                sqlx::query(
                    "INSERT INTO workspaces (id, slug, public_key, server_key_hash, created_at, owner_shop)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING",
                )
                .bind(id)
                .bind(&candidate)
                .bind(public_key)
                .bind(server_key_hash)
                .bind(now)
                .bind(owner_shop)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if inserted == 1 {
                break candidate;
            }
        };
        Ok(Workspace {
            id: id.to_owned(),
            slug: free,
            public_key: public_key.to_owned(),
            owner_shop: Some(owner_shop.clone()),
        })
    }

    /// A workspace by id.
    pub async fn workspace(&self, id: &str) -> Result<Option<Workspace>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, slug, public_key, owner_shop FROM workspaces WHERE id = $1").bind(id).fetch_optional(pool).await?
        }))
    }

    /// The workspace whose public storefront key is `key`.
    pub async fn workspace_by_public_key(&self, key: &str) -> Result<Option<Workspace>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, slug, public_key, owner_shop FROM workspaces WHERE public_key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Replaces a workspace's server key by the one hashing to `hash`.
    pub async fn set_server_key_hash(&self, workspace_id: &str, hash: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE workspaces SET server_key_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(workspace_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The workspace whose server key hashes to `hash`.
    pub async fn workspace_by_server_key(&self, hash: &str) -> Result<Option<Workspace>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, slug, public_key, owner_shop FROM workspaces WHERE server_key_hash = $1")
                .bind(hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Connects a store to a workspace with its tokens, or reconnects it (keeping the workspace
    /// it had).
    pub async fn connect_shop(
        &self,
        shop: &ShopDomain,
        workspace_id: &str,
        connection: Connection,
        tokens: &StoredTokens,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO shops (shop, workspace_id, connection, access_token, access_expires_at, refresh_token,
                                    refresh_expires_at, scopes, webhook_secret, active, installed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, TRUE, $9)
                 ON CONFLICT (shop) DO UPDATE SET connection = excluded.connection, access_token = excluded.access_token,
                     access_expires_at = excluded.access_expires_at, refresh_token = excluded.refresh_token,
                     refresh_expires_at = excluded.refresh_expires_at, scopes = excluded.scopes,
                     webhook_secret = excluded.webhook_secret, active = TRUE,
                     installed_at = excluded.installed_at, uninstalled_at = NULL",
            )
            .bind(shop)
            .bind(workspace_id)
            .bind(connection.as_str())
            .bind(&tokens.access_token)
            .bind(tokens.access_expires_at)
            .bind(&tokens.refresh_token)
            .bind(tokens.refresh_expires_at)
            .bind(&tokens.scopes)
            .bind(now)
            .bind(&tokens.webhook_secret)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a new connect link.
    pub async fn create_connect_link(&self, link: &ConnectLink, token_hash: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO connect_links (id, token_hash, workspace_id, for_shop, created_by, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&link.id)
            .bind(token_hash)
            .bind(&link.workspace_id)
            .bind(&link.for_shop)
            .bind(&link.created_by)
            .bind(link.created_at)
            .bind(link.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The link whose token hashes to `token_hash`.
    pub async fn connect_link_by_hash(&self, token_hash: &str) -> Result<Option<ConnectLink>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, workspace_id, for_shop, created_by, created_at, expires_at, used_at, revoked_at
                 FROM connect_links WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// A workspace's links, newest first.
    pub async fn connect_links(&self, workspace_id: &str) -> Result<Vec<ConnectLink>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, workspace_id, for_shop, created_by, created_at, expires_at, used_at, revoked_at
                 FROM connect_links WHERE workspace_id = $1 ORDER BY created_at DESC, id",
            )
            .bind(workspace_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Revokes a workspace's unused link; `NotFound` when there is none such.
    pub async fn revoke_connect_link(
        &self,
        workspace_id: &str,
        id: &str,
        now: UnixTime,
    ) -> Result<(), DbError> {
        let revoked = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE connect_links SET revoked_at = $3
                 WHERE workspace_id = $1 AND id = $2 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(workspace_id)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        super::one_row(revoked, DbError::NotFound)
    }

    /// Uses link `id` to move `shop` into the link's workspace, in one transaction: the link
    /// must be unused, unrevoked, unexpired and for this shop, and is marked used. A store that
    /// owned the workspace it leaves hands it to that workspace's next store. `Conflict` when
    /// the link no longer holds (another use won the race).
    pub async fn use_connect_link(&self, id: &str, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
        let used = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let used = sqlx::query(
                "UPDATE connect_links SET used_at = $3
                 WHERE id = $1 AND for_shop = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
            )
            .bind(id)
            .bind(shop)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if used == 1 {
                let left: Option<String> = sqlx::query_scalar("SELECT workspace_id FROM shops WHERE shop = $1")
                    .bind(shop)
                    .fetch_optional(&mut *transaction)
                    .await?;
                sqlx::query("UPDATE shops SET workspace_id = (SELECT workspace_id FROM connect_links WHERE id = $2) WHERE shop = $1")
                    .bind(shop)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query(
                    "UPDATE workspaces SET owner_shop = (
                         SELECT shop FROM shops WHERE workspace_id = workspaces.id ORDER BY installed_at, shop LIMIT 1)
                     WHERE id = $1 AND owner_shop = $2",
                )
                .bind(left)
                .bind(shop)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
            used
        });
        super::one_row(used, DbError::Conflict)
    }

    /// A store, active or not.
    pub async fn shop(&self, shop: &ShopDomain) -> Result<Option<ShopRecord>, DbError> {
        let sql = format!("SELECT {SHOP_COLUMNS} FROM shops WHERE shop = $1");
        let row: Option<ShopRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(shop).fetch_optional(pool).await?);
        Ok(row.map(ShopRecord::from))
    }

    /// Every store of a workspace.
    pub async fn workspace_shops(&self, workspace_id: &str) -> Result<Vec<ShopRecord>, DbError> {
        let sql = format!("SELECT {SHOP_COLUMNS} FROM shops WHERE workspace_id = $1 ORDER BY shop");
        let rows: Vec<ShopRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(workspace_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(ShopRecord::from).collect())
    }

    /// Replaces a store's tokens (after a refresh), if `expected` still holds: another replica
    /// may have refreshed first, and a refresh token works once.
    pub async fn replace_tokens(
        &self,
        shop: &ShopDomain,
        expected: &str,
        tokens: &StoredTokens,
    ) -> Result<bool, DbError> {
        let replaced = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE shops SET access_token = $3, access_expires_at = $4, refresh_token = $5, refresh_expires_at = $6, scopes = $7
                 WHERE shop = $1 AND access_token = $2 AND active = TRUE",
            )
            .bind(shop)
            .bind(expected)
            .bind(&tokens.access_token)
            .bind(tokens.access_expires_at)
            .bind(&tokens.refresh_token)
            .bind(tokens.refresh_expires_at)
            .bind(&tokens.scopes)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(replaced == 1)
    }

    /// Records the scopes Shopify says the store now grants (`app/scopes_update`).
    pub async fn set_scopes(&self, shop: &ShopDomain, scopes: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE shops SET scopes = $2 WHERE shop = $1").bind(shop).bind(scopes).execute(pool).await?;
        });
        Ok(())
    }

    /// Deactivates a store and forgets its tokens; its data stays until `shop/redact`.
    pub async fn deactivate_shop(&self, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE shops SET active = FALSE, access_token = NULL, access_expires_at = NULL, refresh_token = NULL,
                     refresh_expires_at = NULL, webhook_secret = NULL, uninstalled_at = $2 WHERE shop = $1",
            )
            .bind(shop)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// What an uninstall leaves: the store inactive, without tokens, and its provisioning
    /// forgotten, since Shopify removed the pixel, the definitions and the discount; its data
    /// stays until Shopify's store erasure.
    pub async fn record_uninstall(&self, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
        self.deactivate_shop(shop, now).await?;
        self.forget_provisioning(shop).await
    }

    /// Forgets what Shopify removes with the app: its setup steps (pixel, metafield
    /// definitions, discount, webhooks, backfill) and the discount the rules were written to, so
    /// a reinstall provisions them again.
    pub async fn forget_provisioning(&self, shop: &ShopDomain) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            for table in ["setup_steps", "discount_syncs"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE shop = $1")).bind(shop).execute(&mut *transaction).await?;
            }
            // The last install's provisioning no longer stands for this store: a reinstall within
            // the same second must not be taken for it.
            sqlx::query(
                "UPDATE jobs SET dedupe_key = NULL WHERE shop = $1 AND kind = 'provision' AND state IN ('done', 'dead')",
            )
            .bind(shop)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
        });
        Ok(())
    }

    /// The merchant's pixel settings: the standard events it sends (empty for all) and the share
    /// of visitors it tracks, as the decimal text the pixel reads.
    pub async fn pixel_settings(&self, shop: &ShopDomain) -> Result<PixelSettings, DbError> {
        let found: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT tracked_events, sampling_rate FROM pixel_settings WHERE shop = $1")
                .bind(shop)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.map_or_else(PixelSettings::default, |(events, rate)| PixelSettings {
            tracked_events: events.split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect(),
            sampling_rate: rate,
        }))
    }

    /// Stores the merchant's pixel settings.
    pub async fn set_pixel_settings(
        &self,
        shop: &ShopDomain,
        settings: &PixelSettings,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO pixel_settings (shop, tracked_events, sampling_rate, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop) DO UPDATE SET tracked_events = excluded.tracked_events,
                     sampling_rate = excluded.sampling_rate, updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(settings.tracked_events.join(","))
            .bind(&settings.sampling_rate)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records where a setup step is, with a detail for the admin.
    pub async fn set_setup_step(
        &self,
        shop: &ShopDomain,
        step: &str,
        state: StepState,
        detail: Option<&str>,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO setup_steps (shop, step, state, detail, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (shop, step) DO UPDATE SET state = excluded.state, detail = excluded.detail,
                     updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(step)
            .bind(state)
            .bind(detail)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Every setup step of a store with its state and detail.
    pub async fn setup_steps(
        &self,
        shop: &ShopDomain,
    ) -> Result<Vec<(String, StepState, Option<String>)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT step, state, detail FROM setup_steps WHERE shop = $1").bind(shop).fetch_all(pool).await?
        }))
    }
}
