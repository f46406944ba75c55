//! Fresh databases on every engine this run has: a SQLite file always, and PostgreSQL when the
//! test command has started a server and set `TEST_DATABASE_URL`.

use std::sync::atomic::{AtomicU32, Ordering};

use seglink::db::Store;
use sqlx::Connection as _;

use crate::helpers::TempDb;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A fresh store on each database this run has, and how to throw it away.
pub struct Fresh {
    pub name: &'static str,
    pub url: String,
    pub store: Store,
    pub cleanup: Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>,
}

pub async fn fresh_stores() -> Vec<Fresh> {
    let mut stores = Vec::new();
    let file = std::env::temp_dir().join(format!("{}.db", unique("seglink_test")));
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await.expect("SQLite opens");
    let database = TempDb(file);
    stores.push(Fresh {
        name: "sqlite",
        url,
        store,
        cleanup: Box::new(move || Box::pin(async move { drop(database) })),
    });
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) => {
            let database = unique("seglink_test");
            let mut admin =
                sqlx::PgConnection::connect(&server).await.expect("the test PostgreSQL server answers");
            sqlx::query(&format!("CREATE DATABASE {database}"))
                .execute(&mut admin)
                .await
                .expect("a fresh database");
            let (base, _) = server.rsplit_once('/').expect("a database in the URL");
            let url = format!("{base}/{database}");
            let store = Store::connect(&url).await.expect("PostgreSQL opens");
            stores.push(Fresh {
                name: "postgres",
                url,
                store,
                cleanup: Box::new(move || {
                    Box::pin(async move {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                            .execute(&mut admin)
                            .await;
                    })
                }),
            });
        }
        Err(_) => eprintln!(
            "TEST_DATABASE_URL is not set: PostgreSQL is not tested in this run (the test command sets it)"
        ),
    }
    stores
}
