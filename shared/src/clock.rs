//! Timestamps as the chain writes them: RFC 3339, UTC, milliseconds.

use time::OffsetDateTime;
use time::macros::format_description;

/// Now, as `2026-11-22T19:33:59.123Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
}

/// A time as `2026-11-22T19:33:59.123Z`.
pub fn format_rfc3339(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// A timestamp with only its digits and the `T`/`Z` markers
/// (`20261122T193359123Z`): sortable, and safe in ids and keys.
pub fn compact(rfc3339: &str) -> String {
    rfc3339
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T' || *c == 'Z')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).expect("valid");
        assert_eq!(format_rfc3339(at), "2023-11-14T22:13:20.123Z");
        assert_eq!(compact("2023-11-14T22:13:20.123Z"), "20231114T221320123Z");
    }
}
