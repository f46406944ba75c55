//! What the benchmarks share: a simulated shop served on a local port, and Seglink connected to
//! it as a custom app.

use std::time::{SystemTime, UNIX_EPOCH};

use seglink::app::AppState;
use seglink::clock::UnixTime;
use seglink::config::Config;
use seglink::db::{Connection, StoredTokens, Workspace};
use seglink::shop_domain::ShopDomain;
use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::server::{Simulator, serve};
use shopify_sim::shop::Shop;
use shopify_sim::{AdminApi, Plan};

/// A simulator serving one shop, and a custom app's token on it.
pub struct Served {
    pub sim: Simulator,
    /// Where it answers, for `SEGLINK_SHOPIFY_ORIGIN`.
    pub origin: String,
    pub token: String,
}

/// Serves `shop` with `plan`'s rate limits; the token holds `scopes`.
pub async fn serve_shop(shop: Shop, plan: Plan, scopes: &[&str]) -> Served {
    let credentials = AppCredentials {
        client_id: "bench-api-key".to_owned(),
        client_secret: "bench-api-secret".to_owned(),
        redirect_urls: vec!["https://seglink.example/auth/callback".to_owned()],
    };
    let oauth = OAuthServer::new(&shop.domain, credentials, scopes);
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut admin = AdminApi::new(shop, oauth, plan, elapsed);
    // The largest plan: a benchmark measures Seglink, not its limits.
    let plans = shopify_sim::billing::plans_from(&seglink::billing::PLANS).expect("Seglink's plans");
    admin.offer_plans(plans, Some("scale"), elapsed);
    let sim = Simulator::new(admin);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let origin = format!("http://{}", listener.local_addr().expect("an address"));
    sim.with_admin(|admin| admin.set_public_url(&origin));
    let served = sim.clone();
    tokio::spawn(async move { serve(&served, listener).await });
    let token = sim.with_admin(|admin| admin.oauth_mut().custom_app_token(scopes));
    Served { sim, origin, token }
}

/// Seglink's configuration for a benchmark on `database_url`, reaching the simulator at `origin`
/// when given, with `extra` settings besides.
pub fn config(database_url: &str, origin: Option<&str>, extra: &[(&str, &str)]) -> Config {
    let pairs = [
        ("SHOPIFY_API_KEY", "bench-api-key"),
        ("SHOPIFY_API_SECRET", "bench-api-secret"),
        ("SCOPES", "read_customers,write_customers,read_orders,read_products,write_products"),
        ("SHOPIFY_APP_URL", "https://seglink.example"),
        ("PORT", "0"),
        ("SEGLINK_ENCRYPTION_KEY", "c2VnbGluay10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE="),
        ("DATABASE_URL", database_url),
    ];
    Config::from_lookup(|name| {
        if name == "SEGLINK_SHOPIFY_ORIGIN" {
            return origin.map(str::to_owned);
        }
        pairs.iter().chain(extra).find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    })
    .expect("a complete benchmark configuration")
}

/// Connects `domain` to a new workspace of Seglink's with the custom app's token; the workspace.
pub async fn connect(
    app: &AppState,
    domain: &ShopDomain,
    token: &str,
    scopes: &str,
    now: UnixTime,
) -> Workspace {
    let (workspace, _) =
        seglink::install::workspace::create(&app.store, domain, now).await.expect("a workspace");
    let tokens = StoredTokens {
        access_token: app.keys.seal(token, domain.as_str()),
        access_expires_at: None,
        refresh_token: None,
        refresh_expires_at: None,
        scopes: scopes.to_owned(),
        webhook_secret: None,
    };
    app.store.connect_shop(domain, &workspace.id, Connection::Custom, &tokens, now).await.expect("connected");
    workspace
}
