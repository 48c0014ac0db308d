//! The network a flow log points at, through the domain service on the suite's backend: parents
//! and children, address blocks and addresses, the life cycle, dependents, tags and tenancy, and
//! the invariants under concurrent writers.

use flowplane::domain::network::{NetworkFilter, NetworkStatus, NewNetworkResource};
use flowplane::domain::{DomainError, Page, ResourceKind, Tag, TenantScope};

use crate::support::*;

fn huawei() -> TenantScope {
    TenantScope::huawei_project(PROJECT)
}

fn block(cidr: &str) -> NewNetworkResource {
    NewNetworkResource {
        cidr: Some(cidr.parse().unwrap()),
        ..Default::default()
    }
}

fn subnet_block(cidr: &str, gateway: &str) -> NewNetworkResource {
    NewNetworkResource {
        gateway_ip: Some(gateway.parse().unwrap()),
        ..block(cidr)
    }
}

/// A VPC with one subnet, on Huawei (settled at once).
async fn vpc_with_subnet(app: &TestApp) -> (String, String) {
    let network = app.network();
    let vpc = network
        .create(&huawei(), ResourceKind::Vpc, None, block("10.0.0.0/16"))
        .await
        .unwrap();
    let subnet = network
        .create(
            &huawei(),
            ResourceKind::Subnet,
            Some(&vpc.id),
            subnet_block("10.0.1.0/24", "10.0.1.1"),
        )
        .await
        .unwrap();
    (vpc.id, subnet.id)
}

#[tokio::test]
async fn resources_lie_in_their_parents_and_settle_as_their_cloud_does() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let (vpc, subnet) = vpc_with_subnet(&app).await;
    let network = app.network();
    let port = network
        .create(
            &huawei(),
            ResourceKind::NetworkInterface,
            Some(&subnet),
            NewNetworkResource::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        port.status,
        NetworkStatus::Available,
        "Huawei settles at once"
    );
    assert_eq!(port.vpc_id, vpc);
    assert_eq!(port.spec.private_ip, Some("10.0.1.2".parse().unwrap()));
    assert!(port
        .mac_address
        .as_deref()
        .unwrap()
        .starts_with("fa:16:3e:"));

    // Alibaba's are Pending for the transition delay; a child waits for its parent.
    let alibaba = alibaba_scope();
    let vpc = network
        .create(&alibaba, ResourceKind::Vpc, None, block("192.168.0.0/16"))
        .await
        .unwrap();
    assert_eq!(vpc.status, NetworkStatus::Pending);
    assert!(
        vpc.id.starts_with("vpc-") && vpc.id.len() == 25,
        "{}",
        vpc.id
    );
    let early = network
        .create(
            &alibaba,
            ResourceKind::Subnet,
            Some(&vpc.id),
            block("192.168.1.0/24"),
        )
        .await;
    assert!(
        matches!(
            early,
            Err(DomainError::ParentNotReady {
                status: NetworkStatus::Pending,
                ..
            })
        ),
        "{early:?}"
    );
    app.tick_all().await;
    let vpc = network
        .get(&alibaba, ResourceKind::Vpc, &vpc.id)
        .await
        .unwrap();
    assert_eq!((vpc.status, vpc.due_at), (NetworkStatus::Available, None));
    let vswitch = network
        .create(
            &alibaba,
            ResourceKind::Subnet,
            Some(&vpc.id),
            block("192.168.1.0/24"),
        )
        .await
        .unwrap();
    assert!(vswitch.id.starts_with("vsw-"));
    assert_eq!(vswitch.vpc_id, vpc.id);
}

#[tokio::test]
async fn blocks_and_addresses_follow_the_rules() {
    let app = TestApp::new().await;
    let (vpc, subnet) = vpc_with_subnet(&app).await;
    let network = app.network();
    let project = huawei();
    let create_subnet = |spec| network.create(&project, ResourceKind::Subnet, Some(&vpc), spec);
    assert!(matches!(
        create_subnet(subnet_block("10.1.0.0/24", "10.1.0.1")).await,
        Err(DomainError::CidrOutsideParent { .. })
    ));
    assert!(matches!(
        create_subnet(subnet_block("10.0.1.128/25", "10.0.1.129")).await,
        Err(DomainError::CidrOverlap { other_id, .. }) if other_id == subnet
    ));
    assert!(matches!(
        create_subnet(subnet_block("10.0.2.0/24", "10.0.3.1")).await,
        Err(DomainError::GatewayOutsideCidr { .. })
    ));
    // A subnet in a VPC that is not there, or not a VPC.
    for parent in ["missing", subnet.as_str()] {
        assert!(matches!(
            network
                .create(
                    &huawei(),
                    ResourceKind::Subnet,
                    Some(parent),
                    block("10.0.9.0/24")
                )
                .await,
            Err(DomainError::ParentNotFound {
                kind: ResourceKind::Vpc,
                ..
            })
        ));
    }

    let port = |address: Option<&str>| NewNetworkResource {
        private_ip: address.map(|a| a.parse().unwrap()),
        ..Default::default()
    };
    let create_port = |spec| {
        network.create(
            &project,
            ResourceKind::NetworkInterface,
            Some(&subnet),
            spec,
        )
    };
    create_port(port(Some("10.0.1.50"))).await.unwrap();
    for (address, outside) in [
        ("10.0.1.50", false),
        ("10.0.1.1", true),
        ("10.0.1.0", true),
        ("10.0.1.255", true),
        ("10.0.2.5", true),
    ] {
        let refused = create_port(port(Some(address))).await;
        match refused {
            Err(DomainError::AddressInUse { .. }) if !outside => {}
            Err(DomainError::AddressOutsideSubnet { .. }) if outside => {}
            other => panic!("{address}: {other:?}"),
        }
    }
    // The free count: 256 less network, gateway, the last three, and the one port.
    let subnet_row = network
        .get(&huawei(), ResourceKind::Subnet, &subnet)
        .await
        .unwrap();
    assert_eq!(
        network
            .free_addresses(&huawei(), &[subnet_row])
            .await
            .unwrap(),
        vec![250]
    );

    // A /29 holds 8 - 4 - the gateway = 3 interfaces.
    let tiny = network
        .create(
            &huawei(),
            ResourceKind::Subnet,
            Some(&vpc),
            subnet_block("10.0.5.0/29", "10.0.5.1"),
        )
        .await
        .unwrap();
    for _ in 0..3 {
        network
            .create(
                &huawei(),
                ResourceKind::NetworkInterface,
                Some(&tiny.id),
                port(None),
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        network
            .create(
                &huawei(),
                ResourceKind::NetworkInterface,
                Some(&tiny.id),
                port(None)
            )
            .await,
        Err(DomainError::NoFreeAddress { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_children_are_checked_against_each_other() {
    let app = TestApp::new().await;
    let (vpc, subnet) = vpc_with_subnet(&app).await;
    let network = app.network().clone();
    // Eight overlapping subnets at once: exactly one is created.
    let creates: Vec<_> = (0..8)
        .map(|i| {
            let (network, vpc) = (network.clone(), vpc.clone());
            tokio::spawn(async move {
                let cidr = format!("10.0.{}.0/23", 100 + 2 * (i / 4));
                let gateway = format!("10.0.{}.1", 100 + 2 * (i / 4));
                network
                    .create(
                        &huawei(),
                        ResourceKind::Subnet,
                        Some(&vpc),
                        subnet_block(&cidr, &gateway),
                    )
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for create in creates {
        match create.await.unwrap() {
            Ok(_) => created += 1,
            Err(DomainError::CidrOverlap { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(created, 2, "one per distinct block");

    // Interfaces created at once get distinct addresses.
    let ports: Vec<_> = (0..10)
        .map(|_| {
            let (network, subnet) = (network.clone(), subnet.clone());
            tokio::spawn(async move {
                network
                    .create(
                        &huawei(),
                        ResourceKind::NetworkInterface,
                        Some(&subnet),
                        NewNetworkResource::default(),
                    )
                    .await
                    .unwrap()
                    .spec
                    .private_ip
                    .unwrap()
            })
        })
        .collect();
    let mut addresses = Vec::new();
    for port in ports {
        addresses.push(port.await.unwrap());
    }
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 10, "{addresses:?}");
}

#[tokio::test]
async fn what_still_holds_resources_cannot_be_deleted() {
    let app = TestApp::new().await;
    let (vpc, subnet) = vpc_with_subnet(&app).await;
    let network = app.network();
    let port = network
        .create(
            &huawei(),
            ResourceKind::NetworkInterface,
            Some(&subnet),
            NewNetworkResource::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        network.delete(&huawei(), ResourceKind::Vpc, &vpc).await,
        Err(DomainError::HasDependents {
            dependent: ResourceKind::Subnet,
            ..
        })
    ));
    assert!(matches!(
        network
            .delete(&huawei(), ResourceKind::Subnet, &subnet)
            .await,
        Err(DomainError::HasDependents {
            dependent: ResourceKind::NetworkInterface,
            ..
        })
    ));
    // Deleting by the wrong kind, or in another tenant, finds nothing.
    let other = TenantScope::huawei_project(OTHER_PROJECT);
    for (scope, kind, id) in [
        (huawei(), ResourceKind::Subnet, port.id.as_str()),
        (
            other.clone(),
            ResourceKind::NetworkInterface,
            port.id.as_str(),
        ),
    ] {
        assert!(matches!(
            network.delete(&scope, kind, id).await,
            Err(DomainError::NetworkNotFound { .. })
        ));
    }
    network
        .delete(&huawei(), ResourceKind::NetworkInterface, &port.id)
        .await
        .unwrap();
    network
        .delete(&huawei(), ResourceKind::Subnet, &subnet)
        .await
        .unwrap();
    network
        .delete(&huawei(), ResourceKind::Vpc, &vpc)
        .await
        .unwrap();
    assert!(matches!(
        network.get(&huawei(), ResourceKind::Vpc, &vpc).await,
        Err(DomainError::NetworkNotFound { .. })
    ));
}

#[tokio::test]
async fn alibaba_deletes_pass_through_deleting_and_still_block_their_parent() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let alibaba = alibaba_scope();
    let network = app.network();
    let vpc = network
        .create(&alibaba, ResourceKind::Vpc, None, block("172.16.0.0/12"))
        .await
        .unwrap();
    app.tick_all().await;
    let vswitch = network
        .create(
            &alibaba,
            ResourceKind::Subnet,
            Some(&vpc.id),
            block("172.16.0.0/24"),
        )
        .await
        .unwrap();
    app.tick_all().await;
    network
        .delete(&alibaba, ResourceKind::Subnet, &vswitch.id)
        .await
        .unwrap();
    let deleting = network
        .get(&alibaba, ResourceKind::Subnet, &vswitch.id)
        .await
        .unwrap();
    assert_eq!(deleting.status, NetworkStatus::Deleting);
    assert!(deleting.due_at.is_some());
    assert!(matches!(
        network.delete(&alibaba, ResourceKind::Vpc, &vpc.id).await,
        Err(DomainError::HasDependents { .. })
    ));
    assert!(matches!(
        network
            .delete(&alibaba, ResourceKind::Subnet, &vswitch.id)
            .await,
        Err(DomainError::NetworkIncorrectState {
            status: NetworkStatus::Deleting,
            ..
        })
    ));
    app.tick_all().await;
    assert!(network.find(&alibaba, &vswitch.id).await.unwrap().is_none());
    network
        .delete(&alibaba, ResourceKind::Vpc, &vpc.id)
        .await
        .unwrap();
    app.tick_all().await;
    assert!(network.find(&alibaba, &vpc.id).await.unwrap().is_none());
}

#[tokio::test]
async fn lists_filter_page_and_count_within_the_tenant() {
    let app = TestApp::new().await;
    let (vpc, first) = vpc_with_subnet(&app).await;
    let network = app.network();
    let mut subnets = vec![first];
    for i in 2..6 {
        let created = network
            .create(
                &huawei(),
                ResourceKind::Subnet,
                Some(&vpc),
                subnet_block(&format!("10.0.{i}.0/24"), &format!("10.0.{i}.1")),
            )
            .await
            .unwrap();
        subnets.push(created.id);
    }
    network
        .create(
            &TenantScope::huawei_project(OTHER_PROJECT),
            ResourceKind::Vpc,
            None,
            block("10.0.0.0/16"),
        )
        .await
        .unwrap();
    let all = NetworkFilter::default();
    let ids = |listed: Vec<flowplane::domain::network::NetworkResource>| {
        listed.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let listed = network
        .list(
            &huawei(),
            ResourceKind::Subnet,
            &all,
            &Page::AfterMarker {
                marker: Some(subnets[1].clone()),
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(listed), subnets[2..4].to_vec());
    let (page, total) = network
        .counted_page(&huawei(), ResourceKind::Subnet, &all, 4, 2)
        .await
        .unwrap();
    assert_eq!((ids(page), total), (subnets[4..].to_vec(), 5));
    let (beyond, total) = network
        .counted_page(&huawei(), ResourceKind::Subnet, &all, 10, 2)
        .await
        .unwrap();
    assert_eq!((beyond.len(), total), (0, 5));
    let (vpcs, total) = network
        .counted_page(&huawei(), ResourceKind::Vpc, &all, 0, 10)
        .await
        .unwrap();
    assert_eq!((ids(vpcs), total), (vec![vpc.clone()], 1), "tenants apart");
    let filtered = network
        .list(
            &huawei(),
            ResourceKind::Subnet,
            &NetworkFilter {
                ids: vec![subnets[3].clone(), "missing".into()],
                vpc_ids: vec![vpc],
                ..Default::default()
            },
            &Page::Offset {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(filtered), vec![subnets[3].clone()]);
}

#[tokio::test]
async fn network_tags_are_all_or_nothing_per_kind_and_bounded() {
    let app = TestApp::new().await;
    let (vpc, subnet) = vpc_with_subnet(&app).await;
    let network = app.network();
    let tag = |i: usize| Tag {
        key: format!("k{i}"),
        value: format!("v{i}"),
    };
    let tags: Vec<Tag> = (0..10).map(tag).collect();
    network
        .tag(
            &huawei(),
            ResourceKind::Vpc,
            std::slice::from_ref(&vpc),
            &tags,
        )
        .await
        .unwrap();
    // An eleventh tag is over Huawei's limit: nothing changes.
    assert!(matches!(
        network
            .tag(
                &huawei(),
                ResourceKind::Vpc,
                std::slice::from_ref(&vpc),
                &[tag(10)]
            )
            .await,
        Err(DomainError::TooManyTags(_))
    ));
    // A subnet is not a VPC: the whole write is refused.
    assert!(matches!(
        network
            .tag(&huawei(), ResourceKind::Vpc, &[vpc.clone(), subnet.clone()], &[tag(1)])
            .await,
        Err(DomainError::NetworkNotFound { id, .. }) if id == subnet
    ));
    let listed = network
        .list_tags(&huawei(), ResourceKind::Vpc, &[], &[], 0, 100)
        .await
        .unwrap();
    assert_eq!(listed.len(), 10);
    network
        .untag(
            &huawei(),
            ResourceKind::Vpc,
            std::slice::from_ref(&vpc),
            Some(&["k1".to_owned()]),
        )
        .await
        .unwrap();
    let shown = network
        .get(&huawei(), ResourceKind::Vpc, &vpc)
        .await
        .unwrap();
    assert_eq!(shown.spec.tags.len(), 9);
    assert!(shown.spec.tags.iter().all(|t| t.key != "k1"));
}

#[tokio::test]
async fn reset_removes_the_network_too() {
    let app = TestApp::new().await;
    let (vpc, _) = vpc_with_subnet(&app).await;
    app.post_empty("/_flowplane/reset?provider=alibaba").await;
    assert!(app.network().find(&huawei(), &vpc).await.unwrap().is_some());
    let reset = app.post_empty("/_flowplane/reset").await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(app.network().find(&huawei(), &vpc).await.unwrap().is_none());
}
