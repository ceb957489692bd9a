//! The API's contract, generated: an OpenAPI 3.1 document built from the
//! routes' handlers (each carries its operation in `#[utoipa::path]`: its
//! method, path, operationId, parameters, security and answers) and the
//! body types of [`crate::api`] (their schemas). Nothing of it is written
//! by hand but what this module declares once for every route that shares
//! it: the document's info and security schemes, the parameters the
//! extractors read, and the problem answers common to the reads, the
//! writes and the erasures.
//!
//! It is served at `GET /openapi.json`, and a snapshot test
//! (`recipe-server/tests/openapi.rs`) keeps the reviewed copy,
//! `recipe-server/openapi.snap.json`, that deploy-checks and the
//! dashboard's type check read.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Value, json};
use shared::wire::{PROBLEM_JSON, Problem};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, RefOr};
use utoipa::{IntoParams, IntoResponses, PartialSchema, ToSchema};

use crate::extract::{MakePath, PageQuery, RecipePath};

/// The document, as served (pretty JSON, built once).
pub fn json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        let mut text = serde_json::to_string_pretty(&value()).unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document did not serialise");
            "{}".to_owned()
        });
        text.push('\n');
        text
    });
    &JSON
}

/// The document as JSON, with what utoipa's types cannot say added: a
/// response header of this API is always sent (`required`).
pub fn value() -> Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|i| i.values_mut())
            {
                let responses = operation["responses"].as_object_mut();
                for response in responses.into_iter().flat_map(|r| r.values_mut()) {
                    let headers = response.get_mut("headers").and_then(Value::as_object_mut);
                    for header in headers.into_iter().flat_map(|h| h.values_mut()) {
                        header["required"] = Value::Bool(true);
                    }
                }
            }
        }
    }
    doc
}

/// The document: its info and security schemes, then every route's
/// operation and the schemas its bodies name.
pub fn document() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("recipe-diff API")
                .version("1.0.0")
                .description(Some(
                    "Recipes, makes and how each make differed from its recipe. Writes come \
                     from the chain only (SigV4 in AWS, a write token locally) and are \
                     idempotent by their Idempotency-Key. Errors are application/problem+json \
                     (RFC 9457).",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .schema(Problem::name(), Problem::schema())
                .security_scheme(
                    "localToken",
                    SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .description(Some("The write token the local chain prints at start."))
                            .build(),
                    ),
                )
                .security_scheme(
                    "sigv4",
                    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                        "Authorization",
                        "AWS Signature Version 4 (service execute-api), checked by API \
                         Gateway's IAM authorizer.",
                    ))),
                )
                .security_scheme(
                    "cognito",
                    SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .bearer_format("JWT")
                            .description(Some("A Cognito user's token, when reads are protected."))
                            .build(),
                    ),
                )
                .build(),
        ))
        .build();
    for (schemas, paths, _) in crate::contract_routes() {
        let components = schemas
            .into_iter()
            .fold(ComponentsBuilder::new(), |c, (name, schema)| {
                c.schema(name, schema)
            });
        doc.merge(
            OpenApiBuilder::new()
                .paths(paths)
                .components(Some(components.build()))
                .build(),
        );
    }
    doc
}

/// JSON that is a value of `T` by construction (the literals below).
fn from_json<T: serde::de::DeserializeOwned + Default>(json: Value) -> T {
    serde_json::from_value(json).unwrap_or_else(|error| {
        tracing::error!(%error, "a part of the OpenAPI document is malformed");
        T::default()
    })
}

// ------------------------------------------------------------ parameters

/// Parameters given as their JSON.
fn parameters(json: Value) -> Vec<Parameter> {
    from_json(json)
}

fn recipe_id() -> Value {
    json!({"name": "recipeId", "in": "path", "required": true,
        "description": "The recipe's id (1 to 128 characters).",
        "schema": {"type": "string", "minLength": 1}})
}

fn make_id() -> Value {
    json!({"name": "makeId", "in": "path", "required": true,
        "description": "The make's id (1 to 128 characters).",
        "schema": {"type": "string", "minLength": 1}})
}

fn idempotency_key() -> Value {
    json!({"name": "Idempotency-Key", "in": "header", "required": true,
        "description": "Names the write: the same key always has the same effect (1 to 255 visible ASCII characters).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"}})
}

fn object_key() -> Value {
    json!({"name": "X-Object-Key", "in": "header", "required": false,
        "description": "The bucket key the upload came from, percent-encoded UTF-8; names a recipe that does not name itself, and is kept with rejections.",
        "schema": {"type": "string", "minLength": 1, "maxLength": shared::wire::MAX_OBJECT_KEY_CHARS}})
}

fn sequencer() -> Value {
    json!({"name": "X-Object-Sequencer", "in": "header", "required": false,
        "description": "The upload's place in the order of events on its object key (S3's sequencer, hexadecimal). A deletion of the key removes only what came before it, and an upload older than a recorded deletion stores nothing (410).",
        "schema": {"type": "string", "minLength": 1, "maxLength": shared::wire::MAX_SEQUENCER_CHARS, "pattern": "^[0-9A-Fa-f]+$"}})
}

fn correlation_id() -> Value {
    json!({"name": "X-Correlation-Id", "in": "header", "required": false,
        "description": "Carried into the server's logs and echoed back.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"}})
}

fn if_none_match() -> Value {
    json!({"name": "If-None-Match", "in": "header", "required": false,
        "description": "The ETag of the copy the browser has; a match answers 304.",
        "schema": {"type": "string", "maxLength": 256}})
}

/// Declares parameter sets: each a type whose `IntoParams` lists them.
macro_rules! parameter_sets {
    ($($(#[$doc:meta])* $name:ident => [$($parameter:expr),* $(,)?];)*) => {$(
        $(#[$doc])*
        pub enum $name {}

        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                parameters(json!([$($parameter),*]))
            }
        }
    )*};
}

parameter_sets! {
    /// A recipe or a make version's write: its idempotency key, the object
    /// it came from and its sequencer.
    UploadWrite => [idempotency_key(), object_key(), sequencer(), correlation_id()];
    /// A rejection's write: the object is named in the body.
    RejectionWrite => [idempotency_key(), sequencer(), correlation_id()];
    /// A deletion's write: the object and its sequencer are in the body.
    DeletionWrite => [idempotency_key(), correlation_id()];
    /// Any call: the correlation id the logs carry.
    Correlated => [correlation_id()];
    /// `?version=n`.
    VersionQuery => [json!({"name": "version", "in": "query", "required": false,
        "schema": {"type": "integer", "minimum": 1}})];
    /// The two versions `GET /compare` compares.
    CompareQuery => [
        json!({"name": "from", "in": "query", "required": true,
            "description": "The version compared from: recipeId@version (the last @ splits them).",
            "schema": {"type": "string", "minLength": 3, "maxLength": 140}}),
        json!({"name": "to", "in": "query", "required": true,
            "description": "The version compared to: recipeId@version, of the same recipe or another (a variant and its parent).",
            "schema": {"type": "string", "minLength": 3, "maxLength": 140}}),
    ];
    /// What `GET /insights` counts.
    AcrossQuery => [
        json!({"name": "recipe", "in": "query", "required": false,
            "description": "One recipe's makes only.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 128}}),
        json!({"name": "from", "in": "query", "required": false,
            "description": "The first month counted in the totals and series (YYYY-MM).",
            "schema": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}}),
        json!({"name": "to", "in": "query", "required": false,
            "description": "The last month counted in the totals and series (YYYY-MM).",
            "schema": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}}),
    ];
    /// A dashboard file's validator.
    Revalidated => [if_none_match()];
    /// A dashboard file's name.
    AssetFile => [json!({"name": "file", "in": "path", "required": true,
        "description": "The file's name, such as `app.js`, `app.css` or `icon.svg`.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200}})];
}

impl IntoParams for RecipePath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        parameters(json!([recipe_id()]))
    }
}

impl IntoParams for MakePath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        parameters(json!([recipe_id(), make_id()]))
    }
}

impl IntoParams for PageQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        parameters(json!([
            {"name": "limit", "in": "query", "required": false, "description": "Page size (default 20).",
                "schema": {"type": "integer", "minimum": 1, "maximum": shared::store::MAX_PAGE}},
            {"name": "cursor", "in": "query", "required": false, "description": "The nextCursor of the previous page.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 2048}},
        ]))
    }
}

// ------------------------------------------------------------- problems

/// Problem answers (`application/problem+json`), by status.
fn problems(answers: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    answers
        .iter()
        .map(|(status, description)| {
            let response = from_json(json!({
                "description": description,
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }));
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

/// Declares sets of problem answers: each a type whose `IntoResponses`
/// lists them.
macro_rules! problem_sets {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal: $description:literal),* $(,)?];)*) => {$(
        $(#[$doc])*
        pub enum $name {}

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                problems(&[$(($status, $description)),*])
            }
        }
    )*};
}

problem_sets! {
    /// What any read may answer besides its own.
    ReadProblems => [
        400: "A parameter is unusable.",
        401: "Reads need a signed-in user's token (when reads are protected).",
        503: "The store did not answer; try again.",
    ];
    /// What any write of the chain may answer besides its own.
    WriteProblems => [
        400: "A header or parameter is unusable (e.g. no Idempotency-Key).",
        401: "The write is not signed (no write token or IAM authorization).",
        403: "The write token is wrong.",
        413: "The body is over the size limit.",
        415: "The body is not application/json or application/ld+json.",
        503: "The store did not answer; try again (the write had no effect).",
    ];
    /// An upload whose object was deleted after it.
    ObjectDeleted => [
        410: "The upload's object was deleted from the bucket after this upload (`object-deleted`): nothing was stored.",
    ];
    /// A variant whose parent is not stored yet, not recorded.
    ParentNotFound => [
        404: "The recipe a variant names in `variantOf` is not stored yet (`parent-not-found`): it may be on its way, and the sender retries.",
    ];
    /// A refused document, recorded.
    Refused => [
        422: "The document was refused; `code`, `detail` and `path` say why and where. A rejection record is stored.",
    ];
    /// What an erasure may answer besides its own.
    ErasureProblems => [
        400: "An id is unusable.",
        401: "The call is not signed (no write token or IAM authorization); nothing was read or erased.",
        403: "The write token is wrong; nothing was read or erased.",
        503: "The store, the journal, the bucket or a queue did not answer; call again: the erasure carries on where it stopped.",
    ];
}

/// A dashboard file the browser has a current copy of: 304, with its
/// validator and how it may be kept.
pub enum NotModified {}

impl IntoResponses for NotModified {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let response = from_json(json!({
            "description": "The browser's copy is current.",
            "headers": {
                "ETag": {"description": "The file's validator.", "schema": {"type": "string"}},
                "Cache-Control": {"description": "`no-cache`.", "schema": {"type": "string"}},
            },
        }));
        BTreeMap::from([("304".to_owned(), RefOr::T(response))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part declared as JSON here reads as what it declares.
    #[test]
    fn the_declared_parts_are_well_formed() {
        for set in [
            UploadWrite::into_params(|| None),
            RejectionWrite::into_params(|| None),
            DeletionWrite::into_params(|| None),
            Correlated::into_params(|| None),
            VersionQuery::into_params(|| None),
            CompareQuery::into_params(|| None),
            AcrossQuery::into_params(|| None),
            Revalidated::into_params(|| None),
            AssetFile::into_params(|| None),
            RecipePath::into_params(|| None),
            MakePath::into_params(|| None),
            PageQuery::into_params(|| None),
        ] {
            assert!(!set.is_empty());
            for parameter in set {
                assert!(!parameter.name.is_empty());
                assert!(parameter.schema.is_some(), "{}", parameter.name);
            }
        }
        for set in [
            ReadProblems::responses(),
            WriteProblems::responses(),
            ObjectDeleted::responses(),
            ParentNotFound::responses(),
            Refused::responses(),
            ErasureProblems::responses(),
        ] {
            for (status, response) in set {
                let json = serde_json::to_value(&response).expect("serialises");
                assert!(json["description"].is_string(), "{status}");
                assert!(json["content"][PROBLEM_JSON].is_object(), "{status}");
            }
        }
    }
}
