//! Tests of the validation rules and the two stores, without HTTP.

use ex02_rest_api::{JsonFileStore, ListQuery, MemoryStore, NoteDraft, NoteStore, StoreError};

fn draft(title: &str, tags: &[&str]) -> NoteDraft {
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    NoteDraft::new(title, "", &tags).expect("valid draft")
}

fn all() -> ListQuery {
    ListQuery {
        tag: None,
        limit: 100,
        offset: 0,
    }
}

#[test]
fn drafts_are_validated_and_normalised() {
    let ok = NoteDraft::new(" hi ", "body", &["b".into(), "a".into(), "b".into()]).unwrap();
    assert_eq!(ok.title(), "hi");
    assert_eq!(ok.body(), "body");
    assert_eq!(ok.tags(), ["a", "b"]);

    let errors = NoteDraft::new(
        "",
        &"x".repeat(10_001),
        &["UPPER".into(), "has space".into()],
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["title", "body", "tags[0]", "tags[1]"]);

    assert!(
        NoteDraft::new(&"é".repeat(200), "", &[]).is_ok(),
        "limits count characters, not bytes"
    );
    assert!(NoteDraft::new("t", "", &["x".repeat(33)]).is_err());
    assert!(NoteDraft::new("t", "", &["x".repeat(32), "with-dash-9".into()]).is_ok());
}

/// The contract every store must keep; run against both implementations.
fn exercise_store(store: &dyn NoteStore) {
    let a = store.create(draft("a", &["x"])).unwrap();
    let b = store.create(draft("b", &["x", "y"])).unwrap();
    let c = store.create(draft("c", &[])).unwrap();
    assert!(a.id < b.id && b.id < c.id);
    assert_eq!(a.version, 1);
    assert_eq!(a.created_at, a.updated_at);
    assert_eq!(store.get(b.id).unwrap(), b);

    let page = store
        .list(&ListQuery {
            tag: Some("x".into()),
            limit: 1,
            offset: 1,
        })
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items, vec![b.clone()]);

    let updated = store.update(a.id, 1, draft("a2", &[])).unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.title, "a2");
    assert!(updated.updated_at >= updated.created_at);
    match store.update(a.id, 1, draft("late", &[])) {
        Err(StoreError::VersionConflict {
            id,
            expected: 1,
            current: 2,
        }) => assert_eq!(id, a.id),
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert!(matches!(
        store.update(999, 1, draft("z", &[])),
        Err(StoreError::NotFound(999))
    ));

    assert!(matches!(
        store.delete(b.id, Some(7)),
        Err(StoreError::VersionConflict { .. })
    ));
    store.delete(b.id, Some(1)).unwrap();
    store.delete(c.id, None).unwrap();
    assert!(matches!(store.get(b.id), Err(StoreError::NotFound(_))));
    assert!(matches!(
        store.delete(c.id, None),
        Err(StoreError::NotFound(_))
    ));

    // Ids are never reused, even after deletes.
    let d = store.create(draft("d", &[])).unwrap();
    assert!(d.id > c.id);
    assert_eq!(store.list(&all()).unwrap().total, 2);
}

#[test]
fn memory_store_keeps_the_contract() {
    exercise_store(&MemoryStore::new());
}

#[test]
fn json_file_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    exercise_store(&JsonFileStore::open(dir.path().join("notes.json")).unwrap());
}

#[test]
fn json_file_store_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.json");

    let (kept, deleted) = {
        let store = JsonFileStore::open(&path).unwrap();
        let kept = store.create(draft("kept", &["t"])).unwrap();
        let kept = store.update(kept.id, 1, draft("kept v2", &["t"])).unwrap();
        let deleted = store.create(draft("deleted", &[])).unwrap();
        store.delete(deleted.id, None).unwrap();
        (kept, deleted)
    };

    let reopened = JsonFileStore::open(&path).unwrap();
    assert_eq!(reopened.get(kept.id).unwrap(), kept);
    assert!(matches!(
        reopened.get(deleted.id),
        Err(StoreError::NotFound(_))
    ));
    let next = reopened.create(draft("next", &[])).unwrap();
    assert!(next.id > deleted.id, "the id counter must be persisted too");
}

#[test]
fn json_file_store_rejects_a_corrupt_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.json");
    std::fs::write(&path, b"{ this is not json").unwrap();
    assert!(matches!(
        JsonFileStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn a_failed_write_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    // The parent directory does not exist, so opening works (no file yet) but every write fails.
    let store = JsonFileStore::open(dir.path().join("missing").join("notes.json")).unwrap();
    assert!(matches!(
        store.create(draft("lost", &[])),
        Err(StoreError::Io(_))
    ));
    assert_eq!(store.list(&all()).unwrap().total, 0);
    assert!(matches!(store.get(1), Err(StoreError::NotFound(1))));
}
