//! Bulk queries: start one, and look at it until it is over. The callers are jobs, which queue
//! their next look rather than wait.

use super::ShopDomain;
use super::admin::{Shopify, ShopifyError};
use super::operations::{BulkOperationStatus, StartBulkQuery, bulk_operation_status, start_bulk_query};

/// Where a bulk operation is.
pub enum Progress {
    /// Still running: look again later.
    Running,
    /// Over; the result's address, or none when nothing matched.
    Completed(Option<String>),
    /// Ended without a result; why.
    Failed(String),
}

/// Starts `query`; the operation's id.
pub async fn start(shopify: &Shopify, shop: &ShopDomain, query: String) -> Result<String, ShopifyError> {
    let started = shopify.run::<StartBulkQuery>(shop, start_bulk_query::Variables { query }).await?;
    let payload =
        started.bulk_operation_run_query.ok_or_else(|| ShopifyError::Failed("no answer".to_owned()))?;
    if let Some(error) = payload.user_errors.first() {
        // Too many bulk operations of this app are running: try again shortly.
        return Err(ShopifyError::Failed(error.message.clone()));
    }
    Ok(payload.bulk_operation.ok_or_else(|| ShopifyError::Failed("no bulk operation".to_owned()))?.id)
}

/// Where the operation `id` is.
pub async fn progress(shopify: &Shopify, shop: &ShopDomain, id: &str) -> Result<Progress, ShopifyError> {
    use bulk_operation_status::BulkOperationStatus as Status;
    let variables = bulk_operation_status::Variables { id: id.to_owned() };
    let status = shopify
        .run::<BulkOperationStatus>(shop, variables)
        .await?
        .bulk_operation
        .ok_or_else(|| ShopifyError::Refused(format!("bulk operation {id} is gone")))?;
    Ok(match status.status {
        Status::CREATED | Status::RUNNING => Progress::Running,
        Status::COMPLETED => Progress::Completed(status.url),
        other => Progress::Failed(format!("ended {other:?} ({:?})", status.error_code)),
    })
}
