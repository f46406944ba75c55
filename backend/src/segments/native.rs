//! Native mode (docs/segments.md): the segment kept as a Shopify segment too, with the rules as a
//! Shopify segment query where they translate, and otherwise the query of the segment's tag.

use crate::app::App;
use crate::db::SegmentRow;
use crate::shopify::ShopDomain;
use crate::shopify::operations::{CreateSegment, UpdateSegment, create_segment, update_segment};

/// The query a Shopify segment gets, and why it is the tag query when the rules do not translate.
pub fn query(segment: &SegmentRow, rule: &segment_rules::Rule) -> (String, Option<String>) {
    match segment_rules::native::translate(rule) {
        Ok(query) => (query, None),
        Err(reason) => (segment_rules::native::tag_query(&segment.slug), Some(reason.0)),
    }
}

/// Creates or updates the Shopify segment; what was saved, for the push status.
pub async fn sync(app: &App, shop: &ShopDomain, segment: &SegmentRow) -> Result<Option<String>, String> {
    let rule = serde_json::from_str(&segment.rules)
        .ok()
        .and_then(|value| segment_rules::parse(&value).ok())
        .ok_or("the stored rules do not parse")?;
    let (query, reason) = query(segment, &rule);
    // Shopify segment names are unique in a shop; the prefix keeps ours apart from the merchant's.
    let name = format!("Seglink: {}", segment.name);
    let (id, errors) = match &segment.native_segment_id {
        Some(id) => {
            let variables =
                update_segment::Variables { id: id.clone(), name: Some(name), query: Some(query) };
            let data = app
                .shopify
                .run_repeatable::<UpdateSegment>(shop, variables)
                .await
                .map_err(|e| e.to_string())?;
            let payload = data.segment_update.ok_or("segmentUpdate answered nothing")?;
            (
                payload.segment.map(|s| s.id),
                payload.user_errors.into_iter().map(|e| e.message).collect::<Vec<_>>(),
            )
        }
        None => {
            let variables = create_segment::Variables { name, query };
            let data = app.shopify.run::<CreateSegment>(shop, variables).await.map_err(|e| e.to_string())?;
            let payload = data.segment_create.ok_or("segmentCreate answered nothing")?;
            (payload.segment.map(|s| s.id), payload.user_errors.into_iter().map(|e| e.message).collect())
        }
    };
    if let Some(error) = errors.first() {
        return Err(error.clone());
    }
    let id = id.ok_or("Shopify returned no segment")?;
    app.store.set_native_segment(shop, &segment.slug, Some(&id)).await.map_err(|e| e.to_string())?;
    Ok(Some(match reason {
        None => "tags pushed; the Shopify segment follows the rules".to_owned(),
        Some(reason) => format!("tags pushed; the Shopify segment follows the tag, because {reason}"),
    }))
}
