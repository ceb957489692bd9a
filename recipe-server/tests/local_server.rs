//! The local server as a web page would meet it: it answers only to its own
//! names (a DNS-rebinding page is 421), takes no write from another site's
//! page (403), and sends `nosniff` on every response.

mod common;

use common::{TOKEN, TempStore, fixture};
use shared::store::RecipeStore as _;
use testkit::http::{Response, request};
use testkit::router::Serving;

async fn call(
    address: &str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
) -> Response {
    let address = address.to_owned();
    tokio::task::spawn_blocking(move || {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        request(&address, method, path, &headers, &body)
    })
    .await
    .expect("task")
    .expect("the server answers")
}

async fn server(name: &str) -> (TempStore, Serving) {
    let t = TempStore::new(name);
    let state = common::local_state(t.store.clone());
    let serving =
        Serving::start(|listener, shutdown| recipe_server::serve(listener, state, shutdown)).await;
    (t, serving)
}

fn nosniff(response: &Response) -> bool {
    response.header("x-content-type-options") == Some("nosniff")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_its_own_names_are_answered() {
    let (_t, serving) = server("hosts").await;
    let address = serving.addr().to_string();
    let port = serving.addr().port();
    for (host, status) in [
        (format!("127.0.0.1:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("LOCALHOST:{port}"), 200),
        // A DNS-rebinding page: its own name, resolved to 127.0.0.1.
        (format!("evil.example:{port}"), 421),
        ("evil.example".to_owned(), 421),
        (format!("127.0.0.1:{}", port.wrapping_add(1)), 421),
        (format!("0.0.0.0:{port}"), 421),
    ] {
        let response = call(
            &address,
            "GET",
            "/health",
            vec![("Host", host.clone())],
            vec![],
        )
        .await;
        assert_eq!(response.status, status, "{host}: {}", response.text);
        assert!(nosniff(&response), "{host}");
        if status == 421 {
            assert_eq!(response.json["code"], "misdirected-request", "{host}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_another_sites_page_are_refused_before_the_store() {
    let (t, serving) = server("origins").await;
    let address = serving.addr().to_string();
    let port = serving.addr().port();
    let write = |origin: Option<String>| {
        let mut headers = vec![
            ("Authorization", format!("Bearer {TOKEN}")),
            ("Idempotency-Key", "k-origin".to_owned()),
            ("Content-Type", "application/json".to_owned()),
        ];
        if let Some(origin) = origin {
            headers.push(("Origin", origin));
        }
        headers
    };
    let recipe = fixture("pairs/apple-pie/recipe.json");
    for origin in [
        "http://evil.example",
        "null",
        &format!("http://127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let response = call(
            &address,
            "POST",
            "/recipes",
            write(Some(origin.to_owned())),
            recipe.clone(),
        )
        .await;
        assert_eq!(
            (response.status, response.json["code"].as_str()),
            (403, Some("cross-origin-write")),
            "{origin}"
        );
    }
    let erase = call(
        &address,
        "DELETE",
        "/recipes/1",
        vec![
            ("Authorization", format!("Bearer {TOKEN}")),
            ("Origin", "http://evil.example".to_owned()),
        ],
        vec![],
    )
    .await;
    assert_eq!(erase.status, 403);
    assert!(
        t.store
            .recipes(&shared::store::PageRequest::first(10))
            .await
            .expect("list")
            .items
            .is_empty(),
        "nothing reached the store"
    );
    // Its own page, and a client that is not a browser, may write.
    for origin in [Some(format!("http://localhost:{port}")), None] {
        let response = call(
            &address,
            "POST",
            "/recipes",
            write(origin.clone()),
            recipe.clone(),
        )
        .await;
        assert!(
            matches!(response.status, 200 | 201),
            "{origin:?}: {} {}",
            response.status,
            response.text
        );
    }
    // A read from anywhere's page is still a read of this server's names.
    let read = call(
        &address,
        "GET",
        "/recipes",
        vec![("Origin", "http://evil.example".to_owned())],
        vec![],
    )
    .await;
    assert_eq!(read.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_says_nosniff() {
    let (_t, serving) = server("nosniff").await;
    let address = serving.addr().to_string();
    for (method, path) in [
        ("GET", "/health"),
        ("GET", "/recipes"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
        ("GET", "/recipes/none"),
        ("GET", "/no/such/route"),
        ("POST", "/recipes"),
        ("PATCH", "/recipes"),
    ] {
        let response = call(&address, method, path, vec![], vec![]).await;
        assert!(
            nosniff(&response),
            "{method} {path}: {:?}",
            response.headers
        );
    }
}
