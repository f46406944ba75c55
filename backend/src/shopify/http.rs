//! The one way Seglink reaches Shopify: HTTPS to `<shop>.myshopify.com`, the address built from a
//! validated `ShopDomain` only. In development and tests `SEGLINK_SHOPIFY_ORIGIN` points every
//! shop at the local simulator instead (config allows only loopback there).

use std::time::Duration;

use aes_gcm::aead::OsRng;
use aes_gcm::aead::rand_core::RngCore;
use serde_json::Value;

use super::ShopDomain;

/// Shopify's answer, read whole.
#[derive(Clone, Debug)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// `Retry-After`, as sent.
    pub retry_after: Option<String>,
    /// The JSON body (`Null` when it was not JSON).
    pub body: Value,
}

/// An HTTP client for Shopify's endpoints.
#[derive(Clone)]
pub struct ShopifyHttp {
    client: reqwest::Client,
    origin_override: Option<String>,
}

/// The request never got an answer.
#[derive(Debug, thiserror::Error)]
#[error("Shopify could not be reached: {0}")]
pub struct Unreachable(String);

impl ShopifyHttp {
    /// The origin that replaces `https://<shop>`, if any (the simulator).
    pub fn origin_override(&self) -> Option<&str> {
        self.origin_override.as_deref()
    }

    /// A client; `origin_override` replaces `https://<shop>` (the simulator).
    pub fn new(origin_override: Option<String>) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            // Never follow a redirect: it could lead away from the shop.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("seglink/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { client, origin_override }
    }

    /// The address of `path` on `shop`.
    pub fn url(&self, shop: &ShopDomain, path: &str) -> String {
        match &self.origin_override {
            Some(origin) => format!("{origin}{path}"),
            None => format!("https://{}{path}", shop.as_str()),
        }
    }

    /// GETs a bulk operation's result, whose address Shopify gave (the caller checks its host).
    pub async fn download(&self, url: &str) -> Result<(u16, String), Unreachable> {
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|error| Unreachable(error.without_url().to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|error| Unreachable(error.without_url().to_string()))?;
        Ok((status, text))
    }

    /// POSTs a multipart form to a staged upload target Shopify gave (the caller checks its host):
    /// the target's `parameters` in order, then the file. Only the status matters.
    pub async fn upload(
        &self,
        url: &str,
        fields: &[(String, String)],
        file: Vec<u8>,
    ) -> Result<u16, Unreachable> {
        let boundary = format!("seglink-{:08x}{:08x}", OsRng.next_u32(), OsRng.next_u32());
        let mut body = Vec::with_capacity(file.len() + 512);
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seglink.jsonl\"\r\n\
                 Content-Type: text/jsonl\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .client
            .post(url)
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .map_err(|error| Unreachable(error.without_url().to_string()))?;
        Ok(response.status().as_u16())
    }

    /// POSTs `body` as JSON to `path` on `shop`, with `access_token` when given.
    pub async fn post_json(
        &self,
        shop: &ShopDomain,
        path: &str,
        access_token: Option<&str>,
        body: &impl serde::Serialize,
    ) -> Result<HttpAnswer, Unreachable> {
        let mut request =
            self.client.post(self.url(shop, path)).json(body).header("Accept", "application/json");
        if let Some(token) = access_token {
            request = request.header("X-Shopify-Access-Token", token);
        }
        let response = request.send().await.map_err(|error| Unreachable(error.without_url().to_string()))?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("Retry-After").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.map_err(|error| Unreachable(error.without_url().to_string()))?;
        Ok(HttpAnswer { status, retry_after, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) })
    }
}
