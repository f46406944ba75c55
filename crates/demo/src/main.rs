//! `seglink-demo`: Seglink and a simulated Shopify on this machine, the whole loop in a browser
//! without a Partner account (docs/demo.md). One process runs the simulator with a seeded shop
//! and Seglink on SQLite in a data folder that survives restarts, installs Seglink the way a
//! merchant's first open does, and prints the URL of the simulated admin. Ctrl-C stops both.

mod data;
mod runner;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use data::{DataFolder, Seeding};
use seglink::config::Config;
use seglink::startup::Application;
use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::server::{Simulator, serve};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

/// The app's client id in the demo.
const API_KEY: &str = "seglink-demo";
/// The repository's app configuration and extensions, which the simulator deploys.
const APP_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shopify.app.toml");
const EXTENSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../extensions");
/// The pixel as `scripts/build.sh` bundles it (as `shopify app build` would), which the
/// simulated storefront runs.
const PIXEL_BUNDLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/pixel/web-pixel.js");

#[derive(Parser)]
#[command(name = "seglink-demo", about = "Seglink and a simulated Shopify, the whole loop in a browser")]
struct Options {
    /// Where the simulated Shopify (admin, API) listens; 0 picks a free port.
    #[arg(long, default_value_t = 3456)]
    port: u16,
    /// Where Seglink listens; 0 picks a free port.
    #[arg(long, default_value_t = 3457)]
    app_port: u16,
    /// Customers in the seeded shop (first start only).
    #[arg(long, default_value_t = 1_000)]
    customers: usize,
    /// Orders in the seeded shop, over 90 days (first start only).
    #[arg(long, default_value_t = 5_000)]
    orders: usize,
    /// Products in the seeded shop (first start only).
    #[arg(long, default_value_t = 60)]
    products: usize,
    /// Where Seglink's database and the demo's keys are kept between starts.
    #[arg(long, default_value = ".seglink-demo")]
    data: PathBuf,
    /// Start over: empty the data folder first.
    #[arg(long)]
    fresh: bool,
    /// Do not open a browser.
    #[arg(long)]
    no_open: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Options::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refusal::Usage(message)) => {
            eprintln!("seglink-demo: {message}");
            ExitCode::from(2)
        }
        Err(Refusal::Failed(message)) => {
            eprintln!("seglink-demo: {message}");
            ExitCode::FAILURE
        }
    }
}

enum Refusal {
    /// The caller can fix it (a busy port): exit 2.
    Usage(String),
    Failed(String),
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

async fn run(options: Options) -> Result<(), Refusal> {
    let folder = DataFolder::open(&options.data, options.fresh)?;
    let reused = folder.has_database();
    let shop_listener = bind(options.port, "--port").await?;
    let shop_origin = format!("http://127.0.0.1:{}", local_port(&shop_listener));
    // Seglink binds its own port; it is checked here first for a clear message.
    let app_port = local_port(&bind(options.app_port, "--app-port").await?);
    let app_url = format!("http://localhost:{app_port}");

    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let wanted = Seeding {
        customers: options.customers,
        products: options.products,
        orders: options.orders,
        now: now.as_secs(),
    };
    let seeding = folder.seeding(wanted)?;
    let secret = folder.app_secret()?;
    let scopes = app_scopes()?;
    let simulator = simulated_shop(seeding, &secret, &scopes, &app_url, now)?;
    let domain = simulator.with_admin(|admin| admin.shop().domain.clone());
    tokio::spawn(serve_simulator(simulator.clone(), shop_listener));
    tokio::spawn(simulator.clone().deliver_webhooks_forever());

    let config = backend_config(&folder, &secret, &scopes, &app_url, app_port, &shop_origin)?;
    if reused {
        forget_install(&config, &domain).await?;
    }
    let application = Application::build(config).await?;
    tokio::spawn(async move {
        if let Err(error) = application.run_until_stopped().await {
            eprintln!("seglink-demo: Seglink stopped: {error}");
        }
    });
    install(&simulator, &app_url, now).await?;
    if reused {
        reconcile(&simulator, &app_url, now).await?;
    }

    let handle = domain.trim_end_matches(".myshopify.com");
    // The origin Seglink knows the admin by (its CSP's frame-ancestors): another host name for
    // the same address would be refused the frame.
    let origin = &shop_origin;
    simulator.set_welcome(&guide(handle));
    let landing = format!("{origin}/");
    println!("Seglink demo: open {landing}");
    println!(
        "(a simulated shop of {} customers, {} products and {} orders; data in {}{})",
        seeding.customers,
        seeding.products,
        seeding.orders,
        options.data.display(),
        if reused { ", reused" } else { "" }
    );
    if !options.no_open {
        open_browser(&landing);
    }
    tokio::signal::ctrl_c().await.map_err(|error| format!("could not wait for Ctrl-C: {error}"))?;
    println!("stopped; the data stays in {} (--fresh starts over)", options.data.display());
    Ok(())
}

/// The landing page: the loop in five steps, each a link into the simulated admin, Seglink or the
/// storefront.
fn guide(handle: &str) -> String {
    let store = format!("/store/{handle}");
    let app = format!("{store}/apps/{API_KEY}");
    let shop = format!("/storefront/{handle}");
    format!(
        "<p>Seglink is installed in this simulated Shopify store. Follow the loop: shoppers' history \
         becomes a segment, the segment becomes a customer tag in Shopify, and the tag a discount at \
         checkout, decided by Seglink's Shopify Function.</p><ol>\
         <li><a href=\"{app}\">Open Seglink</a> in the admin: its setup guide shows the install, the pixel, \
         the discount and the reading of 90 days of orders.</li>\
         <li>On Seglink's Home, keep the suggested segment (or build one on <a href=\"{app}/segments/new\">Segments</a>, \
         such as shoppers who added to cart this week). Its members get the tag: see them on \
         <a href=\"{store}/customers\">Customers</a>.</li>\
         <li>On Seglink's <a href=\"{app}/discounts\">Discounts</a>, add a rule: “VIP 15%”, 15% off the order for that segment. \
         The discount's metafield holds it: see <a href=\"{store}/discounts\">Discounts</a>.</li>\
         <li>Shop as a member: on the <a href=\"{shop}\">storefront</a>, accept the cookie banner, \
         <a href=\"{shop}/account\">sign in</a> as a customer with the tag, add to the cart and check out. The \
         Function gives 15%. Seglink's pixel runs on every page, in a sandbox like Shopify's, and sends \
         what you do to Seglink; paying sends Shopify's order webhooks (<a href=\"{store}/webhooks\">Webhooks</a>), \
         which tie this browser to the customer, so your visits count in behavioural segments.</li>\
         <li>Sign out and check out as a guest, or as a customer who is not a member: no discount. Seglink's \
         “What would a customer get?” on Discounts says why, rule by rule.</li></ol>\
         <p>The storefront, the checkout and the admin pages are the simulator's stand-ins for Shopify's \
         (docs/demo.md says what is and is not simulated).</p>"
    )
}

/// A listener on 127.0.0.1:`port`, or the message a busy port deserves.
async fn bind(port: u16, flag: &str) -> Result<tokio::net::TcpListener, Refusal> {
    tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.map_err(|error| {
        if error.kind() == std::io::ErrorKind::AddrInUse {
            Refusal::Usage(format!("port {port} is busy (another demo?): choose another with {flag} N"))
        } else {
            Refusal::Failed(format!("could not listen on 127.0.0.1:{port}: {error}"))
        }
    })
}

fn local_port(listener: &tokio::net::TcpListener) -> u16 {
    listener.local_addr().map(|address| address.port()).unwrap_or_default()
}

/// The scopes `shopify.app.toml` asks for.
fn app_scopes() -> Result<String, String> {
    let text = std::fs::read_to_string(APP_CONFIG).map_err(|error| format!("{APP_CONFIG}: {error}"))?;
    let config: toml::Table = text.parse().map_err(|error| format!("{APP_CONFIG}: {error}"))?;
    config
        .get("access_scopes")
        .and_then(|scopes| scopes.get("scopes"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{APP_CONFIG} names no access_scopes.scopes"))
}

/// The seeded shop with the app's extensions deployed and its webhooks subscribed, as
/// `shopify app deploy` leaves a store.
fn simulated_shop(
    seeding: Seeding,
    secret: &str,
    scopes: &str,
    app_url: &str,
    now: Duration,
) -> Result<Simulator, String> {
    let shop = seed_shop(&SeedOptions {
        customers: seeding.customers,
        products: seeding.products,
        orders: seeding.orders,
        now: seeding.now,
        ..SeedOptions::default()
    });
    let app = AppCredentials {
        client_id: API_KEY.to_owned(),
        client_secret: secret.to_owned(),
        redirect_urls: vec![format!("{app_url}/auth/callback")],
    };
    let scopes: Vec<&str> = scopes.split(',').map(str::trim).collect();
    let oauth = OAuthServer::new(&shop.domain, app, &scopes);
    let mut admin = AdminApi::new(shop, oauth, Plan::Standard, now);
    // The demo store starts on Growth's trial; the Billing page changes it on the plan page.
    admin.offer_plans(shopify_sim::billing::plans_from(&seglink::billing::PLANS)?, Some("growth"), now);
    admin.billing_mut().development_store = true;
    shopify_sim::deploy::deploy_extensions(&mut admin, EXTENSIONS)?;
    shopify_sim::deploy::subscribe_declared_webhooks(&mut admin, APP_CONFIG, app_url)?;
    let simulator = Simulator::new(admin);
    simulator.set_app_url(app_url);
    simulator.set_function_runner(std::sync::Arc::new(runner::NativeFunction));
    match std::fs::read_to_string(PIXEL_BUNDLE) {
        Ok(bundle) => simulator.set_web_pixel_script(&bundle),
        Err(error) => eprintln!(
            "seglink-demo: the storefront runs without the pixel: {PIXEL_BUNDLE}: {error} (bash scripts/build.sh builds it)"
        ),
    }
    Ok(simulator)
}

async fn serve_simulator(simulator: Simulator, listener: tokio::net::TcpListener) {
    if let Err(error) = serve(&simulator, listener).await {
        eprintln!("seglink-demo: the simulated Shopify stopped: {error}");
    }
}

/// Seglink's configuration, as the Shopify CLI's variables would give it, pointed at the
/// simulator for Shopify's API and CDN.
fn backend_config(
    folder: &DataFolder,
    secret: &str,
    scopes: &str,
    app_url: &str,
    port: u16,
    shop_origin: &str,
) -> Result<Config, String> {
    let master_key = folder.master_key()?;
    let values = [
        ("SHOPIFY_API_KEY", API_KEY.to_owned()),
        ("SHOPIFY_API_SECRET", secret.to_owned()),
        ("SCOPES", scopes.to_owned()),
        ("SHOPIFY_APP_URL", app_url.to_owned()),
        ("PORT", port.to_string()),
        ("DATABASE_URL", folder.database_url()),
        ("SEGLINK_ENCRYPTION_KEY", master_key),
        ("SEGLINK_SHOPIFY_ORIGIN", shop_origin.to_owned()),
        ("SEGLINK_CDN_ORIGIN", shop_origin.to_owned()),
    ];
    Config::from_lookup(|name| values.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone()))
        .map_err(|error| error.to_string())
}

/// The simulated Shopify lives in memory: a second start serves the same seeded shop, which has
/// forgotten the install. Seglink is told so, as an uninstall would (its tokens and provisioning
/// go, its data stays), and the first open installs it again.
async fn forget_install(config: &Config, domain: &str) -> Result<(), String> {
    let domain = seglink::shop_domain::ShopDomain::parse(domain).map_err(|error| error.to_string())?;
    let store = seglink::db::Store::connect(&config.database_url).await.map_err(|error| error.to_string())?;
    store.record_uninstall(&domain, seglink::clock::unix_now()).await.map_err(|error| error.to_string())
}

/// What a merchant's first open does: the admin frames Seglink with a signed launch, whose
/// session token Seglink exchanges for an access token, then provisions the store.
async fn install(simulator: &Simulator, app_url: &str, now: Duration) -> Result<(), String> {
    let launch = simulator.with_admin(|admin| admin.oauth().app_load_query(1, now.as_secs()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| error.to_string())?;
    let answer = client
        .get(format!("{app_url}/?{launch}"))
        .send()
        .await
        .map_err(|error| format!("Seglink did not answer the first open: {error}"))?;
    if !answer.status().is_success() {
        return Err(format!("the first open got {}: Seglink could not install the shop", answer.status()));
    }
    Ok(())
}

/// After a restart the simulated customers carry no tags: Seglink reads them back and puts its
/// members' tags on again, as it repairs any drift.
async fn reconcile(simulator: &Simulator, app_url: &str, now: Duration) -> Result<(), String> {
    let token = simulator.with_admin(|admin| admin.oauth_mut().session_token(1, now.as_secs()));
    let answer = reqwest::Client::new()
        .post(format!("{app_url}/api/segments/reconcile"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| format!("Seglink did not answer: {error}"))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("reconciling the tags got {}", answer.status()))
    }
}

/// Opens `url` in the desktop's browser, when there is a desktop.
fn open_browser(url: &str) {
    let desktop = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if desktop || cfg!(target_os = "macos") {
        // A missing opener only means the URL is opened by hand.
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}
