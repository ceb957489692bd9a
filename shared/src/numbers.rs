//! Numbers in canonical JSON form: a whole number as an integer, so that
//! `1` and `1.0` are one number. The recipe's canonical form, a quantity's
//! JSON and the diff all write their numbers this way.

use serde_json::Value;

/// A JSON number for `value`: whole numbers as integers, so that `1` and
/// `1.0` have one canonical form.
pub fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        // The range check makes the conversion exact.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(value as i64);
    }
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// Serialises an `f64` in canonical form (`4`, not `4.0`).
pub(crate) fn serialize_f64<S: serde::Serializer>(
    value: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&number(*value), serializer)
}

/// Serialises an optional `f64` in canonical form.
pub(crate) fn serialize_opt_f64<S: serde::Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serialize_f64(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// `value` with every number in canonical form, so that equal values are
/// equal JSON (`1.0` becomes `1`).
pub fn normalise_numbers(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => number(f),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalise_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, normalise_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}
