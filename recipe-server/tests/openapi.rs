//! The OpenAPI document is generated from the routes and the body types
//! (`recipe_server::api`); its reviewed copy is this test's snapshot,
//! `recipe-server/openapi.snap.json` (plain JSON beside insta's
//! `openapi.snap`), which deploy-checks and the dashboard's type check
//! read. Any change to the document fails here until it is reviewed
//! (`cargo insta review`, or `INSTA_UPDATE=always` and a look at the diff);
//! scripts/test runs with `INSTA_UPDATE=no`.

mod common;

#[test]
fn the_generated_document_is_the_reviewed_one() {
    let document = recipe_server::openapi_json();
    let mut settings = insta::Settings::clone_current();
    // Beside Cargo.toml, where the hand-kept openapi.json was.
    settings.set_snapshot_path("..");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_binary_snapshot!("openapi.json", document.as_bytes().to_vec());
    });
}

/// The served document is the generated one.
#[tokio::test]
async fn the_server_serves_the_generated_document() {
    let (_t, app) = common::fresh_app("openapi-served");
    let (status, content_type, body) = common::send(&app, common::get("/openapi.json")).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "application/json")
    );
    let generated: serde_json::Value =
        serde_json::from_str(recipe_server::openapi_json()).expect("the document is JSON");
    assert_eq!(body, generated);
    assert_eq!(generated["openapi"], "3.1.0");
}
