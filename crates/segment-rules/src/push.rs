//! What tag push-back changes in Shopify: only the customers whose membership changed, and only
//! the segment's own tag (`discount_rules::segment_tag`, the one the Function looks for).
//! Unchanged members cost no call.

use std::collections::BTreeSet;

/// Who entered and who left a segment between two memberships.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Members now, not before: `tagsAdd`.
    pub entered: Vec<String>,
    /// Members before, not now: `tagsRemove`.
    pub left: Vec<String>,
}

impl Diff {
    /// The change from `before` (the customers Shopify holds the tag on) to `now` (the members),
    /// each side in id order.
    pub fn between(before: &BTreeSet<String>, now: &BTreeSet<String>) -> Self {
        Self {
            entered: now.difference(before).cloned().collect(),
            left: before.difference(now).cloned().collect(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.entered.is_empty() && self.left.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn only_changed_customers_are_touched() {
        let diff = Diff::between(&set(&["1", "2", "3"]), &set(&["2", "3", "4", "5"]));
        assert_eq!(diff.entered, ["4", "5"]);
        assert_eq!(diff.left, ["1"]);
        assert!(Diff::between(&set(&["7"]), &set(&["7"])).is_empty(), "unchanged members cost nothing");
    }
}
