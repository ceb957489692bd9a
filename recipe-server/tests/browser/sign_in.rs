//! Signing in to the dashboard where reads need a token: PKCE against a
//! stand-in for Cognito's hosted UI.

use std::time::Duration;

use recipe_server::DashboardAuth;
use serde_json::{Value, json};
use testkit::router::Serving;

use crate::harness::{Browser, click, js, no_console_errors, screenshot, text_of, wait_for_page};

/// Where reads need a sign-in, the dashboard sends its user to the hosted
/// UI with an authorization-code request protected by PKCE, and comes back
/// from it signed in, sending the token on reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_reads_need_a_sign_in_the_dashboard_signs_in_with_pkce() {
    let hosted_ui = FakeHostedUi::start().await;
    let auth = DashboardAuth::cognito(&hosted_ui.base, "dashboard-client").expect("valid");
    Browser::run(
        Some(auth),
        Duration::from_secs(120),
        "signing in",
        async |b| {
            let (client, driver) = (&b.client, &b.driver);
            client
                .goto(&format!("{}/#/recipes/1", b.base()))
                .await
                .expect("open");
            wait_for_page(client, "recipe", "signin").await;
            screenshot(client, "15-sign-in").await;
            click(client, "main button").await;
            // The fake hosted UI answers at once with a code, back to the page.
            wait_for_page(client, "recipe", "ready").await;
            assert_eq!(text_of(client, "main h1").await, "Apple Pie");
            let authorize = hosted_ui.authorize_query().await;
            assert_eq!(authorize["response_type"], "code");
            assert_eq!(authorize["client_id"], "dashboard-client");
            assert_eq!(authorize["code_challenge_method"], "S256");
            assert_eq!(authorize["redirect_uri"], format!("{}/", b.base()));
            let token = hosted_ui.token_form().await;
            assert_eq!(token["grant_type"], "authorization_code");
            assert_eq!(token["code"], "the-code");
            assert_eq!(
                authorize["code_challenge"],
                pkce_challenge(token["code_verifier"].as_str().unwrap_or_default()),
                "the verifier matches the challenge"
            );
            assert_eq!(
                client.current_url().await.expect("url").as_str(),
                format!("{}/#/recipes/1", b.base()),
                "the code is gone from the address bar"
            );
            let stored = js(client, "sessionStorage.getItem('recipe-diff.token')").await;
            assert!(
                stored
                    .as_str()
                    .is_some_and(|s| s.contains("the-access-token")),
                "{stored}"
            );
            assert!(text_of(client, "#session").await.contains("Sign out"));
            let sent = b
                .server
                .authorizations
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default();
            assert!(
                !sent.is_empty() && sent.iter().all(|a| a == "Bearer the-access-token"),
                "reads carry the token: {sent:?}"
            );
            no_console_errors(driver, client, "signing in").await;
        },
    )
    .await;
    hosted_ui.stop().await;
}

/// PKCE's S256: base64url(SHA-256(verifier)) without padding.
fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// The fields of an `application/x-www-form-urlencoded` body.
fn form_fields(body: &str) -> Value {
    let decode = |text: &str| {
        let bytes = text.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let fields: serde_json::Map<String, Value> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), Value::from(decode(v))))
        .collect();
    Value::Object(fields)
}

/// A stand-in for Cognito's hosted UI on loopback: `/oauth2/authorize`
/// redirects straight back with a code; `/oauth2/token` trades it for a token.
struct FakeHostedUi {
    base: String,
    seen: std::sync::Arc<tokio::sync::Mutex<(Value, Value)>>,
    serving: Serving,
}

impl FakeHostedUi {
    async fn start() -> Self {
        use axum::extract::{Query, State};
        use axum::response::IntoResponse;
        use axum::routing::{get, post};
        type Calls = std::sync::Arc<tokio::sync::Mutex<(Value, Value)>>;
        let seen: Calls = Default::default();
        let app = axum::Router::new()
            .route(
                "/oauth2/authorize",
                get(
                    |State(seen): State<Calls>,
                     Query(query): Query<std::collections::BTreeMap<String, String>>| async move {
                        let back = format!(
                            "{}?code=the-code&state={}",
                            query.get("redirect_uri").cloned().unwrap_or_default(),
                            query.get("state").cloned().unwrap_or_default()
                        );
                        seen.lock().await.0 = json!(query);
                        axum::response::Redirect::to(&back).into_response()
                    },
                ),
            )
            .route(
                "/oauth2/token",
                post(|State(seen): State<Calls>, body: String| async move {
                    seen.lock().await.1 = form_fields(&body);
                    (
                        [
                            ("content-type", "application/json"),
                            ("access-control-allow-origin", "*"),
                        ],
                        json!({"access_token": "the-access-token", "token_type": "Bearer", "expires_in": 3600})
                            .to_string(),
                    )
                }),
            )
            .with_state(seen.clone());
        let serving = Serving::router(app).await;
        Self {
            base: serving.base(),
            seen,
            serving,
        }
    }

    async fn authorize_query(&self) -> Value {
        self.seen.lock().await.0.clone()
    }

    async fn token_form(&self) -> Value {
        self.seen.lock().await.1.clone()
    }

    async fn stop(self) {
        self.serving.stop().await;
    }
}
