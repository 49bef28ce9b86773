//! The log crate's storage conformance suite, with a real reopen: each check's
//! store is committed to IndexedDB, every in-memory object is dropped, and the
//! playground is opened again from the database.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kafkaplay_log::storage::conformance;
use kafkaplay_log::{SegmentStore, StoredSegment};
use kafkaplay_storage_idb::{IdbStore, Playground};
use wasm_bindgen_test::wasm_bindgen_test;

const NAME: &str = "test-conformance";

#[wasm_bindgen_test]
async fn idb_store_passes_the_conformance_suite_with_a_reopen_from_indexeddb() {
    let pg = Rc::new(RefCell::new(Some(crate::fresh(NAME).await)));
    let n = Rc::new(Cell::new(0u32));
    let current = Rc::new(RefCell::new(String::new()));
    let reopens = Rc::new(Cell::new(0u32));
    let new_store = {
        let (pg, n, current) = (pg.clone(), n.clone(), current.clone());
        move || {
            n.set(n.get() + 1);
            let name = format!("check-{}", n.get());
            *current.borrow_mut() = name.clone();
            pg.borrow_mut().as_mut().unwrap().store(&name)
        }
    };
    let reopen = {
        let (pg, current, reopens) = (pg.clone(), current.clone(), reopens.clone());
        move |store: IdbStore| {
            let (pg, current, reopens) = (pg.clone(), current.clone(), reopens.clone());
            async move {
                drop(store);
                let mut open = pg.borrow_mut().take().unwrap();
                open.commit(None).await.expect("commit");
                open.close();
                let mut again = Playground::open(NAME).await.expect("reopen");
                let store = again.store(&current.borrow());
                *pg.borrow_mut() = Some(again);
                reopens.set(reopens.get() + 1);
                store
            }
        }
    };
    conformance::run_all_reopening(new_store, reopen).await;
    assert!(reopens.get() >= 15, "the suite reopened {} times", reopens.get());
}

#[wasm_bindgen_test]
async fn a_reopen_keeps_exactly_the_flushed_writes() {
    let mut pg = crate::fresh("test-flushed-only").await;
    let mut s = pg.store("log");
    s.create(0).unwrap();
    s.append(0, b"kept").unwrap();
    s.flush().unwrap();
    s.append(0, b"-not-flushed").unwrap();
    s.create(50).unwrap();
    pg.commit(None).await.unwrap();
    pg.close();
    let mut pg = Playground::open("test-flushed-only").await.unwrap();
    assert_eq!(
        pg.store("log").load().unwrap(),
        vec![StoredSegment {
            base_offset: 0,
            bytes: b"kept".to_vec()
        }]
    );
}
