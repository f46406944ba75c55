//! Shopify's global ids (`gid://shopify/Customer/7`) and the numeric ids Seglink stores.

/// The numeric id at the end of a GID; a bare number stays as it is.
pub fn numeric(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

/// The GID of a customer.
pub fn customer(id: &str) -> String {
    format!("gid://shopify/Customer/{id}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_go_both_ways() {
        assert_eq!(super::numeric(&super::customer("7")), "7");
        assert_eq!(super::numeric("42"), "42");
    }
}
