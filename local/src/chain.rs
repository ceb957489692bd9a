//! `recipe-chain up`: the whole chain on one machine. The bucket is a
//! folder; a file watcher feeds the same watcher logic as the Lambda; jobs
//! wait in a durable SQLite queue; the same sender logic posts them to the
//! recipe server, served on 127.0.0.1 over a SQLite store with a write token
//! generated at start.
//!
//! Crash safety: a file is queued in the same transaction that records it as
//! queued, so it is queued exactly once; a job is acknowledged only after
//! the server stored its effect, and the server's writes are idempotent, so
//! a job redone after a crash has no second effect.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use embedded_adapters::SqliteStore;
use embedded_adapters::{DirObjects, FileJournal, LocalForms, QueueConfig, SqliteQueue};
use shared::ports::{ObjectError, ObjectPurge};
use shared::store::{PageRequest, RecipeStore};

use crate::config::Config;
use crate::paths::Paths;

mod pump;
mod watch;

/// How long a job stays hidden once taken off the queue: longer than the
/// slowest call the sender makes (its timeout), so no job is taken twice
/// while it is being worked on.
const VISIBILITY: Duration = Duration::from_secs(60);
/// Receives before a job is dead-lettered.
const MAX_RECEIVES: u32 = 5;

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// The bucket folder as erasure removes from it; with `hold`
/// ([`crate::config::HOLD_ERASURE`]), an erasure stops for good after its
/// first removal.
struct ErasureBucket {
    objects: Arc<DirObjects>,
    hold: bool,
}

#[async_trait::async_trait]
impl ObjectPurge for ErasureBucket {
    async fn purge(&self, key: &str) -> Result<u64, ObjectError> {
        let removed = self.objects.purge(key).await?;
        if self.hold && removed > 0 {
            std::future::pending::<()>().await;
        }
        Ok(removed)
    }
}

fn queue_config() -> QueueConfig {
    QueueConfig {
        visibility_timeout: VISIBILITY,
        max_receives: MAX_RECEIVES,
    }
}

/// The fetcher of imported pages: guarded against every non-public
/// address, but for the one loopback name a test may allow.
fn pages(config: &Config) -> web_adapters::GuardedFetcher {
    let fetcher = web_adapters::GuardedFetcher::new();
    match &config.import_loopback_host {
        Some(host) => fetcher.allowing_loopback_host(host),
        None => fetcher,
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// `recipe-chain status`.
pub fn status(data: &Path) -> Result<(), String> {
    let paths = Paths::new(data);
    if !paths.queue.exists() {
        return Err(format!(
            "no chain data in {} (start it with `recipe-chain up`)",
            paths.data.display()
        ));
    }
    runtime()?.block_on(async {
        let queue = SqliteQueue::open(&paths.queue, queue_config())?;
        let store = SqliteStore::open(&paths.store).map_err(|e| e.to_string())?;
        let stats = queue.stats().await?;
        let (recipes, makes) = count_recipes(&store).await?;
        let rejections = count_rejections(&store).await?;
        let deletions = store.deletion_count().await.map_err(|e| e.to_string())?;
        println!("data folder   {}", paths.data.display());
        println!(
            "queue         {} waiting ({} in flight)",
            stats.depth, stats.in_flight
        );
        println!(
            "dead letters  {}{}",
            stats.dead,
            if stats.dead > 0 {
                "  (recipe-chain redrive puts them back)"
            } else {
                ""
            }
        );
        println!("recipes       {recipes}");
        println!("makes         {makes}");
        println!("rejections    {rejections}");
        println!("deletions     {deletions}");
        Ok(())
    })
}

async fn count_recipes(store: &dyn RecipeStore) -> Result<(u64, u64), String> {
    let (mut recipes, mut makes) = (0, 0);
    let mut page = PageRequest::first(shared::store::MAX_PAGE);
    loop {
        let result = store.recipes(&page).await.map_err(|e| e.to_string())?;
        recipes += result.items.len() as u64;
        makes += result.items.iter().map(|r| r.make_count).sum::<u64>();
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return Ok((recipes, makes)),
        }
    }
}

async fn count_rejections(store: &dyn RecipeStore) -> Result<u64, String> {
    let mut count = 0;
    let mut page = PageRequest::first(shared::store::MAX_PAGE);
    loop {
        let result = store.rejections(&page).await.map_err(|e| e.to_string())?;
        count += result.items.len() as u64;
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return Ok(count),
        }
    }
}

/// `recipe-chain redrive`.
pub fn redrive(data: &Path) -> Result<(), String> {
    let paths = Paths::new(data);
    if !paths.queue.exists() {
        return Err(format!("no chain data in {}", paths.data.display()));
    }
    runtime()?.block_on(async {
        let queue = SqliteQueue::open(&paths.queue, queue_config())?;
        let moved = queue.redrive().await?;
        println!("{moved} dead-lettered jobs are back on the queue");
        Ok(())
    })
}

/// `recipe-chain erasures replay`: applies every erasure of the journal
/// (`erasures.jsonl`) to the store again, after the store file was put
/// back from a copy (the local form of a restore), with the same use case
/// as `DELETE`: the bucket folder and the queue are purged again too. The
/// chain may be running: the store and the queue take one writer at a
/// time.
pub fn replay_erasures(data: &Path, config: &Config) -> Result<(), String> {
    let paths = Paths::new(data);
    if !paths.store.exists() {
        return Err(format!("no chain data in {}", paths.data.display()));
    }
    // Made anew, the secret would hash every id apart from the journal's
    // hashes, and nothing would be found.
    if !paths.object_id_secret.exists() {
        return Err(format!(
            "{} is missing: the journal's hashes are keyed by it, and cannot be matched without it",
            paths.object_id_secret.display()
        ));
    }
    runtime()?.block_on(async {
        let queue = SqliteQueue::open(&paths.queue, queue_config())?;
        let store: Arc<dyn RecipeStore> =
            Arc::new(SqliteStore::open(&paths.store).map_err(|e| e.to_string())?);
        // A store file put back from a copy may have lost its mode.
        paths.protect_databases()?;
        let ids = crate::paths::object_ids(&paths.object_id_secret)?;
        let erasure = recipe_server::service::Erasure::new(ids)
            .with_bucket(Arc::new(DirObjects::new(&paths.bucket)))
            .with_jobs(Arc::new(queue))
            .with_journal(Arc::new(FileJournal::new(&paths.journal)));
        let service =
            recipe_server::service::Service::new(store, config.limits.clone(), erasure, None, None);
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        let replayed = service
            .replay_erasures(&|done| {
                bar.set_message(format!(
                    "{} journalled erasures: checked {} recipes, erased {} recipes and {} makes",
                    done.journal_entries, done.recipes_checked, done.recipes, done.makes
                ));
            })
            .await
            // The failure by its kind, ids by pseudonyms.
            .map_err(|failure| format!("replaying the erasures: {}", failure.for_logs()))?;
        bar.finish_and_clear();
        println!(
            "{} journalled erasures applied again: checked {} recipes, erased {} recipes and {} makes{}",
            replayed.journal_entries,
            replayed.recipes_checked,
            replayed.recipes,
            replayed.makes,
            if replayed.resumed > 0 {
                format!(", finished {} interrupted erasures", replayed.resumed)
            } else {
                String::new()
            }
        );
        Ok(())
    })
}

/// The bundled examples dropped by `--examples`: each pair's recipe, then its make.
const EXAMPLES: &[(&str, &[u8])] = &[
    (
        "recipes/apple-pie.json",
        include_bytes!("../../fixtures/pairs/apple-pie/recipe.json"),
    ),
    (
        "recipes/harvest-feast.json",
        include_bytes!("../../fixtures/pairs/big/recipe.json"),
    ),
    (
        "recipes/pancakes.json",
        include_bytes!("../../fixtures/pairs/doubled/recipe.json"),
    ),
    (
        "recipes/lemon-tart.jsonld",
        include_bytes!("../../fixtures/pairs/schema-org/recipe.jsonld"),
    ),
    (
        "recipes/creme-brulee.json",
        include_bytes!("../../fixtures/pairs/non-ascii/recipe.json"),
    ),
    (
        "makes/apple-pie-family-dinner.json",
        include_bytes!("../../fixtures/pairs/apple-pie/make.json"),
    ),
    (
        "makes/harvest-feast-2024.json",
        include_bytes!("../../fixtures/pairs/big/make.json"),
    ),
    (
        "makes/pancakes-brunch-for-16.json",
        include_bytes!("../../fixtures/pairs/doubled/make.json"),
    ),
    (
        "makes/lemon-tart-for-anna.jsonld",
        include_bytes!("../../fixtures/pairs/schema-org/make.jsonld"),
    ),
    (
        "makes/creme-brulee-chez-zoe.json",
        include_bytes!("../../fixtures/pairs/non-ascii/make.json"),
    ),
];

fn drop_examples(bucket: &Path) -> Result<(), String> {
    for (key, bytes) in EXAMPLES {
        embedded_adapters::write_whole(&bucket.join(key), bytes)?;
    }
    Ok(())
}

/// `recipe-chain up`, with the settings read at start.
pub fn up(data: &Path, port: u16, examples: bool, config: Config) -> Result<(), String> {
    init_logs(config.log_filter.as_deref());
    let paths = Paths::new(data);
    paths.create()?;
    runtime()?.block_on(run(paths, port, examples, config))
}

/// Logs on the terminal: the lines `filter` (`RUST_LOG`) lets through,
/// `warn` and above when it is unset or malformed.
fn init_logs(filter: Option<&str>) {
    let filter = filter
        .and_then(|text| tracing_subscriber::EnvFilter::try_new(text).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
    // A panic is logged by where it happened and its message's pseudonym,
    // as in AWS: the message may quote an upload's text, and the log is
    // what a deployment would keep. (Rust's own hook prints the message.)
    std::panic::set_hook(Box::new(|info| {
        let (location, message) = shared::object_id::logged_panic_at(info);
        tracing::error!(%location, panic = %message, "panicked");
    }));
}

/// The chain's composition: every part built once from `config` and the
/// data folder, then run until Ctrl-C.
async fn run(paths: Paths, port: u16, examples: bool, config: Config) -> Result<(), String> {
    let queue = SqliteQueue::open(&paths.queue, queue_config())?;
    let store: Arc<dyn RecipeStore> =
        Arc::new(SqliteStore::open(&paths.store).map_err(|e| e.to_string())?);
    paths.protect_databases()?;
    let objects = Arc::new(DirObjects::new(&paths.bucket));
    let token = crate::paths::new_token()?;
    crate::paths::write_token(&paths.token, &token)?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        format!("cannot listen on 127.0.0.1:{port}: {e} (choose another with --port, or --port 0 for any free port)")
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let base = format!("http://{address}");

    let released = queue.release_in_flight().await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ids = crate::paths::object_ids(&paths.object_id_secret)?;
    // Logs name objects under a subkey of the secret, never under the
    // tombstones' key itself.
    shared::object_id::set_log_ids(ids.subkey("logs"));
    let erasure = recipe_server::service::Erasure::new(ids)
        .with_bucket(Arc::new(ErasureBucket {
            objects: Arc::clone(&objects),
            hold: config.hold_erasure,
        }))
        .with_jobs(Arc::new(queue.clone()))
        .with_journal(Arc::new(FileJournal::new(&paths.journal)));
    let state = recipe_server::AppState::new(recipe_server::Parts {
        store: Arc::clone(&store),
        limits: config.limits.clone(),
        auth: recipe_server::Auth::LocalToken(token.clone()),
        erasure,
        dashboard: None,
        uploads: Some(Arc::new(LocalForms::new(DirObjects::new(&paths.bucket))?)),
        pages: Some(Arc::new(pages(&config))),
    });
    // The sender reads claim-checked documents within the same limits as
    // the watcher and the server.
    let api = sender::HttpApi::new(
        &base,
        sender::Signer::Bearer(token.clone()),
        sender::DEFAULT_TIMEOUT,
    )
    .map_err(|e| format!("cannot build the API client: {e}"))?;
    let sender = sender::Deps::new(Arc::new(api), objects.clone(), config.limits.clone());
    // An erasure the last run was stopped in the middle of is finished
    // before anything else.
    let resumed = state.service().resume_erasures().await.map_err(|failure| {
        // Printed to the log: the failure by kind, ids by pseudonyms.
        format!("finishing an interrupted erasure: {}", failure.for_logs())
    })?;
    if resumed > 0 {
        println!("finished {resumed} erasure(s) interrupted when the chain last stopped");
    }
    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(recipe_server::serve(listener, state, async move {
        let _ = server_stop.wait_for(|stop| *stop).await;
    }));

    banner(&paths, &base, &token, released);
    let (wake_tx, wake_rx) = tokio::sync::watch::channel(0u64);
    let watcher = watch::start(
        &paths,
        objects,
        queue.clone(),
        config.limits,
        wake_tx,
        stop_rx.clone(),
    )?;
    if examples {
        drop_examples(&paths.bucket)?;
        println!(
            "dropped {} example recipes and makes; their diffs appear in a moment",
            EXAMPLES.len()
        );
    }
    let pumps = pump::start(queue.clone(), sender, wake_rx, stop_rx.clone());

    match tokio::signal::ctrl_c().await {
        Ok(()) => {
            println!("\nstopping: finishing the jobs in hand (Ctrl-C again to stop at once)…")
        }
        Err(e) => return Err(format!("cannot wait for Ctrl-C: {e}")),
    }
    let _ = stop_tx.send(true);
    let finish = async {
        watcher.await.ok();
        for pump in pumps {
            pump.await.ok();
        }
        server.await.ok();
    };
    tokio::select! {
        () = finish => println!("stopped; anything not finished is done at the next start"),
        _ = tokio::signal::ctrl_c() => println!("stopped at once; unfinished jobs are redone at the next start"),
    }
    Ok(())
}

fn banner(paths: &Paths, base: &str, token: &str, released: u64) {
    let bold = anstyle::Style::new().effects(anstyle::Effects::BOLD);
    anstream::println!(
        "{}recipe-chain is running{}",
        bold.render(),
        bold.render_reset()
    );
    anstream::println!("  dashboard    {base}/");
    anstream::println!("  API          {base}  (OpenAPI: {base}/openapi.json)");
    anstream::println!("  bucket       {}", paths.bucket.display());
    anstream::println!(
        "                 drop recipes in recipes/, makes in makes/  (or: recipe-chain drop FILE...)"
    );
    anstream::println!("  data         {}", paths.data.display());
    anstream::println!(
        "  write token  {token}  (also in {})",
        paths.token.display()
    );
    if released > 0 {
        anstream::println!("  resumed      {released} jobs left in flight by the last run");
    }
    anstream::println!("Ctrl-C stops it.");
}
