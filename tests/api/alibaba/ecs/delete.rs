//! DeleteNetworkInterface: `Deleting` for the transition delay, then gone (404 afterwards, which
//! Terraform's destroy takes as done); an ENI holds its vSwitch and its address until it is gone.

use flowplane::domain::{DomainError, ResourceKind};

use super::*;

#[tokio::test]
async fn a_deleted_eni_is_deleting_then_gone_and_404_after() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let id = eni(&app, &vsw, &[]).await;
    let deleted = delete_eni(&app, &id).await;
    let body = deleted.assert_alibaba_ok();
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "only a RequestId: {body}"
    );
    assert_eq!(status(&app, &id).await.as_deref(), Some("Deleting"));
    // Only an Available ENI can be deleted (Terraform retries this code).
    let again = delete_eni(&app, &id).await;
    assert_eq!(
        again.assert_ecs_error(400, "InvalidOperation.InvalidEniState"),
        "The operation is not allowed in the current ENI state. Expecting status is \"Available\" while current status is \"Deleting\"."
    );
    app.tick_all().await;
    assert_eq!(status(&app, &id).await, None);
    assert_eq!(
        ids(&describe(&app, &[("NetworkInterfaceId.1", &id)]).await),
        Vec::<String>::new()
    );
    // A destroy of an ENI that is already gone: 404 InvalidEniId.NotFound.
    let gone = delete_eni(&app, &id).await;
    assert_eq!(
        gone.assert_ecs_error(404, "InvalidEniId.NotFound"),
        format!("The specified EniId \"{id}\" is not found.")
    );
    ecs(&app, "DeleteNetworkInterface", &[])
        .await
        .assert_ecs_error(400, "MissingParameter");
    ecs(
        &app,
        "DeleteNetworkInterface",
        &[("NetworkInterfaceId", "eni-never00000000000000")],
    )
    .await
    .assert_ecs_error(404, "InvalidEniId.NotFound");
    delete_eni(&app, &vsw)
        .await
        .assert_ecs_error(404, "InvalidEniId.NotFound");
}

#[tokio::test]
async fn without_a_transition_delay_a_delete_is_done_at_once() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    let vpc = super::vpc(&app, "10.0.0.0/16").await;
    let vsw = vswitch(&app, &vpc, "10.0.1.0/24").await;
    let id = eni(&app, &vsw, &[]).await;
    delete_eni(&app, &id).await.assert_alibaba_ok();
    assert_eq!(status(&app, &id).await, None);
}

#[tokio::test]
async fn an_eni_holds_its_vswitch_and_its_address_until_it_is_gone() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let network = app.network();
    // A /24 has 256 − 4 addresses for ENIs.
    assert_eq!(free_addresses(&app, &vsw).await, 252);
    let id = eni(&app, &vsw, &[]).await;
    assert_eq!(free_addresses(&app, &vsw).await, 251);
    // DeleteVSwitch is refused while the ENI is there (400 DependencyViolation on the VPC API),
    // and while it is being deleted.
    let refused = network.delete(&scope(), ResourceKind::Subnet, &vsw).await;
    assert!(
        matches!(
            refused,
            Err(DomainError::HasDependents {
                kind: ResourceKind::Subnet,
                dependent: ResourceKind::NetworkInterface,
                ..
            })
        ),
        "{refused:?}"
    );
    delete_eni(&app, &id).await.assert_alibaba_ok();
    assert!(matches!(
        network.delete(&scope(), ResourceKind::Subnet, &vsw).await,
        Err(DomainError::HasDependents { .. })
    ));
    // The address is taken until the ENI is gone.
    ecs(
        &app,
        "CreateNetworkInterface",
        &[("VSwitchId", &vsw), ("PrimaryIpAddress", "10.0.1.1")],
    )
    .await
    .assert_ecs_error(400, "InvalidPrivateIpAddress.Duplicated");
    app.tick_all().await;
    assert_eq!(free_addresses(&app, &vsw).await, 252);
    let reused = create_eni(&app, &vsw, &[]).await;
    assert_eq!(reused["PrivateIpAddress"], "10.0.1.1");
    let reused = reused["NetworkInterfaceId"].as_str().unwrap().to_owned();
    delete_eni(&app, &reused).await.assert_alibaba_ok();
    app.tick_all().await;
    network
        .delete(&scope(), ResourceKind::Subnet, &vsw)
        .await
        .expect("an empty vSwitch can be deleted");
}

#[tokio::test]
async fn through_the_vpc_api_an_eni_takes_an_address_and_holds_its_vswitch() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("192.168.0.0/16").await;
    let vsw = app.create_vswitch(&vpc, "192.168.5.0/24").await;
    let available = |body: &serde_json::Value| body["AvailableIpAddressCount"].clone();
    let before = app.vswitch_attributes(&vsw).await;
    assert_eq!(available(before.assert_alibaba_ok()), 252);
    let created = create_eni(&app, &vsw, &[]).await;
    assert_eq!(created["VpcId"], vpc.as_str());
    assert_eq!(created["ZoneId"], ALIBABA_ZONE);
    assert_eq!(created["PrivateIpAddress"], "192.168.5.1");
    let id = created["NetworkInterfaceId"].as_str().unwrap().to_owned();
    let during = app.vswitch_attributes(&vsw).await;
    assert_eq!(available(during.assert_alibaba_ok()), 251);
    let refused = app.alibaba("DeleteVSwitch", &[("VSwitchId", &vsw)]).await;
    assert_eq!(
        refused.assert_alibaba_error(400, "DependencyViolation"),
        "Specified object has dependent resources."
    );
    delete_eni(&app, &id).await.assert_alibaba_ok();
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vsw)])
        .await
        .assert_alibaba_error(400, "DependencyViolation");
    app.tick_all().await;
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vsw)])
        .await
        .assert_alibaba_ok();
    // A vSwitch being deleted takes no new ENI; one that is gone is not found.
    ecs(&app, "CreateNetworkInterface", &[("VSwitchId", &vsw)])
        .await
        .assert_ecs_error(400, "IncorrectVSwitchStatus");
    app.tick_all().await;
    ecs(&app, "CreateNetworkInterface", &[("VSwitchId", &vsw)])
        .await
        .assert_ecs_error(404, "InvalidVSwitchId.NotFound");
}
