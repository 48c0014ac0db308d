//! State survives restarts, and the database keeps the uniqueness rule under concurrency.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_full_cycle_survives_a_restart_between_each_step() {
    let db = TestDb::new().await;

    let app = TestApp::on(&db, &[]).await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    app.stop().await;

    let app = TestApp::on(&db, &[]).await;
    assert_eq!(
        ids_of(&app.get(&flow_logs_path(PROJECT)).await.body),
        vec![id.clone()]
    );
    app.stop().await;

    let app = TestApp::on(&db, &[]).await;
    assert_eq!(
        app.get(&flow_log_path(PROJECT, &id)).await.body["flow_log"]["name"],
        "fl-test"
    );
    app.stop().await;

    let app = TestApp::on(&db, &[]).await;
    let body = json!({"flow_log": {"name": "renamed", "admin_state": false}});
    assert_eq!(
        app.put(&flow_log_path(PROJECT, &id), body).await.status,
        StatusCode::OK
    );
    app.stop().await;

    let app = TestApp::on(&db, &[]).await;
    let shown = app.get(&flow_log_path(PROJECT, &id)).await.body;
    assert_eq!(
        (
            shown["flow_log"]["name"].as_str(),
            shown["flow_log"]["status"].as_str()
        ),
        (Some("renamed"), Some("DOWN"))
    );
    assert_eq!(
        app.delete(&flow_log_path(PROJECT, &id)).await.status,
        StatusCode::NO_CONTENT
    );
    app.stop().await;

    let app = TestApp::on(&db, &[]).await;
    app.get(&flow_log_path(PROJECT, &id))
        .await
        .assert_vpc_error(404, "VPC.3002");
    assert!(app.stored().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_identical_creates_give_exactly_one_flow_log() {
    let db = TestDb::new().await;
    let app = std::sync::Arc::new(TestApp::on(&db, &[]).await);
    let creates = (0..50).map(|_| {
        let app = app.clone();
        tokio::spawn(async move {
            app.post(&flow_logs_path(PROJECT), create_body("port-1"))
                .await
        })
    });
    let mut statuses = Vec::new();
    for create in creates.collect::<Vec<_>>() {
        let response = create.await.unwrap();
        if response.status == StatusCode::CONFLICT {
            assert_eq!(response.body["code"], "VPC.3004");
        }
        statuses.push(response.status.as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    assert_eq!(app.stored().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_distinct_creates_all_succeed() {
    let db = TestDb::new().await;
    let app = std::sync::Arc::new(TestApp::on(&db, &[]).await);
    let creates: Vec<_> = (0..50)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post(&flow_logs_path(PROJECT), create_body(&format!("port-{i}")))
                    .await
                    .status
            })
        })
        .collect();
    for create in creates {
        assert_eq!(create.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.stored().await.len(), 50);
}

#[tokio::test]
async fn a_conditional_write_with_no_expected_status_touches_nothing() {
    use flowplane::domain::{AttributeChanges, FlowLogId, Status, TenantScope};

    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let (store, scope, id) = (
        app.store(),
        TenantScope::huawei_project(PROJECT),
        FlowLogId::from_trusted(id),
    );
    let rename = AttributeChanges {
        name: Some("renamed".into()),
        ..Default::default()
    };
    let updated = store
        .update(&scope, &id, &[], &rename, None, chrono::Utc::now())
        .await
        .unwrap();
    assert!(updated.is_none());
    assert!(!store.delete(&scope, &id, &[]).await.unwrap());
    // The same writes with the right precondition do apply.
    assert!(store
        .update(
            &scope,
            &id,
            &[Status::Active],
            &rename,
            None,
            chrono::Utc::now()
        )
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store
            .get(&scope, &id)
            .await
            .unwrap()
            .unwrap()
            .spec
            .name
            .as_deref(),
        Some("renamed")
    );
}

#[tokio::test]
async fn count_agrees_with_the_filtered_list() {
    use flowplane::domain::{FlowLogFilter, Page, Status, TenantScope};

    let app = TestApp::new().await;
    for i in 0..5 {
        app.create_huawei(PROJECT, &format!("port-{i}")).await;
    }
    app.create_huawei(OTHER_PROJECT, "port-0").await;
    let id = app.create_huawei_id(PROJECT, "port-9").await;
    app.put(
        &flow_log_path(PROJECT, &id),
        json!({"flow_log": {"admin_state": false}}),
    )
    .await;

    let (service, scope) = (app.flow_logs(), TenantScope::huawei_project(PROJECT));
    let all = FlowLogFilter::default();
    let inactive = FlowLogFilter {
        statuses: vec![Status::Inactive],
        ..Default::default()
    };
    let nothing = FlowLogFilter {
        matches_nothing: true,
        ..Default::default()
    };
    let page = Page::Offset {
        offset: 0,
        limit: 100,
    };
    for (filter, expected) in [(&all, 6), (&inactive, 1), (&nothing, 0)] {
        let (listed, total) = service.counted_page(&scope, filter, 0, 2).await.unwrap();
        assert_eq!(total, expected, "{filter:?}");
        assert_eq!(listed.len() as u64, expected.min(2), "{filter:?}");
        // Past the last page the count still comes back.
        let (beyond, total) = service.counted_page(&scope, filter, 50, 2).await.unwrap();
        assert!(beyond.is_empty());
        assert_eq!(total, expected, "{filter:?}");
        assert_eq!(
            service.list(&scope, filter, &page).await.unwrap().len() as u64,
            expected,
            "{filter:?}"
        );
    }
    let second_page = service
        .list(
            &scope,
            &all,
            &Page::Offset {
                offset: 4,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert_eq!(second_page.len(), 2);
}

#[tokio::test]
async fn a_file_database_is_in_wal_mode() {
    use sqlx::Connection;

    let db = TestDb::sqlite_file();
    TestApp::on(&db, &[]).await.stop().await;
    let mut connection = sqlx::SqliteConnection::connect(db.url()).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_signature_nonce_is_used_once_until_it_expires_even_across_restarts() {
    let db = TestDb::new().await;
    let now = chrono::Utc::now();
    let later = now + chrono::Duration::minutes(15);
    let app = TestApp::on(&db, &[]).await;
    let store = app.store();
    assert!(store.use_nonce("key", "n1", later, now).await.unwrap());
    assert!(!store.use_nonce("key", "n1", later, now).await.unwrap());
    // Nonces are per access key.
    assert!(store.use_nonce("other", "n1", later, now).await.unwrap());
    app.stop().await;

    let restarted = TestApp::on(&db, &[]).await;
    let store = restarted.store();
    assert!(!store.use_nonce("key", "n1", later, now).await.unwrap());
    // Once its request's timestamp could no longer be accepted, the nonce is forgotten.
    let after_expiry = later + chrono::Duration::seconds(1);
    assert!(store
        .use_nonce(
            "key",
            "n1",
            after_expiry + chrono::Duration::minutes(15),
            after_expiry
        )
        .await
        .unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_never_exceed_the_quota() {
    let db = TestDb::new().await;
    let app = std::sync::Arc::new(TestApp::on(&db, &["--alibaba-flow-log-quota", "3"]).await);
    let creates: Vec<_> = (0..16)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let vpc = format!("vpc-quota-{i}");
                app.alibaba("CreateFlowLog", &create_params(&vpc)).await
            })
        })
        .collect();
    let created = successes_else(creates, "QuotaExceeded.FlowlogCount").await;
    assert_eq!(created, 3);
    assert_eq!(app.stored().await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tag_writes_never_exceed_the_tag_limit() {
    let db = TestDb::new().await;
    let app = std::sync::Arc::new(TestApp::on(&db, &[]).await);
    let id = app.create_alibaba("vpc-tags", &[]).await;
    // Eight writers of five new keys each: at most four of them fit under twenty tags.
    let writes: Vec<_> = (0..8)
        .map(|writer| {
            let (app, id) = (app.clone(), id.clone());
            tokio::spawn(async move {
                let pairs: Vec<(String, String)> = (1..=5)
                    .map(|i| (format!("Tag.{i}.Key"), format!("w{writer}-k{i}")))
                    .collect();
                let mut params = vec![
                    ("ResourceType".to_owned(), "FLOWLOG".to_owned()),
                    ("ResourceId.1".to_owned(), id),
                ];
                params.extend(pairs);
                let params: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                app.alibaba("TagResources", &params).await
            })
        })
        .collect();
    let accepted = successes_else(writes, "QuotaExceeded.TagNum").await;
    assert_eq!(accepted, 4);
    let tags = app.describe_alibaba(&id).await.unwrap()["Tags"]["Tag"].clone();
    assert_eq!(tags.as_array().unwrap().len(), 20, "{tags}");
}
