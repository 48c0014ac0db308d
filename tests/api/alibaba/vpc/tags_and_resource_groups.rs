//! TagResources, UnTagResources, ListTagResources and MoveResourceGroup on flow logs.

use crate::support::*;

#[tokio::test]
async fn tags_are_set_listed_and_removed() {
    let app = TestApp::new().await;
    let a = app
        .create_alibaba("vpc-ta", &[("Tag.1.Key", "env"), ("Tag.1.Value", "dev")])
        .await;
    let b = app.create_alibaba("vpc-tb", &[]).await;
    let both = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("ResourceId.2", b.as_str()),
    ];
    let mut tag = both.to_vec();
    tag.extend([
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "prod"),
        ("Tag.2.Key", "team"),
        ("Tag.2.Value", "net"),
    ]);
    let tagged = app.alibaba("TagResources", &tag).await;
    assert_eq!(
        tagged.assert_alibaba_ok().as_object().unwrap().len(),
        1,
        "only RequestId"
    );

    let listed = app.alibaba("ListTagResources", &both).await;
    let body = listed.assert_alibaba_ok();
    assert_eq!(body["NextToken"], "");
    let rows: Vec<(String, String, String)> = body["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["ResourceType"], "FLOWLOG");
            (
                r["ResourceId"].as_str().unwrap().to_owned(),
                r["TagKey"].as_str().unwrap().to_owned(),
                r["TagValue"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |id: &str, k: &str, v: &str| (id.to_owned(), k.to_owned(), v.to_owned());
    assert_eq!(
        rows,
        vec![
            row(&a, "env", "prod"),
            row(&a, "team", "net"),
            row(&b, "env", "prod"),
            row(&b, "team", "net")
        ]
    );

    // Paging with NextToken, and listing by tag.
    let first = app
        .alibaba(
            "ListTagResources",
            &[both[0], both[1], both[2], ("MaxResults", "3")],
        )
        .await;
    let token = first.assert_alibaba_ok()["NextToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        first.body["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let second = app
        .alibaba(
            "ListTagResources",
            &[
                both[0],
                both[1],
                both[2],
                ("MaxResults", "3"),
                ("NextToken", &token),
            ],
        )
        .await;
    assert_eq!(second.assert_alibaba_ok()["NextToken"], "");
    assert_eq!(
        second.body["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let by_tag = app
        .alibaba(
            "ListTagResources",
            &[("ResourceType", "flowlog"), ("Tag.1.Key", "team")],
        )
        .await;
    assert_eq!(
        by_tag.assert_alibaba_ok()["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Removing some keys, then every tag.
    app.alibaba("UnTagResources", &[both[0], both[1], ("TagKey.1", "team")])
        .await
        .assert_alibaba_ok();
    let entry = app.describe_alibaba(&a).await.unwrap();
    assert_eq!(
        entry["Tags"]["Tag"],
        serde_json::json!([{"Key": "env", "Value": "prod"}])
    );
    app.alibaba(
        "UnTagResources",
        &[both[0], both[1], both[2], ("All", "True")],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(
        app.describe_alibaba(&b).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );
    assert_eq!(
        app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn tag_writes_are_all_or_nothing() {
    let app = TestApp::new().await;
    let a = app.create_alibaba("vpc-ta", &[]).await;
    // One unknown resource: nothing is tagged.
    let unknown = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("ResourceId.2", "fl-0000000000aaaaaaaaaa"),
        ("Tag.1.Key", "k"),
    ];
    app.alibaba("TagResources", &unknown)
        .await
        .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
    assert_eq!(
        app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );

    // Twenty tags fit; a twenty-first is refused and nothing of that request is written.
    app.tag_numbered("FLOWLOG", &a, 20)
        .await
        .assert_alibaba_ok();
    let one_more = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("Tag.1.Key", "k01"),
        ("Tag.1.Value", "changed"),
        ("Tag.2.Key", "k21"),
    ];
    app.alibaba("TagResources", &one_more)
        .await
        .assert_alibaba_error(400, "QuotaExceeded.TagNum");
    let tags = app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"].clone();
    assert_eq!(tags.as_array().unwrap().len(), 20);
    assert_eq!(tags[0], serde_json::json!({"Key": "k01", "Value": ""}));

    for (params, code) in [
        (
            vec![("ResourceId.1", a.as_str()), ("Tag.1.Key", "k")],
            "MissingResourceType",
        ),
        (
            vec![
                ("ResourceType", "EIP"),
                ("ResourceId.1", a.as_str()),
                ("Tag.1.Key", "k"),
            ],
            "OperationUnsupported.ResourceType",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("Tag.1.Key", "k")],
            "MissingResourceId.1",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("ResourceId.1", a.as_str())],
            "MissingTag.1.Key",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("Tag.1.Key", "aliyun"),
            ],
            "InvalidTagKey.Malformed",
        ),
    ] {
        app.alibaba("TagResources", &params)
            .await
            .assert_alibaba_error(400, code);
    }
    for (params, code) in [
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("All", "maybe"),
            ],
            "InvalidParameter",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("MaxResults", "51"),
            ],
            "InvalidParameter",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("Tag.1.Key", "k"),
                ("NextToken", "abc"),
            ],
            "InvalidParameter",
        ),
        (vec![("ResourceType", "FLOWLOG")], "MissingParameter"),
    ] {
        let action = if params.iter().any(|(n, _)| *n == "All") {
            "UnTagResources"
        } else {
            "ListTagResources"
        };
        app.alibaba(action, &params)
            .await
            .assert_alibaba_error(400, code);
    }
}

#[tokio::test]
async fn move_resource_group_changes_the_group() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-rg", &[]).await;
    for resource_type in ["FLOWLOG", "FlowLog"] {
        app.alibaba(
            "MoveResourceGroup",
            &[
                ("ResourceType", resource_type),
                ("ResourceId", &id),
                ("NewResourceGroupId", "rg-new"),
            ],
        )
        .await
        .assert_alibaba_ok();
    }
    assert_eq!(
        app.describe_alibaba(&id).await.unwrap()["ResourceGroupId"],
        "rg-new"
    );
    for (params, status, code) in [
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", id.as_str()),
                ("NewResourceGroupId", "new"),
            ],
            400,
            "IllegalParam.ResourceGroupId",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("ResourceId", id.as_str())],
            400,
            "MissingNewResourceGroupId",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("NewResourceGroupId", "rg-1")],
            400,
            "MissingResourceId",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", "fl-0000000000aaaaaaaaaa"),
                ("NewResourceGroupId", "rg-1"),
            ],
            404,
            "InvalidInstanceId.NotFound",
        ),
    ] {
        app.alibaba("MoveResourceGroup", &params)
            .await
            .assert_alibaba_error(status, code);
    }
}
