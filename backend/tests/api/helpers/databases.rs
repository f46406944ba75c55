//! Fresh databases on every engine this run has: a SQLite file always, and PostgreSQL when the
//! test command has started a server and set `TEST_DATABASE_URL`. Each is thrown away when its
//! `Fresh` is dropped, a panicking test's too.

use std::sync::atomic::{AtomicU32, Ordering};

use seglink::db::Store;
use sqlx::Connection as _;

use super::TempDb;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A fresh store on one engine; its database goes when this is dropped.
pub struct Fresh {
    pub name: &'static str,
    pub url: String,
    pub store: Store,
    _database: Throwaway,
}

/// What dropping a `Fresh` removes.
enum Throwaway {
    File(#[expect(dead_code, reason = "held for its Drop")] TempDb),
    Postgres { server: String, database: String },
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let Self::Postgres { server, database } = self else { return };
        let (server, database) = (server.clone(), database.clone());
        // Drop cannot await, and may run inside the test's runtime: a thread of its own drops
        // the database (FORCE ends the pool's connections).
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

impl Fresh {
    /// A new SQLite file.
    pub async fn sqlite() -> Self {
        let file = std::env::temp_dir().join(format!("{}.db", unique("seglink_test")));
        let url = format!("sqlite://{}", file.display());
        let store = Store::connect(&url).await.expect("SQLite opens");
        Self { name: "sqlite", url, store, _database: Throwaway::File(TempDb(file)) }
    }

    /// A new database on the test PostgreSQL server, or `None` when this run has none.
    pub async fn postgres() -> Option<Self> {
        let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
            eprintln!(
                "TEST_DATABASE_URL is not set: PostgreSQL is not tested in this run (the test command sets it)"
            );
            return None;
        };
        let database = unique("seglink_test");
        let mut admin =
            sqlx::PgConnection::connect(&server).await.expect("the test PostgreSQL server answers");
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&mut admin)
            .await
            .expect("a fresh database");
        let throwaway = Throwaway::Postgres { server: server.clone(), database: database.clone() };
        let (base, _) = server.rsplit_once('/').expect("a database in the URL");
        let url = format!("{base}/{database}");
        let store = Store::connect(&url).await.expect("PostgreSQL opens");
        Some(Self { name: "postgres", url, store, _database: throwaway })
    }
}

impl Fresh {
    /// One integer (or NULL) that `sql` selects, read past the store on a connection of its own.
    pub async fn scalar(&self, sql: &str) -> Option<i64> {
        if self.name == "sqlite" {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut connection).await.unwrap()
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut connection).await.unwrap()
        }
    }

    /// Jobs of `kind` waiting to run by `now` (Unix seconds).
    pub async fn due_jobs(&self, kind: &str, now: i64) -> i64 {
        let sql = format!(
            "SELECT COUNT(*) FROM jobs WHERE kind = '{kind}' AND state = 'queued' AND run_at <= {now}"
        );
        self.scalar(&sql).await.unwrap_or_default()
    }
}

/// Declares each named `async fn(Fresh)` as two test cases, `<name>::sqlite` and
/// `<name>::postgres`, so each engine reports on its own. Attributes given before a name replace
/// `#[tokio::test]` (a multi-threaded runtime, say).
macro_rules! on_each_engine {
    ($(#[$attribute:meta])+ $name:ident) => {
        mod $name {
            $(#[$attribute])+
            async fn sqlite() {
                super::$name($crate::helpers::Fresh::sqlite().await).await;
            }

            $(#[$attribute])+
            async fn postgres() {
                if let Some(fresh) = $crate::helpers::Fresh::postgres().await {
                    super::$name(fresh).await;
                }
            }
        }
    };
    ($($name:ident),+ $(,)?) => {
        $($crate::helpers::on_each_engine!(#[tokio::test] $name);)+
    };
}

pub(crate) use on_each_engine;
