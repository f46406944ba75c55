//! `products`, `product(id:)` and what a product holds: variants, media, SEO, collections, and
//! its metafields. Read from the shop when each field resolves.

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::metafields::resolvers::metafield_field;
use crate::money::amount;
use crate::orders::Reader;
use crate::paging::{Edge, Page, PageInfoValue, page};
use crate::shop::{Product, Shop, gid, iso8601};

/// `products(first|last, after|before, reverse)`, by id.
pub(crate) fn products<'a>(
    reader: Reader<'a>,
    info: &ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let arguments = info.arguments();
    if arguments.get("query").and_then(JsonValue::as_str).is_some_and(|query| !query.trim().is_empty()) {
        return Err(FieldError { message: "shopify-sim does not simulate product search".to_owned() });
    }
    let ids: Vec<u64> = reader.shop.borrow().products.iter().map(|product| product.id).collect();
    let page = page(ids, arguments, reader.unpaged)?;
    Ok(ResolvedValue::object(ProductConnectionValue { reader, page }))
}

/// `product(id:)`, or null when there is none.
pub(crate) fn product<'a>(reader: Reader<'a>, info: &ResolveInfo<'a>) -> ResolvedValue<'a> {
    let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
    let found = id
        .strip_prefix("gid://shopify/Product/")
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|id| reader.shop.borrow().products.iter().any(|product| product.id == *id));
    ResolvedValue::nullable_object(found.map(|id| ProductValue { reader, id }))
}

struct ProductConnectionValue<'s> {
    reader: Reader<'s>,
    page: Page,
}

impl ObjectValue for ProductConnectionValue<'_> {
    fn type_name(&self) -> &str {
        "ProductConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let product = |id: &u64| ProductValue { reader: self.reader, id: *id };
        match info.field_name() {
            "nodes" => Ok(ResolvedValue::list(
                self.page.ids.iter().map(move |id| ResolvedValue::object(product(id))),
            )),
            "edges" => Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| {
                ResolvedValue::object(Edge { name: "ProductEdge", id: *id, node: product(id) })
            }))),
            "pageInfo" => Ok(ResolvedValue::object(PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A product, read from the shop when each field resolves.
pub(crate) struct ProductValue<'s> {
    pub reader: Reader<'s>,
    pub id: u64,
}

impl ProductValue<'_> {
    fn with<T>(&self, read: impl FnOnce(&Shop, &Product) -> T) -> Result<T, FieldError> {
        let shop = self.reader.shop.borrow();
        let product = shop
            .products
            .iter()
            .find(|product| product.id == self.id)
            .ok_or_else(|| FieldError { message: "the product was deleted".to_owned() })?;
        Ok(read(&shop, product))
    }
}

impl ObjectValue for ProductValue<'_> {
    fn type_name(&self) -> &str {
        "Product"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let text = |read: fn(&Product) -> String| self.with(|_, product| ResolvedValue::leaf(read(product)));
        match info.field_name() {
            "metafield" => {
                Ok(metafield_field(self.reader.shop, &gid("Product", self.id), self.reader.client_id, info))
            }
            "id" => Ok(ResolvedValue::leaf(gid("Product", self.id))),
            "title" => text(|product| product.title.clone()),
            "handle" => text(|product| product.handle.clone()),
            "productType" => text(|product| product.product_type.clone()),
            "vendor" => text(|product| product.listing.vendor.clone()),
            "descriptionHtml" => text(|product| product.listing.description_html.clone()),
            "description" => text(|product| plain_text(&product.listing.description_html)),
            "status" => Ok(ResolvedValue::leaf("ACTIVE")),
            // The simulator does not keep product versions: every product reads as of now.
            "updatedAt" => Ok(ResolvedValue::leaf(iso8601(self.reader.now))),
            "tags" => self.with(|_, product| {
                ResolvedValue::list(product.tags.clone().into_iter().map(ResolvedValue::leaf))
            }),
            "seo" => self.with(|_, product| {
                ResolvedValue::object(SeoValue {
                    title: product.listing.seo_title.clone(),
                    description: product.listing.seo_description.clone(),
                })
            }),
            "collections" => {
                let ids = self.with(|shop, product| {
                    shop.collections
                        .iter()
                        .filter(|collection| collection.product_ids.contains(&product.id))
                        .map(|collection| collection.id)
                        .collect()
                })?;
                let page = page(ids, info.arguments(), self.reader.unpaged)?;
                Ok(ResolvedValue::object(CollectionConnectionValue { shop: self.reader.shop, page }))
            }
            "variants" => {
                let ids =
                    self.with(|_, product| product.variants.iter().map(|variant| variant.id).collect())?;
                let page = page(ids, info.arguments(), self.reader.unpaged)?;
                Ok(ResolvedValue::object(ChildConnectionValue {
                    connection: "ProductVariantConnection",
                    edge: "ProductVariantEdge",
                    page,
                    node: ChildKind::Variant,
                    reader: self.reader,
                    product: self.id,
                }))
            }
            "media" => {
                let ids =
                    self.with(|_, product| product.listing.images.iter().map(|image| image.id).collect())?;
                let page = page(ids, info.arguments(), self.reader.unpaged)?;
                Ok(ResolvedValue::object(ChildConnectionValue {
                    connection: "MediaConnection",
                    edge: "MediaEdge",
                    page,
                    node: ChildKind::Image,
                    reader: self.reader,
                    product: self.id,
                }))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A nullable leaf: the value, or `null` when there is none.
fn nullable<'a>(value: Option<impl Into<JsonValue>>) -> ResolvedValue<'a> {
    value.map_or_else(ResolvedValue::null, ResolvedValue::leaf)
}

/// A description's text without its tags, as `Product.description` gives it.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    text
}

struct SeoValue {
    title: Option<String>,
    description: Option<String>,
}

impl ObjectValue for SeoValue {
    fn type_name(&self) -> &str {
        "SEO"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "title" => Ok(nullable(self.title.clone())),
            "description" => Ok(nullable(self.description.clone())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

#[derive(Clone, Copy)]
enum ChildKind {
    Variant,
    Image,
}

/// A page of a product's variants or media.
struct ChildConnectionValue<'s> {
    connection: &'static str,
    edge: &'static str,
    page: Page,
    node: ChildKind,
    reader: Reader<'s>,
    product: u64,
}

impl ObjectValue for ChildConnectionValue<'_> {
    fn type_name(&self) -> &str {
        self.connection
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let child = move |id: &u64| ChildValue {
            kind: self.node,
            reader: self.reader,
            product: self.product,
            id: *id,
        };
        match info.field_name() {
            "nodes" => {
                Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| ResolvedValue::object(child(id)))))
            }
            "edges" => {
                Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| {
                    ResolvedValue::object(Edge { name: self.edge, id: *id, node: child(id) })
                })))
            }
            "pageInfo" => Ok(ResolvedValue::object(PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A variant (`ProductVariant`) or an image (`MediaImage`) of a product.
struct ChildValue<'s> {
    kind: ChildKind,
    reader: Reader<'s>,
    product: u64,
    id: u64,
}

impl ObjectValue for ChildValue<'_> {
    fn type_name(&self) -> &str {
        match self.kind {
            ChildKind::Variant => "ProductVariant",
            ChildKind::Image => "MediaImage",
        }
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let shop = self.reader.shop.borrow();
        let product = shop.products.iter().find(|product| product.id == self.product);
        let gone = || FieldError { message: "the product was deleted".to_owned() };
        match self.kind {
            ChildKind::Variant => {
                let variant = product
                    .and_then(|product| product.variants.iter().find(|variant| variant.id == self.id))
                    .ok_or_else(gone)?;
                match info.field_name() {
                    "id" => Ok(ResolvedValue::leaf(gid("ProductVariant", variant.id))),
                    "title" => Ok(ResolvedValue::leaf(variant.title.clone())),
                    "sku" => Ok(ResolvedValue::leaf(variant.sku.clone())),
                    "barcode" => Ok(nullable(variant.barcode.clone())),
                    "price" => Ok(ResolvedValue::leaf(amount(variant.price_cents))),
                    "compareAtPrice" => Ok(nullable(variant.compare_at_price_cents.map(amount))),
                    "inventoryQuantity" => Ok(ResolvedValue::leaf(variant.inventory_quantity)),
                    _ => Err(self.unknown_field_error(info)),
                }
            }
            ChildKind::Image => {
                let image = product
                    .and_then(|product| product.listing.images.iter().find(|image| image.id == self.id))
                    .ok_or_else(gone)?;
                match info.field_name() {
                    "id" => Ok(ResolvedValue::leaf(gid("MediaImage", image.id))),
                    "alt" => Ok(nullable(image.alt.clone())),
                    "mediaContentType" => Ok(ResolvedValue::leaf("IMAGE")),
                    "status" => Ok(ResolvedValue::leaf("READY")),
                    _ => Err(self.unknown_field_error(info)),
                }
            }
        }
    }
}

/// A page of the collections a product is in.
struct CollectionConnectionValue<'s> {
    shop: &'s RefCell<Shop>,
    page: crate::paging::Page,
}

impl ObjectValue for CollectionConnectionValue<'_> {
    fn type_name(&self) -> &str {
        "CollectionConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let collection = |id: &u64| CollectionValue { shop: self.shop, id: *id };
        match info.field_name() {
            "nodes" => Ok(ResolvedValue::list(
                self.page.ids.iter().map(move |id| ResolvedValue::object(collection(id))),
            )),
            "edges" => Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| {
                ResolvedValue::object(crate::paging::Edge {
                    name: "CollectionEdge",
                    id: *id,
                    node: collection(id),
                })
            }))),
            "pageInfo" => Ok(ResolvedValue::object(crate::paging::PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A collection, read from the shop when each field resolves.
struct CollectionValue<'s> {
    shop: &'s RefCell<Shop>,
    id: u64,
}

impl ObjectValue for CollectionValue<'_> {
    fn type_name(&self) -> &str {
        "Collection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let shop = self.shop.borrow();
        let collection = shop
            .collections
            .iter()
            .find(|collection| collection.id == self.id)
            .ok_or_else(|| FieldError { message: "the collection was deleted".to_owned() })?;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Collection", collection.id))),
            "title" => Ok(ResolvedValue::leaf(collection.title.clone())),
            "handle" => Ok(ResolvedValue::leaf(collection.handle.clone())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
