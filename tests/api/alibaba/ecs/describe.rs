//! DescribeNetworkInterfaces (every filter, both paging styles) and
//! DescribeNetworkInterfaceAttribute; nothing reaches across accounts or regions.

use serde_json::json;

use super::*;

type FilterCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

#[tokio::test]
async fn every_filter_narrows_the_list() {
    let app = TestApp::new().await;
    let (vpc, vsw) = network(&app).await;
    let vsw2 = vswitch(&app, &vpc, "10.0.2.0/24").await;
    let other_vpc = super::vpc(&app, "172.16.0.0/16").await;
    let vsw3 = vswitch(&app, &other_vpc, "172.16.0.0/24").await;
    let a = eni(
        &app,
        &vsw,
        &[
            ("NetworkInterfaceName", "alpha"),
            ("SecurityGroupIds.1", "sg-web"),
            ("SecurityGroupIds.2", "sg-db"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("Tag.2.Key", "team"),
            ("Tag.2.Value", "net"),
        ],
    )
    .await;
    let b = eni(
        &app,
        &vsw2,
        &[
            ("NetworkInterfaceName", "beta"),
            ("SecurityGroupId", "sg-db"),
            ("ResourceGroupId", "rg-other"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "prod"),
        ],
    )
    .await;
    let c = eni(
        &app,
        &vsw3,
        &[
            ("InstanceType", "Trunk"),
            ("PrimaryIpAddress", "172.16.0.9"),
        ],
    )
    .await;
    let d = eni(&app, &vsw, &[]).await;
    delete_eni(&app, &d).await.assert_alibaba_ok();

    let all = [a.as_str(), b.as_str(), c.as_str(), d.as_str()];
    let cases: Vec<FilterCase> = vec![
        (vec![], all.to_vec()),
        (vec![("NetworkInterfaceId.1", &b)], vec![&b]),
        (
            vec![("NetworkInterfaceId.1", &c), ("NetworkInterfaceId.2", &a)],
            vec![&a, &c],
        ),
        (
            vec![("NetworkInterfaceId.1", "eni-unknown0000000000")],
            vec![],
        ),
        (vec![("NetworkInterfaceId.1", "not-an-eni")], vec![]),
        (vec![("VSwitchId", &vsw)], vec![&a, &d]),
        (vec![("VpcId", &vpc)], vec![&a, &b, &d]),
        (vec![("VpcId", "vpc-unknown")], vec![]),
        (vec![("VpcId", &vpc), ("VSwitchId", &vsw2)], vec![&b]),
        (vec![("NetworkInterfaceName", "beta")], vec![&b]),
        (vec![("NetworkInterfaceName", "bet")], vec![]),
        (vec![("ResourceGroupId", "rg-other")], vec![&b]),
        (vec![("PrimaryIpAddress", "172.16.0.9")], vec![&c]),
        (vec![("PrimaryIpAddress", "10.0.1.1")], vec![&a]),
        (vec![("PrimaryIpAddress", "10.0.1.200")], vec![]),
        // Secondary and IPv6 addresses are not emulated: no ENI has one.
        (vec![("PrivateIpAddress.1", "10.0.1.1")], vec![]),
        (vec![("Ipv6Address.1", "2001:db8::1")], vec![]),
        (vec![("SecurityGroupId", "sg-db")], vec![&a, &b]),
        (vec![("SecurityGroupId", "sg-web")], vec![&a]),
        (vec![("SecurityGroupId", "sg-none")], vec![]),
        (
            vec![("SecurityGroupId", "sg-db"), ("VSwitchId", &vsw2)],
            vec![&b],
        ),
        (vec![("Type", "Secondary")], vec![&a, &b, &d]),
        (vec![("Type", "Trunk")], vec![&c]),
        (vec![("Type", "Primary")], vec![]),
        (vec![("Status", "Available")], vec![&a, &b, &c]),
        (vec![("Status", "Deleting")], vec![&d]),
        (vec![("Status", "InUse")], vec![]),
        (vec![("Status", "Creating")], vec![]),
        (vec![("InstanceId", "i-bp1")], vec![]),
        (vec![("ServiceManaged", "True")], vec![]),
        (vec![("ServiceManaged", "false")], all.to_vec()),
        (vec![("Tag.1.Key", "env")], vec![&a, &b]),
        (vec![("Tag.1.Key", "env"), ("Tag.1.Value", "dev")], vec![&a]),
        (vec![("Tag.1.Key", "env"), ("Tag.2.Key", "team")], vec![&a]),
        (
            vec![
                ("Tag.1.Key", "team"),
                ("Tag.2.Key", "env"),
                ("Tag.2.Value", "prod"),
            ],
            vec![],
        ),
    ];
    for (params, want) in cases {
        let listed = describe(&app, &params).await;
        let mut got = ids(&listed);
        got.sort_unstable();
        let mut want: Vec<String> = want.into_iter().map(str::to_owned).collect();
        want.sort_unstable();
        assert_eq!(got, want, "filter {params:?}");
        assert_eq!(listed["TotalCount"], want.len(), "filter {params:?}");
    }

    // An unknown vSwitch is not found; a filter value outside the documented ones is refused.
    let unknown = ecs(
        &app,
        "DescribeNetworkInterfaces",
        &[("VSwitchId", "vsw-unknown")],
    )
    .await;
    assert_eq!(
        unknown.assert_ecs_error(404, "InvalidVSwitchId.NotFound"),
        "The specified VSwitchId \"vsw-unknown\" is not found."
    );
    ecs(&app, "DescribeNetworkInterfaces", &[("VSwitchId", &vpc)])
        .await
        .assert_ecs_error(404, "InvalidVSwitchId.NotFound");
    for bad in [
        vec![("Status", "available")],
        vec![("Type", "Elastic")],
        vec![("ServiceManaged", "maybe")],
        vec![("Tag.1.Value", "dev")],
        vec![("NetworkInterfaceId.2", "eni-a")],
    ] {
        let refused = ecs(&app, "DescribeNetworkInterfaces", &bad).await;
        assert_eq!(refused.status.as_u16(), 400, "{bad:?}: {}", refused.body);
        assert!(
            ["InvalidParameter", "InvalidParameter.TagValue"]
                .contains(&refused.body["Code"].as_str().unwrap()),
            "{bad:?}: {}",
            refused.body
        );
        refused.assert_ecs_error(400, refused.body["Code"].as_str().unwrap());
    }
    let ids_over_limit: Vec<(String, String)> = (1..=101)
        .map(|i| (format!("NetworkInterfaceId.{i}"), format!("eni-{i}")))
        .collect();
    let params: Vec<(&str, &str)> = ids_over_limit
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    ecs(&app, "DescribeNetworkInterfaces", &params)
        .await
        .assert_ecs_error(400, "InvalidParameter");
}

/// Twelve ENIs in one vSwitch, in creation order.
async fn twelve(app: &TestApp) -> (String, Vec<String>) {
    let (_, vsw) = network(app).await;
    let mut made = Vec::new();
    for i in 0..12 {
        let groups = if i % 2 == 0 { "sg-even" } else { "sg-odd" };
        made.push(eni(app, &vsw, &[("SecurityGroupId", groups)]).await);
    }
    (vsw, made)
}

#[tokio::test]
async fn numbered_pages_count_everything_and_say_when_another_follows() {
    let app = TestApp::new().await;
    let (_, made) = twelve(&app).await;
    // Without paging parameters: the first 10, numbered.
    let first = describe(&app, &[]).await;
    assert_eq!(ids(&first), made[..10]);
    assert_eq!(
        (
            &first["TotalCount"],
            &first["PageNumber"],
            &first["PageSize"]
        ),
        (&json!(12), &json!(1), &json!(10))
    );
    assert_eq!(first["NextToken"], made[9].as_str());
    for (number, want) in [
        ("1", &made[0..5]),
        ("2", &made[5..10]),
        ("3", &made[10..12]),
    ] {
        let page = describe(&app, &[("PageNumber", number), ("PageSize", "5")]).await;
        assert_eq!(ids(&page), want, "page {number}");
        assert_eq!(page["TotalCount"], 12);
        assert_eq!(page["PageNumber"], number.parse::<u64>().unwrap());
        assert_eq!(page["PageSize"], 5);
        if number == "3" {
            assert!(
                page.get("NextToken").is_none(),
                "the last page has no token: {page}"
            );
        } else {
            assert_eq!(page["NextToken"], want[4].as_str());
        }
    }
    let past = describe(&app, &[("PageNumber", "4"), ("PageSize", "5")]).await;
    assert_eq!(ids(&past), Vec::<String>::new());
    assert_eq!(past["TotalCount"], 12);
    let all = describe(&app, &[("PageSize", "100")]).await;
    assert_eq!(ids(&all), made);
    for bad in [
        [("PageNumber", "0"), ("PageSize", "5")],
        [("PageNumber", "1"), ("PageSize", "0")],
        [("PageNumber", "1"), ("PageSize", "101")],
        [("PageNumber", "x"), ("PageSize", "5")],
    ] {
        ecs(&app, "DescribeNetworkInterfaces", &bad)
            .await
            .assert_ecs_error(400, "InvalidParameter");
    }
    // Filtered on attributes (read whole, then paged): the same paging.
    let odd: Vec<String> = made.iter().skip(1).step_by(2).cloned().collect();
    let page = describe(
        &app,
        &[
            ("SecurityGroupId", "sg-odd"),
            ("PageNumber", "2"),
            ("PageSize", "4"),
        ],
    )
    .await;
    assert_eq!(ids(&page), odd[4..6]);
    assert_eq!(page["TotalCount"], 6);
    assert!(page.get("NextToken").is_none());
    let page = describe(&app, &[("SecurityGroupId", "sg-odd"), ("PageSize", "4")]).await;
    assert_eq!(ids(&page), odd[..4]);
    assert_eq!(page["NextToken"], odd[3].as_str());
}

#[tokio::test]
async fn token_pages_follow_one_another_to_the_end() {
    let app = TestApp::new().await;
    let (_, made) = twelve(&app).await;
    // MaxResults alone starts token paging; below 10 counts as 10.
    let first = describe(&app, &[("MaxResults", "3")]).await;
    assert_eq!(ids(&first), made[..10]);
    assert_eq!(first["PageSize"], 10);
    let token = first["NextToken"].as_str().unwrap().to_owned();
    assert_eq!(token, made[9]);
    // NextToken takes precedence over PageNumber and PageSize.
    let second = describe(
        &app,
        &[
            ("NextToken", &token),
            ("MaxResults", "10"),
            ("PageNumber", "1"),
            ("PageSize", "2"),
        ],
    )
    .await;
    assert_eq!(ids(&second), made[10..]);
    assert!(second.get("NextToken").is_none(), "{second}");
    assert_eq!(second["TotalCount"], 12);
    // Above 500 counts as 500.
    let whole = describe(&app, &[("MaxResults", "100000")]).await;
    assert_eq!(ids(&whole), made);
    assert_eq!(whole["PageSize"], 500);
    assert!(whole.get("NextToken").is_none());
    // A token this API did not give is refused; one whose ENI is gone ends the listing.
    ecs(
        &app,
        "DescribeNetworkInterfaces",
        &[("NextToken", "page-2")],
    )
    .await
    .assert_ecs_error(400, "InvalidParameter");
    let unknown = describe(&app, &[("NextToken", "eni-gone000000000000000")]).await;
    assert_eq!(ids(&unknown), Vec::<String>::new());
    // Filtered on attributes: the same tokens.
    let even: Vec<String> = made.iter().step_by(2).cloned().collect();
    let page = describe(
        &app,
        &[("SecurityGroupId", "sg-even"), ("NextToken", &even[1])],
    )
    .await;
    assert_eq!(ids(&page), even[2..]);
    assert!(page.get("NextToken").is_none());
    let page = describe(
        &app,
        &[("SecurityGroupId", "sg-even"), ("NextToken", "eni-gone000")],
    )
    .await;
    assert_eq!(ids(&page), Vec::<String>::new());
    // Deleting the ENI a token names does not change the pages before it is gone.
    delete_eni(&app, &token).await.assert_alibaba_ok();
    let again = describe(&app, &[("NextToken", &token)]).await;
    assert_eq!(ids(&again), made[10..]);
}

#[tokio::test]
async fn the_attribute_action_shows_one_eni_as_the_list_does() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let id = eni(
        &app,
        &vsw,
        &[("NetworkInterfaceName", "one"), ("QueueNumber", "4")],
    )
    .await;
    let listed = describe(&app, &[("NetworkInterfaceId.1", &id)]).await;
    let mut item = items(&listed)[0].clone();
    let shown = ecs(
        &app,
        "DescribeNetworkInterfaceAttribute",
        &[("NetworkInterfaceId", &id)],
    )
    .await;
    let mut shown = shown.assert_alibaba_ok().clone();
    shown.as_object_mut().unwrap().remove("RequestId");
    item.as_object_mut().unwrap().remove("RequestId");
    assert_eq!(shown, item);
    assert_eq!(shown["InstanceId"], "");
    assert_eq!(shown["NetworkInterfaceTrafficMode"], "Standard");
    assert_eq!(shown["QueueNumber"], 4);
    assert!(shown.get("DeleteOnRelease").is_none(), "unset: {shown}");

    let missing = ecs(&app, "DescribeNetworkInterfaceAttribute", &[]).await;
    assert_eq!(
        missing.assert_ecs_error(400, "MissingParameter"),
        "The input parameter \"NetworkInterfaceId\" that is mandatory for processing this request is not supplied."
    );
    for unknown in ["eni-unknown0000000000", "vsw-abc", "ENI-X"] {
        let refused = ecs(
            &app,
            "DescribeNetworkInterfaceAttribute",
            &[("NetworkInterfaceId", unknown)],
        )
        .await;
        assert_eq!(
            refused.assert_ecs_error(404, "InvalidEniId.NotFound"),
            format!("The specified EniId \"{unknown}\" is not found.")
        );
    }
    // The vSwitch's own id is not an ENI's.
    ecs(
        &app,
        "DescribeNetworkInterfaceAttribute",
        &[("NetworkInterfaceId", &vsw)],
    )
    .await
    .assert_ecs_error(404, "InvalidEniId.NotFound");
}

#[tokio::test]
async fn nothing_reaches_across_accounts_or_regions() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let id = eni(&app, &vsw, &[("Tag.1.Key", "k")]).await;
    for (key, region) in [(OTHER_ALIBABA_KEY, REGION), (ALIBABA_KEY, "cn-shanghai")] {
        let listed = ecs_as(&app, key, region, "DescribeNetworkInterfaces", &[]).await;
        assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 0);
        for action in [
            "DescribeNetworkInterfaceAttribute",
            "DeleteNetworkInterface",
        ] {
            ecs_as(&app, key, region, action, &[("NetworkInterfaceId", &id)])
                .await
                .assert_ecs_error(404, "InvalidEniId.NotFound");
        }
        let target = [("ResourceType", "eni"), ("ResourceId.1", id.as_str())];
        ecs_as(
            &app,
            key,
            region,
            "TagResources",
            &[target[0], target[1], ("Tag.1.Key", "x")],
        )
        .await
        .assert_ecs_error(404, "InvalidResourceId.NotFound");
        ecs_as(
            &app,
            key,
            region,
            "UntagResources",
            &[target[0], target[1], ("All", "true")],
        )
        .await
        .assert_ecs_error(404, "InvalidResourceId.NotFound");
        let listed = ecs_as(&app, key, region, "ListTagResources", &target).await;
        assert_eq!(
            listed.assert_alibaba_ok()["TagResources"]["TagResource"],
            json!([])
        );
    }
    assert_eq!(status(&app, &id).await.as_deref(), Some("Available"));
    let listed = ecs(
        &app,
        "ListTagResources",
        &[("ResourceType", "eni"), ("ResourceId.1", &id)],
    )
    .await;
    assert_eq!(
        listed.assert_alibaba_ok()["TagResources"]["TagResource"][0]["TagKey"],
        "k"
    );
}
