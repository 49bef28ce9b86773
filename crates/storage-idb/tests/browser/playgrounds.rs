//! Named playgrounds side by side, schema upgrades, export and import, storage.

use kafkaplay_log::SegmentStore;
use kafkaplay_storage_idb::{
    delete_playground, import_playground, list_playgrounds, request_persistence, reset_playground, storage_estimate,
    testing, ErrorKind, Playground, PlaygroundData,
};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::common::{log_ends, settle, summary};

#[wasm_bindgen_test]
async fn playgrounds_are_listed_kept_apart_reset_and_deleted() {
    let mut a = crate::fresh("test-side-a").await;
    let mut b = crate::fresh("test-side-b").await;
    for (pg, text) in [(&mut a, b"in a".as_slice()), (&mut b, b"in b".as_slice())] {
        let mut s = pg.store("log");
        s.create(0).unwrap();
        s.append(0, text).unwrap();
        s.flush().unwrap();
        pg.commit(None).await.unwrap();
    }
    a.close();
    b.close();
    let names = list_playgrounds().await.unwrap();
    assert!(
        names.contains(&"test-side-a".to_string()) && names.contains(&"test-side-b".to_string()),
        "{names:?}"
    );
    let mut a = Playground::open("test-side-a").await.unwrap();
    assert_eq!(a.store("log").load().unwrap()[0].bytes, b"in a");
    a.close();

    reset_playground("test-side-a").await.unwrap();
    let mut a = Playground::open("test-side-a").await.unwrap();
    assert!(a.store("log").load().unwrap().is_empty(), "reset empties it");
    a.close();
    assert!(
        list_playgrounds().await.unwrap().contains(&"test-side-a".to_string()),
        "a reset one stays listed"
    );

    delete_playground("test-side-b").await.unwrap();
    assert!(!list_playgrounds().await.unwrap().contains(&"test-side-b".to_string()));
    let mut b = Playground::open("test-side-b").await.unwrap();
    assert!(b.store("log").load().unwrap().is_empty(), "deleted data is gone");
    b.close();
    delete_playground("test-side-b").await.unwrap();
}

#[wasm_bindgen_test]
async fn schema_v1_database_upgrades_and_loads() {
    let name = "test-schema-v1";
    delete_playground(name).await.unwrap();
    let fixture = PlaygroundData::from_bytes(include_bytes!("../fixtures/schema-v1/records.bin")).unwrap();
    // Schema 1's layout: whole segments under "<path>\0<base, 20 digits>", the image under "cluster".
    let files: Vec<(String, Vec<u8>)> = fixture
        .files
        .iter()
        .flat_map(|(p, segs)| {
            segs.iter()
                .map(move |s| (format!("{p}\0{:020}", s.base_offset), s.bytes.clone()))
        })
        .collect();
    let meta = vec![("cluster".to_string(), fixture.cluster.clone().unwrap())];
    testing::write_schema_v1(name, &files, &meta).await.unwrap();

    let mut pg = Playground::open(name).await.expect("opens and upgrades");
    let (mut sim, report) = pg.restore_cluster().unwrap().expect("the fixture's cluster");
    assert_eq!(report.truncated_bytes, 0);
    settle(&mut sim);
    let expected = include_str!("../fixtures/schema-v1/expected.txt");
    let got: String = log_ends(&sim, 2).iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    assert_eq!(got, expected);
    // Saved in schema 2, and read back.
    pg.commit(Some(&sim)).await.unwrap();
    pg.close();
    let mut pg = Playground::open(name).await.unwrap();
    let (mut again, _) = pg.restore_cluster().unwrap().unwrap();
    settle(&mut again);
    assert_eq!(log_ends(&again, 2), log_ends(&sim, 2));
    pg.close();
}

#[wasm_bindgen_test]
async fn a_playground_exports_to_a_file_and_imports_back() {
    let mut pg = crate::fresh("test-export").await;
    let sim = crate::common::busy_cluster(41, 2, 40, true);
    pg.kv_set("shell.history", b"kafka-topics.sh --list\n");
    pg.commit(Some(&sim)).await.unwrap();
    let file = pg.export().await.unwrap().to_bytes();
    pg.close();

    import_playground("test-import", &file).await.expect("import");
    let mut copy = Playground::open("test-import").await.unwrap();
    assert_eq!(copy.kv_get("shell.history"), Some(&b"kafka-topics.sh --list\n"[..]));
    let (mut restored, _) = copy.restore_cluster().unwrap().unwrap();
    settle(&mut restored);
    restored.run_for(310_000);
    settle(&mut restored);
    assert_eq!(summary(&restored), summary(&sim));
    copy.close();

    // A damaged file is refused and the playground it would replace is untouched.
    let mut bad = file.clone();
    bad[40] ^= 1;
    let err = import_playground("test-import", &bad).await.expect_err("damaged");
    assert_eq!(err.kind, ErrorKind::Damaged);
    let mut copy = Playground::open("test-import").await.unwrap();
    assert!(copy.restore_cluster().unwrap().is_some(), "still there");
    copy.close();

    // A partition as Kafka's segment files.
    let files =
        kafkaplay_storage_idb::export::export_partition(&sim, 1, &kafkaplay_cluster::TopicPartition::new("t", 0))
            .expect("broker 1 holds t-0");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"00000000000000000000.log"), "{names:?}");
    assert!(names.contains(&"leader-epoch-checkpoint"), "{names:?}");
}

#[wasm_bindgen_test]
async fn storage_usage_and_quota_are_reported() {
    let mut pg = crate::fresh("test-estimate").await;
    let mut s = pg.store("log");
    s.create(0).unwrap();
    s.append(0, &vec![7u8; 200_000]).unwrap();
    s.flush().unwrap();
    pg.commit(None).await.unwrap();
    let e = storage_estimate().await.expect("navigator.storage.estimate");
    assert!(e.quota_bytes > 0.0 && e.usage_bytes > 0.0, "{e:?}");
    // Headless Chromium may grant or refuse; the call itself must work.
    request_persistence().await.expect("navigator.storage.persist");
    pg.close();
}
