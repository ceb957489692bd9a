//! Typed reads of JSON values with limits, shared by both formats.

use std::collections::HashMap;

use serde_json::Value;

use crate::ingredient_line::ParsedLine;
use crate::limits::Limits;
use crate::model::Ingredient;
use crate::path::JsonPath;
use crate::quantity::{Quantity, parse_quantity};
use crate::rejection::{RejectReason, Rejection, json_type};
use crate::text::{clean_scraped, collapse_whitespace, name_key};

/// Reads values for one document under one set of limits.
pub(crate) struct Reader<'a> {
    pub(crate) limits: &'a Limits,
}

pub(crate) fn wrong_type(path: &JsonPath, expected: &'static str, found: &Value) -> Rejection {
    Rejection::new(
        path.clone(),
        RejectReason::WrongType {
            expected,
            found: json_type(found),
        },
    )
}

pub(crate) fn missing(path: &JsonPath, field: &str) -> Rejection {
    Rejection::new(
        path.clone(),
        RejectReason::Missing {
            field: field.to_owned(),
        },
    )
}

/// An ingredient read from a free-text line (`2 cups flour`), listed under
/// `group`.
pub(crate) fn ingredient_from_line(parsed: ParsedLine, group: Option<String>) -> Ingredient {
    Ingredient {
        id: None,
        key: name_key(&parsed.name),
        name: parsed.name,
        quantity: parsed.quantity,
        unit: parsed.unit,
        size: parsed.size,
        package_size: parsed.package_size,
        plus: parsed.plus,
        alternative: parsed.alternative,
        preparation: parsed.preparation,
        note: parsed.note,
        group,
    }
}

impl Reader<'_> {
    /// A short text (a name): checked, then whitespace collapsed.
    pub(crate) fn name(&self, text: &str, path: &JsonPath) -> Result<String, Rejection> {
        Limits::check_text(path, text, self.limits.max_name_chars, true)?;
        Ok(collapse_whitespace(text).into_owned())
    }

    /// A long text (a step, notes): checked, then whitespace collapsed.
    pub(crate) fn text(&self, text: &str, path: &JsonPath) -> Result<String, Rejection> {
        Limits::check_text(path, text, self.limits.max_text_chars, true)?;
        Ok(collapse_whitespace(text).into_owned())
    }

    /// A short text scraped from a web page (schema.org): stray control
    /// characters cleaned out first ([`clean_scraped`]), so that they never
    /// refuse a page; then as [`Reader::name`].
    pub(crate) fn scraped_name(&self, text: &str, path: &JsonPath) -> Result<String, Rejection> {
        self.name(&clean_scraped(text), path)
    }

    /// A long text scraped from a web page: cleaned, then as [`Reader::text`].
    pub(crate) fn scraped_text(&self, text: &str, path: &JsonPath) -> Result<String, Rejection> {
        self.text(&clean_scraped(text), path)
    }

    /// An optional long text field scraped from a web page; empty text
    /// counts as absent.
    pub(crate) fn optional_scraped_text(
        &self,
        object: &serde_json::Map<String, Value>,
        field: &'static str,
        path: &JsonPath,
    ) -> Result<Option<String>, Rejection> {
        let field_path = path.key(field);
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => {
                let text = self.scraped_text(text, &field_path)?;
                Ok((!text.is_empty()).then_some(text))
            }
            Some(other) => Err(wrong_type(&field_path, "a string", other)),
        }
    }

    /// A required string field holding a name.
    pub(crate) fn required_name(
        &self,
        object: &serde_json::Map<String, Value>,
        field: &'static str,
        path: &JsonPath,
    ) -> Result<String, Rejection> {
        let field_path = path.key(field);
        match object.get(field) {
            Some(Value::String(text)) => {
                let name = self.name(text, &field_path)?;
                if name.is_empty() {
                    return Err(missing(path, field));
                }
                Ok(name)
            }
            None | Some(Value::Null) => Err(missing(path, field)),
            Some(other) => Err(wrong_type(&field_path, "a string", other)),
        }
    }

    /// An optional string field; empty text counts as absent.
    pub(crate) fn optional_text(
        &self,
        object: &serde_json::Map<String, Value>,
        field: &'static str,
        path: &JsonPath,
        long: bool,
    ) -> Result<Option<String>, Rejection> {
        let field_path = path.key(field);
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => {
                let text = if long {
                    self.text(text, &field_path)?
                } else {
                    self.name(text, &field_path)?
                };
                Ok((!text.is_empty()).then_some(text))
            }
            Some(other) => Err(wrong_type(&field_path, "a string", other)),
        }
    }

    /// A quantity given as a number or as text (`"1 1/2"`, `"3-4"`).
    pub(crate) fn quantity(
        &self,
        value: Option<&Value>,
        path: &JsonPath,
    ) -> Result<Option<Quantity>, Rejection> {
        let quantity = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(number)) => {
                let value = number.as_f64().unwrap_or(f64::NAN);
                Quantity::single(self.amount(value, path, "quantity")?)
            }
            Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
            Some(Value::String(text)) => {
                let quantity = parse_quantity(text).ok_or_else(|| {
                    Rejection::new(
                        path.clone(),
                        RejectReason::InvalidNumber {
                            message: format!(
                                "the quantity {text:?} is not an amount (expected a number such as 2, 1.5, 1 1/2 or 3-4)"
                            ),
                        },
                    )
                })?;
                self.amount(quantity.value(), path, "quantity")?;
                if let Some(max) = quantity.max() {
                    self.amount(max, path, "quantity")?;
                }
                quantity
            }
            Some(other) => return Err(wrong_type(path, "a number or a quantity as text", other)),
        };
        Ok(Some(quantity))
    }

    /// Checks that an amount is finite, not negative and within the limit.
    pub(crate) fn amount(&self, value: f64, path: &JsonPath, what: &str) -> Result<f64, Rejection> {
        let problem = if !value.is_finite() {
            Some(format!("the {what} is not a finite number"))
        } else if value < 0.0 {
            Some(format!("the {what} must not be negative (found {value})"))
        } else if value > self.limits.max_quantity {
            Some(format!(
                "the {what} {value} is larger than the limit of {}",
                self.limits.max_quantity
            ))
        } else {
            None
        };
        match problem {
            Some(message) => Err(Rejection::new(
                path.clone(),
                RejectReason::InvalidNumber { message },
            )),
            None => Ok(value),
        }
    }

    /// A rating from 0 to 5, given as a number or numeric text.
    pub(crate) fn rating(
        &self,
        value: Option<&Value>,
        path: &JsonPath,
    ) -> Result<Option<f64>, Rejection> {
        let rating = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
            Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
            Some(Value::String(text)) => {
                text.trim().replace(',', ".").parse::<f64>().map_err(|_| {
                    Rejection::new(
                        path.clone(),
                        RejectReason::InvalidNumber {
                            message: format!("the rating {text:?} is not a number"),
                        },
                    )
                })?
            }
            Some(other) => return Err(wrong_type(path, "a number", other)),
        };
        check_rating(rating, path).map(Some)
    }
}

/// A rating must be a number from 0 to 5.
pub(crate) fn check_rating(rating: f64, path: &JsonPath) -> Result<f64, Rejection> {
    if rating.is_finite() && (0.0..=5.0).contains(&rating) {
        Ok(rating)
    } else {
        Err(Rejection::new(
            path.clone(),
            RejectReason::InvalidNumber {
                message: format!("the rating must be a number from 0 to 5 (found {rating})"),
            },
        ))
    }
}

/// Refuses the second use of an id within one list.
#[derive(Default)]
pub(crate) struct UniqueIds(HashMap<String, JsonPath>);

impl UniqueIds {
    pub(crate) fn insert(&mut self, id: &str, path: &JsonPath) -> Result<(), Rejection> {
        if let Some(first) = self.0.get(id) {
            return Err(Rejection::new(
                path.clone(),
                RejectReason::DuplicateId {
                    id: id.to_owned(),
                    first: first.clone(),
                },
            ));
        }
        self.0.insert(id.to_owned(), path.clone());
        Ok(())
    }
}

/// Checks a made-at time: an ISO 8601 date or date-time (`2024-05-01`,
/// `2024-05-01T18:30:00Z`).
pub(crate) fn check_made_at(text: &str, path: &JsonPath) -> Result<String, Rejection> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let date_ok = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit);
    let rest_ok = match bytes.get(10..) {
        Some([]) => true,
        Some([separator, time @ ..]) => {
            bytes.len() <= 40
                && matches!(separator, b'T' | b' ')
                && !time.is_empty()
                && time
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'+' | b'-' | b'Z'))
        }
        None => false,
    };
    if date_ok && rest_ok {
        Ok(text.to_owned())
    } else {
        Err(Rejection::new(
            path.clone(),
            RejectReason::InvalidDate {
                message: format!(
                    "madeAt {text:?} is not an ISO 8601 date or date-time (such as 2024-05-01 or 2024-05-01T18:30:00Z)"
                ),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_at_accepts_dates_and_date_times_and_refuses_the_rest() {
        let path = JsonPath::root().key("madeAt");
        for ok in [
            "2024-05-01",
            "2024-05-01T18:30:00Z",
            "2024-05-01 18:30:00.123+02:00",
        ] {
            assert!(check_made_at(ok, &path).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "2024",
            "2024-05-0",
            "yesterday",
            "2024-05-01Tnoon",
            "2024-05-01T",
        ] {
            let err = check_made_at(bad, &path).expect_err(bad);
            assert_eq!(err.code(), "invalid-date", "{bad}");
        }
    }
}
