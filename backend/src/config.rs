//! Configuration, from the environment only, under the names the Shopify CLI sets where it sets
//! them. Read once at start; a missing or malformed variable stops the process with its name.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::MASTER_KEY_BYTES;

/// What the backend needs to run.
#[derive(Clone)]
pub struct Config {
    /// `SHOPIFY_API_KEY`: the app's client id.
    pub api_key: String,
    /// `SHOPIFY_API_SECRET`: the app's client secret.
    pub api_secret: String,
    /// `SHOPIFY_API_SECRET_PREVIOUS`: the secret being rotated out, still accepted on webhooks
    /// and session tokens while Shopify moves over.
    pub previous_api_secret: Option<String>,
    /// `SCOPES`: the access scopes the app asks for.
    pub scopes: Vec<String>,
    /// `SHOPIFY_APP_URL`, or `APP_URL` / `HOST` as `shopify app dev` sets them: where Shopify
    /// reaches us.
    pub app_url: String,
    /// `PORT`: where to listen; 0 picks a free port.
    pub port: u16,
    /// `DATABASE_URL`: `sqlite://…` (the default, a file) or `postgres://…`.
    pub database_url: String,
    /// `SEGLINK_ENCRYPTION_KEY`: 32 bytes, base64. Every key of ours (token encryption, cookie
    /// and link signing) is derived from it; the app secret signs nothing of ours.
    pub master_key: [u8; MASTER_KEY_BYTES],
    /// `SEGLINK_SHOPIFY_ORIGIN`: for development and tests only, an `http://127.0.0.1:…` origin
    /// that stands in for every `https://<shop>.myshopify.com` (the Shopify simulator).
    pub shopify_origin: Option<String>,
    /// `SEGLINK_JOB_LEASE_SECS` (default 60): how long a claimed job is a worker's. A worker
    /// that dies holds its jobs this long before another takes them.
    pub job_lease_secs: i64,
    /// `SEGLINK_CDN_ORIGIN` (default `https://cdn.shopify.com`): where the admin loads App Bridge
    /// and Polaris from; the simulator serves stand-ins in tests and the demo.
    pub cdn_origin: String,
    /// Meta's Graph API (`SEGLINK_META_GRAPH_URL`), where forwarded events go; a local stand-in
    /// in tests and the demo.
    pub meta_graph_url: String,
    /// How long clients may take and how many may connect (`SEGLINK_MAX_CONNECTIONS`, default
    /// 1024); how long an ingest write may take (`SEGLINK_STORAGE_DEADLINE_MS`, default 4000).
    pub limits: crate::serve::Limits,
    /// `SEGLINK_METRICS_TOKEN`: the bearer token `/metrics` asks for; without one it is off.
    pub metrics_token: Option<String>,
    /// `SEGLINK_WORKERS` (default 2): background workers in this process; 0 makes an
    /// ingest-only replica that stores deliveries and leaves their processing to others.
    pub workers: usize,
    /// `SEGLINK_INLINE_EVALUATION_CUSTOMERS` (default 20,000): up to this many customers a saved
    /// segment is evaluated inside the request and a preview counts every customer; a larger
    /// store gets an evaluation job with progress, and a preview from a sample of this size.
    pub inline_evaluation_customers: i64,
}

/// The default of `SEGLINK_INLINE_EVALUATION_CUSTOMERS`: a store this size evaluates in well under
/// a second (docs/benchmarks.md, "Segments").
pub const INLINE_EVALUATION_CUSTOMERS: i64 = 20_000;

const ENCRYPTION_KEY: &str = "SEGLINK_ENCRYPTION_KEY";
/// Where a development key is kept (ignored by git).
pub const DEVELOPMENT_KEY_FILE: &str = ".seglink-dev-key";

/// The development master key in `path`, made (random, readable by the owner only) when the
/// file does not exist.
pub fn development_key(path: &std::path::Path) -> Result<String, ConfigError> {
    let failed = |error: std::io::Error| ConfigError::Invalid {
        name: ENCRYPTION_KEY,
        reason: format!("not set, and the development key file {} failed: {error}", path.display()),
    };
    match std::fs::read_to_string(path) {
        Ok(key) => Ok(key.trim().to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; MASTER_KEY_BYTES];
            aes_gcm::aead::rand_core::RngCore::fill_bytes(&mut aes_gcm::aead::OsRng, &mut key);
            let key = STANDARD.encode(key);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(&mut options.open(path).map_err(failed)?, key.as_bytes())
                .map_err(failed)?;
            Ok(key)
        }
        Err(error) => Err(failed(error)),
    }
}

/// A variable that is missing or malformed, by name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Required and not set (or empty).
    #[error("{0} is not set")]
    Missing(&'static str),
    /// Set, but not usable.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

impl Config {
    /// Reads the process environment. Under `shopify app dev` (`APP_ENV=development`) without
    /// `SEGLINK_ENCRYPTION_KEY`, the key is kept in `.seglink-dev-key` in the working directory,
    /// made on first start, so the CLI's variables are enough.
    pub fn from_env() -> Result<Self, ConfigError> {
        let variable = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
        let development_key = match (variable("APP_ENV").as_deref(), variable(ENCRYPTION_KEY)) {
            (Some("development"), None) => Some(development_key(std::path::Path::new(DEVELOPMENT_KEY_FILE))?),
            _ => None,
        };
        Self::from_lookup(|name| {
            variable(name).or_else(|| (name == ENCRYPTION_KEY).then(|| development_key.clone()).flatten())
        })
    }

    /// Reads variables through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get =
            |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let required = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));
        let api_key = required("SHOPIFY_API_KEY")?;
        let api_secret = required("SHOPIFY_API_SECRET")?;
        let scopes: Vec<String> = required("SCOPES")?
            .split(',')
            .map(str::trim)
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned)
            .collect();
        let app_url = get("SHOPIFY_APP_URL")
            .or_else(|| get("APP_URL"))
            .or_else(|| get("HOST"))
            .ok_or(ConfigError::Missing("SHOPIFY_APP_URL"))?;
        if !app_url.starts_with("https://")
            && !app_url.starts_with("http://localhost")
            && !app_url.starts_with("http://127.0.0.1")
        {
            let reason = "must be an https:// URL (http:// only for localhost)".to_owned();
            return Err(ConfigError::Invalid { name: "SHOPIFY_APP_URL", reason });
        }
        let port = match get("PORT") {
            Some(port) => port.parse().map_err(|_| ConfigError::Invalid {
                name: "PORT",
                reason: format!("`{port}` is not a port number"),
            })?,
            None => 8081,
        };
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://seglink.db".to_owned());
        if !database_url.starts_with("sqlite://")
            && !database_url.starts_with("postgres://")
            && !database_url.starts_with("postgresql://")
        {
            let reason = "must start with sqlite:// or postgres://".to_owned();
            return Err(ConfigError::Invalid { name: "DATABASE_URL", reason });
        }
        let master_key = STANDARD
            .decode(required(ENCRYPTION_KEY)?)
            .ok()
            .and_then(|bytes| <[u8; MASTER_KEY_BYTES]>::try_from(bytes).ok())
            .ok_or_else(|| ConfigError::Invalid {
                name: ENCRYPTION_KEY,
                reason: "must be 32 bytes in base64 (openssl rand -base64 32)".to_owned(),
            })?;
        let shopify_origin = get("SEGLINK_SHOPIFY_ORIGIN");
        if let Some(origin) = &shopify_origin
            && !origin.starts_with("http://127.0.0.1:")
            && !origin.starts_with("http://localhost:")
        {
            let reason = "may only point at a local simulator (http://127.0.0.1:<port>)".to_owned();
            return Err(ConfigError::Invalid { name: "SEGLINK_SHOPIFY_ORIGIN", reason });
        }
        let job_lease_secs = match get("SEGLINK_JOB_LEASE_SECS") {
            Some(text) => text.parse().ok().filter(|secs| (1..=3_600).contains(secs)).ok_or_else(|| {
                ConfigError::Invalid {
                    name: "SEGLINK_JOB_LEASE_SECS",
                    reason: format!("`{text}` is not 1 to 3600 seconds"),
                }
            })?,
            None => 60,
        };
        let metrics_token = get("SEGLINK_METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|token| token.trim().len() < 16) {
            let reason = "must be at least 16 characters (openssl rand -hex 16)".to_owned();
            return Err(ConfigError::Invalid { name: "SEGLINK_METRICS_TOKEN", reason });
        }
        let cdn_origin = get("SEGLINK_CDN_ORIGIN").unwrap_or_else(|| "https://cdn.shopify.com".to_owned());
        let local =
            ["http://127.0.0.1:", "http://localhost:"].iter().any(|prefix| cdn_origin.starts_with(prefix));
        if !(cdn_origin.starts_with("https://") || local) || cdn_origin.contains(['"', '<', '>', ' ']) {
            let reason = "must be an https:// origin, or a local http://127.0.0.1:<port>".to_owned();
            return Err(ConfigError::Invalid { name: "SEGLINK_CDN_ORIGIN", reason });
        }
        let meta_graph_url =
            get("SEGLINK_META_GRAPH_URL").unwrap_or_else(|| "https://graph.facebook.com".to_owned());
        let local = ["http://127.0.0.1:", "http://localhost:"]
            .iter()
            .any(|prefix| meta_graph_url.starts_with(prefix));
        if !(meta_graph_url.starts_with("https://") || local)
            || meta_graph_url.contains(['"', '<', '>', ' ', '?', '#'])
        {
            let reason = "must be an https:// URL, or a local http://127.0.0.1:<port>".to_owned();
            return Err(ConfigError::Invalid { name: "SEGLINK_META_GRAPH_URL", reason });
        }
        let mut limits = crate::serve::Limits::default();
        if let Some(text) = get("SEGLINK_MAX_CONNECTIONS") {
            limits.max_connections =
                text.parse().ok().filter(|count| (1..=1_000_000).contains(count)).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "SEGLINK_MAX_CONNECTIONS",
                        reason: format!("`{text}` is not 1 to 1000000"),
                    }
                })?;
        }
        if let Some(text) = get("SEGLINK_STORAGE_DEADLINE_MS") {
            let millis =
                text.parse().ok().filter(|millis| (10..=4_000).contains(millis)).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "SEGLINK_STORAGE_DEADLINE_MS",
                        reason: format!("`{text}` is not 10 to 4000 (Shopify waits 5 s for an answer)"),
                    }
                })?;
            limits.storage_deadline = std::time::Duration::from_millis(millis);
        }
        let workers = match get("SEGLINK_WORKERS") {
            Some(text) => text.parse().ok().filter(|count| *count <= 64).ok_or_else(|| {
                ConfigError::Invalid { name: "SEGLINK_WORKERS", reason: format!("`{text}` is not 0 to 64") }
            })?,
            None => 2,
        };
        let inline_evaluation_customers = match get("SEGLINK_INLINE_EVALUATION_CUSTOMERS") {
            Some(text) => {
                text.parse().ok().filter(|count| (1..=1_000_000).contains(count)).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "SEGLINK_INLINE_EVALUATION_CUSTOMERS",
                        reason: format!("`{text}` is not 1 to 1000000"),
                    }
                })?
            }
            None => INLINE_EVALUATION_CUSTOMERS,
        };
        Ok(Self {
            api_key,
            api_secret,
            previous_api_secret: get("SHOPIFY_API_SECRET_PREVIOUS"),
            scopes,
            app_url: app_url.trim_end_matches('/').to_owned(),
            port,
            database_url,
            master_key,
            shopify_origin: shopify_origin.map(|origin| origin.trim_end_matches('/').to_owned()),
            job_lease_secs,
            cdn_origin: cdn_origin.trim_end_matches('/').to_owned(),
            meta_graph_url: meta_graph_url.trim_end_matches('/').to_owned(),
            limits,
            metrics_token: metrics_token.map(|token| token.trim().to_owned()),
            workers,
            inline_evaluation_customers,
        })
    }

    /// The secrets a signature may be made with: current first.
    pub fn secrets(&self) -> Vec<&str> {
        std::iter::once(self.api_secret.as_str()).chain(self.previous_api_secret.as_deref()).collect()
    }
}

/// Secrets and the database password never reach logs.
impl fmt::Debug for Config {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let database = self
            .database_url
            .split_once('@')
            .map_or(self.database_url.clone(), |(_, host)| format!("…@{host}"));
        formatter
            .debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("api_secret", &"[redacted]")
            .field("previous_api_secret", &self.previous_api_secret.as_ref().map(|_| "[redacted]"))
            .field("scopes", &self.scopes)
            .field("app_url", &self.app_url)
            .field("port", &self.port)
            .field("database_url", &database)
            .field("master_key", &"[redacted]")
            .field("shopify_origin", &self.shopify_origin)
            .field("job_lease_secs", &self.job_lease_secs)
            .field("cdn_origin", &self.cdn_origin)
            .field("meta_graph_url", &self.meta_graph_url)
            .field("limits", &self.limits)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "[redacted]"))
            .field("workers", &self.workers)
            .field("inline_evaluation_customers", &self.inline_evaluation_customers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    const BASE: [(&str, &str); 5] = [
        ("SHOPIFY_API_KEY", "key"),
        ("SEGLINK_ENCRYPTION_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        ("SHOPIFY_API_SECRET", "secret"),
        ("SCOPES", "read_customers, write_customers"),
        ("SHOPIFY_APP_URL", "https://seglink.example/"),
    ];

    #[test]
    fn the_shopify_cli_variables_are_enough() {
        let config = Config::from_lookup(lookup(&BASE)).unwrap();
        assert_eq!(config.scopes, ["read_customers", "write_customers"]);
        assert_eq!(config.app_url, "https://seglink.example");
        assert_eq!(config.database_url, "sqlite://seglink.db");
        assert_eq!(config.secrets(), ["secret"]);
    }

    #[test]
    fn each_missing_variable_is_named() {
        for (index, (name, _)) in BASE.iter().enumerate() {
            let without: Vec<(&str, &str)> =
                BASE.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, pair)| *pair).collect();
            let error = Config::from_lookup(lookup(&without)).unwrap_err();
            assert_eq!(error.to_string(), format!("{name} is not set"));
        }
    }

    #[test]
    fn malformed_values_are_named_and_host_stands_in_for_the_app_url() {
        let mut pairs = BASE.to_vec();
        pairs.push(("PORT", "eighty"));
        assert!(Config::from_lookup(lookup(&pairs)).unwrap_err().to_string().starts_with("PORT is invalid"));
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_URL", "mysql://x"));
        assert!(
            Config::from_lookup(lookup(&pairs))
                .unwrap_err()
                .to_string()
                .starts_with("DATABASE_URL is invalid")
        );
        let mut pairs: Vec<(&str, &str)> = BASE[..4].to_vec();
        pairs.push(("HOST", "http://evil.example"));
        assert!(
            Config::from_lookup(lookup(&pairs))
                .unwrap_err()
                .to_string()
                .starts_with("SHOPIFY_APP_URL is invalid")
        );
    }

    #[test]
    fn the_storage_deadline_stays_inside_shopifys_five_seconds() {
        for (text, valid) in
            [("2000", true), ("10", true), ("4000", true), ("4001", false), ("9", false), ("2s", false)]
        {
            let mut pairs = BASE.to_vec();
            pairs.push(("SEGLINK_STORAGE_DEADLINE_MS", text));
            match Config::from_lookup(lookup(&pairs)) {
                Ok(config) => {
                    assert!(valid, "{text} accepted");
                    assert_eq!(config.limits.storage_deadline.as_millis().to_string(), text);
                }
                Err(error) => {
                    assert!(!valid, "{text} refused: {error}");
                    assert!(
                        error.to_string().starts_with("SEGLINK_STORAGE_DEADLINE_MS is invalid"),
                        "{error}"
                    );
                }
            }
        }
        assert_eq!(Config::from_lookup(lookup(&BASE)).unwrap().limits.storage_deadline.as_millis(), 4_000);
    }

    #[test]
    fn the_encryption_key_and_the_simulator_origin_are_checked() {
        let with = |name, value| {
            let mut pairs = BASE.to_vec();
            pairs.retain(|(key, _)| *key != name);
            pairs.push((name, value));
            Config::from_lookup(lookup(&pairs)).map_err(|error| error.to_string())
        };
        assert!(
            with("SEGLINK_ENCRYPTION_KEY", "c2hvcnQ=")
                .unwrap_err()
                .starts_with("SEGLINK_ENCRYPTION_KEY is invalid")
        );
        assert!(
            with("SEGLINK_SHOPIFY_ORIGIN", "https://evil.example")
                .unwrap_err()
                .starts_with("SEGLINK_SHOPIFY_ORIGIN")
        );
        let config = with("SEGLINK_SHOPIFY_ORIGIN", "http://127.0.0.1:9000/").unwrap();
        assert_eq!(config.shopify_origin.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(config.master_key, [0; 32]);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_URL", "postgres://seglink:hunter2@db/seglink"));
        pairs.push(("SHOPIFY_API_SECRET_PREVIOUS", "old-secret"));
        let shown = format!("{:?}", Config::from_lookup(lookup(&pairs)).unwrap());
        for secret in ["hunter2", "old-secret", "\"secret\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
