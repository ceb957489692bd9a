//! The dashboard's editor on the whole local chain, in a real headless
//! Chromium at a phone's width (375 px), driven by the keyboard alone: a
//! cook logs a make of the Apple Pie with one edit of each kind, sees the
//! live preview, saves, and lands on the stored make, which the chain
//! (watcher, queue, sender, server) diffed; a recipe is added from a saved
//! web page, and from a link to it; a recipe the chain refuses shows its
//! reason; a cook doubles a
//! line that restates its amount, and the stored make has one change and
//! no stale restatement (issue 24); an older make's page shows what changed
//! in the recipe since it was cooked (issue 25).

mod common;

use std::time::Duration;

use common::{Chain, DataDir, put, wait_until};
use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::Value;
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

/// A browser session at a phone's width (375 px).
async fn phone(driver: &Driver) -> Client {
    let client = driver.session().await;
    client
        .set_window_size(375, 900)
        .await
        .expect("a phone's width");
    client
}

/// Drops `document` at `key` in the bucket folder and waits until the
/// chain serves it at `path`, its field `id` as in the document.
fn put_and_wait(data: &DataDir, chain: &Chain, key: &str, document: &Value, path: &str, id: &str) {
    put(&data.bucket(), key, document.to_string().as_bytes());
    wait_until(&format!("{path} from {key}"), PATIENCE, || {
        chain.get(path)[id] == document[id]
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cook_logs_a_make_and_adds_a_recipe_from_the_dashboard_by_keyboard_at_375_px() {
    let data = DataDir::new("editor");
    // Imports may fetch from a page server on this machine by its name.
    let chain = Chain::start_with(
        data.path(),
        &["--examples"],
        &[("RECIPE_CHAIN_TEST_IMPORT_HOST", "localhost")],
    );
    wait_until("the Apple Pie", PATIENCE, || {
        chain.get("/recipes/1")["recipeId"] == "1"
    });
    let driver = Driver::start();
    let client = phone(&driver).await;

    let base = format!("http://{}", chain.address);
    a_doubled_line_restates_its_amount_in_proportion(&client, &base, &data, &chain).await;
    a_make_with_one_edit_of_each_kind(&client, &base).await;
    a_recipe_from_a_saved_page(&client, &base).await;
    a_recipe_from_a_link(&client, &base).await;
    a_refused_recipe_shows_why(&client, &base).await;
    a_make_shows_what_changed_in_the_recipe_since(&client, &base, &data, &chain).await;

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

/// A flatbread whose flour restates its amount in grams: the cook doubles
/// the flour, the editor doubles the grams with it, and the stored make
/// shows one change, `4 cups (500 g)`, never the stale `(250 g)`. Units
/// read as a cook writes them: `2 cloves garlic`.
async fn a_doubled_line_restates_its_amount_in_proportion(
    client: &Client,
    base: &str,
    data: &DataDir,
    chain: &Chain,
) {
    let recipe = serde_json::json!({
        "recipeId": "flatbread",
        "recipeName": "Garlic Flatbread",
        "ingredients": [
            "2 cups (250 g) plain flour",
            "2 clove garlic, crushed",
            "1 tsp salt",
        ],
        "steps": [
            "Mix the flour, the salt and 150 ml of warm water into a soft dough, and knead it for a few minutes until it is smooth.",
            "Roll it thin, scatter the garlic over it and cook it in a dry pan.",
        ],
    });
    let key = "recipes/flatbread.json";
    put_and_wait(data, chain, key, &recipe, "/recipes/flatbread", "recipeId");
    open(client, base, "#/recipes/flatbread", "recipe").await;
    assert_shows(
        client,
        ".recipe-body__ingredients",
        &["2 cups (250 g)", "2 cloves"],
    )
    .await;
    press(client, "#i-made-this").await;
    wait_for_page(client, "log", "ready").await;
    // The whole of each step is in its box.
    let cut = js(
        client,
        "[...document.querySelectorAll('#editor-steps textarea')].filter(t => t.scrollHeight > t.clientHeight + 1).length",
    )
    .await;
    assert_eq!(cut, 0, "a step box hides part of its step");

    assert_shows(client, "[data-row='i0'] [data-part='extra']", &["(250 g)"]).await;
    retype(client, "[data-row='i0'] [data-part='amount']", "4").await;
    // The restatement follows the amount as the cook types.
    assert_shows(client, "[data-row='i0'] [data-part='extra']", &["(500 g)"]).await;
    wait_for(
        client,
        "#preview[data-state='ready'] [data-change='quantity-changed']",
        "the preview",
    )
    .await;

    press(client, "#save-make").await;
    wait_for_page(client, "make", "ready").await;
    let flour = "li[data-change='quantity-changed'][data-ingredient='plain flour']";
    assert_shows(client, flour, &["4 cups (500 g)", "×2"]).await;
    let shown = text_of(client, "main").await;
    assert!(
        !shown.contains("250 g"),
        "a stale restatement is shown: {shown}"
    );
    assert!(shown.contains("2 cloves"), "{shown}");
    let changes = js(
        client,
        "Array.from(document.querySelectorAll('.diff [data-change]:not([data-change=none])'), e => e.dataset.change)",
    )
    .await;
    assert_eq!(changes, serde_json::json!(["quantity-changed"]));

    // The stored make, through the API: one change, the grams doubled.
    let hash = js(client, "location.hash").await;
    let make_id = hash
        .as_str()
        .and_then(|h| h.rsplit('/').next())
        .expect("the make's page")
        .to_owned();
    let stored = chain.get(&format!("/recipes/flatbread/makes/{make_id}"));
    assert_eq!(stored["diff"]["summary"]["total"], 1, "{stored}");
    assert_eq!(stored["diff"]["changes"][0]["op"], "quantity-changed");
    assert_eq!(stored["diff"]["changes"][0]["ratio"], 2);
    assert_eq!(stored["diff"]["changes"][0].get("restatementStale"), None);
    assert_eq!(
        stored["document"]["ingredients"][0]["alternative"],
        serde_json::json!({"quantity": 500, "measurement": "g"}),
        "{stored}"
    );

    // A make written by hand, its grams left behind, and its salt given an
    // id: the amount shows without the stale grams, which the details call
    // out of date, and the id only under "Details".
    let by_hand = serde_json::json!({
        "recipeId": "flatbread",
        "recipeName": "Garlic Flatbread",
        "makeId": "by-hand",
        "ingredients": [
            "4 cups (250 g) plain flour",
            "2 clove garlic, crushed",
            {"ingredientId": "salt-1", "ingredientName": "salt", "quantity": 1, "measurement": "tsp"},
        ],
        "steps": recipe["steps"],
    });
    let (key, path) = (
        "makes/flatbread-by-hand.json",
        "/recipes/flatbread/makes/by-hand",
    );
    put_and_wait(data, chain, key, &by_hand, path, "makeId");
    open(client, base, "#/recipes/flatbread/makes/by-hand", "make").await;
    assert_shows(client, flour, &["4 cups plain flour", "out of date"]).await;
    let amount = text_of(client, &format!("{flour} .row__main")).await;
    assert!(!amount.contains("250"), "{amount}");
    let salt = "li[data-ingredient='salt']";
    assert_eq!(
        js(
            client,
            &format!("document.querySelector(\"{salt} details\").open")
        )
        .await,
        false,
        "the id is folded away"
    );
    assert_shows(client, &format!("{salt} details"), &["Details"]).await;
    assert_eq!(
        js(
            client,
            &format!("document.querySelector(\"{salt}\").dataset.change")
        )
        .await,
        "none"
    );
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

/// The same page, by its link: the server fetches it into the bucket, and
/// the page follows it to the stored recipe, a new one named by the link.
async fn a_recipe_from_a_link(client: &Client, base: &str) {
    let port = common::page_server(include_bytes!(
        "../../fixtures/pages/lemon-drizzle-cake.html"
    ));
    open(client, base, "#/add", "add").await;
    retype(
        client,
        "#recipe-link",
        &format!("http://localhost:{port}/recipes/lemon-drizzle-cake"),
    )
    .await;
    press(client, "#add-recipe").await;
    wait_for_page(client, "recipe", "ready").await;
    assert_shows(client, "main h1", &["Lemon Drizzle Cake"]).await;
    let hash = js(client, "location.hash").await;
    assert!(
        hash.as_str()
            .is_some_and(|h| h.contains("lemon-drizzle-cake-")),
        "the imported recipe is named by its link: {hash}"
    );
}

/// The recipe moves on (a second version of the Apple Pie, with more
/// sugar): an older make's page still shows the version it was cooked
/// from, and what changed since (`GET /compare`).
async fn a_make_shows_what_changed_in_the_recipe_since(
    client: &Client,
    base: &str,
    data: &DataDir,
    chain: &Chain,
) {
    let mut pie: Value = serde_json::from_slice(common::RECIPE).expect("the Apple Pie");
    pie["ingredients"][1]["quantity"] = serde_json::json!(1);
    put(
        &data.bucket(),
        "recipes/apple-pie-sweeter.json",
        pie.to_string().as_bytes(),
    );
    wait_until("the Apple Pie's second version", PATIENCE, || {
        chain.get("/recipes/1")["version"] == 2
    });
    open(
        client,
        base,
        "#/recipes/1/makes/2024-05-01-family-dinner",
        "make",
    )
    .await;
    assert_shows(
        client,
        "#moved-on",
        &["moved on", "version 1", "version 2", "1 amount changed"],
    )
    .await;
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

/// Recipes that evolve, from the dashboard at a phone's width by keyboard
/// (issue 25): a cook makes a make the recipe, restores the first version,
/// reads the history (each version's source, its makes, what changed from
/// the one before), makes a variant in the editor, and sees it based on
/// the recipe, compared with it, and listed among its variants.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cook_adopts_a_make_restores_a_version_and_makes_a_variant_at_375_px() {
    let data = DataDir::new("evolving-dashboard");
    let chain = Chain::start(data.path(), &["--examples"]);
    wait_until("the Apple Pie's example make", PATIENCE, || {
        chain.get("/recipes/1/makes/2024-05-01-family-dinner")["makeId"]
            == "2024-05-01-family-dinner"
    });
    let driver = Driver::start();
    let client = phone(&driver).await;
    let base = format!("http://{}", chain.address);

    // Adopt: the make becomes version 2.
    open(
        &client,
        &base,
        "#/recipes/1/makes/2024-05-01-family-dinner",
        "make",
    )
    .await;
    press(&client, "#adopt-make").await;
    wait_for(
        &client,
        "#history li[data-version='2']",
        "the adopted version",
    )
    .await;
    wait_for_page(&client, "recipe", "ready").await;
    assert_shows(
        &client,
        "#history li[data-version='2']",
        &[
            "Version 2",
            "current",
            "adopted from make 2024-05-01-family-dinner",
        ],
    )
    .await;
    // The first version lists the make it was adopted from, with its figures.
    assert_shows(
        &client,
        "#history li[data-version='1']",
        &[
            "uploaded",
            "1 make",
            "100% changed something",
            "2024-05-01-family-dinner",
        ],
    )
    .await;
    let recipe = chain.get("/recipes/1");
    assert_eq!(recipe["source"]["makeId"], "2024-05-01-family-dinner");

    // Restore version 1: it comes back as version 3.
    press(&client, "#restore-1").await;
    wait_for(
        &client,
        "#history li[data-version='3']",
        "the restored version",
    )
    .await;
    assert_shows(
        &client,
        "#history li[data-version='3']",
        &["Version 3", "current", "restored from version 1"],
    )
    .await;
    assert_eq!(chain.get("/recipes/1")["source"]["version"], 1);

    // The history says what changed from the version before, when opened.
    press(&client, "#compare-2 summary").await;
    wait_for(&client, "#compare-2 .chip", "the comparison of 1 and 2").await;

    // Make a variant in the editor: pears for apples, under a new name.
    press(&client, "#make-variant").await;
    wait_for_page(&client, "variant", "ready").await;
    retype(&client, "#variant-name", "Pear Pie").await;
    retype(&client, "[data-row='i0'] [data-part='name']", "pears").await;
    wait_for(&client, "#preview[data-state='ready'] .chip", "the preview").await;
    press(&client, "#save-variant").await;
    wait_for(&client, "#based-on", "the variant's page").await;
    assert_shows(
        &client,
        "#based-on",
        &["based on", "Apple Pie", "version 3"],
    )
    .await;
    wait_for(&client, "#compared-with-parent .chip", "the comparison").await;
    let variant_id = js(&client, "location.hash").await;
    let variant_id = variant_id
        .as_str()
        .and_then(|h| h.strip_prefix("#/recipes/"))
        .expect("the variant's page")
        .to_owned();
    assert!(variant_id.starts_with("pear-pie-"), "{variant_id}");
    let stored = chain.get(&format!("/recipes/{variant_id}"));
    assert_eq!(stored["variantOf"]["recipeId"], "1", "{stored}");
    assert_eq!(stored["name"], "Pear Pie");

    open(&client, &base, "#/recipes/1", "recipe").await;
    assert_shows(&client, "#variants", &["Pear Pie"]).await;

    let width = js(&client, "document.documentElement.scrollWidth").await;
    assert!(
        width.as_u64() <= Some(375),
        "the page is wider than the phone: {width}"
    );
    let _ = client.close().await;
}
