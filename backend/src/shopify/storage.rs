//! Shopify's file storage: bulk results are downloaded from it and bulk mutation variables are
//! uploaded to it. Only its hosts are reached (and, in development, the simulator's origin).

use crate::app::App;
use crate::jobs::JobError;

/// Where Shopify serves bulk results.
const RESULT_HOST: &str = "https://storage.googleapis.com/";
/// Where Shopify stages uploads.
const UPLOAD_HOST: &str = "https://shopify-staged-uploads.storage.googleapis.com/";

fn allowed(app: &App, url: &str, host: &str) -> bool {
    url.starts_with(host)
        || app.config.shopify_origin.as_deref().is_some_and(|origin| url.starts_with(&format!("{origin}/")))
}

/// Downloads a bulk operation's result.
pub async fn fetch_result(app: &App, url: &str) -> Result<String, JobError> {
    if !allowed(app, url, RESULT_HOST) {
        return Err(JobError::Fatal(format!("a bulk result outside {RESULT_HOST} is not fetched")));
    }
    let (status, text) =
        app.shopify.http().download(url).await.map_err(|error| JobError::Retry(error.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(JobError::Retry(format!("the bulk result answered {status}")));
    }
    Ok(text)
}

/// Uploads `file` to a staged target with its form `fields`.
pub async fn upload(app: &App, url: &str, fields: &[(String, String)], file: Vec<u8>) -> Result<(), String> {
    if !allowed(app, url, UPLOAD_HOST) {
        return Err(format!("a staged upload outside {UPLOAD_HOST} is not attempted"));
    }
    match app.shopify.http().upload(url, fields, file).await {
        Ok(status) if (200..300).contains(&status) => Ok(()),
        Ok(status) => Err(format!("the staged upload answered {status}")),
        Err(error) => Err(error.to_string()),
    }
}
