//! The mapping from HTTP statuses and error bodies to `IcebergError`.

use super::*;

fn model(code: u16, kind: &str, message: &str) -> Vec<u8> {
    format!(r#"{{"error":{{"message":"{message}","type":"{kind}","code":{code}}}}}"#).into_bytes()
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

#[test]
fn a_conflict_means_already_exists_or_commit_conflict_by_operation() {
    let body = model(409, "CommitFailedException", "Requirement failed");
    let created = from_response(status(409), &body, ConflictMeaning::AlreadyExists);
    assert!(
        matches!(created, IcebergError::AlreadyExists { ref kind, .. } if kind == "CommitFailedException")
    );
    let committed =
        from_response(status(409), &body, ConflictMeaning::CommitConflict { table: "a.b" });
    assert_eq!(committed.to_string(), "commit conflict on table a.b: Requirement failed");
}

#[test]
fn statuses_map_to_their_variants() {
    let map =
        |code| from_response(status(code), &model(code, "E", "m"), ConflictMeaning::AlreadyExists);
    assert!(matches!(map(401), IcebergError::Unauthorized { status: 401, .. }));
    assert!(matches!(map(403), IcebergError::Unauthorized { status: 403, .. }));
    assert!(matches!(map(404), IcebergError::NotFound { .. }));
    assert!(matches!(map(422), IcebergError::Rejected { status: 422, .. }));
    assert!(matches!(map(503), IcebergError::Server { status: 503, .. }));
}

#[test]
fn a_body_that_is_not_the_error_model_is_kept_short() {
    let html = format!("<html>{}</html>", "x".repeat(1000));
    let err = from_response(status(502), html.as_bytes(), ConflictMeaning::AlreadyExists);
    let IcebergError::Server { status: 502, kind, message } = err else {
        panic!("expected a server error, got {err:?}")
    };
    assert_eq!(kind, "Bad Gateway");
    assert_eq!(message.chars().count(), 200);
    assert!(message.starts_with("<html>xxx"));
}
