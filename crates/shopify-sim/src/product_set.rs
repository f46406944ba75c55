//! `productSet`: creates a product, or replaces one named by `identifier.id`, from its whole
//! description (options, variants with their option values, prices, SKUs, barcodes), refusing
//! what Shopify refuses: a blank or over-long title, more options or variants than a product may
//! have, a variant naming an option value the product does not have. Limits: shopify.dev
//! "productSet" and "Product variant limits" (docs/simulator.md).

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};

use crate::orders::Reader;
use crate::products::ProductValue;
use crate::shop::{Listing, Product, Shop, Variant};

/// The longest product title Shopify keeps.
pub const MAX_TITLE_CHARS: usize = 255;
/// Options a product may have.
pub const MAX_OPTIONS: usize = 3;
/// Variants a product may have (the limit Shopify raised from 100).
pub const MAX_VARIANTS: usize = 2_048;

/// A `ProductSetUserError`.
struct SetError {
    field: Vec<String>,
    message: String,
    code: &'static str,
}

fn refuse(field: &[&str], message: impl Into<String>, code: &'static str) -> SetError {
    SetError { field: field.iter().map(|part| (*part).to_owned()).collect(), message: message.into(), code }
}

/// Runs `productSet` against the shop; the answer is a `ProductSetPayload`.
pub(crate) fn product_set<'a>(
    reader: Reader<'a>,
    info: &ResolveInfo<'a>,
) -> (ProductSetPayload<'a>, Option<(String, Product)>) {
    let arguments = info.arguments();
    let empty = JsonMap::new();
    let input = arguments.get("input").and_then(JsonValue::as_object).unwrap_or(&empty);
    let identifier = arguments.get("identifier").and_then(JsonValue::as_object);
    let target = match identifier {
        Some(identifier) if identifier.contains_key("id") => Target::Id(
            text(identifier, "id")
                .and_then(|id| id.strip_prefix("gid://shopify/Product/"))
                .and_then(|id| id.parse::<u64>().ok())
                .unwrap_or(0),
        ),
        Some(identifier) => match text(identifier, "handle") {
            Some(handle) => Target::Handle(handle.to_owned()),
            None => Target::New,
        },
        None => Target::New,
    };
    match build(reader.shop, input, target) {
        Ok((topic, product)) => {
            let id = product.id;
            (ProductSetPayload { reader, product: Some(id), errors: Vec::new() }, Some((topic, product)))
        }
        Err(error) => (ProductSetPayload { reader, product: None, errors: vec![error] }, None),
    }
}

/// Which product an input is for.
enum Target {
    /// A new product.
    New,
    /// The product of this id, which must exist.
    Id(u64),
    /// The product of this handle, created with it when there is none: an upsert, so sending the
    /// same input again changes nothing (shopify.dev changelog, "productSet ... support upserts").
    Handle(String),
}

fn text<'j>(object: &'j JsonMap, field: &str) -> Option<&'j str> {
    object.get(field).and_then(JsonValue::as_str)
}

/// Minor units of a `Money` decimal (`29.95`).
fn cents(text: &str) -> Option<u64> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
    if fraction.len() > 2 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
    whole.parse::<u64>().ok()?.checked_mul(100)?.checked_add(fraction)
}

/// The product the input describes, stored, and the webhook topic it causes.
fn build(shop: &RefCell<Shop>, input: &JsonMap, target: Target) -> Result<(String, Product), SetError> {
    let title = text(input, "title").unwrap_or_default().trim().to_owned();
    if title.is_empty() {
        return Err(refuse(&["input", "title"], "Title can't be blank", "INVALID_INPUT"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(refuse(
            &["input", "title"],
            format!("Title is too long (maximum is {MAX_TITLE_CHARS} characters)"),
            "INVALID_INPUT",
        ));
    }
    let options: Vec<(String, Vec<String>)> = input
        .get("productOptions")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
        .filter_map(JsonValue::as_object)
        .map(|option| {
            let values = option
                .get("values")
                .and_then(JsonValue::as_array)
                .into_iter()
                .flatten()
                .filter_map(|value| value.get("name").and_then(JsonValue::as_str).map(str::to_owned))
                .collect();
            (text(option, "name").unwrap_or_default().to_owned(), values)
        })
        .collect();
    if options.len() > MAX_OPTIONS {
        return Err(refuse(
            &["input", "productOptions"],
            format!("A product can have at most {MAX_OPTIONS} options."),
            "OPTIONS_OVER_LIMIT",
        ));
    }
    let variants_input: Vec<&JsonMap> = input
        .get("variants")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
        .filter_map(JsonValue::as_object)
        .collect();
    if variants_input.len() > MAX_VARIANTS {
        return Err(refuse(
            &["input", "variants"],
            format!("A product can have at most {MAX_VARIANTS} variants."),
            "VARIANTS_OVER_LIMIT",
        ));
    }
    let mut state = shop.borrow_mut();
    let mut next_variant = state
        .products
        .iter()
        .flat_map(|product| product.variants.iter().map(|variant| variant.id))
        .max()
        .unwrap_or(0)
        + 1;
    let mut variants = Vec::new();
    for (index, variant) in variants_input.iter().enumerate() {
        let position = index.to_string();
        let mut names = Vec::new();
        for value in variant
            .get("optionValues")
            .and_then(JsonValue::as_array)
            .into_iter()
            .flatten()
            .filter_map(JsonValue::as_object)
        {
            let (option, name) =
                (text(value, "optionName").unwrap_or_default(), text(value, "name").unwrap_or_default());
            if !options
                .iter()
                .any(|(known, values)| known == option && values.iter().any(|value| value == name))
            {
                return Err(refuse(
                    &["input", "variants", &position, "optionValues"],
                    format!("Option value `{option}: {name}` does not exist."),
                    "OPTION_VALUE_DOES_NOT_EXIST",
                ));
            }
            names.push(name.to_owned());
        }
        let price = match text(variant, "price") {
            Some(price) => cents(price).ok_or_else(|| {
                refuse(&["input", "variants", &position, "price"], "Price is invalid", "INVALID_VARIANT")
            })?,
            None => 0,
        };
        variants.push(Variant {
            id: next_variant,
            title: if names.is_empty() { "Default Title".to_owned() } else { names.join(" / ") },
            sku: text(variant, "sku").unwrap_or_default().to_owned(),
            price_cents: price,
            compare_at_price_cents: text(variant, "compareAtPrice").and_then(cents),
            barcode: text(variant, "barcode").map(str::to_owned),
            inventory_quantity: 0,
        });
        next_variant += 1;
    }
    if variants.is_empty() {
        variants.push(Variant {
            id: next_variant,
            title: "Default Title".to_owned(),
            sku: String::new(),
            price_cents: 0,
            compare_at_price_cents: None,
            barcode: None,
            inventory_quantity: 0,
        });
    }
    let listing = Listing {
        description_html: text(input, "descriptionHtml").unwrap_or_default().to_owned(),
        vendor: text(input, "vendor").unwrap_or_default().to_owned(),
        ..Listing::default()
    };
    let tags = input
        .get("tags")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
        .filter_map(JsonValue::as_str)
        .map(str::to_owned)
        .collect();
    let handle = title
        .to_lowercase()
        .split(|character: char| !character.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let product_type = text(input, "productType").unwrap_or_default().to_owned();
    let (existing, handle) = match target {
        Target::New => (None, handle),
        Target::Id(id) => {
            let found = state.products.iter().position(|product| product.id == id).ok_or_else(|| {
                refuse(&["identifier", "id"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
            })?;
            (Some(found), handle)
        }
        Target::Handle(wanted) => {
            (state.products.iter().position(|product| product.handle == wanted), wanted)
        }
    };
    match existing {
        Some(position) => {
            let product = &mut state.products[position];
            product.title = title;
            product.product_type = product_type;
            product.tags = tags;
            product.variants = variants;
            product.listing = Listing { images: product.listing.images.clone(), ..listing };
            Ok(("products/update".to_owned(), product.clone()))
        }
        None => {
            if state.products.iter().any(|product| product.handle == handle) {
                return Err(refuse(
                    &["input", "handle"],
                    "Handle has already been taken",
                    "HANDLE_NOT_UNIQUE",
                ));
            }
            let id = state.products.iter().map(|product| product.id).max().unwrap_or(0) + 1;
            let product = Product { id, title, handle, product_type, tags, variants, listing };
            state.products.push(product.clone());
            Ok(("products/create".to_owned(), product))
        }
    }
}

/// A `ProductSetPayload`.
pub(crate) struct ProductSetPayload<'s> {
    reader: Reader<'s>,
    product: Option<u64>,
    errors: Vec<SetError>,
}

impl ObjectValue for ProductSetPayload<'_> {
    fn type_name(&self) -> &str {
        "ProductSetPayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "product" => Ok(ResolvedValue::nullable_object(
                self.product.map(|id| ProductValue { reader: self.reader, id }),
            )),
            "productSetOperation" => Ok(ResolvedValue::null()),
            "userErrors" => Ok(ResolvedValue::list(
                self.errors.iter().map(|error| ResolvedValue::object(SetErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct SetErrorValue<'e>(&'e SetError);

impl ObjectValue for SetErrorValue<'_> {
    fn type_name(&self) -> &str {
        "ProductSetUserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "field" => {
                Ok(ResolvedValue::list(self.0.field.iter().map(|part| ResolvedValue::leaf(part.as_str()))))
            }
            "message" => Ok(ResolvedValue::leaf(self.0.message.as_str())),
            "code" => Ok(ResolvedValue::leaf(self.0.code)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
