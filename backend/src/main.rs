//! `seglink serve | migrate | plans`: the backend, configured from the environment.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use seglink::config::Config;
use seglink::startup::Application;

// Requests allocate on one thread and their rows are freed on the writer's: glibc's allocator
// spent a sixth of the request threads' time on that (a profile of pixel ingest).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SQLite, written in C, allocates with the C library's `malloc`, not the Rust allocator above.
/// glibc gives each thread that allocates its own arena, and each SQLite connection runs on its
/// own thread: eight arenas each kept their own freed pages, and a soak's resident memory rose
/// by a third in ten minutes while SQLite's own count of its memory held at 25 MiB. One arena
/// holds what SQLite uses and no more (docs/benchmarks.md, "Soak"). Called before any thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_c_arena() {
    // SAFETY: `mallopt` only sets a tunable of glibc's allocator; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_c_arena() {}

#[derive(Parser)]
#[command(name = "seglink", about = "Seglink's backend")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the backend on 127.0.0.1:$PORT.
    Serve,
    /// Create or update the database schema at $DATABASE_URL, then exit.
    Migrate,
    /// Print the plans as JSON: what is entered with Shopify App Pricing (docs/billing.md), and
    /// what the simulator's `--pricing-plans` takes.
    Plans,
}

fn main() -> ExitCode {
    one_c_arena();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("seglink: cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let command = Cli::parse().command;
    if let Command::Plans = command {
        return match serde_json::to_string_pretty(&seglink::billing::PLANS) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("seglink: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("seglink: {error}");
            return ExitCode::from(2);
        }
    };
    if let Command::Migrate = command {
        return match seglink::db::Store::connect(&config.database_url).await {
            Ok(_) => {
                eprintln!("seglink: the database schema is up to date");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("seglink: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let outcome = match Application::build(config).await {
        Ok(application) => {
            let address = format!("127.0.0.1:{}", application.port());
            seglink::log::info("listening", &[("address", &address)]);
            application.run_until_stopped().await.map_err(|error| error.to_string())
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("seglink: {error}");
            ExitCode::FAILURE
        }
    }
}
