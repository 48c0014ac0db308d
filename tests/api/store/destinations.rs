//! Log groups and streams through the destination service on the suite's backend: names unique
//! per scope and per group (also under concurrent creates), streams only in an existing group,
//! the two ways a group goes, changes, listings, tenancy, and what a flow log's delivery sees.

use flowplane::domain::destination::{
    Delivery, GroupDeletion, Level, LogContainerChanges, LogContainerFilter, NewLogContainer,
};
use flowplane::domain::repository::DestinationRepository;
use flowplane::domain::{DomainError, LogDestination, TenantScope};
use serde_json::json;

use crate::support::*;

fn sls() -> TenantScope {
    TenantScope::alibaba_account(ALIBABA_KEY, REGION)
}

fn lts() -> TenantScope {
    TenantScope::huawei_project(PROJECT)
}

fn named(name: &str) -> NewLogContainer {
    NewLogContainer {
        name: name.to_owned(),
        ttl_days: Some(7),
        ..Default::default()
    }
}

#[tokio::test]
async fn groups_and_streams_are_created_read_listed_changed_and_deleted() {
    let app = TestApp::new().await;
    let destinations = app.destinations();
    // Huawei names them by UUID, SLS by name.
    let group = destinations
        .create_group(&lts(), named("g1"))
        .await
        .unwrap();
    assert_eq!(
        uuid::Uuid::parse_str(&group.id).unwrap().get_version_num(),
        4
    );
    let project = destinations
        .create_group(&sls(), named("proj-1"))
        .await
        .unwrap();
    assert_eq!(project.id, "proj-1");

    let mut spec = named("s1");
    spec.ttl_days = None;
    spec.attributes.insert("alias".into(), json!("first"));
    let stream = destinations
        .create_stream(&lts(), &group.id, spec)
        .await
        .unwrap();
    let read = destinations
        .stream(&lts(), &group.id, &stream.id)
        .await
        .unwrap();
    assert_eq!(read.spec.ttl_days, None, "a stream may keep its group's");
    assert_eq!(read.spec.text_attribute("alias"), Some("first"));
    assert_eq!(read.group_id, group.id);

    for name in ["s2", "other"] {
        destinations
            .create_stream(&lts(), &group.id, named(name))
            .await
            .unwrap();
    }
    let (page, total) = destinations
        .streams(
            &lts(),
            Some(&group.id),
            &LogContainerFilter::default(),
            1,
            1,
        )
        .await
        .unwrap();
    assert_eq!((page[0].spec.name.as_str(), total), ("s2", 3));
    let filter = LogContainerFilter {
        name_contains: Some("s".into()),
        ..Default::default()
    };
    let (matching, total) = destinations
        .streams(&lts(), None, &filter, 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 2, "{matching:?}");
    let wildcard = LogContainerFilter {
        name_contains: Some("%".into()),
        ..Default::default()
    };
    let (none, _) = destinations
        .streams(&lts(), None, &wildcard, 0, 10)
        .await
        .unwrap();
    assert!(none.is_empty(), "text is matched as it is");

    let mut changes = LogContainerChanges {
        ttl_days: Some(30),
        ..Default::default()
    };
    changes.attributes.insert("shards".into(), json!(4));
    let changed = destinations
        .update_stream(&lts(), &group.id, &stream.id, &changes)
        .await
        .unwrap();
    assert_eq!(changed.spec.ttl_days, Some(30));
    assert_eq!(changed.spec.int_attribute("shards"), Some(4));
    assert_eq!(
        changed.spec.text_attribute("alias"),
        Some("first"),
        "attributes merge"
    );
    let changed = destinations
        .update_group(&lts(), &group.id, &changes)
        .await
        .unwrap();
    assert_eq!(changed.spec.ttl_days, Some(30));

    destinations
        .delete_stream(&lts(), &group.id, &stream.id)
        .await
        .unwrap();
    assert!(matches!(
        destinations.stream(&lts(), &group.id, &stream.id).await,
        Err(DomainError::DestinationNotFound {
            level: Level::Stream,
            ..
        })
    ));
    assert!(matches!(
        destinations
            .delete_stream(&lts(), &group.id, &stream.id)
            .await,
        Err(DomainError::DestinationNotFound {
            level: Level::Stream,
            ..
        })
    ));
}

#[tokio::test]
async fn names_are_unique_per_scope_and_per_group() {
    let app = TestApp::new().await;
    let destinations = app.destinations();
    let group = destinations.create_group(&lts(), named("g")).await.unwrap();
    assert!(matches!(
        destinations.create_group(&lts(), named("g")).await,
        Err(DomainError::DestinationExists {
            level: Level::Group,
            ..
        })
    ));
    // Another tenant (or region) may use the name.
    destinations
        .create_group(&TenantScope::huawei_project(OTHER_PROJECT), named("g"))
        .await
        .unwrap();
    destinations
        .create_group(
            &TenantScope::alibaba_account(ALIBABA_KEY, "cn-beijing"),
            named("g"),
        )
        .await
        .unwrap();
    destinations.create_group(&sls(), named("g")).await.unwrap();
    destinations
        .create_stream(&lts(), &group.id, named("s"))
        .await
        .unwrap();
    assert!(matches!(
        destinations
            .create_stream(&lts(), &group.id, named("s"))
            .await,
        Err(DomainError::DestinationExists {
            level: Level::Stream,
            ..
        })
    ));
    let second = destinations
        .create_group(&lts(), named("g2"))
        .await
        .unwrap();
    destinations
        .create_stream(&lts(), &second.id, named("s"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_name_give_one() {
    let app = TestApp::new().await;
    let creates = (0..8).map(|_| {
        let destinations = app.destinations().clone();
        tokio::spawn(async move { destinations.create_group(&sls(), named("race")).await })
    });
    let mut created = 0;
    for create in creates {
        match create.await.unwrap() {
            Ok(_) => created += 1,
            Err(DomainError::DestinationExists { .. }) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(created, 1);
}

#[tokio::test]
async fn streams_go_only_into_groups_of_their_tenant() {
    let app = TestApp::new().await;
    let destinations = app.destinations();
    let group = destinations.create_group(&lts(), named("g")).await.unwrap();
    let other = TenantScope::huawei_project(OTHER_PROJECT);
    for (scope, group_id) in [(&lts(), "no-such-group"), (&other, group.id.as_str())] {
        assert!(matches!(
            destinations
                .create_stream(scope, group_id, named("s"))
                .await,
            Err(DomainError::DestinationNotFound {
                level: Level::Group,
                ..
            })
        ));
    }
    assert!(matches!(
        destinations.group(&other, &group.id).await,
        Err(DomainError::DestinationNotFound { .. })
    ));
    let (listed, total) = destinations
        .groups(&other, &LogContainerFilter::default(), 0, 10)
        .await
        .unwrap();
    assert!(listed.is_empty() && total == 0);
}

#[tokio::test]
async fn a_group_goes_with_its_streams_or_only_empty() {
    let app = TestApp::new().await;
    let destinations = app.destinations();
    let group = destinations.create_group(&lts(), named("g")).await.unwrap();
    let stream = destinations
        .create_stream(&lts(), &group.id, named("s"))
        .await
        .unwrap();
    assert!(matches!(
        destinations
            .delete_group(&lts(), &group.id, GroupDeletion::OnlyEmpty)
            .await,
        Err(DomainError::GroupNotEmpty(_))
    ));
    destinations
        .delete_group(&lts(), &group.id, GroupDeletion::WithStreams)
        .await
        .unwrap();
    assert!(app
        .store()
        .get_stream(&lts(), &group.id, &stream.id)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        destinations
            .delete_group(&lts(), &group.id, GroupDeletion::WithStreams)
            .await,
        Err(DomainError::DestinationNotFound { .. })
    ));
    let empty = destinations.create_group(&lts(), named("e")).await.unwrap();
    destinations
        .delete_group(&lts(), &empty.id, GroupDeletion::OnlyEmpty)
        .await
        .unwrap();
}

#[tokio::test]
async fn delivery_sees_the_destination_as_it_stands() {
    let app = TestApp::new().await;
    let destinations = app.destinations();
    let store = app.store();
    let destination = LogDestination {
        group: "proj-d".into(),
        topic: "store-d".into(),
    };
    assert_eq!(
        store.delivery(&sls(), &destination).await.unwrap(),
        Delivery::GroupMissing
    );
    destinations
        .create_group(&sls(), named("proj-d"))
        .await
        .unwrap();
    assert_eq!(
        store.delivery(&sls(), &destination).await.unwrap(),
        Delivery::StreamMissing
    );
    destinations
        .create_stream(&sls(), "proj-d", named("store-d"))
        .await
        .unwrap();
    assert_eq!(
        store.delivery(&sls(), &destination).await.unwrap(),
        Delivery::Delivering
    );
    let elsewhere = TenantScope::alibaba_account(ALIBABA_KEY, "cn-beijing");
    assert_eq!(
        store.delivery(&elsewhere, &destination).await.unwrap(),
        Delivery::GroupMissing,
        "a project is regional"
    );
}
