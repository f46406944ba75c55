//! Shopify's file storage: bulk results are downloaded from it and bulk mutation variables are
//! uploaded to it. Only its hosts are reached (and, in development, the simulator's origin).

use super::admin::{Shopify, ShopifyError};

/// Where Shopify serves bulk results.
const RESULT_HOST: &str = "https://storage.googleapis.com/";
/// Where Shopify stages uploads.
const UPLOAD_HOST: &str = "https://shopify-staged-uploads.storage.googleapis.com/";

fn allowed(shopify: &Shopify, url: &str, host: &str) -> bool {
    url.starts_with(host)
        || shopify.http().origin_override().is_some_and(|origin| url.starts_with(&format!("{origin}/")))
}

/// Downloads a bulk operation's result.
pub async fn fetch_result(shopify: &Shopify, url: &str) -> Result<String, ShopifyError> {
    if !allowed(shopify, url, RESULT_HOST) {
        return Err(ShopifyError::Refused(format!("a bulk result outside {RESULT_HOST} is not fetched")));
    }
    let (status, text) =
        shopify.http().download(url).await.map_err(|error| ShopifyError::Failed(error.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(ShopifyError::Failed(format!("the bulk result answered {status}")));
    }
    Ok(text)
}

/// Uploads `file` to a staged target with its form `fields`.
pub async fn upload(
    shopify: &Shopify,
    url: &str,
    fields: &[(String, String)],
    file: Vec<u8>,
) -> Result<(), ShopifyError> {
    if !allowed(shopify, url, UPLOAD_HOST) {
        return Err(ShopifyError::Refused(format!("a staged upload outside {UPLOAD_HOST} is not attempted")));
    }
    match shopify.http().upload(url, fields, file).await {
        Ok(status) if (200..300).contains(&status) => Ok(()),
        Ok(status) => Err(ShopifyError::Failed(format!("the staged upload answered {status}"))),
        Err(error) => Err(ShopifyError::Failed(error.to_string())),
    }
}
