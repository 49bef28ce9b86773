//! IndexedDB itself: opening (with the schema upgrade), loading everything,
//! the registry of playgrounds, storage estimates. Uses the `idb` crate for
//! every request and transaction future.

use kafkaplay_flatmap::FlatMap;

use idb::{Database, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode, TransactionResult};
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{ErrorKind, IdbError};

/// The schema this build writes. Version 1 kept each segment whole in one
/// record of the `files` store (rewritten at every save); version 2 keeps
/// segments as appended chunks in `segments` and adds the `kv` store.
pub const SCHEMA_VERSION: u32 = 2;
/// Database names are `kafkaplay/<playground name>`.
pub const DB_PREFIX: &str = "kafkaplay/";
/// The database listing the playgrounds.
pub const REGISTRY_DB: &str = "kafkaplay";

pub(crate) const SEGMENTS: &str = "segments";
pub(crate) const META: &str = "meta";
pub(crate) const KV: &str = "kv";
/// Schema 1's store: `"<path>\0<base offset, 20 digits>"` → whole segment.
pub(crate) const LEGACY_FILES: &str = "files";
const PLAYGROUNDS: &str = "playgrounds";

/// The largest integer a JS number holds exactly: offsets in keys stay below it.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

pub(crate) fn factory() -> Result<Factory, IdbError> {
    Factory::new().map_err(|e| IdbError::new(ErrorKind::Unavailable, format!("IndexedDB is not available here: {e}")))
}

/// Classifies a thrown JS value (a `DOMException` or an `Error`).
pub(crate) fn js_error(context: &str, v: &JsValue) -> IdbError {
    let field = |k: &str| {
        Reflect::get(v, &JsValue::from_str(k))
            .ok()
            .and_then(|x| x.as_string())
            .unwrap_or_default()
    };
    let (name, message) = (field("name"), field("message"));
    if name.is_empty() && message.is_empty() {
        return IdbError::new(ErrorKind::Other, format!("{context}: {v:?}"));
    }
    IdbError::from_dom(context, &name, &message)
}

/// Classifies an `idb` error by the DOM error it carries.
pub(crate) fn idb_error(context: &str, e: idb::Error) -> IdbError {
    if let idb::Error::DomException(d) = &e {
        return IdbError::from_dom(context, &d.name(), &d.message());
    }
    let text = e.to_string();
    let name = ["QuotaExceededError", "AbortError", "InvalidStateError", "UnknownError"]
        .into_iter()
        .find(|n| text.contains(n))
        .unwrap_or("Error");
    IdbError::from_dom(context, name, &text)
}

/// Opens (creating or upgrading) a database at `version`, with the stores
/// `create` names. Its connection closes itself when another connection asks
/// for a version change (an upgrade or a delete elsewhere), so those are never
/// blocked by this tab.
pub(crate) async fn open(name: &str, version: u32, create: &'static [&'static str]) -> Result<Database, IdbError> {
    let mut request = factory()?.open(name, Some(version)).map_err(|e| idb_error("open", e))?;
    request.on_upgrade_needed(move |event| {
        use idb::DatabaseEvent;
        let Ok(db) = event.database() else { return };
        let existing = db.store_names();
        for store in create {
            if !existing.iter().any(|s| s == store) {
                let _ = db.create_object_store(store, ObjectStoreParams::new());
            }
        }
    });
    let raw: web_sys::IdbDatabase = request.await.map_err(|e| idb_error("open", e))?.into();
    let mut db = Database::from(raw.clone());
    db.on_version_change(move |_| raw.close());
    Ok(db)
}

/// Opens a playground's database at the current schema, moving schema-1 data
/// into the schema-2 stores if there is any.
pub(crate) async fn open_playground(name: &str) -> Result<Database, IdbError> {
    let db = open(&format!("{DB_PREFIX}{name}"), SCHEMA_VERSION, &[SEGMENTS, META, KV]).await?;
    if db.store_names().iter().any(|s| s == LEGACY_FILES) {
        migrate_v1(&db).await?;
    }
    Ok(db)
}

/// Schema 1 → 2, in one transaction: each whole segment becomes chunk 0, and
/// the old store is emptied (left in place: only an upgrade may remove a store,
/// and this one is harmless empty).
async fn migrate_v1(db: &Database) -> Result<(), IdbError> {
    let e = |x| idb_error("upgrading stored data", x);
    let tx = db
        .transaction(&[LEGACY_FILES, SEGMENTS], TransactionMode::ReadWrite)
        .map_err(e)?;
    let files = tx.object_store(LEGACY_FILES).map_err(e)?;
    let keys = files.get_all_keys(None, None).map_err(e)?.await.map_err(e)?;
    if keys.is_empty() {
        return finish(tx, "upgrading stored data").await;
    }
    let values = files.get_all(None, None).map_err(e)?.await.map_err(e)?;
    let segments = tx.object_store(SEGMENTS).map_err(e)?;
    for (k, v) in keys.iter().zip(values.iter()) {
        let key = k.as_string().unwrap_or_default();
        let parsed = key
            .split_once('\0')
            .and_then(|(p, b)| Some((p.to_string(), b.parse::<i64>().ok()?)));
        let Some((path, base)) = parsed else {
            return Err(IdbError::new(
                ErrorKind::Damaged,
                format!("a schema-1 record has a bad key: {key:?}"),
            ));
        };
        segments.put(v, Some(&chunk_key(&path, base, 0)?)).map_err(e)?;
    }
    files.clear().map_err(e)?;
    finish(tx, "upgrading stored data").await
}

/// Awaits a transaction's end; an abort is an error named by its cause.
pub(crate) async fn finish(tx: idb::Transaction, context: &str) -> Result<(), IdbError> {
    let raw: web_sys::IdbTransaction = tx.into();
    match idb::Transaction::from(raw.clone()).await {
        Ok(TransactionResult::Committed) => Ok(()),
        Ok(TransactionResult::Aborted) => Err(match raw.error() {
            Some(d) => IdbError::from_dom(context, &d.name(), &d.message()),
            None => IdbError::new(ErrorKind::Aborted, format!("{context}: the transaction was aborted")),
        }),
        Err(e) => Err(idb_error(context, e)),
    }
}

/// `[path, base offset, chunk]`.
pub(crate) fn chunk_key(path: &str, base_offset: i64, chunk: u32) -> Result<JsValue, IdbError> {
    Ok(Array::of3(
        &JsValue::from_str(path),
        &offset_key(base_offset)?,
        &JsValue::from(chunk),
    )
    .into())
}

fn offset_key(base_offset: i64) -> Result<JsValue, IdbError> {
    if !(0..=MAX_SAFE_INTEGER).contains(&base_offset) {
        return Err(IdbError::new(
            ErrorKind::Other,
            format!("segment base offset {base_offset} cannot be an IndexedDB key (0 to 2^53-1)"),
        ));
    }
    Ok(JsValue::from(base_offset as f64))
}

/// Every chunk of one segment: `[path, base]` ≤ key < `[path, base, []]`
/// (arrays sort after numbers, and a prefix before its extensions).
pub(crate) fn segment_range(path: &str, base_offset: i64) -> Result<Query, IdbError> {
    let lower = Array::of2(&JsValue::from_str(path), &offset_key(base_offset)?);
    let upper = Array::of3(&JsValue::from_str(path), &offset_key(base_offset)?, &Array::new());
    KeyRange::bound(&lower, &upper, Some(false), Some(true))
        .map(Query::from)
        .map_err(|e| idb_error("key range", e))
}

/// What a playground's database holds, read in one transaction.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Chunks per file and segment, in key order.
    pub files: FlatMap<String, FlatMap<i64, Vec<(u32, Vec<u8>)>>>,
    pub meta: FlatMap<String, Vec<u8>>,
    pub kv: FlatMap<String, Vec<u8>>,
}

fn bytes_of(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

/// Reads everything (segments as binary, in key order).
pub(crate) async fn load(db: &Database) -> Result<Loaded, IdbError> {
    let e = |x| idb_error("loading the playground", x);
    let tx = db
        .transaction(&[SEGMENTS, META, KV], TransactionMode::ReadOnly)
        .map_err(e)?;
    let mut loaded = Loaded::default();
    let segments = tx.object_store(SEGMENTS).map_err(e)?;
    // Both requests go out before either is awaited.
    let keys = segments.get_all_keys(None, None).map_err(e)?;
    let values = segments.get_all(None, None).map_err(e)?;
    let (keys, values) = (keys.await.map_err(e)?, values.await.map_err(e)?);
    for (k, v) in keys.iter().zip(values.iter()) {
        let key: &Array = k.unchecked_ref();
        let (path, base, chunk) = (key.get(0).as_string(), key.get(1).as_f64(), key.get(2).as_f64());
        let (Some(path), Some(base), Some(chunk), Some(bytes)) = (path, base, chunk, bytes_of(v)) else {
            return Err(IdbError::new(
                ErrorKind::Damaged,
                format!("a stored segment record is not readable: {k:?}"),
            ));
        };
        loaded
            .files
            .entry(path)
            .or_default()
            .entry(base as i64)
            .or_default()
            .push((chunk as u32, bytes));
    }
    for (store, out) in [(META, &mut loaded.meta), (KV, &mut loaded.kv)] {
        let s = tx.object_store(store).map_err(e)?;
        let keys = s.get_all_keys(None, None).map_err(e)?.await.map_err(e)?;
        let values = s.get_all(None, None).map_err(e)?.await.map_err(e)?;
        for (k, v) in keys.iter().zip(values.iter()) {
            if let (Some(k), Some(v)) = (k.as_string(), bytes_of(v)) {
                out.insert(k, v);
            }
        }
    }
    finish(tx, "loading the playground").await?;
    Ok(loaded)
}

// ----- the registry of playgrounds -----

async fn registry() -> Result<Database, IdbError> {
    open(REGISTRY_DB, 1, &[PLAYGROUNDS]).await
}

/// Adds a name to the registry (idempotent).
pub(crate) async fn register(name: &str) -> Result<(), IdbError> {
    let db = registry().await?;
    let e = |x| idb_error("registering the playground", x);
    let tx = db.transaction(&[PLAYGROUNDS], TransactionMode::ReadWrite).map_err(e)?;
    let store = tx.object_store(PLAYGROUNDS).map_err(e)?;
    store
        .put(&JsValue::from_str(name), Some(&JsValue::from_str(name)))
        .map_err(e)?;
    let r = finish(tx, "registering the playground").await;
    db.close();
    r
}

/// The names of every playground, sorted.
pub async fn list_playgrounds() -> Result<Vec<String>, IdbError> {
    let db = registry().await?;
    let e = |x| idb_error("listing playgrounds", x);
    let tx = db.transaction(&[PLAYGROUNDS], TransactionMode::ReadOnly).map_err(e)?;
    let keys = tx
        .object_store(PLAYGROUNDS)
        .map_err(e)?
        .get_all_keys(None, None)
        .map_err(e)?
        .await
        .map_err(e)?;
    finish(tx, "listing playgrounds").await?;
    db.close();
    Ok(keys.iter().filter_map(JsValue::as_string).collect())
}

/// Deletes a playground and its data. Other tabs that have it open close
/// their connection when asked, so this is not blocked by them.
pub async fn delete_playground(name: &str) -> Result<(), IdbError> {
    factory()?
        .delete(&format!("{DB_PREFIX}{name}"))
        .map_err(|e| idb_error("deleting the playground", e))?
        .await
        .map_err(|e| idb_error("deleting the playground", e))?;
    let db = registry().await?;
    let e = |x| idb_error("deleting the playground", x);
    let tx = db.transaction(&[PLAYGROUNDS], TransactionMode::ReadWrite).map_err(e)?;
    tx.object_store(PLAYGROUNDS)
        .map_err(e)?
        .delete(Query::from(JsValue::from_str(name)))
        .map_err(e)?;
    let r = finish(tx, "deleting the playground").await;
    db.close();
    r
}

// ----- the browser's storage manager -----

/// `navigator.storage.estimate()`: bytes used and the quota, for this site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageEstimate {
    pub usage_bytes: f64,
    pub quota_bytes: f64,
}

fn storage_manager() -> Result<JsValue, IdbError> {
    let global = js_sys::global();
    let navigator = Reflect::get(&global, &JsValue::from_str("navigator")).unwrap_or(JsValue::UNDEFINED);
    let storage = Reflect::get(&navigator, &JsValue::from_str("storage")).unwrap_or(JsValue::UNDEFINED);
    if storage.is_undefined() {
        return Err(IdbError::new(
            ErrorKind::Unavailable,
            "navigator.storage is not available here",
        ));
    }
    Ok(storage)
}

async fn call_storage(method: &str) -> Result<JsValue, IdbError> {
    let storage = storage_manager()?;
    let f: js_sys::Function = Reflect::get(&storage, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            IdbError::new(
                ErrorKind::Unavailable,
                format!("navigator.storage.{method} is not available"),
            )
        })?;
    let promise: js_sys::Promise = f
        .call0(&storage)
        .map_err(|e| js_error(method, &e))?
        .dyn_into()
        .map_err(|_| {
            IdbError::new(
                ErrorKind::Other,
                format!("navigator.storage.{method} did not return a promise"),
            )
        })?;
    JsFuture::from(promise).await.map_err(|e| js_error(method, &e))
}

pub async fn storage_estimate() -> Result<StorageEstimate, IdbError> {
    let v = call_storage("estimate").await?;
    let num = |k: &str| {
        Reflect::get(&v, &JsValue::from_str(k))
            .ok()
            .and_then(|x| x.as_f64())
            .unwrap_or(0.0)
    };
    Ok(StorageEstimate {
        usage_bytes: num("usage"),
        quota_bytes: num("quota"),
    })
}

/// `navigator.storage.persist()`: asks the browser not to evict this site's
/// data under storage pressure. Returns whether it granted that.
pub async fn request_persistence() -> Result<bool, IdbError> {
    Ok(call_storage("persist").await?.as_bool().unwrap_or(false))
}
