//! `kafkaplay-storage-idb`: the playground's data in the browser's IndexedDB,
//! the way a broker's data lives on its disk. A reload is a cluster restart
//! from stored logs, not a reset.
//!
//! # The model: a write-behind with Kafka's durability
//!
//! The log crate's [`SegmentStore`](kafkaplay_log::SegmentStore) is
//! synchronous and IndexedDB is not, so the engine is a write-behind:
//!
//! - the synchronous side is a [`MemoryStore`](kafkaplay_log::MemoryStore) per
//!   partition (the page cache), exactly what the simulated brokers already
//!   use; its `flush` marks a durable point (the store's *durable view*);
//! - [`Playground::commit`] writes everything made durable since the last
//!   commit in ONE IndexedDB transaction: appended bytes of a segment go out as
//!   one new chunk (`[path, base offset, chunk]` → `Uint8Array`), a rewritten
//!   segment (truncation, compaction swap) is deleted and written again, and
//!   the cluster's image (metadata logs, checkpoints, clock, seed) and the app's
//!   key/value changes go in the same transaction. Only IndexedDB requests are
//!   issued while it is open; nothing else is awaited inside it. It has two
//!   halves: [`Playground::begin_commit`] issues every write (copying the
//!   bytes) and commits the transaction explicitly, and
//!   [`Playground::finish_commit`] awaits the outcome. A page that keeps its
//!   simulation in a `RefCell` borrows it only for the first half, and a
//!   commit begun as the tab closes (`pagehide`) is not lost with the page.
//!   Given a [`Pace`], the first half issues only a frame's allowance of the
//!   cluster's chunk writes and the rest follow frame by frame, in the same
//!   transaction, each batch from the last one's success callback, reading
//!   the bytes from the cluster the page lends (a broker's page-cache flush
//!   of a large cluster is 150 MB: one 320 ms task unpaced);
//! - [`Playground::open`] loads everything asynchronously, and then stores
//!   ([`Playground::store`]) and the cluster ([`Playground::restore_cluster`])
//!   are served synchronously from memory.
//!
//! The app commits on a timer (and when the page is hidden). A closed tab is
//! every node losing power at the last commit: a broker keeps what it had
//! flushed by then, loses what it had not, and the cluster then recovers as
//! Kafka does (followers refetch from leaders; a leader that lost records
//! makes its followers truncate to it). Recovery checks every batch's CRC and
//! cuts a torn tail, and reports it ([`RestoreReport`](kafkaplay_cluster::sim::persist::RestoreReport)).
//! A commit is atomic: a failed or aborted one leaves the previous commit
//! whole, and the next commit writes the difference again.
//!
//! # Playgrounds, tabs, schema, quota
//!
//! - Each playground is a database `kafkaplay/<name>`; the database
//!   `kafkaplay` lists them ([`list_playgrounds`], [`delete_playground`],
//!   [`reset_playground`]).
//! - One tab writes a playground: it holds the Web Lock `kafkaplay/<name>`.
//!   Another tab opens it read-only ([`Playground::is_writer`],
//!   [`READ_ONLY_MESSAGE`]) and counts the writer's commits, announced on a
//!   `BroadcastChannel` ([`Playground::changes_seen`]). Every connection closes
//!   itself on `versionchange`, so upgrades and deletes are never blocked.
//! - The schema is versioned ([`SCHEMA_VERSION`]); opening an older database
//!   upgrades it (version 1 stored whole segments in `files`), and a fixture of
//!   version 1 data is tested to load.
//! - A full quota (`QuotaExceededError`, also inside an `AbortError`) gives
//!   [`QUOTA_MESSAGE`]; nothing stored changes and the cluster keeps running in
//!   memory. [`request_persistence`] and [`storage_estimate`] wrap
//!   `navigator.storage`.
//! - A playground exports to one file and imports back ([`export`]), and a
//!   partition exports as Kafka's segment files
//!   ([`export::export_partition`]).
//!
//! # Why the `idb` crate
//!
//! `idb` 0.6 is a thin futures layer over `web-sys`' IndexedDB that mirrors the
//! JS API (factory, open request with `upgradeneeded`, transactions, object
//! stores, key ranges) and takes and returns plain `JsValue`s, so segments go
//! in as `Uint8Array` without a serde layer. Its dependencies (`js-sys`,
//! `web-sys`, `wasm-bindgen` 0.2, `tokio`'s sync channels only) resolve with
//! our pinned `wasm-bindgen = "=0.2.130"` and web-sys 0.3.107 without changing
//! either. `indexed_db_futures` 0.6 routes values through its own
//! serialisation traits and builders, and `rexie` wraps `idb` with a
//! structured-object API we do not need. Hot paths (the commit's puts) call
//! `web-sys` directly on the transaction `idb` opened, which `idb` allows
//! (`Transaction` converts to and from `IdbTransaction`).
//!
//! # What this crate is not
//!
//! It does not decide when to commit (the app does), does not store clients
//! (producers and consumers are the app's; a group's committed offsets are in
//! `__consumer_offsets`, so they survive), and runs only in a browser: natively
//! only its pure parts (the write planner, the export format, errors) build.

pub mod error;
pub mod export;
pub mod files;

#[cfg(target_arch = "wasm32")]
mod db;
#[cfg(target_arch = "wasm32")]
mod lock;
#[cfg(target_arch = "wasm32")]
mod pace;
#[cfg(target_arch = "wasm32")]
mod playground;

pub use error::{ErrorKind, IdbError, QUOTA_MESSAGE};
pub use export::PlaygroundData;

#[cfg(target_arch = "wasm32")]
pub use db::{
    delete_playground, list_playgrounds, request_persistence, storage_estimate, StorageEstimate, SCHEMA_VERSION,
};
#[cfg(target_arch = "wasm32")]
pub use lock::{ChangeFeed, WriterLock};
#[cfg(target_arch = "wasm32")]
pub use pace::Pace;
#[cfg(target_arch = "wasm32")]
pub use playground::{
    import_playground, reset_playground, CommitFault, CommitStats, IdbStore, OpenReport, PendingCommit, Playground,
    READ_ONLY_MESSAGE,
};

/// Test support: writing a database in an older schema (for the upgrade test).
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod testing {
    use js_sys::Uint8Array;
    use wasm_bindgen::JsValue;

    use crate::db::{self, finish, idb_error, DB_PREFIX, LEGACY_FILES, META};
    use crate::IdbError;

    /// Creates playground `name` in schema version 1 with these records.
    pub async fn write_schema_v1(
        name: &str,
        files: &[(String, Vec<u8>)],
        meta: &[(String, Vec<u8>)],
    ) -> Result<(), IdbError> {
        db::register(name).await?;
        let db = db::open(&format!("{DB_PREFIX}{name}"), 1, &[LEGACY_FILES, META]).await?;
        let e = |x| idb_error("writing schema 1", x);
        let tx = db
            .transaction(&[LEGACY_FILES, META], idb::TransactionMode::ReadWrite)
            .map_err(e)?;
        for (store, records) in [(LEGACY_FILES, files), (META, meta)] {
            let s = tx.object_store(store).map_err(e)?;
            for (k, v) in records {
                s.put(&Uint8Array::from(&v[..]), Some(&JsValue::from_str(k)))
                    .map_err(e)?;
            }
        }
        let r = finish(tx, "writing schema 1").await;
        db.close();
        r
    }

    /// Puts one raw chunk into a playground's `segments` store, as a damaged
    /// or torn database could hold it.
    pub async fn put_chunk(name: &str, path: &str, base_offset: i64, chunk: u32, bytes: &[u8]) -> Result<(), IdbError> {
        let db = db::open_playground(name).await?;
        let e = |x| idb_error("writing a raw chunk", x);
        let tx = db
            .transaction(&[db::SEGMENTS], idb::TransactionMode::ReadWrite)
            .map_err(e)?;
        let store = tx.object_store(db::SEGMENTS).map_err(e)?;
        store
            .put(
                &Uint8Array::from(bytes),
                Some(&db::chunk_key(path, base_offset, chunk)?),
            )
            .map_err(e)?;
        let r = finish(tx, "writing a raw chunk").await;
        db.close();
        r
    }
}
