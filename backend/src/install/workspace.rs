//! Workspaces: the slug from the shop's subdomain, the public storefront key and the server key.

use crate::clock::UnixTime;
use crate::crypto::{random_token, sha256_hex};
use crate::db::{DbError, Store, Workspace};
use crate::shopify::ShopDomain;

/// Creates a workspace for `shop`. Returns it with its server key, which exists nowhere else:
/// only its hash is stored.
pub async fn create(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<(Workspace, String), DbError> {
    let id = format!("ws_{}", random_token(12));
    let public_key = format!("pk_{}", random_token(18));
    let server_key = super::server_key::new_key();
    let workspace =
        store.create_workspace(&id, &slug(shop), &public_key, &sha256_hex(&server_key), shop, now).await?;
    Ok((workspace, server_key))
}

/// The shop's subdomain, which is already a valid slug (`[a-z0-9-]`).
pub fn slug(shop: &ShopDomain) -> String {
    shop.handle().to_owned()
}
