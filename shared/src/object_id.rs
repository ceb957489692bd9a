//! Object ids: how the store names a bucket object in what it keeps after
//! everything that came from the object is gone (a deletion's tombstone).
//!
//! An object key can say who a record is about (`makes/anna/…`), and an
//! erasure must leave no trace of it; yet the store must still refuse an
//! older upload of that key delivered after the deletion. So tombstones
//! hold a keyed hash of the key, HMAC-SHA256 under a secret of the
//! deployment that the store never holds: without the secret, a tombstone
//! cannot be tied to a key, not even by guessing keys and hashing them.

use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The fewest secret bytes accepted (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// A keyed hash of an object key: 64 lower-case hexadecimal digits.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ObjectId(String);

impl ObjectId {
    /// An id as a store read it back (not checked: the store wrote it).
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The hexadecimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns object keys into [`ObjectId`]s under one secret.
#[derive(Clone)]
pub struct ObjectIds {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for ObjectIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.write_str("ObjectIds(..)")
    }
}

impl ObjectIds {
    /// Ids under `secret`, which must hold at least [`MIN_SECRET_BYTES`].
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the object-id secret has {} bytes; at least {MIN_SECRET_BYTES} are needed",
                secret.len()
            ));
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret)
            .map_err(|e| format!("the object-id secret is unusable: {e}"))?;
        Ok(Self { mac })
    }

    /// Ids under a secret written as hexadecimal text (surrounding
    /// whitespace ignored), as the configuration holds it.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let secret = hex::decode(text.trim())
            .map_err(|e| format!("the object-id secret is not hexadecimal: {e}"))?;
        Self::new(&secret)
    }

    /// The id of `object_key`.
    pub fn id(&self, object_key: &str) -> ObjectId {
        let mut mac = self.mac.clone();
        mac.update(object_key.as_bytes());
        ObjectId(hex::encode(mac.finalize().into_bytes()))
    }

    /// Ids under a subkey of this secret for one use (`label`): the keyed
    /// hash of the label, so that knowing the subkey tells nothing of the
    /// secret or of the other subkeys. Logs name objects under one subkey,
    /// so that a log key never serves to recognise a tombstone.
    pub fn subkey(&self, label: &str) -> Self {
        let mut mac = self.mac.clone();
        mac.update(b"recipe-diff subkey\0");
        mac.update(label.as_bytes());
        let derived = mac.finalize().into_bytes();
        // HMAC takes a key of any length; 32 bytes meet the minimum.
        match Self::new(&derived) {
            Ok(ids) => ids,
            Err(reason) => unreachable!("{reason}"),
        }
    }

    /// Ids under a fixed, public secret: for tests and examples only.
    pub fn for_tests() -> Self {
        // A fixed secret of the required length cannot fail.
        match Self::new(&[7; MIN_SECRET_BYTES]) {
            Ok(ids) => ids,
            Err(reason) => unreachable!("{reason}"),
        }
    }
}

/// How a function logs, as its `Config` reads it once at start-up.
#[derive(Clone, Debug, Default)]
pub struct LogSettings {
    /// `RUST_LOG`: which log lines are written (`info` when unset).
    pub filter: Option<String>,
    /// `LOG_ID_SECRET`: the secret logs name objects under (64 or more
    /// hexadecimal digits); unset, a secret of the process.
    pub ids: Option<ObjectIds>,
}

impl LogSettings {
    /// `RUST_LOG` and `LOG_ID_SECRET`, read through `lookup`.
    ///
    /// # Errors
    /// When `LOG_ID_SECRET` is set but not a usable secret; the error
    /// names the setting.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let ids = lookup("LOG_ID_SECRET")
            .map(|text| ObjectIds::from_hex(&text).map_err(|e| format!("LOG_ID_SECRET: {e}")))
            .transpose()?;
        Ok(Self {
            filter: lookup("RUST_LOG"),
            ids,
        })
    }
}

/// The ids logs name keys and ids by; set once at start-up.
static LOG_IDS: OnceLock<ObjectIds> = OnceLock::new();

/// Makes logs name object keys and ids under `ids` (the deployment's
/// object-id secret), so that the lines of every part of the chain about
/// one object carry the same name. The first call wins.
pub fn set_log_ids(ids: ObjectIds) {
    let _ = LOG_IDS.set(ids);
}

/// An object key or an id as the logs show it: `#` and the first 16
/// hexadecimal digits of its keyed hash, never the text itself (a key or a
/// recipe id may name a person or a dish). Without [`set_log_ids`], the
/// hash is keyed by a secret of this process only.
pub fn logged(text: &str) -> Logged {
    let ids = LOG_IDS.get_or_init(process_ids);
    // Apart from the tombstones' ids: a log line never shows one of them.
    let id = ids.id(&format!("log\u{0}{text}"));
    Logged(id.0[..16].to_owned())
}

/// `text` with every quoted run (between double quotes, with backslash
/// escapes, or between backticks) replaced by its pseudonym ([`logged`]):
/// for the messages of parsers and other libraries, which quote what they
/// read (`invalid type: string "Grandma's stew"`), before they are logged.
/// What the message says about the failure (its kind, line and column)
/// stays.
pub fn scrubbed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '`' {
            out.push(c);
            continue;
        }
        let mut quoted = String::new();
        while let Some(q) = chars.next() {
            if q == c {
                break;
            }
            quoted.push(q);
            if c == '"' && q == '\\' {
                quoted.extend(chars.next());
            }
        }
        // An unmatched quote hides the rest too: it may be anything.
        out.push_str(&logged(&quoted).to_string());
    }
    out
}

/// What the logs say of a panic: where it happened (source file and line)
/// and its message's pseudonym ([`logged_panic`]), for a panic hook to log.
pub fn logged_panic_at(info: &std::panic::PanicHookInfo<'_>) -> (String, Logged) {
    let location = info.location().map_or_else(
        || "(unknown)".to_owned(),
        |at| format!("{}:{}", at.file(), at.line()),
    );
    (location, logged_panic(info.payload()))
}

/// What the logs say of a panic's payload: its pseudonym ([`logged`]),
/// never its text, which may quote the data being handled (a string
/// slicing panic quotes up to 256 bytes of it). The same message gets the
/// same pseudonym, so repeated panics can still be told apart and counted.
pub fn logged_panic(payload: &(dyn std::any::Any + Send)) -> Logged {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    logged(text)
}

/// A pseudonym for logs ([`logged`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged(String);

impl std::fmt::Display for Logged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Ids under a secret of this process, drawn from the operating system's
/// random source: stable within the process, meaningless outside it. If
/// the source fails, the test key is used: the logs still never show a
/// key, only a pseudonym that is easier to reverse by guessing.
fn process_ids() -> ObjectIds {
    let mut secret = [0_u8; MIN_SECRET_BYTES];
    match getrandom::fill(&mut secret)
        .ok()
        .and_then(|()| ObjectIds::new(&secret).ok())
    {
        Some(ids) => ids,
        None => ObjectIds::for_tests(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subkey_names_objects_apart_from_its_secret_and_from_other_subkeys() {
        let ids = ObjectIds::for_tests();
        let logs = ids.subkey("logs");
        let key = "makes/anna-birthday.json";
        assert_ne!(ids.id(key), logs.id(key));
        assert_ne!(logs.id(key), ids.subkey("journal").id(key));
        assert_eq!(
            logs.id(key),
            ObjectIds::for_tests().subkey("logs").id(key),
            "stable"
        );
    }

    #[test]
    fn ids_depend_on_the_key_and_on_the_secret() {
        let a = ObjectIds::new(&[1; 32]).expect("secret");
        let b = ObjectIds::new(&[2; 32]).expect("secret");
        let id = a.id("makes/anna.json");
        assert_eq!(id, a.id("makes/anna.json"), "the same key, the same id");
        assert_ne!(id, a.id("makes/anne.json"));
        assert_ne!(id, b.id("makes/anna.json"), "another secret, another id");
        assert_eq!(id.as_str().len(), 64);
        assert!(!id.as_str().contains("anna"));
    }

    #[test]
    fn logs_name_a_key_by_a_short_stable_hash_never_by_the_key() {
        let shown = logged("makes/anna-birthday.json").to_string();
        assert_eq!(shown, logged("makes/anna-birthday.json").to_string());
        assert_ne!(shown, logged("makes/anna-birthday.json ").to_string());
        assert!(shown.starts_with('#') && shown.len() == 17, "{shown}");
        assert!(!shown.contains("anna"));
    }

    #[test]
    fn scrubbed_messages_keep_what_went_wrong_and_name_quoted_text_by_pseudonyms() {
        let message =
            r#"invalid type: string "Grandma's \"best\" stew", expected u32 at line 1 column 40"#;
        let shown = scrubbed(message);
        assert!(!shown.contains("Grandma"), "{shown}");
        assert!(
            shown.starts_with("invalid type: string #")
                && shown.ends_with(", expected u32 at line 1 column 40"),
            "{shown}"
        );
        assert_eq!(
            scrubbed("unknown variant `anna-birthday`"),
            format!("unknown variant {}", logged("anna-birthday"))
        );
        let unmatched = scrubbed("cut short: \"anna's notes");
        assert!(!unmatched.contains("anna"), "{unmatched}");
        assert_eq!(
            scrubbed("expected value at line 1 column 1"),
            "expected value at line 1 column 1"
        );
    }

    #[test]
    fn a_panic_is_named_by_the_pseudonym_of_its_message() {
        let formatted: Box<dyn std::any::Any + Send> =
            Box::new(String::from("byte index 3 of `anna`"));
        let fixed: Box<dyn std::any::Any + Send> = Box::new("anna");
        assert_eq!(
            logged_panic(formatted.as_ref()),
            logged("byte index 3 of `anna`")
        );
        assert_eq!(logged_panic(fixed.as_ref()), logged("anna"));
        assert!(!logged_panic(fixed.as_ref()).to_string().contains("anna"));
    }

    #[test]
    fn a_short_or_unreadable_secret_is_refused_with_the_reason() {
        let short = ObjectIds::new(&[1; 16]).expect_err("16 bytes");
        assert!(short.contains("16 bytes"), "{short}");
        let text = ObjectIds::from_hex("not hex").expect_err("not hex");
        assert!(text.contains("not hexadecimal"), "{text}");
        assert!(ObjectIds::from_hex(&format!("{}\n", "ab".repeat(32))).is_ok());
        assert_eq!(format!("{:?}", ObjectIds::for_tests()), "ObjectIds(..)");
    }
}
