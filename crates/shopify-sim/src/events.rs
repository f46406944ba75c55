//! Things that happen in a shop outside the app's API calls, each changing the shop's records
//! and emitting the webhooks Shopify would: orders placed, paid, edited, cancelled and refunded,
//! customers created and deleted, products created and updated, the app uninstalled, and the three compliance requests.

use std::time::Duration;

use crate::admin_api::AdminApi;
use crate::payloads;
use crate::shop::{Customer, FinancialStatus, Order, OrderLine, Product, Refund, Variant};

/// A storefront checkout as it is paid.
pub struct CompletedCheckout<'a> {
    /// The buyer signed in, or `None` for a guest.
    pub customer_id: Option<u64>,
    /// A guest's email.
    pub guest_email: Option<&'a str>,
    /// Variant ids and quantities.
    pub lines: &'a [(u64, u32)],
    /// The checkout's token, which its pixel events carry too.
    pub token: &'a str,
    /// What the discounts took off the lines, in minor units.
    pub discount_cents: u64,
}

/// Why an event could not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError(pub String);

impl std::fmt::Display for EventError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for EventError {}

fn refuse<T>(message: impl Into<String>) -> Result<T, EventError> {
    Err(EventError(message.into()))
}

impl AdminApi {
    /// A buyer checks out and pays: `orders/create`, then `orders/paid`. `lines` are variant ids
    /// and quantities. Returns the order id.
    pub fn place_order(
        &mut self,
        customer_id: Option<u64>,
        lines: &[(u64, u32)],
        now: Duration,
    ) -> Result<u64, EventError> {
        self.place_order_from_checkout(customer_id, lines, None, now)
    }

    /// As `place_order`, from the storefront checkout `checkout_token` (the token the pixel saw);
    /// a new token when `None`.
    pub fn place_order_from_checkout(
        &mut self,
        customer_id: Option<u64>,
        lines: &[(u64, u32)],
        checkout_token: Option<&str>,
        now: Duration,
    ) -> Result<u64, EventError> {
        self.record_order(customer_id, None, lines, checkout_token, 0, now)
    }

    /// A guest checks out with `email`, signed in as no customer (the email may be a customer's):
    /// `orders/create` and `orders/paid` without a `customer`.
    pub fn place_guest_order(
        &mut self,
        email: &str,
        lines: &[(u64, u32)],
        now: Duration,
    ) -> Result<u64, EventError> {
        self.record_order(None, Some(email), lines, None, 0, now)
    }

    /// A storefront checkout paid, with what the discounts took off: `orders/create`, then
    /// `orders/paid`. Returns the order id.
    pub fn complete_checkout(
        &mut self,
        checkout: &CompletedCheckout<'_>,
        now: Duration,
    ) -> Result<u64, EventError> {
        self.record_order(
            checkout.customer_id,
            checkout.guest_email,
            checkout.lines,
            Some(checkout.token),
            checkout.discount_cents,
            now,
        )
    }

    fn record_order(
        &mut self,
        customer_id: Option<u64>,
        guest_email: Option<&str>,
        lines: &[(u64, u32)],
        checkout_token: Option<&str>,
        discount_cents: u64,
        now: Duration,
    ) -> Result<u64, EventError> {
        let mut shop = self.shop.borrow_mut();
        if customer_id.is_some_and(|id| !shop.customers.iter().any(|customer| customer.id == id)) {
            return refuse("no such customer");
        }
        if lines.is_empty() || lines.iter().any(|(_, quantity)| *quantity == 0) {
            return refuse("an order needs at least one line, each with a quantity");
        }
        let mut order_lines = Vec::new();
        for (variant_id, quantity) in lines {
            let found = shop.products.iter().find_map(|product| {
                product
                    .variants
                    .iter()
                    .find(|variant| variant.id == *variant_id)
                    .map(|variant| (product.id, variant.price_cents))
            });
            let Some((product_id, price_cents)) = found else {
                return refuse(format!("no such variant: {variant_id}"));
            };
            order_lines.push(OrderLine {
                product_id,
                variant_id: *variant_id,
                quantity: *quantity,
                price_cents,
            });
        }
        let id = shop.orders.last().map_or(1, |order| order.id + 1);
        let number = shop.orders.len() + 1_001;
        let subtotal_cents = order_lines.iter().map(OrderLine::total_cents).sum();
        shop.orders.push(Order {
            id,
            name: format!("#{number}"),
            customer_id,
            guest_email: guest_email.map(str::to_owned),
            checkout_token: checkout_token.map_or_else(|| crate::shop::checkout_token(id), str::to_owned),
            created_at: now.as_secs(),
            lines: order_lines,
            subtotal_cents,
            discount_cents: discount_cents.min(subtotal_cents),
            financial_status: FinancialStatus::Paid,
            cancelled_at: None,
            refunds: Vec::new(),
        });
        let payload =
            payloads::order(shop.orders.last().unwrap_or_else(|| unreachable!("just pushed")), &shop);
        drop(shop);
        self.outbox.get_mut().emit("orders/create", &payload, now);
        self.outbox.get_mut().emit("orders/paid", &payload, now);
        Ok(id)
    }

    /// The merchant cancels and refunds an order in full: `orders/cancelled` and `refunds/create`.
    pub fn cancel_order(&mut self, order_id: u64, now: Duration) -> Result<(), EventError> {
        let refund_id = self.next_refund_id();
        let mut shop = self.shop.borrow_mut();
        let Some(order) = shop.orders.iter_mut().find(|order| order.id == order_id) else {
            return refuse("no such order");
        };
        if order.cancelled_at.is_some() {
            return refuse("the order is already cancelled");
        }
        let left = order.current_total_cents();
        order.cancelled_at = Some(now.as_secs());
        order.refunds.push(Refund { id: refund_id, created_at: now.as_secs(), amount_cents: left });
        order.financial_status = FinancialStatus::Refunded;
        let refund =
            payloads::refund(order.refunds.last().unwrap_or_else(|| unreachable!("just pushed")), order_id);
        let payload = payloads::order(
            shop.orders.iter().find(|order| order.id == order_id).unwrap_or_else(|| unreachable!()),
            &shop,
        );
        drop(shop);
        self.outbox.get_mut().emit("orders/cancelled", &payload, now);
        self.outbox.get_mut().emit("refunds/create", &refund, now);
        Ok(())
    }

    /// The merchant refunds part of an order: `refunds/create`. Returns the refund id.
    pub fn refund_order(
        &mut self,
        order_id: u64,
        amount_cents: u64,
        now: Duration,
    ) -> Result<u64, EventError> {
        let refund_id = self.next_refund_id();
        let mut shop = self.shop.borrow_mut();
        let Some(order) = shop.orders.iter_mut().find(|order| order.id == order_id) else {
            return refuse("no such order");
        };
        let left = order.current_total_cents();
        if amount_cents == 0 || amount_cents > left {
            return refuse(format!("a refund is between 0.01 and the {} left", crate::money::amount(left)));
        }
        order.refunds.push(Refund { id: refund_id, created_at: now.as_secs(), amount_cents });
        order.financial_status =
            if amount_cents == left { FinancialStatus::Refunded } else { FinancialStatus::PartiallyRefunded };
        let refund =
            payloads::refund(order.refunds.last().unwrap_or_else(|| unreachable!("just pushed")), order_id);
        drop(shop);
        self.outbox.get_mut().emit("refunds/create", &refund, now);
        Ok(refund_id)
    }

    /// A shopper signs up: `customers/create`. Returns the customer id.
    pub fn create_customer(
        &mut self,
        email: &str,
        country_code: &str,
        now: Duration,
    ) -> Result<u64, EventError> {
        let mut shop = self.shop.borrow_mut();
        if !email.contains('@') {
            return refuse("an email address needs an @");
        }
        if shop.customers.iter().any(|customer| customer.email.eq_ignore_ascii_case(email)) {
            return refuse("a customer with that email exists");
        }
        let id = shop.customers.iter().map(|customer| customer.id).max().map_or(1, |id| id + 1);
        shop.customers.push(Customer {
            id,
            email: email.to_owned(),
            first_name: String::new(),
            last_name: String::new(),
            country_code: country_code.to_owned(),
            tags: Vec::new(),
            accepts_marketing: false,
            created_at: now.as_secs(),
        });
        let payload = payloads::customer(
            shop.customers.last().unwrap_or_else(|| unreachable!("just pushed")),
            &shop,
            now.as_secs(),
        );
        drop(shop);
        self.outbox.get_mut().emit("customers/create", &payload, now);
        Ok(id)
    }

    /// The merchant deletes a customer: `customers/delete`, whose body is the id alone.
    pub fn delete_customer(&mut self, customer_id: u64, now: Duration) -> Result<(), EventError> {
        let mut shop = self.shop.borrow_mut();
        let Some(index) = shop.customers.iter().position(|customer| customer.id == customer_id) else {
            return refuse("no such customer");
        };
        shop.customers.remove(index);
        drop(shop);
        let payload = serde_json::json!({ "id": customer_id, "admin_graphql_api_id": crate::shop::gid("Customer", customer_id) });
        self.outbox.get_mut().emit("customers/delete", &payload, now);
        Ok(())
    }

    /// The merchant adds to an order after it was placed: `orders/edited`, whose body names the
    /// edit and the lines added.
    pub fn edit_order(
        &mut self,
        order_id: u64,
        variant_id: u64,
        quantity: u32,
        now: Duration,
    ) -> Result<(), EventError> {
        let mut shop = self.shop.borrow_mut();
        let found = shop.products.iter().find_map(|product| {
            product
                .variants
                .iter()
                .find(|variant| variant.id == variant_id)
                .map(|variant| (product.id, variant.price_cents))
        });
        let Some((product_id, price_cents)) = found else {
            return refuse(format!("no such variant: {variant_id}"));
        };
        if quantity == 0 {
            return refuse("an added line needs a quantity");
        }
        let Some(order) = shop.orders.iter_mut().find(|order| order.id == order_id) else {
            return refuse("no such order");
        };
        if order.cancelled_at.is_some() {
            return refuse("a cancelled order cannot be edited");
        }
        let line = OrderLine { product_id, variant_id, quantity, price_cents };
        order.subtotal_cents += line.total_cents();
        order.lines.push(line);
        let line_item_id = order.id * 10 + order.lines.len() as u64 - 1;
        let payload = serde_json::json!({
            "order_edit": {
                "id": now.as_secs(),
                "app_id": null,
                "created_at": crate::shop::iso8601(now.as_secs()),
                "notify_customer": false,
                "order_id": order_id,
                "staff_note": "",
                "user_id": null,
                "line_items": {
                    "additions": [{ "id": line_item_id, "delta": quantity }],
                    "removals": [],
                },
            }
        });
        drop(shop);
        self.outbox.get_mut().emit("orders/edited", &payload, now);
        Ok(())
    }

    /// The merchant adds a product with one variant: `products/create`. Returns the product id.
    pub fn create_product(
        &mut self,
        title: &str,
        price_cents: u64,
        now: Duration,
    ) -> Result<u64, EventError> {
        if title.trim().is_empty() {
            return refuse("a product needs a title");
        }
        let mut shop = self.shop.borrow_mut();
        let id = shop.products.iter().map(|product| product.id).max().map_or(1, |id| id + 1);
        let variant_id = shop
            .products
            .iter()
            .flat_map(|product| product.variants.iter().map(|variant| variant.id))
            .max()
            .map_or(1, |id| id + 1);
        let handle = title.to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
        shop.products.push(Product {
            id,
            title: title.to_owned(),
            handle: handle.clone(),
            product_type: String::new(),
            tags: Vec::new(),
            variants: vec![Variant {
                id: variant_id,
                title: "Default Title".to_owned(),
                sku: handle,
                price_cents,
                compare_at_price_cents: None,
                barcode: None,
                inventory_quantity: 0,
            }],
            listing: crate::shop::Listing::default(),
        });
        let payload = payloads::product(
            shop.products.last().unwrap_or_else(|| unreachable!("just pushed")),
            now.as_secs(),
        );
        drop(shop);
        self.outbox.get_mut().emit("products/create", &payload, now);
        Ok(id)
    }

    /// The merchant renames a product or changes its tags: `products/update`.
    pub fn update_product(
        &mut self,
        product_id: u64,
        title: Option<&str>,
        tags: Option<&[&str]>,
        now: Duration,
    ) -> Result<(), EventError> {
        let mut shop = self.shop.borrow_mut();
        let Some(product) = shop.products.iter_mut().find(|product| product.id == product_id) else {
            return refuse("no such product");
        };
        if let Some(title) = title {
            if title.trim().is_empty() {
                return refuse("a product needs a title");
            }
            product.title = title.to_owned();
        }
        if let Some(tags) = tags {
            product.tags = tags.iter().map(|tag| (*tag).to_owned()).collect();
        }
        let payload = payloads::product(product, now.as_secs());
        drop(shop);
        self.outbox.get_mut().emit("products/update", &payload, now);
        Ok(())
    }

    /// The merchant rewrites a product's listing (description, vendor, SEO, images):
    /// `products/update`.
    pub fn edit_listing(
        &mut self,
        product_id: u64,
        edit: impl FnOnce(&mut crate::shop::Listing),
        now: Duration,
    ) -> Result<(), EventError> {
        let mut shop = self.shop.borrow_mut();
        let Some(product) = shop.products.iter_mut().find(|product| product.id == product_id) else {
            return refuse("no such product");
        };
        edit(&mut product.listing);
        let payload = payloads::product(product, now.as_secs());
        drop(shop);
        self.outbox.get_mut().emit("products/update", &payload, now);
        Ok(())
    }

    /// The merchant deletes a product: `products/delete`, whose payload is the id alone. Its
    /// metafields go with it; orders keep their lines.
    pub fn delete_product(&mut self, product_id: u64, now: Duration) -> Result<(), EventError> {
        let mut shop = self.shop.borrow_mut();
        let Some(position) = shop.products.iter().position(|product| product.id == product_id) else {
            return refuse("no such product");
        };
        shop.products.remove(position);
        for collection in &mut shop.collections {
            collection.product_ids.retain(|id| *id != product_id);
        }
        shop.metafields.remove(&crate::shop::gid("Product", product_id));
        drop(shop);
        self.outbox.get_mut().emit("products/delete", &serde_json::json!({ "id": product_id }), now);
        Ok(())
    }

    /// The merchant uninstalls the app: every token stops working, what the app made goes with
    /// it (its web pixel, its app discounts, its reserved metafield definitions), then
    /// `app/uninstalled`.
    pub fn uninstall(&mut self, now: Duration) {
        self.oauth.revoke_all();
        self.pixels.get_mut().pixel = None;
        self.discounts.get_mut().automatic.clear();
        self.forget_app_definitions();
        // An uninstall cancels the app's charges.
        for update in self.billing_mut().end_active("CANCELLED", now.as_secs()) {
            self.outbox.get_mut().emit("app_subscriptions/update", &update, now);
        }
        let payload = payloads::shop(&self.shop.borrow());
        self.outbox.get_mut().emit("app/uninstalled", &payload, now);
    }

    /// A customer asks for their data: `customers/data_request`.
    pub fn request_customer_data(&mut self, customer_id: u64, now: Duration) -> Result<(), EventError> {
        let mut payload = self.compliance_request(customer_id, "orders_requested")?;
        payload["data_request"] = serde_json::json!({ "id": now.as_secs() });
        self.outbox.get_mut().emit("customers/data_request", &payload, now);
        Ok(())
    }

    /// A merchant asks for a customer's erasure: `customers/redact`.
    pub fn redact_customer(&mut self, customer_id: u64, now: Duration) -> Result<(), EventError> {
        let payload = self.compliance_request(customer_id, "orders_to_redact")?;
        self.outbox.get_mut().emit("customers/redact", &payload, now);
        Ok(())
    }

    /// The body both customer compliance topics share; they name the order list differently.
    fn compliance_request(
        &self,
        customer_id: u64,
        orders_key: &str,
    ) -> Result<serde_json::Value, EventError> {
        let shop = self.shop.borrow();
        let Some(customer) = shop.customers.iter().find(|customer| customer.id == customer_id) else {
            return refuse("no such customer");
        };
        let mut payload = serde_json::json!({
            "shop_id": 1,
            "shop_domain": shop.domain,
            "customer": payloads::compliance_customer(customer),
        });
        payload[orders_key] = serde_json::json!(payloads::orders_of(&shop, customer_id));
        Ok(payload)
    }

    /// Shopify asks for the shop's erasure, 48 hours after uninstall: `shop/redact`.
    pub fn redact_shop(&mut self, now: Duration) {
        let payload = serde_json::json!({ "shop_id": 1, "shop_domain": self.shop.borrow().domain });
        self.outbox.get_mut().emit("shop/redact", &payload, now);
    }

    fn next_refund_id(&self) -> u64 {
        let shop = self.shop.borrow();
        shop.orders
            .iter()
            .flat_map(|order| order.refunds.iter().map(|refund| refund.id))
            .max()
            .map_or(1, |id| id + 1)
    }
}
