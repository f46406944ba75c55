//! Configuration, from the environment only, under the names the Shopify CLI sets where it sets
//! them. Read once at start; a missing or malformed variable stops the process with its name.

use std::fmt;

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
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
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
        let app_url =
            get("SHOPIFY_APP_URL").or_else(|| get("HOST")).ok_or(ConfigError::Missing("SHOPIFY_APP_URL"))?;
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
        Ok(Self {
            api_key,
            api_secret,
            previous_api_secret: get("SHOPIFY_API_SECRET_PREVIOUS"),
            scopes,
            app_url: app_url.trim_end_matches('/').to_owned(),
            port,
            database_url,
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
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    const BASE: [(&str, &str); 4] = [
        ("SHOPIFY_API_KEY", "key"),
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
        let mut pairs: Vec<(&str, &str)> = BASE[..3].to_vec();
        pairs.push(("HOST", "http://evil.example"));
        assert!(
            Config::from_lookup(lookup(&pairs))
                .unwrap_err()
                .to_string()
                .starts_with("SHOPIFY_APP_URL is invalid")
        );
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
