//! Writing the compiled rules to the discount node's metafield with `metafieldsSet` and the
//! metafield's `compareDigest`, so a write based on a stale read fails instead of overwriting a
//! newer one. Each write carries the whole current config, so after a refusal the digest is read
//! again and the write repeated. A missing discount (deleted by the merchant) is created again.

use crate::app::App;
use crate::clock::{UnixTime, unix_now};
use crate::db::{DiscountSync, NewJob, StepState, SyncState};
use crate::jobs::{Job, JobError};
use crate::shopify::ShopDomain;
use crate::shopify::admin::{Shopify, ShopifyError};
use crate::shopify::operations::{DiscountConfig, SetMetafields, discount_config, set_metafields};

/// Writes repeated after a stale digest.
const ATTEMPTS: usize = 3;

/// Why the rules did not reach Shopify.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The rules do not compile; each violation at `rules[i].field`.
    #[error("{0}")]
    Rules(discount_rules::Violations),
    /// Shopify refused or could not be reached.
    #[error("{0}")]
    Shopify(String),
    /// Our storage failed.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl From<ShopifyError> for WriteError {
    fn from(error: ShopifyError) -> Self {
        match error {
            ShopifyError::Db(error) => Self::Db(error),
            other => Self::Shopify(other.to_string()),
        }
    }
}

/// Compiles the store's rules and writes them; what was written.
pub async fn write_rules(app: &App, shop: &ShopDomain) -> Result<DiscountSync, WriteError> {
    let _held = app.locks.lock(&format!("discount:{shop}")).await;
    let rules: Vec<discount_rules::Rule> =
        super::rules_of(&app.store, shop).await?.into_iter().map(|(_, rule)| rule).collect();
    let config = discount_rules::compile(&rules).map_err(WriteError::Rules)?;
    let value = config.to_metafield_json();
    let outcome = write_config(app, shop, &value).await;
    let now = unix_now();
    let previous = app.store.discount_sync(shop).await?.unwrap_or_default();
    let record = match &outcome {
        Ok((discount_id, digest)) => DiscountSync {
            discount_id: Some(discount_id.clone()),
            digest: digest.clone(),
            bytes: Some(value.len() as i64),
            state: SyncState::Synced,
            detail: Some(format!("{} active rules", rules.iter().filter(|rule| rule.active).count())),
            synced_at: now,
        },
        Err(error) => DiscountSync {
            state: SyncState::Failed,
            detail: Some(error.to_string()),
            synced_at: now,
            ..previous
        },
    };
    app.store.set_discount_sync(shop, &record).await?;
    outcome.map(|_| record)
}

/// The discount that carries the config: the one recorded, or the one provisioning made, or,
/// when the merchant deleted it, a new one (created with the config, so nothing else to write).
async fn write_config(
    app: &App,
    shop: &ShopDomain,
    value: &str,
) -> Result<(String, Option<String>), WriteError> {
    let recorded = app.store.discount_sync(shop).await?.and_then(|sync| sync.discount_id);
    let provisioned = || async {
        let steps = app.store.setup_steps(shop).await?;
        Ok::<_, WriteError>(
            steps
                .into_iter()
                .find(|(step, state, _)| step == "discount" && *state == StepState::Done)
                .and_then(|(_, _, detail)| detail),
        )
    };
    let known = match recorded {
        Some(id) => Some(id),
        None => provisioned().await?,
    };
    for _ in 0..ATTEMPTS {
        let current = match &known {
            Some(id) => read_digest(&app.shopify, shop, id).await?,
            None => None,
        };
        let Some((discount_id, digest)) = current else {
            let created = crate::install::create_automatic_discount(&app.shopify, shop, value)
                .await
                .map_err(|error| WriteError::Shopify(error.to_string()))?
                .ok_or_else(|| WriteError::Shopify("Shopify made no discount".to_owned()))?;
            let digest = read_digest(&app.shopify, shop, &created).await?.and_then(|(_, digest)| digest);
            return Ok((created, digest));
        };
        let input = set_metafields::MetafieldsSetInput {
            owner_id: discount_id.clone(),
            namespace: Some(discount_rules::METAFIELD_NAMESPACE.to_owned()),
            key: discount_rules::METAFIELD_KEY.to_owned(),
            type_: Some("json".to_owned()),
            value: value.to_owned(),
            // Without a metafield to compare with, the write is plain: the typed client leaves
            // out a `None`, and the metafield exists from the discount's creation on anyway.
            compare_digest: digest,
        };
        let variables = set_metafields::Variables { metafields: vec![input] };
        let payload = app
            .shopify
            .run_repeatable::<SetMetafields>(shop, variables)
            .await?
            .metafields_set
            .ok_or_else(|| WriteError::Shopify("metafieldsSet answered nothing".to_owned()))?;
        match payload.user_errors.first() {
            None => {
                let digest = payload
                    .metafields
                    .unwrap_or_default()
                    .into_iter()
                    .next()
                    .map(|field| field.compare_digest);
                return Ok((discount_id, digest));
            }
            // Written in between (another replica, or an earlier attempt whose answer was lost):
            // read the digest again and write the current config over it.
            Some(error)
                if matches!(
                    error.code,
                    Some(
                        set_metafields::MetafieldsSetUserErrorCode::INVALID_COMPARE_DIGEST
                            | set_metafields::MetafieldsSetUserErrorCode::STALE_OBJECT
                    )
                ) =>
            {
                continue;
            }
            Some(error) => return Err(WriteError::Shopify(error.message.clone())),
        }
    }
    Err(WriteError::Shopify("the metafield kept changing while it was written".to_owned()))
}

/// The discount's id and its config metafield's digest (`None` inside when there is no
/// metafield yet); `None` when the discount is gone.
async fn read_digest(
    shopify: &Shopify,
    shop: &ShopDomain,
    discount_id: &str,
) -> Result<Option<(String, Option<String>)>, WriteError> {
    let variables = discount_config::Variables {
        id: discount_id.to_owned(),
        namespace: discount_rules::METAFIELD_NAMESPACE.to_owned(),
        key: discount_rules::METAFIELD_KEY.to_owned(),
    };
    let node = shopify.run::<DiscountConfig>(shop, variables).await?.discount_node;
    Ok(node.map(|node| (node.id, node.metafield.map(|field| field.compare_digest))))
}

/// A job that retries a write that failed in a request.
pub fn retry_job(shop: &ShopDomain, now: UnixTime) -> NewJob {
    WriteDiscountRules {}.queued(shop, now, None)
}

/// Writes a store's rules to Shopify in the background (after a failed write in a request).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct WriteDiscountRules {}

impl Job for WriteDiscountRules {
    const KIND: &'static str = "discount_sync";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        match write_rules(app, shop).await {
            Ok(_) => Ok(()),
            Err(WriteError::Rules(violations)) => Err(JobError::Fatal(violations.to_string())),
            Err(error) => Err(JobError::Retry(error.to_string())),
        }
    }
}
