//! The `shopify-sim` binary: a seeded shop on stdout, and a clear message and exit code 2 for
//! anything it cannot do.

use std::process::{Command, Output};

fn shopify_sim(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopify-sim")).args(arguments).output().expect("the binary runs")
}

#[test]
fn seed_prints_the_shop_as_json() {
    let output =
        shopify_sim(&["seed", "--seed", "3", "--customers", "20", "--products", "4", "--orders", "30"]);
    assert!(output.status.success());
    let shop: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(shop["domain"], "seglink-demo-3.myshopify.com");
    assert_eq!(shop["customers"].as_array().map(Vec::len), Some(20));
    assert_eq!(shop["orders"].as_array().map(Vec::len), Some(30));
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with("seeded 20 customers, 4 products and 30 orders")
    );
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
    let cases: [(&[&str], &str); 8] = [
        (&[], "no command given"),
        (&["serve-forever"], "unknown command `serve-forever`"),
        (&["serve", "--plan", "gold"], "--plan is standard, advanced, plus or enterprise, not `gold`"),
        (&["serve", "--port", "99999"], "--port takes a port number, not `99999`"),
        (&["seed", "--orders"], "--orders needs a value"),
        (&["seed", "--orders", "-1"], "--orders takes a whole number, not `-1`"),
        (&["seed", "--customers", "99999999999"], "--customers is at most 10000000"),
        (&["seed", "--colour", "1"], "unknown option `--colour`"),
    ];
    for (arguments, reason) in cases {
        let output = shopify_sim(arguments);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(output.stdout.is_empty(), "{arguments:?} prints no shop");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{arguments:?}: {stderr}");
        assert!(stderr.contains("usage: shopify-sim seed"));
        assert!(!stderr.contains("serving"), "{arguments:?} serves nothing");
    }
}

#[test]
fn serve_needs_the_app_credentials() {
    let output = Command::new(env!("CARGO_BIN_EXE_shopify-sim"))
        .args(["serve", "--customers", "1"])
        .env_remove("SHOPIFY_API_KEY")
        .env_remove("SHOPIFY_API_SECRET")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SHOPIFY_API_KEY is not set"));
}
