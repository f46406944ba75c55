//! `shopify-sim seed`: generates the deterministic demo shop and prints it as JSON, with a
//! summary and the time it took on stderr. Serving the shop over HTTP is not built yet.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use shopify_sim::{SeedOptions, seed_shop};

const USAGE: &str = "usage: shopify-sim seed [--seed N] [--customers N] [--products N] [--orders N] [--now UNIX_SECONDS] [--quiet]";

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

fn run(arguments: &[String]) -> Result<(), String> {
    let Some((command, flags)) = arguments.split_first() else {
        return Err("no command given".to_owned());
    };
    if command != "seed" {
        return Err(format!("unknown command `{command}`"));
    }
    let (options, quiet) = seed_options(flags)?;
    let started = Instant::now();
    let shop = seed_shop(&options);
    let elapsed = started.elapsed();
    eprintln!(
        "seeded {} customers, {} products and {} orders in {:.0} ms",
        shop.customers.len(),
        shop.products.len(),
        shop.orders.len(),
        elapsed.as_secs_f64() * 1_000.0
    );
    if !quiet {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, &shop)
            .map_err(|error| error.to_string())
            .and_then(|()| writeln!(stdout).map_err(|error| error.to_string()))
            .map_err(|error| format!("could not write the shop: {error}"))?;
    }
    Ok(())
}

fn seed_options(flags: &[String]) -> Result<(SeedOptions, bool), String> {
    let mut options = SeedOptions::default();
    let mut quiet = false;
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        if flag == "--quiet" {
            quiet = true;
            continue;
        }
        let value = flags.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number: u64 = value.parse().map_err(|_| format!("{flag} takes a whole number, not `{value}`"))?;
        let count = || {
            usize::try_from(number)
                .ok()
                .filter(|_| number <= MAX_RECORDS)
                .ok_or_else(|| format!("{flag} is at most {MAX_RECORDS}, not {number}"))
        };
        match flag.as_str() {
            "--seed" => options.seed = number,
            "--customers" => options.customers = count()?,
            "--products" => options.products = count()?,
            "--orders" => options.orders = count()?,
            "--now" => options.now = number,
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    Ok((options, quiet))
}
