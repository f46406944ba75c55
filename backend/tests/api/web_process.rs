//! `shopify app dev` finds the backend through the app's `web_directories`, starts it with the
//! web config's dev command, and passes it the variables the config reads.

use seglink::config::{Config, development_key};
use toml::Table;

fn parse(path: &str) -> Table {
    let text =
        std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect("the file exists");
    text.parse::<Table>().expect("valid TOML")
}

#[test]
fn the_app_config_points_the_cli_at_the_backend() {
    let app = parse("../shopify.app.toml");
    let web_directories = app["web_directories"].as_array().expect("web_directories");
    assert!(web_directories.iter().any(|directory| directory.as_str() == Some("backend")));
}

#[test]
fn the_web_config_runs_the_backend_as_the_admin_and_the_api() {
    let web = parse("shopify.web.toml");
    assert_eq!(
        web["roles"].as_array().unwrap().iter().filter_map(|role| role.as_str()).collect::<Vec<_>>(),
        ["frontend", "backend"]
    );
    assert_eq!(web["webhooks_path"].as_str(), Some("/webhooks"));
    let dev = web["commands"]["dev"].as_str().unwrap();
    assert!(dev.contains("-p seglink") && dev.ends_with("serve"), "{dev}");
}

#[test]
fn the_variables_the_cli_passes_are_enough_to_start() {
    // As `shopify app dev` sets them (Shopify CLI `app dev`; docs/backend.md): no SHOPIFY_APP_URL.
    let cli = [
        ("SHOPIFY_API_KEY", "key"),
        ("SHOPIFY_API_SECRET", "secret"),
        ("SCOPES", "read_customers,write_customers"),
        ("HOST", "https://tunnel.example"),
        ("APP_URL", "https://tunnel.example"),
        ("PORT", "52345"),
        ("APP_ENV", "development"),
    ];
    let lookup = |name: &str| cli.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned());
    assert_eq!(Config::from_lookup(lookup).unwrap_err().to_string(), "SEGLINK_ENCRYPTION_KEY is not set");

    // Under `shopify app dev` the key is made once and kept beside the backend.
    let file = std::env::temp_dir().join(format!("seglink-dev-key-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let key = development_key(&file).unwrap();
    assert_eq!(development_key(&file).unwrap(), key, "the same key on every start");
    let config = Config::from_lookup(|name| {
        lookup(name).or_else(|| (name == "SEGLINK_ENCRYPTION_KEY").then(|| key.clone()))
    })
    .unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!((config.app_url.as_str(), config.port), ("https://tunnel.example", 52345));
}

#[test]
fn the_scopes_asked_for_are_the_scopes_documented() {
    let app = parse("../shopify.app.toml");
    let mut asked: Vec<&str> =
        app["access_scopes"]["scopes"].as_str().unwrap().split(',').map(str::trim).collect();
    asked.sort_unstable();
    let security =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/security.md")).unwrap();
    let section = security.split("## Access scopes").nth(1).unwrap().split("\n## ").next().unwrap();
    let mut documented: Vec<&str> = section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| line.split('|').nth(1))
        .flat_map(|cell| cell.split(',').map(|scope| scope.trim().trim_matches('`')))
        .collect();
    documented.sort_unstable();
    assert_eq!(asked, documented, "every scope asked for has its reason in docs/security.md, and no other");
    assert_eq!(crate::helpers::SCOPES.split(',').count(), asked.len(), "the tests ask for the same scopes");
}
