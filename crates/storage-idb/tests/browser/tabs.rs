//! Two connections to one playground, as two tabs: exactly one writes.

use kafkaplay_log::SegmentStore;
use kafkaplay_storage_idb::{ErrorKind, Playground, READ_ONLY_MESSAGE};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn two_tabs_have_exactly_one_writer_and_the_reader_follows() {
    let name = "test-tabs";
    let mut first = crate::fresh(name).await;
    let mut second = Playground::open(name).await.unwrap();
    assert!(first.is_writer());
    assert!(!second.is_writer(), "the second tab is read-only");
    let err = second.commit(None).await.expect_err("a reader does not save");
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::ReadOnly, READ_ONLY_MESSAGE)
    );
    assert!(
        !second.try_become_writer().await.unwrap(),
        "still held by the first tab"
    );

    let mut s = first.store("log");
    s.create(0).unwrap();
    s.append(0, b"from the writer").unwrap();
    s.flush().unwrap();
    first.commit(None).await.unwrap();
    crate::sleep(50).await;
    assert_eq!(second.changes_seen(), 1, "the reader heard of the commit");
    let mut reader = second.reopen().await.unwrap();
    assert!(!reader.is_writer());
    assert_eq!(reader.store("log").load().unwrap()[0].bytes, b"from the writer");

    // The writer's tab closes: the reader may take over.
    first.close();
    crate::sleep(20).await;
    assert!(reader.try_become_writer().await.unwrap());
    reader.commit(None).await.expect("the new writer saves");
}

#[wasm_bindgen_test]
async fn an_open_tab_does_not_block_deleting_its_playground() {
    let name = "test-versionchange";
    let mut open = crate::fresh(name).await;
    let mut s = open.store("log");
    s.create(0).unwrap();
    s.flush().unwrap();
    open.commit(None).await.unwrap();
    // Another connection deletes it while `open` is still open: its
    // versionchange handler closes it, so the delete completes.
    kafkaplay_storage_idb::delete_playground(name)
        .await
        .expect("not blocked");
    let err = open.commit(None).await.expect_err("the closed connection cannot save");
    assert_eq!(err.kind, ErrorKind::Unavailable, "{err}");
    assert!(err.message.contains("open it again"), "{err}");
}
