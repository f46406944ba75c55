//! The Admin API client: typed operations, the store's sealed tokens (refreshed under a per-shop
//! lock before they expire, and once more if Shopify answers 401), pacing by the bucket Shopify
//! last reported, and retries only where a retry is safe (`retry_policy`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aes_gcm::aead::OsRng;
use aes_gcm::aead::rand_core::RngCore;
use graphql_client::{GraphQLQuery, QueryBody};
use serde_json::Value;

use super::ShopDomain;
use super::http::ShopifyHttp;
use super::retry_policy::{Decision, ThrottleStatus, decide};
use super::token_grant::{Client, GrantError, TokenGrant};
use crate::clock::{UnixTime, unix_now};
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::{DbError, Store, StoredTokens};
use crate::keyed_locks::KeyedLocks;

/// The Admin API version every request names.
pub const API_VERSION: &str = "2026-10";
/// Refresh an access token this long before it expires.
const REFRESH_MARGIN_SECS: i64 = 300;

/// Why an Admin API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ShopifyError {
    /// The store is not connected (never installed, uninstalled or disconnected).
    #[error("{0} is not connected")]
    NotConnected(ShopDomain),
    /// The token was refused and could not be refreshed: the merchant must open the app again.
    #[error("Shopify refused the access token for {0}")]
    Unauthorized(ShopDomain),
    /// Shopify could not be reached, or refused for good.
    #[error("{0}")]
    Failed(String),
    /// Top-level GraphQL errors.
    #[error("GraphQL errors: {0}")]
    Graphql(String),
    /// What we will not do, whenever asked: fetch from a host that is not Shopify's, look at an
    /// operation Shopify no longer knows.
    #[error("{0}")]
    Refused(String),
    /// Our own storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<GrantError> for ShopifyError {
    fn from(error: GrantError) -> Self {
        Self::Failed(error.to_string())
    }
}

/// Whose token a call uses.
enum Token<'t> {
    /// The store's own, from the database.
    Stored,
    /// One given by the caller and not (yet) stored: a custom app's token being validated.
    Given(&'t str),
}

/// The bucket as last seen, and when.
#[derive(Clone, Copy)]
struct Bucket {
    status: ThrottleStatus,
    seen: Instant,
}

/// Reaches the Admin API of every connected store.
pub struct Shopify {
    http: ShopifyHttp,
    store: Store,
    keys: Arc<Keys>,
    api_key: String,
    api_secret: String,
    refresh_locks: KeyedLocks,
    buckets: Mutex<HashMap<ShopDomain, Bucket>>,
}

impl Shopify {
    /// The client for `config`'s app, keeping tokens in `store`.
    pub fn new(config: &Config, store: Store, keys: Arc<Keys>) -> Self {
        Self {
            http: ShopifyHttp::new(config.shopify_origin.clone()),
            store,
            keys,
            api_key: config.api_key.clone(),
            api_secret: config.api_secret.clone(),
            refresh_locks: KeyedLocks::default(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The HTTP client, for the token endpoint and redirects.
    pub fn http(&self) -> &ShopifyHttp {
        &self.http
    }

    /// The token endpoint as this app.
    pub fn grants(&self) -> Client<'_> {
        Client { api_key: &self.api_key, api_secret: &self.api_secret }
    }

    /// Seals a grant for storage, bound to its shop.
    pub fn seal_grant(&self, shop: &ShopDomain, grant: &TokenGrant, now: UnixTime) -> StoredTokens {
        StoredTokens {
            access_token: self.keys.seal(&grant.access_token, shop.as_str()),
            access_expires_at: grant.expires_in.map(|seconds| now + seconds),
            refresh_token: grant.refresh_token.as_ref().map(|token| self.keys.seal(token, shop.as_str())),
            refresh_expires_at: grant.refresh_token_expires_in.map(|seconds| now + seconds),
            scopes: grant.scope.clone(),
            webhook_secret: None,
        }
    }

    /// Runs `Q` on `shop` with the store's token.
    pub async fn run<Q: GraphQLQuery>(
        &self,
        shop: &ShopDomain,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ShopifyError> {
        self.execute::<Q>(shop, Token::Stored, variables, false).await
    }

    /// Runs the mutation `Q`, which has the same effect however often it runs (`tagsAdd`, a
    /// compare-and-set `metafieldsSet`), so a 5xx is retried like a query's.
    pub async fn run_repeatable<Q: GraphQLQuery>(
        &self,
        shop: &ShopDomain,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ShopifyError> {
        self.execute::<Q>(shop, Token::Stored, variables, true).await
    }

    /// Runs `Q` on `shop` with a token that is not stored (yet).
    pub async fn run_with_token<Q: GraphQLQuery>(
        &self,
        shop: &ShopDomain,
        token: &str,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ShopifyError> {
        self.execute::<Q>(shop, Token::Given(token), variables, false).await
    }

    async fn execute<Q: GraphQLQuery>(
        &self,
        shop: &ShopDomain,
        token: Token<'_>,
        variables: Q::Variables,
        repeatable: bool,
    ) -> Result<Q::ResponseData, ShopifyError> {
        let body: QueryBody<Q::Variables> = Q::build_query(variables);
        // A mutation that may have run must not run twice, unless running twice changes nothing;
        // a query may.
        let idempotent = repeatable || !body.query.trim_start().starts_with("mutation");
        let path = format!("/admin/api/{API_VERSION}/graphql.json");
        // The sealed pair behind the token sent: a 401 refreshes exactly that pair, so calls that
        // fail together refresh once.
        let (mut access_token, mut used) = match token {
            Token::Stored => {
                let (plain, sealed) = self.usable_token(shop).await?;
                (plain, Some(sealed))
            }
            Token::Given(token) => (token.to_owned(), None),
        };
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace(shop).await;
            let answer = self
                .http
                .post_json(shop, &path, Some(&access_token), &body)
                .await
                .map_err(|error| ShopifyError::Failed(error.to_string()))?;
            if answer.status == 401 {
                let Some(stale) = used.as_ref().filter(|_| !refreshed) else {
                    return Err(ShopifyError::Unauthorized(shop.to_owned()));
                };
                refreshed = true;
                let (plain, sealed) = self.refresh(shop, stale).await?;
                (access_token, used) = (plain, Some(sealed));
                attempt -= 1;
                continue;
            }
            self.remember_bucket(shop, &answer.body);
            let cost = answer
                .body
                .pointer("/extensions/cost/requestedQueryCost")
                .and_then(Value::as_f64)
                .unwrap_or(10.0);
            let jitter = f64::from(OsRng.next_u32()) / f64::from(u32::MAX);
            match decide(
                attempt,
                answer.status,
                &answer.body,
                answer.retry_after.as_deref(),
                cost,
                idempotent,
                jitter,
            ) {
                Decision::Done if answer.status == 200 => return parse::<Q>(answer.body),
                Decision::Done => {
                    return Err(ShopifyError::Failed(format!("Shopify answered {}", answer.status)));
                }
                Decision::RetryAfter(wait) => tokio::time::sleep(wait).await,
                Decision::Fail(reason) => return Err(ShopifyError::Failed(reason)),
            }
        }
    }

    /// Waits while the bucket, restored at its rate since it was last seen, is nearly empty.
    async fn pace(&self, shop: &ShopDomain) {
        let bucket = self.buckets.lock().unwrap_or_else(PoisonError::into_inner).get(shop).copied();
        if let Some(bucket) = bucket {
            let restored = bucket.seen.elapsed().as_secs_f64() * bucket.status.restore_rate;
            let available = ThrottleStatus {
                currently_available: bucket.status.currently_available + restored,
                restore_rate: bucket.status.restore_rate,
            };
            // Keep room for a typical request (a page of 50 to 100 nodes costs about this much).
            let wait = available.wait_for(100.0);
            if wait > Duration::ZERO {
                tokio::time::sleep(wait).await;
            }
        }
    }

    fn remember_bucket(&self, shop: &ShopDomain, body: &Value) {
        if let Some(status) = ThrottleStatus::from_response(body) {
            self.buckets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(shop.to_owned(), Bucket { status, seen: Instant::now() });
        }
    }

    async fn sealed_access_token(&self, shop: &ShopDomain) -> Result<StoredTokens, ShopifyError> {
        self.store
            .shop(shop)
            .await?
            .filter(|record| record.active)
            .and_then(|record| record.tokens)
            .ok_or_else(|| ShopifyError::NotConnected(shop.to_owned()))
    }

    /// A usable access token for `shop`, refreshed first when it is about to expire.
    pub async fn access_token(&self, shop: &ShopDomain) -> Result<String, ShopifyError> {
        Ok(self.usable_token(shop).await?.0)
    }

    async fn usable_token(&self, shop: &ShopDomain) -> Result<(String, StoredTokens), ShopifyError> {
        let tokens = self.sealed_access_token(shop).await?;
        if tokens.access_expires_at.is_some_and(|expires_at| expires_at - REFRESH_MARGIN_SECS <= unix_now()) {
            return self.refresh(shop, &tokens).await;
        }
        Ok((self.open(shop, &tokens.access_token)?, tokens))
    }

    /// Refreshes the token `stale` holds, once across tasks: whoever gets the shop's lock first
    /// refreshes, the others find the new token stored.
    async fn refresh(
        &self,
        shop: &ShopDomain,
        stale: &StoredTokens,
    ) -> Result<(String, StoredTokens), ShopifyError> {
        let _held = self.refresh_locks.lock(shop.as_str()).await;
        let current = self.sealed_access_token(shop).await?;
        if current.access_token != stale.access_token {
            return Ok((self.open(shop, &current.access_token)?, current));
        }
        let Some(sealed_refresh) = &current.refresh_token else {
            return Err(ShopifyError::Unauthorized(shop.to_owned()));
        };
        let refresh_token = self.open(shop, sealed_refresh)?;
        let now = unix_now();
        let grant = match self.grants().refresh(&self.http, shop, &refresh_token).await {
            Ok(grant) => grant,
            Err(GrantError::Refused { .. }) => {
                return Err(ShopifyError::Unauthorized(shop.to_owned()));
            }
            Err(error) => return Err(error.into()),
        };
        let replacement = self.seal_grant(shop, &grant, now);
        if !self.store.replace_tokens(shop, &current.access_token, &replacement).await? {
            // Another replica refreshed meanwhile; its pair is the one Shopify keeps.
            let winner = self.sealed_access_token(shop).await?;
            return Ok((self.open(shop, &winner.access_token)?, winner));
        }
        Ok((grant.access_token, replacement))
    }

    fn open(&self, shop: &ShopDomain, sealed: &str) -> Result<String, ShopifyError> {
        self.keys.open(sealed, shop.as_str()).map_err(|_| {
            ShopifyError::Failed(format!("the stored token of {} cannot be decrypted", shop.as_str()))
        })
    }
}

fn parse<Q: GraphQLQuery>(body: Value) -> Result<Q::ResponseData, ShopifyError> {
    let errors: Vec<String> = body
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors.iter().filter_map(|error| error.get("message")?.as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default();
    match body.get("data") {
        Some(data) if !data.is_null() && errors.is_empty() => serde_json::from_value(data.clone())
            .map_err(|error| ShopifyError::Failed(format!("an unexpected answer: {error}"))),
        _ if errors.is_empty() => Err(ShopifyError::Failed("an answer without data".to_owned())),
        _ => Err(ShopifyError::Graphql(errors.join("; "))),
    }
}
