//! What `shopify app deploy` leaves in a store, read from the app's own files: its extensions
//! (Functions by handle, the web pixel by its settings keys) and the webhooks its
//! `shopify.app.toml` declares.

use crate::AdminApi;

/// Subscribes what `shopify app deploy` would from the app's `shopify.app.toml`: every topic of
/// each `[[webhooks.subscriptions]]` the simulator emits, to `uri` under `app_url`.
pub fn subscribe_declared_webhooks(admin: &mut AdminApi, path: &str, app_url: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    let manifest: toml::Table = toml::from_str(&text).map_err(|error| format!("{path}: {error}"))?;
    let subscriptions = manifest
        .get("webhooks")
        .and_then(|webhooks| webhooks.get("subscriptions"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten();
    for subscription in subscriptions {
        let uri = subscription.get("uri").and_then(toml::Value::as_str).unwrap_or("/webhooks");
        let address = if uri.starts_with('/') {
            format!("{}{uri}", app_url.trim_end_matches('/'))
        } else {
            uri.to_owned()
        };
        let topics = subscription.get("topics").and_then(toml::Value::as_array).into_iter().flatten();
        for topic in topics.filter_map(toml::Value::as_str) {
            // A topic the simulator never emits has nothing to deliver.
            let _ = admin.webhooks_mut().subscribe(topic, &address);
        }
    }
    Ok(())
}

/// Deploys what `shopify app deploy` would from `directory`: each Function (by handle and API)
/// and the web pixel (by its settings keys).
pub fn deploy_extensions(admin: &mut AdminApi, directory: &str) -> Result<(), String> {
    let entries = std::fs::read_dir(directory).map_err(|error| format!("{directory}: {error}"))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path().join("shopify.extension.toml");
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let manifest: toml::Table =
            toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        if manifest.get("type").and_then(toml::Value::as_str) == Some("web_pixel_extension") {
            let keys: Vec<&str> = manifest
                .get("settings")
                .and_then(|settings| settings.get("fields"))
                .and_then(toml::Value::as_table)
                .map(|fields| fields.keys().map(String::as_str).collect())
                .unwrap_or_default();
            admin.deploy_web_pixel(&keys);
        }
        let functions = manifest.get("extensions").and_then(toml::Value::as_array).into_iter().flatten();
        for function in functions
            .filter(|extension| extension.get("type").and_then(toml::Value::as_str) == Some("function"))
        {
            let handle = function.get("handle").and_then(toml::Value::as_str).unwrap_or_default();
            let targets = function.get("targeting").and_then(toml::Value::as_array).into_iter().flatten();
            let discount = targets
                .filter_map(|target| target.get("target").and_then(toml::Value::as_str))
                .any(|target| target.contains(".discounts."));
            if !handle.is_empty() {
                admin.deploy_function(handle, if discount { "discount" } else { "function" }, handle);
            }
        }
    }
    Ok(())
}
