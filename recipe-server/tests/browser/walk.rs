//! The walk through the dashboard: the recipes, their makes, insights and
//! rejections, the other examples, markup in recipe text, a phone's width
//! and an error, each page checked for contrast and photographed.

use std::time::Duration;

use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{
    Browser, assert_contrast_and_screenshot, click, click_to, find, js, no_alert,
    no_console_errors, open, screenshot, screenshots_dir, text_of, texts_of, wait_for_page,
};
use crate::seed::{REJECTED_KEY, XSS_NAME};

/// The dashboard walked through as its user does, one page after
/// another in one session: each step below is one part of the walk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_recipes_makes_insights_and_rejections_in_a_real_browser() {
    Browser::run(
        None,
        Duration::from_secs(240),
        "the walk through the dashboard",
        async |b| {
            the_recipes_list_and_its_search(b).await;
            a_recipe_by_keyboard(b).await;
            the_apple_pie_make(b).await;
            the_harvest_feast_make(b).await;
            the_doubled_pancakes(b).await;
            the_insights(b).await;
            the_insights_across_recipes(b).await;
            the_rejections(b).await;
            the_other_examples(b).await;
            an_empty_state(b).await;
            withdrawn_recipes(b).await;
            markup_stays_text(b).await;
            a_phone_s_width(b).await;
            an_error(b).await;
        },
    )
    .await;
}

/// The recipes list, and its search.
async fn the_recipes_list_and_its_search(b: &Browser) {
    let client = &b.client;
    open(b, "", "recipes", "ready").await;
    assert_eq!(
        client.title().await.expect("title"),
        "Recipes · Recipe diff"
    );
    let names = texts_of(client, ".recipe-card__title").await;
    for expected in [
        "Apple Pie",
        "Buttermilk Pancakes",
        "Harvest Feast Tray Bake",
        XSS_NAME,
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected:?} is not among {names:?}"
        );
    }
    assert_contrast_and_screenshot(client, "recipes", "01-recipes").await;
    let search = find(client, "#recipe-search").await;
    assert_eq!(
        text_of(client, "label[for='recipe-search']").await,
        "Search recipes"
    );
    search.send_keys("pancake").await.expect("type");
    let shown = js(
        client,
        "[...document.querySelectorAll('.recipe-card')].filter(c => !c.hidden).map(c => c.querySelector('h2').textContent)",
    )
    .await;
    assert_eq!(shown, json!(["Buttermilk Pancakes"]));
    assert!(
        text_of(client, "#recipe-count")
            .await
            .starts_with("1 recipe match")
    );
}

/// By keyboard: search for the apple pie, Tab to it, Enter.
async fn a_recipe_by_keyboard(b: &Browser) {
    let client = &b.client;
    let search = find(client, "#recipe-search").await;
    search.clear().await.expect("clear");
    search.send_keys("apple").await.expect("type");
    let tab: char = Key::Tab.into();
    let enter: char = Key::Enter.into();
    search.send_keys(&tab.to_string()).await.expect("tab");
    let focused = js(client, "document.activeElement.getAttribute('href')").await;
    assert_eq!(
        focused,
        json!("#/recipes/1"),
        "Tab from the search goes to the first match"
    );
    client
        .active_element()
        .await
        .expect("focus")
        .send_keys(&enter.to_string())
        .await
        .expect("enter");
    wait_for_page(client, "recipe", "ready").await;
    assert_eq!(text_of(client, "main h1").await, "Apple Pie");
    assert_eq!(
        js(client, "document.activeElement.tagName").await,
        json!("H1"),
        "focus moves to the new page's heading"
    );
    let makes = texts_of(client, ".timeline__title").await;
    assert_eq!(makes.len(), 4, "{makes:?}");
    assert_contrast_and_screenshot(client, "recipe", "02-recipe-apple-pie").await;
}

/// The apple pie make: less sugar, baked longer.
async fn the_apple_pie_make(b: &Browser) {
    let client = &b.client;
    let link = "a[href='#/recipes/1/makes/2024-05-01-family-dinner']";
    click_to(client, link, "make").await;
    let sugar = "li[data-change='quantity-changed'][data-ingredient='white sugar']";
    b.shows(sugar, &["¾", "½", "×0.67"]).await;
    assert_eq!(texts_of(client, "del").await, ["45"]);
    assert_eq!(texts_of(client, "ins").await, ["55", "deep"]);
    b.shows("li[data-change='step-edited']", &["EDITED"]).await;
    b.shows(".panel--glance", &["Rating"]).await;
    assert_contrast_and_screenshot(client, "make", "03-make-apple-pie").await;
}

/// The harvest feast make, by clicking from the top.
async fn the_harvest_feast_make(b: &Browser) {
    let client = &b.client;
    from_the_top(
        client,
        "#/recipes/harvest-feast",
        "makes/harvest-2024-11-28",
        "make",
    )
    .await;
    b.shows(
        "li[data-change='ingredient-renamed']",
        &["butter → unsalted butter"],
    )
    .await;
    b.shows(
        "li[data-ingredient='milk']",
        &["1 cup → 240 ml", "equivalent"],
    )
    .await;
    b.shows("li[data-change='ingredient-removed']", &["thyme"])
        .await;
    b.shows("li[data-change='ingredient-added']", &["smoked paprika"])
        .await;
    b.shows(
        "li[data-change='step-moved']",
        &["Scatter the crumb", "step 25", "step 8"],
    )
    .await;
    b.shows(
        "li[data-change='step-deleted']",
        &["Grind the toasted seeds"],
    )
    .await;
    assert_eq!(texts_of(client, "del").await, ["forty"]);
    assert_eq!(
        texts_of(client, "ins").await,
        ["fifty", "and basting the chicken"]
    );
    assert_contrast_and_screenshot(client, "harvest feast make", "04-make-harvest-feast").await;
    // Only the changes, at a click.
    click(client, "#only-changes").await;
    let visible_rows = js(
        client,
        "[...document.querySelectorAll('.rows > li')].filter(li => li.offsetParent !== null).length",
    )
    .await;
    assert_eq!(visible_rows, json!(8), "one row per change");
    screenshot(client, "05-make-harvest-feast-only-changes").await;
}

/// The doubled pancakes: scaled ×2, the salt off the scale.
async fn the_doubled_pancakes(b: &Browser) {
    let client = &b.client;
    from_the_top(client, "#/recipes/pancakes", "makes/brunch-for-16", "make").await;
    assert_eq!(text_of(client, "#scaled-badge").await, "scaled ×2");
    let salt = text_of(client, ".rows li[data-ingredient='salt']").await;
    assert!(
        salt.contains("off scale") && salt.contains("×1.5"),
        "{salt}"
    );
    b.shows(".rows li[data-ingredient='flour']", &["on scale"])
        .await;
    b.shows(".panel--scaled tr[data-ingredient='salt']", &["off scale"])
        .await;
    assert_contrast_and_screenshot(client, "scaled make", "06-make-pancakes-scaled").await;
}

/// Insights: the charts are drawn.
async fn the_insights(b: &Browser) {
    let client = &b.client;
    from_the_top(client, "#/recipes/1", "insights", "insights").await;
    assert!(
        js(client, "document.querySelectorAll('svg.chart').length")
            .await
            .as_u64()
            >= Some(3)
    );
    assert_eq!(
        js(client, "document.querySelectorAll('.chart__dot').length").await,
        json!(4),
        "one point per month with rated makes (each of the four has one)"
    );
    assert_eq!(
        js(
            client,
            "document.querySelectorAll('.chart__reference').length"
        )
        .await,
        json!(1),
        "the recipe's rating line"
    );
    let bars = js(
        client,
        "[...document.querySelectorAll('#h-ingredients ~ svg .chart__label')].map(t => t.textContent)",
    )
    .await;
    let bars = bars.as_array().cloned().unwrap_or_default();
    assert!(
        bars.iter()
            .any(|b| b.as_str().is_some_and(|b| b.starts_with("white sugar"))),
        "{bars:?}"
    );
    let swaps = js(
        client,
        "[...document.querySelectorAll('#h-substitutions ~ svg .chart__label')].map(t => t.textContent)",
    )
    .await;
    assert_eq!(swaps, json!(["white sugar → brown sugar"]));
    assert_contrast_and_screenshot(client, "insights", "07-insights-apple-pie").await;
}

/// The figure of the stat labelled `label`.
async fn stat(client: &Client, label: &str) -> String {
    let value = js(
        client,
        &format!(
            "[...document.querySelectorAll('.stat')].find(s => s.querySelector('dt').textContent === {label:?})?.querySelector('.stat__value').textContent"
        ),
    )
    .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// The row heads of the table of numbers under the chart headed `heading`
/// (read whether or not its disclosure is open).
async fn table_heads(client: &Client, heading: &str) -> Vec<serde_json::Value> {
    let heads = js(
        client,
        &format!(
            "[...document.querySelectorAll('{heading} ~ details tbody th')].map(t => t.textContent)"
        ),
    )
    .await;
    heads.as_array().cloned().unwrap_or_default()
}

/// Waits until the hash is `hash` and its page is ready.
async fn wait_for_hash(client: &Client, hash: &str, page: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while js(client, "location.hash").await != json!(hash) {
        assert!(
            std::time::Instant::now() < deadline,
            "the hash never became {hash}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_page(client, page, "ready").await;
}

/// Insights across recipes: every chart with its numbers, the figures the
/// API gives, substitutions with their recipes, and the recipe and month
/// filters.
async fn the_insights_across_recipes(b: &Browser) {
    let client = &b.client;
    click_to(client, "nav a[data-nav='insights']", "across").await;
    let api = js(client, "fetch('insights').then(r => r.json())").await;
    assert_eq!(stat(client, "Makes").await, api["makes"].to_string());
    assert_eq!(stat(client, "Recipes").await, api["recipes"].to_string());
    let charts = js(client, "document.querySelectorAll('svg.chart').length").await;
    let tables = js(
        client,
        "document.querySelectorAll('.chart-panel details.chart-data table').length",
    )
    .await;
    assert!(charts.as_u64() >= Some(6), "{charts}");
    assert_eq!(charts, tables, "every chart has its numbers in a table");
    let swaps = js(
        client,
        "[...document.querySelectorAll('#h-substitutions ~ svg .chart__label')].map(t => t.textContent)",
    )
    .await;
    assert!(
        swaps
            .as_array()
            .is_some_and(|s| s.contains(&json!("white sugar → brown sugar in 1 make of 1 recipe"))),
        "{swaps}"
    );
    let months = table_heads(client, "#h-rating-by-month").await;
    assert!(months.contains(&json!("2024-06")), "{months:?}");
    b.shows("#h-versions ~ .table-wrap", &["Apple Pie"]).await;
    assert_contrast_and_screenshot(client, "insights across recipes", "07b-insights-across").await;

    // One recipe from a month on: the Apple Pie's makes of September and
    // December 2024 (May's and June's are before the range).
    js(
        client,
        "(document.getElementById('across-recipe').value = '1', document.getElementById('across-from').value = '2024-09', document.getElementById('across-filters').requestSubmit(), true)",
    )
    .await;
    wait_for_hash(client, "#/insights?recipe=1&from=2024-09", "across").await;
    assert_eq!(stat(client, "Recipes").await, "1");
    assert_eq!(stat(client, "Makes").await, "2");
    let months = table_heads(client, "#h-rating-by-month").await;
    assert_eq!(months, [json!("2024-09"), json!("2024-12")]);
    b.shows("main .lede", &["Apple Pie", "from 2024-09"]).await;
}

/// Rejected uploads, with their reasons.
async fn the_rejections(b: &Browser) {
    let client = &b.client;
    click_to(client, "nav a[data-nav='rejections']", "rejections").await;
    b.shows(".rejection", &[REJECTED_KEY, "$.rating"]).await;
    assert_contrast_and_screenshot(client, "rejections", "08-rejections").await;
}

/// The other examples: sections and a swap (schema.org), and text beyond ASCII.
async fn the_other_examples(b: &Browser) {
    let client = &b.client;
    for (route, name) in [
        (
            "#/recipes/lemon-tart/makes/tart-for-anna",
            "08b-make-lemon-tart",
        ),
        (
            "#/recipes/cr%C3%A8me-br%C3%BBl%C3%A9e/makes/d%C3%AEner-chez-zo%C3%AB",
            "08c-make-creme-brulee",
        ),
    ] {
        open(b, route, "make", "ready").await;
        assert_contrast_and_screenshot(client, name, name).await;
    }
    b.shows(
        "li[data-change='ingredient-renamed']",
        &["抹茶 (matcha) → 抹茶 (matcha) de Kyoto"],
    )
    .await;
}

/// An empty state: a recipe nobody has made.
async fn an_empty_state(b: &Browser) {
    open(b, "#/recipes/toast", "recipe", "ready").await;
    b.shows("#h-makes + .state--empty", &["No makes logged yet"])
        .await;
    open(b, "#/recipes/toast/insights", "insights", "empty").await;
}

/// Recipes whose files were deleted from the bucket: a withdrawn version
/// is marked and no longer current; a recipe withdrawn whole says so, and
/// its make is kept, marked as made from a withdrawn version.
async fn withdrawn_recipes(b: &Browser) {
    let client = &b.client;
    open(b, "#/recipes/stew", "recipe", "ready").await;
    assert_eq!(text_of(client, "main h1").await, "Beef Stew");
    // The history, newest first.
    let rows = texts_of(client, "#history .history__title").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("Version 2")
            && rows[0].contains("withdrawn")
            && !rows[0].contains("current"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("Version 1") && rows[1].contains("current"),
        "{rows:?}"
    );
    assert!(texts_of(client, ".notice--withdrawn").await.is_empty());

    open(b, "#/recipes/soup", "recipe", "ready").await;
    b.shows(".notice--withdrawn", &["Withdrawn."]).await;
    b.shows(".timeline", &["version withdrawn"]).await;
    assert_contrast_and_screenshot(client, "recipe", "08b-withdrawn-recipe").await;
    open(b, "", "recipes", "ready").await;
    b.shows(".recipe-card:has(a[href='#/recipes/soup'])", &["withdrawn"])
        .await;
}

/// Markup in recipe text stays text.
async fn markup_stays_text(b: &Browser) {
    let client = &b.client;
    let driver = &b.driver;
    open(b, "", "recipes", "ready").await;
    click_to(client, "a[href='#/recipes/xss']", "recipe").await;
    assert_eq!(text_of(client, "main h1").await, XSS_NAME);
    assert_eq!(
        client.title().await.expect("title"),
        format!("{XSS_NAME} · Recipe diff")
    );
    click_to(client, "a[href='#/recipes/xss/makes/xss-make']", "make").await;
    assert_eq!(text_of(client, "main h1").await, XSS_NAME);
    b.shows(".notes", &["<iframe src=\"javascript:alert(5)\"></iframe>"])
        .await;
    b.shows("main ins", &["<img src=x onerror=alert(4)>"]).await;
    let injected = js(
        client,
        "document.querySelectorAll('main script, main img, main iframe, main b, main svg[onload], [onerror], [onload]').length + document.querySelectorAll('script').length",
    )
    .await;
    assert_eq!(injected, json!(1), "only the dashboard's own script");
    no_alert(client).await;
    screenshot(client, "09-xss-make").await;
    no_console_errors(driver, client, "while browsing").await;
}

/// A phone's width: no sideways scrolling.
async fn a_phone_s_width(b: &Browser) {
    let client = &b.client;
    let driver = &b.driver;
    client.set_window_size(375, 812).await.expect("resize");
    for (route, page, name) in [
        ("#/", "recipes", "10-phone-recipes"),
        (
            "#/recipes/harvest-feast/makes/harvest-2024-11-28",
            "make",
            "11-phone-make-harvest-feast",
        ),
        ("#/recipes/1/insights", "insights", "12-phone-insights"),
        ("#/insights", "across", "12b-phone-insights-across"),
        ("#/rejections", "rejections", "13-phone-rejections"),
    ] {
        open(b, route, page, "ready").await;
        let widths = js(
            client,
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
        )
        .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64() && widths[1].as_u64() <= Some(375),
            "{route} scrolls sideways at 375 px: {widths}"
        );
        screenshot(client, name).await;
    }
    client.set_window_size(1280, 900).await.expect("resize");
    no_console_errors(driver, client, "at a phone's width").await;
}

/// An error: the problem's detail is shown.
async fn an_error(b: &Browser) {
    let client = &b.client;
    open(b, "#/recipes/no-such-recipe", "recipe", "error").await;
    let error = text_of(client, "main [role='alert']").await;
    assert!(
        error.contains("there is no recipe \"no-such-recipe\"")
            && error.contains("recipe-not-found"),
        "{error}"
    );
    assert_contrast_and_screenshot(client, "error", "14-error").await;
    no_alert(client).await;
    println!("screenshots are in {}", screenshots_dir().display());
}

/// From the top: the recipes list by its link in the navigation, then the
/// recipe `recipe` (an href), then the link to `link` under it, which opens
/// `page`.
async fn from_the_top(client: &Client, recipe: &str, link: &str, page: &str) {
    click_to(client, "nav a[data-nav='recipes']", "recipes").await;
    click_to(client, &format!("a[href='{recipe}']"), "recipe").await;
    click_to(client, &format!("a[href='{recipe}/{link}']"), page).await;
}
