//! The demo's data folder: Seglink's SQLite database, its master key, the app secret the
//! simulated Shopify and Seglink share, and how the shop was seeded, so that a second start
//! seeds the same shop and finds Seglink's data where it left it.

use std::path::{Path, PathBuf};

/// The folder and what it holds.
pub struct DataFolder {
    root: PathBuf,
}

/// How the simulated shop was seeded: the same values give the same shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seeding {
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
    /// Unix seconds the order history ends at.
    pub now: u64,
}

impl DataFolder {
    /// The folder at `root`, made when missing; emptied first when `fresh`.
    pub fn open(root: &Path, fresh: bool) -> Result<Self, String> {
        if fresh && root.exists() {
            std::fs::remove_dir_all(root)
                .map_err(|error| format!("could not empty {}: {error}", root.display()))?;
        }
        std::fs::create_dir_all(root)
            .map_err(|error| format!("could not make {}: {error}", root.display()))?;
        Ok(Self { root: root.to_owned() })
    }

    /// Seglink's database URL.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.root.join("seglink.db").display())
    }

    /// Whether an earlier start left Seglink's database here.
    pub fn has_database(&self) -> bool {
        self.root.join("seglink.db").exists()
    }

    /// Seglink's master key (base64), made on the first start.
    pub fn master_key(&self) -> Result<String, String> {
        seglink::config::development_key(&self.root.join("master-key")).map_err(|error| error.to_string())
    }

    /// The app secret the simulated Shopify signs with, made on the first start.
    pub fn app_secret(&self) -> Result<String, String> {
        let path = self.root.join("app-secret");
        if let Ok(secret) = std::fs::read_to_string(&path) {
            return Ok(secret.trim().to_owned());
        }
        let secret = format!("shpss_{}", seglink::crypto::random_token(24));
        std::fs::write(&path, &secret)
            .map_err(|error| format!("could not write {}: {error}", path.display()))?;
        Ok(secret)
    }

    /// The seeding an earlier start recorded, or `wanted`, recorded now.
    pub fn seeding(&self, wanted: Seeding) -> Result<Seeding, String> {
        let path = self.root.join("seeding");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let numbers: Vec<u64> = text.split_whitespace().filter_map(|word| word.parse().ok()).collect();
            if let [customers, products, orders, now] = numbers[..] {
                return Ok(Seeding {
                    customers: customers as usize,
                    products: products as usize,
                    orders: orders as usize,
                    now,
                });
            }
        }
        let text = format!("{} {} {} {}\n", wanted.customers, wanted.products, wanted.orders, wanted.now);
        std::fs::write(&path, text)
            .map_err(|error| format!("could not write {}: {error}", path.display()))?;
        Ok(wanted)
    }
}
