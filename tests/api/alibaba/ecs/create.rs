//! CreateNetworkInterface: the ENI it answers, its address from the vSwitch's block, the
//! vSwitch it must lie in, and every parameter rule; a refused create writes nothing.

use serde_json::json;

use super::*;

/// Extra parameters, and the status and code they are refused with.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);

#[tokio::test]
async fn create_answers_an_available_eni_in_the_vswitch_it_names() {
    let app = TestApp::new().await;
    let (vpc, vsw) = network(&app).await;
    let body = create_eni(
        &app,
        &vsw,
        &[
            ("NetworkInterfaceName", "eni-one"),
            ("Description", "the first"),
            ("SecurityGroupIds.1", "sg-bp1"),
            ("SecurityGroupIds.2", "sg-bp2"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "net"),
            ("Tag.2.Key", "env"),
        ],
    )
    .await;
    let id = body["NetworkInterfaceId"].as_str().unwrap();
    let rest = id.strip_prefix("eni-").expect("an eni- id");
    assert!(
        rest.len() == 20
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let mac = body["MacAddress"].as_str().unwrap();
    assert!(mac.starts_with("00:16:3e:") && mac.len() == 17, "{mac}");
    assert_eq!(body["Status"], "Available");
    assert_eq!(body["Type"], "Secondary");
    assert_eq!(body["PrivateIpAddress"], "10.0.1.1");
    assert_eq!(
        body["PrivateIpSets"],
        json!({"PrivateIpSet": [{"PrivateIpAddress": "10.0.1.1", "Primary": true, "AssociatedPublicIp": {}}]})
    );
    assert_eq!(body["VpcId"], vpc.as_str());
    assert_eq!(body["VSwitchId"], vsw.as_str());
    assert_eq!(body["ZoneId"], ZONE);
    assert_eq!(
        body["OwnerId"], ALIBABA_KEY,
        "OwnerId is the account, as a string"
    );
    assert_eq!(
        body["ResourceGroupId"],
        flowplane::domain::tenancy::default_resource_group_id(ALIBABA_KEY).as_str()
    );
    assert_eq!(body["NetworkInterfaceName"], "eni-one");
    assert_eq!(body["Description"], "the first");
    assert_eq!(
        body["SecurityGroupIds"],
        json!({"SecurityGroupId": ["sg-bp1", "sg-bp2"]})
    );
    assert_eq!(
        body["Tags"],
        json!({"Tag": [{"TagKey": "env", "TagValue": ""}, {"TagKey": "team", "TagValue": "net"}]})
    );
    assert_eq!(body["Ipv6Sets"], json!({"Ipv6Set": []}));
    assert_eq!(body["Ipv4PrefixSets"], json!({"Ipv4PrefixSet": []}));
    assert_eq!(body["Ipv6PrefixSets"], json!({"Ipv6PrefixSet": []}));
    assert_eq!(body["ServiceManaged"], false);
    assert_eq!(body["SourceDestCheck"], false);
    // Available at once, no transition to wait for.
    assert_eq!(status(&app, id).await.as_deref(), Some("Available"));

    // Unset strings are empty, not absent.
    let bare = create_eni(&app, &vsw, &[]).await;
    assert_eq!(bare["NetworkInterfaceName"], "");
    assert_eq!(bare["Description"], "");
    assert_eq!(bare["SecurityGroupIds"], json!({"SecurityGroupId": []}));
    assert_eq!(bare["Tags"], json!({"Tag": []}));
    assert_eq!(bare["PrivateIpAddress"], "10.0.1.2");
}

#[tokio::test]
async fn addresses_come_from_the_vswitch_block_first_free_or_as_asked() {
    let app = TestApp::new().await;
    let vpc = vpc(&app, "192.168.0.0/16").await;
    // A /29: 8 addresses, the first and the last three reserved, 4 for ENIs.
    let vsw = vswitch(&app, &vpc, "192.168.7.0/29").await;
    let address = |body: serde_json::Value| body["PrivateIpAddress"].as_str().unwrap().to_owned();
    assert_eq!(address(create_eni(&app, &vsw, &[]).await), "192.168.7.1");
    assert_eq!(
        address(create_eni(&app, &vsw, &[("PrimaryIpAddress", "192.168.7.4")]).await),
        "192.168.7.4"
    );
    assert_eq!(address(create_eni(&app, &vsw, &[]).await), "192.168.7.2");
    let duplicate = ecs(
        &app,
        "CreateNetworkInterface",
        &[("VSwitchId", &vsw), ("PrimaryIpAddress", "192.168.7.4")],
    )
    .await;
    assert_eq!(
        duplicate.assert_ecs_error(400, "InvalidPrivateIpAddress.Duplicated"),
        "Specified private IP address is duplicated."
    );
    for outside in ["192.168.7.0", "192.168.7.5", "192.168.7.7", "10.9.9.9"] {
        let refused = ecs(
            &app,
            "CreateNetworkInterface",
            &[("VSwitchId", &vsw), ("PrimaryIpAddress", outside)],
        )
        .await;
        assert_eq!(
            refused.assert_ecs_error(403, "InvalidVSwitchId.IpInvalid"),
            format!(
                "The specified IpAddress \"{outside}\" is not valid in VSwitch CIDR block \"192.168.7.0/29\"."
            )
        );
    }
    for malformed in ["192.168.7", "192.168.7.300", "fe80::1", "x"] {
        ecs(
            &app,
            "CreateNetworkInterface",
            &[("VSwitchId", &vsw), ("PrimaryIpAddress", malformed)],
        )
        .await
        .assert_ecs_error(400, "InvalidParameter");
    }
    assert_eq!(address(create_eni(&app, &vsw, &[]).await), "192.168.7.3");
    let exhausted = ecs(&app, "CreateNetworkInterface", &[("VSwitchId", &vsw)]).await;
    exhausted.assert_ecs_error(403, "InvalidVSwitchId.IpNotEnough");
    // Nothing was written by the refusals.
    let listed = describe(&app, &[("VSwitchId", &vsw)]).await;
    assert_eq!(listed["TotalCount"], 4);
    let mut addresses: Vec<&str> = items(&listed)
        .iter()
        .map(|item| item["PrivateIpAddress"].as_str().unwrap())
        .collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        ["192.168.7.1", "192.168.7.2", "192.168.7.3", "192.168.7.4"]
    );
    assert_eq!(free_addresses(&app, &vsw).await, 0);
}

#[tokio::test]
async fn the_vswitch_must_exist_in_the_tenant_and_be_available() {
    let app = TestApp::new().await;
    let (vpc, vsw) = network(&app).await;
    let missing = ecs(&app, "CreateNetworkInterface", &[]).await;
    assert_eq!(
        missing.assert_ecs_error(400, "MissingParameter"),
        "The input parameter \"VSwitchId\" that is mandatory for processing this request is not supplied."
    );
    for unknown in [
        "vsw-nope0000000000000000",
        vpc.as_str(),
        "not a switch \"at\" all",
    ] {
        let refused = ecs(&app, "CreateNetworkInterface", &[("VSwitchId", unknown)]).await;
        assert_eq!(
            refused.assert_ecs_error(404, "InvalidVSwitchId.NotFound"),
            format!("The specified VSwitchId \"{unknown}\" is not found.")
        );
    }
    // Another account's or region's vSwitch is not found either.
    ecs_as(
        &app,
        OTHER_ALIBABA_KEY,
        REGION,
        "CreateNetworkInterface",
        &[("VSwitchId", &vsw)],
    )
    .await
    .assert_ecs_error(404, "InvalidVSwitchId.NotFound");
    ecs_as(
        &app,
        ALIBABA_KEY,
        "cn-shanghai",
        "CreateNetworkInterface",
        &[("VSwitchId", &vsw)],
    )
    .await
    .assert_ecs_error(404, "InvalidVSwitchId.NotFound");
    // A vSwitch still being created: Terraform retries IncorrectVSwitchStatus.
    let pending = pending_vswitch(&app, &vpc, "10.0.2.0/24").await;
    ecs(&app, "CreateNetworkInterface", &[("VSwitchId", &pending)])
        .await
        .assert_ecs_error(400, "IncorrectVSwitchStatus");
    app.tick_all().await;
    eni(&app, &pending, &[]).await;
    // Nor one being deleted.
    let leaving = vswitch(&app, &vpc, "10.0.3.0/24").await;
    app.network()
        .delete(&scope(), flowplane::domain::ResourceKind::Subnet, &leaving)
        .await
        .unwrap();
    ecs(&app, "CreateNetworkInterface", &[("VSwitchId", &leaving)])
        .await
        .assert_ecs_error(400, "IncorrectVSwitchStatus");
    let listed = describe(&app, &[]).await;
    assert_eq!(
        listed["TotalCount"], 1,
        "only the one good create wrote an ENI"
    );
}

#[tokio::test]
async fn every_parameter_rule_is_checked_and_a_refusal_writes_nothing() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let long_name = format!("a{}", "b".repeat(128));
    let long_description = "d".repeat(257);
    let long_key = "k".repeat(129);
    let many_tags: Vec<(String, String)> = (1..=21)
        .map(|i| (format!("Tag.{i}.Key"), format!("k{i}")))
        .collect();
    let too_many: Vec<(&str, &str)> = many_tags
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let cases: Vec<Refusal> = vec![
        (
            vec![("SecurityGroupId", "sg-1"), ("SecurityGroupIds.1", "sg-2")],
            400,
            "InvalidParameter.Conflict",
        ),
        (
            vec![("SecurityGroupId", "vpc-1")],
            404,
            "InvalidSecurityGroupId.NotFound",
        ),
        (
            vec![("SecurityGroupIds.1", "sg-UPPER")],
            404,
            "InvalidSecurityGroupId.NotFound",
        ),
        (
            vec![("SecurityGroupIds.2", "sg-1")],
            400,
            "InvalidParameter",
        ),
        (
            vec![("SecurityGroupIds.11", "sg-1")],
            400,
            "InvalidParameter",
        ),
        (
            vec![("NetworkInterfaceName", "a")],
            400,
            "InvalidNetworkInterfaceName.Malformed",
        ),
        (
            vec![("NetworkInterfaceName", "1abc")],
            400,
            "InvalidNetworkInterfaceName.Malformed",
        ),
        (
            vec![("NetworkInterfaceName", "ab cd")],
            400,
            "InvalidNetworkInterfaceName.Malformed",
        ),
        (
            vec![("NetworkInterfaceName", "http://x")],
            400,
            "InvalidNetworkInterfaceName.Malformed",
        ),
        (
            vec![("NetworkInterfaceName", &long_name)],
            400,
            "InvalidNetworkInterfaceName.Malformed",
        ),
        (
            vec![("Description", "d")],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            vec![("Description", "https://x")],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            vec![("Description", "a\u{7}b")],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            vec![("Description", &long_description)],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            vec![("ResourceGroupId", "group-1")],
            404,
            "InvalidResourceGroup.NotFound",
        ),
        (
            vec![("Tag.1.Key", "k"), ("Tag.2.Key", "k")],
            400,
            "Duplicate.TagKey",
        ),
        (vec![("Tag.1.Value", "v")], 400, "InvalidTagKey.Malformed"),
        (
            vec![("Tag.1.Key", "aliyun-x")],
            400,
            "InvalidTagKey.Malformed",
        ),
        (vec![("Tag.1.Key", "acs:x")], 400, "InvalidTagKey.Malformed"),
        (
            vec![("Tag.1.Key", &long_key)],
            400,
            "InvalidTagKey.Malformed",
        ),
        (
            vec![("Tag.1.Key", "k"), ("Tag.1.Value", "acs:v")],
            400,
            "InvalidTagValue.Malformed",
        ),
        (
            vec![("Tag.1.Key", "k"), ("Tag.1.Value", "see http://x")],
            400,
            "InvalidTagValue.Malformed",
        ),
        (vec![("Tag.2.Key", "k")], 400, "InvalidParameter"),
        (vec![("InstanceType", "Primary")], 400, "InvalidParameter"),
        (
            vec![("NetworkInterfaceTrafficMode", "Fast")],
            400,
            "InvalidParameter",
        ),
        (vec![("SourceDestCheck", "yes")], 400, "InvalidParameter"),
        (vec![("QueueNumber", "0")], 400, "InvalidParameter"),
        (vec![("QueueNumber", "2049")], 400, "InvalidParameter"),
        (vec![("QueueNumber", "-1")], 400, "InvalidParameter"),
        (
            vec![("PrivateIpAddress.1", "10.0.1.9")],
            400,
            "UnsupportedParameter",
        ),
        (
            vec![("SecondaryPrivateIpAddressCount", "2")],
            400,
            "UnsupportedParameter",
        ),
        (vec![("Ipv6AddressCount", "1")], 400, "UnsupportedParameter"),
        (
            vec![("Ipv6Address.1", "2001:db8::1")],
            400,
            "UnsupportedParameter",
        ),
        (vec![("Ipv4PrefixCount", "1")], 400, "UnsupportedParameter"),
        (
            vec![("Ipv4Prefix.1", "10.0.1.16/28")],
            400,
            "UnsupportedParameter",
        ),
        (
            vec![("Ipv6Prefix.1", "2001:db8::/80")],
            400,
            "UnsupportedParameter",
        ),
        (too_many, 400, "NumberExceed.Tags"),
    ];
    for (extra, status, code) in cases {
        let mut params = vec![("VSwitchId", vsw.as_str())];
        params.extend_from_slice(&extra);
        let refused = ecs(&app, "CreateNetworkInterface", &params).await;
        refused.assert_ecs_error(status, code);
    }
    let listed = describe(&app, &[]).await;
    assert_eq!(listed["TotalCount"], 0, "{listed}");

    // What is accepted is kept and shown.
    let id = eni(
        &app,
        &vsw,
        &[
            ("SecurityGroupId", "sg-only"),
            ("NetworkInterfaceName", "网卡:one_two.three-4"),
            ("InstanceType", "Trunk"),
            ("NetworkInterfaceTrafficMode", "HighPerformance"),
            ("SourceDestCheck", "True"),
            ("DeleteOnRelease", "false"),
            ("QueueNumber", "8"),
            ("SecondaryPrivateIpAddressCount", "0"),
            ("ResourceGroupId", "rg-acfmmine"),
            ("ClientToken", "token-1"),
            ("EnhancedNetwork.EnableSriov", "true"),
        ],
    )
    .await;
    let shown = ecs(
        &app,
        "DescribeNetworkInterfaceAttribute",
        &[("NetworkInterfaceId", &id)],
    )
    .await;
    let shown = shown.assert_alibaba_ok();
    assert_eq!(
        shown["SecurityGroupIds"],
        json!({"SecurityGroupId": ["sg-only"]})
    );
    assert_eq!(shown["NetworkInterfaceName"], "网卡:one_two.three-4");
    assert_eq!(shown["Type"], "Trunk");
    assert_eq!(shown["NetworkInterfaceTrafficMode"], "HighPerformance");
    assert_eq!(shown["SourceDestCheck"], true);
    assert_eq!(shown["DeleteOnRelease"], false);
    assert_eq!(shown["QueueNumber"], 8);
    assert_eq!(shown["ResourceGroupId"], "rg-acfmmine");
}

#[tokio::test]
async fn terraform_sends_its_parameters_in_a_form_body() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let query = format!(
        "Action=CreateNetworkInterface&Version={VERSION}&AccessKeyId={ALIBABA_KEY}&Format=json"
    );
    let body = format!(
        "RegionId={REGION}&VSwitchId={vsw}&SecurityGroupIds.1=sg-tf&NetworkInterfaceName=tf-eni\
         &Description=made+by+terraform&Tag.1.Key=Created&Tag.1.Value=TF&SourceDestCheck=false"
    );
    let created = app
        .alibaba_raw(Method::POST, &query, &[FORM], body.into_bytes())
        .await;
    let created = created.assert_alibaba_ok();
    assert_eq!(created["Description"], "made by terraform");
    let id = created["NetworkInterfaceId"].as_str().unwrap();
    // Terraform reads it back with NetworkInterfaceId.1 in a form body.
    let query =
        format!("Action=DescribeNetworkInterfaces&Version={VERSION}&AccessKeyId={ALIBABA_KEY}");
    let body = format!("RegionId={REGION}&NetworkInterfaceId.1={id}");
    let read = app
        .alibaba_raw(Method::POST, &query, &[FORM], body.into_bytes())
        .await;
    let read = read.assert_alibaba_ok();
    assert_eq!(ids(read), [id]);
    let item = &items(read)[0];
    assert_eq!(
        item["Tags"]["Tag"],
        json!([{"TagKey": "Created", "TagValue": "TF"}])
    );
    assert_eq!(item["PrivateIpSets"]["PrivateIpSet"][0]["Primary"], true);
}

#[tokio::test]
async fn hostile_values_are_refused_or_kept_never_a_5xx() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let huge = "x".repeat(100_000);
    let deep_number = "9".repeat(40);
    let hostile: Vec<&str> = vec![
        &huge,
        &deep_number,
        "18446744073709551615",
        "' OR 1=1 --",
        "\"quoted\" <xml> & %00",
        "eni-",
        "网卡",
        "-1",
        " ",
    ];
    let names = [
        "VSwitchId",
        "NetworkInterfaceId",
        "NetworkInterfaceId.1",
        "PrimaryIpAddress",
        "NetworkInterfaceName",
        "Description",
        "SecurityGroupId",
        "ResourceGroupId",
        "Tag.1.Key",
        "Tag.1.Value",
        "TagKey.1",
        "ResourceId.1",
        "ResourceType",
        "Status",
        "Type",
        "PageNumber",
        "PageSize",
        "MaxResults",
        "NextToken",
        "QueueNumber",
    ];
    let actions = [
        "CreateNetworkInterface",
        "DescribeNetworkInterfaces",
        "DescribeNetworkInterfaceAttribute",
        "DeleteNetworkInterface",
        "TagResources",
        "UntagResources",
        "ListTagResources",
    ];
    for action in actions {
        for name in names {
            for value in &hostile {
                let mut params = vec![(name, *value)];
                if name != "VSwitchId" {
                    params.push(("VSwitchId", vsw.as_str()));
                }
                if name != "ResourceType" {
                    params.push(("ResourceType", "eni"));
                }
                // In a form body, as Terraform sends them (a query has a length limit).
                let query = format!(
                    "Action={action}&Version={VERSION}&AccessKeyId={ALIBABA_KEY}&RegionId={REGION}"
                );
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&params)
                    .finish();
                let response = app
                    .alibaba_raw(Method::POST, &query, &[FORM], body.into_bytes())
                    .await;
                assert!(
                    response.status.as_u16() < 500,
                    "{action} {name}={:.40}: {}",
                    value,
                    response.body
                );
                if response.status.as_u16() != 200 {
                    response.assert_ecs_error(
                        response.status.as_u16(),
                        response.body["Code"].as_str().unwrap(),
                    );
                    let message = response.body["Message"].as_str().unwrap();
                    assert!(message.len() < 1000, "{action}: {message:.80}");
                }
            }
        }
    }
}
