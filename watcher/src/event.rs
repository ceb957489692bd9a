//! Reading S3 event notifications leniently: real ones carry
//! `userIdentity`, `requestParameters` and `responseElements`; moto's (and
//! hand-made ones) may not, and the watcher needs none of them.

use serde::Deserialize;
use serde_json::Value;

/// What S3 sent.
#[derive(Debug)]
pub(crate) enum Notification {
    /// `s3:TestEvent`, sent when a bucket's notification is configured.
    Test {
        /// The bucket it names, when it does.
        bucket: Option<String>,
    },
    /// The event's records, in order; a record that cannot be read is the
    /// reason why.
    Records(Vec<Result<Record, String>>),
}

/// One record of an event: what happened to which object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record {
    /// `ObjectCreated:Put`, `ObjectRemoved:Delete`, ...
    #[serde(default)]
    pub(crate) event_name: Option<String>,
    /// The bucket and the object.
    pub(crate) s3: Entity,
}

/// The `s3` part of a record.
#[derive(Debug, Deserialize)]
pub(crate) struct Entity {
    pub(crate) bucket: Bucket,
    pub(crate) object: Object,
}

/// The bucket of a record.
#[derive(Debug, Deserialize)]
pub(crate) struct Bucket {
    pub(crate) name: String,
}

/// The object of a record; the key is encoded as S3 encodes keys in events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Object {
    pub(crate) key: String,
    #[serde(default)]
    pub(crate) size: Option<u64>,
    #[serde(default, rename = "eTag")]
    pub(crate) e_tag: Option<String>,
    #[serde(default)]
    pub(crate) version_id: Option<String>,
    #[serde(default)]
    pub(crate) sequencer: Option<String>,
}

impl Record {
    /// Whether the record announces a new object (`ObjectCreated:*`, with
    /// or without the `s3:` of notification configurations).
    pub(crate) fn is_object_created(&self) -> bool {
        self.event_name.as_deref().is_some_and(|name| {
            name.strip_prefix("s3:")
                .unwrap_or(name)
                .starts_with("ObjectCreated:")
        })
    }

    /// What a removal record announces, or `None` for any other record.
    pub(crate) fn removal(&self) -> Option<Removal> {
        let name = self.event_name.as_deref()?;
        let name = name.strip_prefix("s3:").unwrap_or(name);
        match name.strip_prefix("ObjectRemoved:")? {
            // A versioned bucket's DELETE without a version: the object is
            // hidden, and the bucket shows nothing under the key.
            "DeleteMarkerCreated" => Some(Removal::Hidden),
            // With a version id, one version was removed for good, and an
            // older one may now show; without one (an unversioned bucket),
            // the object is gone.
            _ if self.s3.object.version_id.is_some() => Some(Removal::OneVersion),
            _ => Some(Removal::Hidden),
        }
    }
}

/// How an object was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    /// Nothing shows under the key any more.
    Hidden,
    /// One version was deleted for good; the key may still show another.
    OneVersion,
}

/// Reads an event; anything that is neither a test event nor an object with
/// a `Records` list is not an S3 notification.
pub(crate) fn read(event: Value) -> Result<Notification, String> {
    let Value::Object(mut event) = event else {
        return Err(format!("expected an object, found {}", kind(&event)));
    };
    if event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        let bucket = event
            .get("Bucket")
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Ok(Notification::Test { bucket });
    }
    match event.remove("Records") {
        Some(Value::Array(records)) => Ok(Notification::Records(
            records
                .into_iter()
                // The parser's message may quote the record (its key): it
                // is logged, so quoted text goes by its pseudonym.
                .map(|record| {
                    serde_json::from_value(record)
                        .map_err(|e| shared::object_id::scrubbed(&e.to_string()))
                })
                .collect(),
        )),
        Some(other) => Err(format!("Records is {}, not a list", kind(&other))),
        None => Err("it has no Records".to_owned()),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

// Keys are decoded in `shared`: an erasure reads the keys of failed
// events the same way.
pub use shared::keys::decode_key;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_decode_as_s3_encodes_them() {
        for (encoded, decoded) in [
            (
                "makes/sunday+dinner%2B1.json",
                Ok("makes/sunday dinner+1.json"),
            ),
            // moto encodes the slash too (Python's quote_plus); S3 does not.
            (
                "makes%2Fsunday+dinner%2B1.json",
                Ok("makes/sunday dinner+1.json"),
            ),
            (
                "recipes/cr%C3%A8me+br%C3%BBl%C3%A9e.json",
                Ok("recipes/crème brûlée.json"),
            ),
            ("recipes/50%25.json", Ok("recipes/50%.json")),
            ("recipes/bad%FF.json", Err("recipes/bad\u{FFFD}.json")),
        ] {
            let key = decode_key(encoded);
            assert_eq!(key.as_deref().map_err(String::as_str), decoded, "{encoded}");
        }
    }

    #[test]
    fn the_test_event_is_recognised() {
        let event = json!({"Service": "Amazon S3", "Event": "s3:TestEvent",
                           "Time": "2024-01-01T00:00:00.000Z", "Bucket": "uploads"});
        assert!(matches!(
            read(event),
            Ok(Notification::Test { bucket: Some(b) }) if b == "uploads"
        ));
    }

    #[test]
    fn records_need_only_the_bucket_and_the_key() {
        let event = json!({"Records": [
            {"eventName": "ObjectCreated:Put",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "recipes/a.json"}}},
            {"eventName": "s3:ObjectCreated:Copy",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "recipes/b.json", "size": 3}}},
            {"eventName": "ObjectRemoved:Delete",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "recipes/c.json"}}},
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {}}},
        ]});
        let Ok(Notification::Records(records)) = read(event) else {
            panic!("records expected");
        };
        let created: Vec<bool> = records
            .iter()
            .map(|r| r.as_ref().is_ok_and(Record::is_object_created))
            .collect();
        assert_eq!(created, [true, true, false, false]);
        assert!(records[3].is_err());
    }

    #[test]
    fn other_events_are_not_notifications() {
        assert!(read(json!([])).is_err());
        assert!(read(json!({"Records": "x"})).is_err());
        assert!(read(json!({"detail-type": "Object Created"})).is_err());
    }
}
