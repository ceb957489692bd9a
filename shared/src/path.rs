//! Locations inside an uploaded JSON document, for rejection messages.

use std::fmt;

use serde::{Serialize, Serializer};

/// One step of a [`JsonPath`]: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A location inside a JSON document, rendered like `$.ingredients[3].quantity`.
///
/// Rejections carry one so that a cook can find the offending value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    /// The whole document (`$`).
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path followed by an object key.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        Self(segments)
    }

    /// This path followed by an array index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for segment in &self.0 {
            match segment {
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Key(k) if is_plain_key(k) => write!(f, ".{k}")?,
                Segment::Key(k) => write!(f, "[{}]", serde_json::Value::String(k.clone()))?,
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
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        let path = JsonPath::root().key("@graph").index(0).key("odd key\"");
        assert_eq!(path.to_string(), r#"$.@graph[0]["odd key\""]"#);
    }
}
