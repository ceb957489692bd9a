//! The guarded fetcher against a real page server on 127.0.0.1: the happy
//! path through the one loopback name a test may allow, the same server
//! refused without it, and every other way a fetch is refused.
#![allow(missing_docs)]

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::ports::pages::{FetchError, PageFetcher};
use testkit::router::Serving;
use web_adapters::{GuardedFetcher, MAX_REDIRECTS};

const PAGE: &str = "<html><head><script type=\"application/ld+json\">{\"@type\":\"Recipe\",\"name\":\"Pie\"}</script></head><body>Pie</body></html>";

/// A page server on a free loopback port, stopped when dropped.
async fn page_server() -> Serving {
    let app = Router::new()
        .route(
            "/pie",
            get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE) }),
        )
        .route(
            "/pie.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/ld+json")], "{}") }),
        )
        .route(
            "/big",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], "x".repeat(4096)) }),
        )
        .route(
            "/picture",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], "png") }),
        )
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                ([(header::CONTENT_TYPE, "text/html")], PAGE)
            }),
        )
        .route("/to-pie", get(|| async { redirect("/pie") }))
        .route(
            "/to-address",
            get(|| async { redirect("http://127.0.0.1/pie") }),
        )
        .route(
            "/to-metadata",
            get(|| async { redirect("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/loop/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    redirect(&format!("/loop/{}", n + 1))
                },
            ),
        );
    Serving::router(app).await
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
}

fn allowed() -> GuardedFetcher {
    GuardedFetcher::new().allowing_loopback_host("localhost")
}

#[tokio::test]
async fn a_page_is_fetched_through_the_allowed_loopback_name() {
    let server = page_server().await;
    let port = server.addr().port();
    let page = allowed()
        .fetch(&format!("http://localhost:{port}/pie"), 1 << 20)
        .await
        .expect("the page");
    assert_eq!(page.bytes, PAGE.as_bytes());
    assert_eq!(page.content_type, "text/html");
    assert_eq!(page.url, format!("http://localhost:{port}/pie"));

    let followed = allowed()
        .fetch(&format!("http://localhost:{port}/to-pie"), 1 << 20)
        .await
        .expect("the page after one redirect");
    assert_eq!(followed.url, format!("http://localhost:{port}/pie"));
    let json = allowed()
        .fetch(&format!("http://localhost:{port}/pie.json"), 1 << 20)
        .await
        .expect("a JSON-LD document");
    assert_eq!(json.content_type, "application/ld+json");
}

#[tokio::test]
async fn the_same_server_is_refused_without_the_test_setting() {
    let server = page_server().await;
    let port = server.addr().port();
    for url in [
        format!("http://localhost:{port}/pie"),
        format!("http://127.0.0.1:{port}/pie"),
        format!("http://[::ffff:127.0.0.1]:{port}/pie"),
    ] {
        let error = GuardedFetcher::new().fetch(&url, 1 << 20).await;
        assert!(
            matches!(
                error,
                Err(FetchError::RefusedAddress {
                    class: "loopback" | "IPv4-mapped",
                    ..
                })
            ),
            "{url}: {error:?}"
        );
    }
}

#[tokio::test]
async fn every_redirect_is_checked_again_and_at_most_five_are_followed() {
    let server = page_server().await;
    let port = server.addr().port();
    for path in ["to-address", "to-metadata"] {
        let error = allowed()
            .fetch(&format!("http://localhost:{port}/{path}"), 1 << 20)
            .await;
        assert!(
            matches!(error, Err(FetchError::RefusedAddress { .. })),
            "{path}: {error:?}"
        );
    }
    let error = allowed()
        .fetch(&format!("http://localhost:{port}/loop/0"), 1 << 20)
        .await;
    assert_eq!(error, Err(FetchError::TooManyRedirects(MAX_REDIRECTS)));
}

#[tokio::test]
async fn too_large_not_a_page_an_error_status_and_a_timeout_say_so() {
    let server = page_server().await;
    let port = server.addr().port();
    let url = |path: &str| format!("http://localhost:{port}/{path}");
    assert_eq!(
        allowed().fetch(&url("big"), 1024).await,
        Err(FetchError::TooLarge { limit: 1024 })
    );
    assert_eq!(
        allowed().fetch(&url("picture"), 1024).await,
        Err(FetchError::NotAPage {
            content_type: "image/png".into()
        })
    );
    let gone = allowed().fetch(&url("gone"), 1024).await;
    assert!(
        matches!(&gone, Err(FetchError::Unreachable(why)) if why.contains("HTTP 404")),
        "{gone:?}"
    );
    let slow = allowed()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .fetch(&url("slow"), 1 << 20)
        .await;
    assert!(matches!(slow, Err(FetchError::Timeout(_))), "{slow:?}");
    let nowhere = allowed()
        .fetch("http://no-such-host.invalid/pie", 1024)
        .await;
    assert!(
        matches!(nowhere, Err(FetchError::Unreachable(_))),
        "{nowhere:?}"
    );
}
