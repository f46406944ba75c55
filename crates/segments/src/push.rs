//! What tag push-back changes in Shopify: only the customers whose membership changed, and only
//! the segment's own `seglink:<slug>` tag. Unchanged members cost no call.

use std::collections::BTreeSet;

/// The tag a segment puts on its members.
pub fn tag(slug: &str) -> String {
    format!("seglink:{slug}")
}

/// Who entered and who left a segment between two memberships.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Members now, not before: `tagsAdd`.
    pub entered: Vec<String>,
    /// Members before, not now: `tagsRemove`.
    pub left: Vec<String>,
}

impl Diff {
    /// The change from `before` to `now`, each side in id order (so a push can resume from a
    /// checkpoint: the last id done).
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

    /// What is left to do after `checkpoint`, the last customer id done on each side.
    pub fn after(&self, entered_done: Option<&str>, left_done: Option<&str>) -> Self {
        let rest = |ids: &[String], done: Option<&str>| -> Vec<String> {
            ids.iter().filter(|id| done.is_none_or(|done| id.as_str() > done)).cloned().collect()
        };
        Self { entered: rest(&self.entered, entered_done), left: rest(&self.left, left_done) }
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
        assert_eq!(tag("vip"), "seglink:vip");
    }

    #[test]
    fn a_push_resumes_after_its_checkpoint() {
        let diff = Diff::between(&set(&["1", "2"]), &set(&["3", "4", "5"]));
        let rest = diff.after(Some("4"), None);
        assert_eq!(rest.entered, ["5"]);
        assert_eq!(rest.left, ["1", "2"]);
        assert!(diff.after(Some("5"), Some("2")).is_empty());
    }
}
