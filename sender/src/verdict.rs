//! What an answer from the recipe server means for the message: done,
//! retry later, or refused for good (invariant 4).

use serde::Deserialize;

use shared::ports::api::ApiResponse;

/// The problem code of a make whose recipe has not arrived yet.
const RECIPE_NOT_FOUND: &str = "recipe-not-found";
/// The problem code of an upload whose object was deleted after it.
const OBJECT_DELETED: &str = "object-deleted";

/// Why the server refused a write for good, as it goes into a rejection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The problem's stable `code`, or `http-<status>`.
    pub code: String,
    /// The problem's `detail`, or a sentence naming the status.
    pub message: String,
    /// The problem's JSON `path`, or `$`.
    pub path: String,
}

/// Why a make waits for its recipe: an expected event (uploads arrive in
/// any order), logged as such rather than as a warning.
pub(crate) const RECIPE_NOT_ARRIVED: &str = "the make's recipe has not arrived yet";

/// What an answer means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// 2xx: the effect exists (created, replayed or unchanged).
    Done,
    /// 410 `object-deleted`: the upload's object was deleted after it, so
    /// there is nothing to store (and nothing to reject).
    Superseded,
    /// Try again later: the queue redelivers the message.
    Retry(String),
    /// The server will never accept this write.
    Refused(Refusal),
}

/// The fields of an `application/problem+json` body the sender reads.
#[derive(Deserialize)]
struct Problem {
    code: String,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

fn problem(body: &[u8]) -> Option<Problem> {
    serde_json::from_slice::<Problem>(body)
        .ok()
        .filter(|p| !p.code.is_empty())
}

/// Reads an answer.
pub(crate) fn verdict(response: &ApiResponse) -> Verdict {
    let status = response.status;
    let problem = problem(&response.body);
    let code = problem.as_ref().map(|p| p.code.as_str());
    match status {
        200..=299 => Verdict::Done,
        // Throttled, timed out, or the server (or the gateway) failed.
        408 | 429 | 500..=599 => Verdict::Retry(format!(
            "the server answered {status}{}",
            code.map(|c| format!(" {c}")).unwrap_or_default()
        )),
        410 if code == Some(OBJECT_DELETED) => Verdict::Superseded,
        // The recipe may still be on its way.
        404 if code == Some(RECIPE_NOT_FOUND) => Verdict::Retry(RECIPE_NOT_ARRIVED.to_owned()),
        // The chain's own credentials were refused: not the upload's fault,
        // so it must not become a rejection; it waits (and reaches the DLQ)
        // until the deployment is fixed.
        401 | 403 => Verdict::Retry(format!(
            "the server refused the sender's credentials ({status})"
        )),
        400..=499 => Verdict::Refused(match problem {
            Some(p) => Refusal {
                message: p
                    .detail
                    .or(p.title)
                    .unwrap_or_else(|| format!("the recipe server refused the upload ({status})")),
                path: p.path.unwrap_or_else(|| "$".to_owned()),
                code: p.code,
            },
            None => Refusal {
                code: format!("http-{status}"),
                message: format!("the recipe server refused the upload with HTTP {status}"),
                path: "$".to_owned(),
            },
        }),
        // 1xx and 3xx (redirects are not followed): the URL is wrong, not
        // the upload.
        _ => Verdict::Retry(format!("unexpected answer {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Verdict {
        verdict(&ApiResponse {
            status,
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn success_is_done_and_transient_answers_are_retried() {
        assert_eq!(answer(201, "{}"), Verdict::Done);
        assert_eq!(answer(200, ""), Verdict::Done);
        for status in [408, 429, 500, 502, 503, 504, 401, 403, 301] {
            assert!(matches!(answer(status, ""), Verdict::Retry(_)), "{status}");
        }
        assert!(matches!(
            answer(
                404,
                r#"{"code":"recipe-not-found","detail":"there is no recipe \"1\""}"#
            ),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn an_upload_deleted_after_it_was_made_is_superseded_not_refused() {
        assert_eq!(
            answer(410, r#"{"code":"object-deleted","detail":"deleted"}"#),
            Verdict::Superseded
        );
        // Another 410 is a refusal like any other client error.
        assert!(matches!(
            answer(410, r#"{"code":"gone","detail":"gone"}"#),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn other_client_errors_are_refusals_with_the_problem_s_reason() {
        assert_eq!(
            answer(
                422,
                r#"{"type":"urn:recipe-diff:problem:invalid-number","code":"invalid-number","title":"Invalid document","status":422,"detail":"the quantity \"lots\" is not an amount","path":"$.ingredients[0].quantity"}"#
            ),
            Verdict::Refused(Refusal {
                code: "invalid-number".into(),
                message: "the quantity \"lots\" is not an amount".into(),
                path: "$.ingredients[0].quantity".into(),
            })
        );
        assert_eq!(
            answer(404, r#"{"code":"no-route","detail":"no route"}"#),
            Verdict::Refused(Refusal {
                code: "no-route".into(),
                message: "no route".into(),
                path: "$".into(),
            })
        );
        assert_eq!(
            answer(413, "<html>too big</html>"),
            Verdict::Refused(Refusal {
                code: "http-413".into(),
                message: "the recipe server refused the upload with HTTP 413".into(),
                path: "$".into(),
            })
        );
    }
}
