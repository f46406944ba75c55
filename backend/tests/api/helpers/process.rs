//! The `seglink` binary as a process of its own, for the tests that kill it.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{API_KEY, ENCRYPTION_KEY, SCOPES, SECRET};

/// Starts the `seglink serve` binary on `database_url`, with `extra` environment variables too;
/// returns it with its address once it listens. Jobs it held come back one second after it dies.
pub async fn start_with(database_url: &str, extra: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seglink"));
    command.env_clear().envs(extra.iter().copied());
    let mut child = command
        .arg("serve")
        .env("SHOPIFY_API_KEY", API_KEY)
        .env("SHOPIFY_API_SECRET", SECRET)
        .env("SCOPES", SCOPES)
        .env("SHOPIFY_APP_URL", "https://seglink.example")
        .env("PORT", "0")
        .env("DATABASE_URL", database_url)
        .env("SEGLINK_ENCRYPTION_KEY", ENCRYPTION_KEY)
        // Jobs the killed server held come back after this long.
        .env("SEGLINK_JOB_LEASE_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the seglink binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next_line().await.unwrap().expect("seglink says where it listens");
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if entry["msg"] == "listening" {
            break entry["address"].as_str().expect("an address").to_owned();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, format!("http://{address}"))
}
