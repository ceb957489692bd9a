//! The dashboard's editor on the whole local chain, in a real headless
//! Chromium at a phone's width (375 px), driven by the keyboard alone: a
//! cook logs a make of the Apple Pie with one edit of each kind, sees the
//! live preview, saves, and lands on the stored make, which the chain
//! (watcher, queue, sender, server) diffed; a recipe is added from a saved
//! web page; a recipe the chain refuses shows its reason.

mod common;

use std::time::Duration;

use common::{Chain, DataDir, wait_until};
use fantoccini::Client;
use fantoccini::key::Key;
use testkit::browser::{Driver, find, js, text_of, wait_for_page};

const PATIENCE: Duration = Duration::from_secs(60);

/// Waits until `selector` finds an element, or fails naming `what`.
async fn wait_for(client: &Client, selector: &str, what: &str) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while client
        .find(fantoccini::Locator::Css(selector))
        .await
        .is_err()
    {
        let status = text_of(client, "main").await;
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {selector} never appeared; the page says {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens the dashboard at `route` and waits until `page` is ready.
async fn open(client: &Client, base: &str, route: &str, page: &str) {
    client
        .goto(&format!("{base}/{route}"))
        .await
        .unwrap_or_else(|e| panic!("opening {route}: {e}"));
    wait_for_page(client, page, "ready").await;
}

/// Replaces the text of the input `selector` by typing, as a cook does.
async fn retype(client: &Client, selector: &str, text: &str) {
    let input = find(client, selector).await;
    input.clear().await.expect("cleared");
    input.send_keys(text).await.expect("typed");
}

/// Presses Enter on the control `selector` (a link or a button), having
/// reached it as the keyboard does.
async fn press(client: &Client, selector: &str) {
    let control = find(client, selector).await;
    control
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("pressed");
}

/// Waits for the element `selector`, whose text must then hold every one
/// of `needles`.
async fn assert_shows(client: &Client, selector: &str, needles: &[&str]) {
    wait_for(client, selector, needles.first().copied().unwrap_or("")).await;
    testkit::browser::assert_shows(client, selector, needles).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cook_logs_a_make_and_adds_a_recipe_from_the_dashboard_by_keyboard_at_375_px() {
    let data = DataDir::new("editor");
    let chain = Chain::start(data.path(), &["--examples"]);
    wait_until("the Apple Pie", PATIENCE, || {
        chain.get("/recipes/1")["recipeId"] == "1"
    });
    let driver = Driver::start();
    let client = driver.session().await;
    client
        .set_window_size(375, 900)
        .await
        .expect("a phone's width");

    let base = format!("http://{}", chain.address);
    a_make_with_one_edit_of_each_kind(&client, &base).await;
    a_recipe_from_a_saved_page(&client, &base).await;
    a_refused_recipe_shows_why(&client, &base).await;

    let width = js(&client, "document.documentElement.scrollWidth").await;
    assert!(
        width.as_u64() <= Some(375),
        "the page is wider than the phone: {width}"
    );
    let _ = client.close().await;
}

async fn a_make_with_one_edit_of_each_kind(client: &Client, base: &str) {
    open(client, base, "#/recipes/1", "recipe").await;
    press(client, "#i-made-this").await;
    wait_for_page(client, "log", "ready").await;

    // Amount: ¾ cup of sugar becomes ½ cup.
    retype(client, "[data-row='i1'] [data-part='amount']", "0.5").await;
    // Swap: lemon juice for lime juice.
    retype(client, "[data-row='i5'] [data-part='name']", "lime juice").await;
    // Reword the first step.
    let first = find(client, "[data-row='s0'] textarea").await;
    first.send_keys(" Use the fan.").await.expect("typed");
    // Skip the second step; move the fourth down below the fifth.
    press(client, "[data-row='s1'] [data-action='skip']").await;
    press(client, "[data-row='s3'] [data-action='down']").await;
    // A rating the chain would refuse is refused here first, with the
    // reason, and Save waits for a good one.
    retype(client, "#make-rating", "7").await;
    assert_shows(
        client,
        "#editor-problems",
        &["rating is a number from 0 to 5"],
    )
    .await;
    assert_eq!(
        js(client, "document.querySelector('#save-make').disabled").await,
        true
    );
    // Rating and notes.
    retype(client, "#make-rating", "5").await;
    find(client, "#make-notes")
        .await
        .send_keys("Tarter, and better for it.")
        .await
        .expect("typed");

    // The live preview shows each change before anything is saved.
    wait_for(
        client,
        "#preview[data-state='ready'] [data-change='step-moved']",
        "the preview",
    )
    .await;
    for change in [
        "quantity-changed",
        "ingredient-substituted",
        "step-edited",
        "step-deleted",
        "step-moved",
    ] {
        wait_for(
            client,
            &format!("#preview [data-change='{change}']"),
            change,
        )
        .await;
    }

    press(client, "#save-make").await;
    wait_for_page(client, "make", "ready").await;
    // The stored make, diffed by the chain, shows exactly those changes.
    assert_shows(
        client,
        "li[data-change='quantity-changed'][data-ingredient='white sugar']",
        &["¾", "½"],
    )
    .await;
    assert_shows(
        client,
        "li[data-change='ingredient-substituted']",
        &["lemon juice", "lime juice"],
    )
    .await;
    assert_shows(client, "li[data-change='step-edited']", &["Use the fan."]).await;
    assert_shows(client, "li[data-change='step-deleted']", &["Peel, core"]).await;
    assert_shows(
        client,
        "li[data-change='step-moved']",
        &["Line a 9-inch pie dish"],
    )
    .await;
    assert_shows(
        client,
        ".panel--glance",
        &["Rating", "Tarter, and better for it."],
    )
    .await;
    // Exactly those changes, and no other.
    let mut changes: Vec<String> = serde_json::from_value(
        js(
            client,
            "Array.from(document.querySelectorAll('.diff [data-change]:not([data-change=none])'), e => e.dataset.change)",
        )
        .await,
    )
    .expect("a list");
    changes.sort();
    assert_eq!(
        changes,
        [
            "ingredient-substituted",
            "quantity-changed",
            "step-deleted",
            "step-edited",
            "step-moved"
        ]
    );
    assert_shows(client, "#logged-by", &["dashboard"]).await;
}

async fn a_recipe_from_a_saved_page(client: &Client, base: &str) {
    open(client, base, "#/add", "add").await;
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/pages/lemon-drizzle-cake.html")
        .canonicalize()
        .expect("the saved page");
    find(client, "#recipe-file")
        .await
        .send_keys(&page.display().to_string())
        .await
        .expect("the file chosen");
    press(client, "#add-recipe").await;
    wait_for_page(client, "recipe", "ready").await;
    assert_shows(client, "main h1", &["Lemon Drizzle Cake"]).await;
}

async fn a_refused_recipe_shows_why(client: &Client, base: &str) {
    open(client, base, "#/add", "add").await;
    find(client, "#recipe-paste")
        .await
        .send_keys(r#"{"recipeName": "Broken Tart", "recipeId": "broken-tart", "ingredients": "none", "steps": []}"#)
        .await
        .expect("pasted");
    press(client, "#add-recipe").await;
    wait_for(
        client,
        "#add-status[data-state='rejected']",
        "the rejection",
    )
    .await;
    assert_shows(client, "#add-status", &["refused", "$.ingredients"]).await;
}
