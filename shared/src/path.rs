//! Locations inside an uploaded JSON document, for rejection messages.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// One step of a [`JsonPath`]: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(Cow<'static, str>),
    Index(usize),
}

#[derive(Debug)]
struct Node {
    parent: JsonPath,
    segment: Segment,
}

/// A location inside a JSON document, rendered like `$.ingredients[3].quantity`.
///
/// Rejections carry one so that a cook can find the offending value. Paths
/// are built for every value a parser reads but rendered only for the one
/// that is refused, so extending one is cheap: it shares its parent.
#[derive(Clone, Debug, Default)]
pub struct JsonPath(Option<Arc<Node>>);

impl JsonPath {
    /// The whole document (`$`).
    pub fn root() -> Self {
        Self(None)
    }

    fn push(&self, segment: Segment) -> Self {
        Self(Some(Arc::new(Node {
            parent: self.clone(),
            segment,
        })))
    }

    /// This path followed by an object key.
    #[must_use]
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Self {
        self.push(Segment::Key(key.into()))
    }

    /// This path followed by an object key that is not a literal.
    #[must_use]
    pub fn key_owned(&self, key: &str) -> Self {
        self.push(Segment::Key(Cow::Owned(key.to_owned())))
    }

    /// This path followed by an array index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        self.push(Segment::Index(index))
    }

    /// The segments from the root down.
    fn segments(&self) -> Vec<&Segment> {
        let mut segments = Vec::new();
        let mut cursor = self.0.as_deref();
        while let Some(node) = cursor {
            segments.push(&node.segment);
            cursor = node.parent.0.as_deref();
        }
        segments.reverse();
        segments
    }
}

impl PartialEq for JsonPath {
    fn eq(&self, other: &Self) -> bool {
        self.segments() == other.segments()
    }
}

impl Eq for JsonPath {}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for segment in self.segments() {
            match segment {
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Key(k) if is_plain_key(k) => write!(f, ".{k}")?,
                Segment::Key(k) => write!(f, "[{}]", serde_json::Value::String(k.to_string()))?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '@')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Serialize for JsonPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indexes_like_jsonpath() {
        let path = JsonPath::root().key("ingredients").index(3).key("quantity");
        assert_eq!(path.to_string(), "$.ingredients[3].quantity");
        assert_eq!(JsonPath::root().to_string(), "$");
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        let path = JsonPath::root()
            .key("@graph")
            .index(0)
            .key_owned("odd key\"");
        assert_eq!(path.to_string(), r#"$.@graph[0]["odd key\""]"#);
    }

    #[test]
    fn paths_compare_by_their_segments() {
        let a = JsonPath::root().key("steps").index(1);
        assert_eq!(a, JsonPath::root().key("steps").index(1));
        assert_ne!(a, JsonPath::root().key("steps").index(2));
        assert_ne!(a, JsonPath::root().key("steps"));
    }
}
