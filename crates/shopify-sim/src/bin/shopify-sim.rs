//! `shopify-sim seed` prints the deterministic demo shop as JSON; `shopify-sim serve` serves it
//! over HTTP on 127.0.0.1 (OAuth, Admin GraphQL, and `/__sim/faults`). The app's credentials come
//! from the variables the Shopify CLI sets: `SHOPIFY_API_KEY`, `SHOPIFY_API_SECRET`, `SCOPES`.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::server::{Simulator, serve_with};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const USAGE: &str = "usage: shopify-sim seed [SHOP OPTIONS] [--quiet]
       shopify-sim serve [SHOP OPTIONS] [--port N] [--plan standard|advanced|plus|enterprise] [--redirect-url URL]
                         [--app-url URL] [--extensions DIR] [--app-config FILE]
                         [--pricing-plans JSON [--subscribed HANDLE]] [--meta-dataset PIXEL_ID:ACCESS_TOKEN]
--app-url: the app the admin page (/store/<handle>/apps/<client id>) frames
--extensions: deploy the app's extensions found in DIR/*/shopify.extension.toml (Functions, the web pixel)
--app-config: subscribe the webhooks FILE (a shopify.app.toml) declares, delivered under --app-url
--pricing-plans: the app's plans as defined with Shopify App Pricing (`seglink plans` prints them)
--subscribed: the plan the store is on (its trial begins now); without it, none
--meta-dataset: also serve a stand-in for Meta's Conversions API under /meta (one dataset and its token)
shop options: --seed N --customers N --products N --orders N --now UNIX_SECONDS
serve reads SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SCOPES (comma-separated) from the environment";

/// Far above any demo, and low enough that a typo cannot exhaust memory.
const MAX_RECORDS: u64 = 10_000_000;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match run(&arguments) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shopify-sim: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[derive(Default)]
struct Flags {
    seed: SeedOptions,
    quiet: bool,
    port: u16,
    plan: Option<Plan>,
    redirect_url: Option<String>,
    app_url: Option<String>,
    extensions: Option<String>,
    app_config: Option<String>,
    pricing_plans: Option<Vec<shopify_sim::billing::PricingPlan>>,
    subscribed: Option<String>,
    meta_dataset: Option<(String, String)>,
}

fn run(arguments: &[String]) -> Result<(), String> {
    let Some((command, rest)) = arguments.split_first() else {
        return Err("no command given".to_owned());
    };
    let serving = match command.as_str() {
        "seed" => false,
        "serve" => true,
        _ => return Err(format!("unknown command `{command}`")),
    };
    let flags = parse_flags(rest, serving)?;
    let started = Instant::now();
    let shop = seed_shop(&flags.seed);
    eprintln!(
        "seeded {} customers, {} products and {} orders in {:.0} ms",
        shop.customers.len(),
        shop.products.len(),
        shop.orders.len(),
        started.elapsed().as_secs_f64() * 1_000.0
    );
    if serving {
        return serve_shop(shop, &flags);
    }
    if !flags.quiet {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, &shop)
            .map_err(|error| error.to_string())
            .and_then(|()| writeln!(stdout).map_err(|error| error.to_string()))
            .map_err(|error| format!("could not write the shop: {error}"))?;
    }
    Ok(())
}

fn parse_flags(flags: &[String], serving: bool) -> Result<Flags, String> {
    let mut parsed = Flags { port: 3457, ..Flags::default() };
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        if flag == "--quiet" && !serving {
            parsed.quiet = true;
            continue;
        }
        let value = flags.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match (flag.as_str(), serving) {
            ("--plan", true) => parsed.plan = Some(plan(value)?),
            ("--redirect-url", true) => parsed.redirect_url = Some(value.clone()),
            ("--app-url", true) => parsed.app_url = Some(value.clone()),
            ("--extensions", true) => parsed.extensions = Some(value.clone()),
            ("--app-config", true) => parsed.app_config = Some(value.clone()),
            ("--pricing-plans", true) => {
                let plans = serde_json::from_str(value)
                    .map_err(|error| format!("--pricing-plans takes a JSON array of plans: {error}"))?;
                parsed.pricing_plans = Some(plans);
            }
            ("--subscribed", true) => parsed.subscribed = Some(value.clone()),
            ("--meta-dataset", true) => {
                let (pixel, token) = value
                    .split_once(':')
                    .filter(|(pixel, token)| !pixel.is_empty() && !token.is_empty())
                    .ok_or("--meta-dataset takes PIXEL_ID:ACCESS_TOKEN")?;
                parsed.meta_dataset = Some((pixel.to_owned(), token.to_owned()));
            }
            ("--port", true) => {
                parsed.port =
                    value.parse().map_err(|_| format!("--port takes a port number, not `{value}`"))?
            }
            (
                "--plan" | "--redirect-url" | "--port" | "--app-url" | "--extensions" | "--app-config"
                | "--pricing-plans" | "--subscribed" | "--meta-dataset",
                false,
            ) => {
                return Err(format!("unknown option `{flag}` for seed"));
            }
            _ => {
                let number: u64 =
                    value.parse().map_err(|_| format!("{flag} takes a whole number, not `{value}`"))?;
                let count = || {
                    usize::try_from(number)
                        .ok()
                        .filter(|_| number <= MAX_RECORDS)
                        .ok_or_else(|| format!("{flag} is at most {MAX_RECORDS}, not {number}"))
                };
                match flag.as_str() {
                    "--seed" => parsed.seed.seed = number,
                    "--customers" => parsed.seed.customers = count()?,
                    "--products" => parsed.seed.products = count()?,
                    "--orders" => parsed.seed.orders = count()?,
                    "--now" => parsed.seed.now = number,
                    _ => return Err(format!("unknown option `{flag}`")),
                }
            }
        }
    }
    Ok(parsed)
}

fn plan(name: &str) -> Result<Plan, String> {
    match name {
        "standard" => Ok(Plan::Standard),
        "advanced" => Ok(Plan::Advanced),
        "plus" => Ok(Plan::Plus),
        "enterprise" => Ok(Plan::Enterprise),
        _ => Err(format!("--plan is standard, advanced, plus or enterprise, not `{name}`")),
    }
}

fn required_env(name: &str) -> Result<String, String> {
    std::env::var(name).ok().filter(|value| !value.is_empty()).ok_or_else(|| format!("{name} is not set"))
}

fn serve_shop(shop: shopify_sim::shop::Shop, flags: &Flags) -> Result<(), String> {
    let app = AppCredentials {
        client_id: required_env("SHOPIFY_API_KEY")?,
        client_secret: required_env("SHOPIFY_API_SECRET")?,
        redirect_urls: flags.redirect_url.iter().cloned().collect(),
    };
    let scopes = std::env::var("SCOPES").unwrap_or_default();
    let scopes: Vec<&str> = scopes.split(',').map(str::trim).filter(|scope| !scope.is_empty()).collect();
    let domain = shop.domain.clone();
    let oauth = OAuthServer::new(&domain, app, &scopes);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut admin = AdminApi::new(shop, oauth, flags.plan.unwrap_or(Plan::Standard), now);
    if let Some(plans) = &flags.pricing_plans {
        if let Some(handle) = &flags.subscribed
            && !plans.iter().any(|plan| &plan.handle == handle)
        {
            return Err(format!("--subscribed names no plan of --pricing-plans: `{handle}`"));
        }
        admin.offer_plans(plans.clone(), flags.subscribed.as_deref(), now);
    } else if flags.subscribed.is_some() {
        return Err("--subscribed needs --pricing-plans".to_owned());
    }
    if let Some(directory) = &flags.extensions {
        shopify_sim::deploy::deploy_extensions(&mut admin, directory)?;
    }
    if let Some(path) = &flags.app_config {
        let app_url =
            flags.app_url.as_deref().ok_or("--app-config needs --app-url: where the webhooks go")?;
        shopify_sim::deploy::subscribe_declared_webhooks(&mut admin, path, app_url)?;
    }
    let sim = Simulator::new(admin);
    if let Some(url) = &flags.app_url {
        sim.set_app_url(url);
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|error| format!("could not start: {error}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", flags.port))
            .await
            .map_err(|error| format!("could not listen on 127.0.0.1:{}: {error}", flags.port))?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        eprintln!("serving {domain} on http://{address}");
        tokio::spawn(sim.clone().deliver_webhooks_forever());
        let extra = match &flags.meta_dataset {
            Some((pixel, token)) => axum::Router::new()
                .nest("/meta", shopify_sim::meta::ConversionsApi::new(pixel, token).router()),
            None => axum::Router::new(),
        };
        serve_with(&sim, listener, extra).await.map_err(|error| format!("server stopped: {error}"))
    })
}
