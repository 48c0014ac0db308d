//! ECS's TagResources, UntagResources and ListTagResources with `ResourceType=eni`: all or
//! nothing over the ENIs named, 20 tags at most, token paging, and the tag service's codes.

use serde_json::json;

use super::*;

/// An action and its parameters, and the status, code and (when given) message it is refused with.
type Refusal<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    u16,
    &'a str,
    Option<&'a str>,
);

fn tag_entries(body: &serde_json::Value) -> Vec<(String, String, String)> {
    body["TagResources"]["TagResource"]
        .as_array()
        .expect("TagResources.TagResource is an array")
        .iter()
        .map(|entry| {
            assert_eq!(entry["ResourceType"], "eni");
            (
                entry["ResourceId"].as_str().unwrap().to_owned(),
                entry["TagKey"].as_str().unwrap().to_owned(),
                entry["TagValue"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The entries ListTagResources gives for these ENIs.
async fn tags_of(app: &TestApp, ids: &[&str]) -> Vec<(String, String, String)> {
    let mut params = vec![("ResourceType", "eni")];
    let names: Vec<String> = (1..=ids.len()).map(|i| format!("ResourceId.{i}")).collect();
    params.extend(names.iter().map(String::as_str).zip(ids.iter().copied()));
    let listed = ecs(app, "ListTagResources", &params).await;
    tag_entries(listed.assert_alibaba_ok())
}

fn entry(id: &str, key: &str, value: &str) -> (String, String, String) {
    (id.to_owned(), key.to_owned(), value.to_owned())
}

#[tokio::test]
async fn tags_are_set_listed_and_removed() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let a = eni(
        &app,
        &vsw,
        &[("Tag.1.Key", "made"), ("Tag.1.Value", "at-create")],
    )
    .await;
    let b = eni(&app, &vsw, &[]).await;
    ecs(
        &app,
        "TagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &a),
            ("ResourceId.2", &b),
            ("ResourceId.3", &a),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("Tag.2.Key", "empty"),
        ],
    )
    .await
    .assert_alibaba_ok();
    // Setting a key again replaces its value; the type's case does not matter.
    ecs(
        &app,
        "TagResources",
        &[
            ("ResourceType", "ENI"),
            ("ResourceId.1", &b),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "prod"),
        ],
    )
    .await
    .assert_alibaba_ok();
    let listed = ecs(
        &app,
        "ListTagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &a),
            ("ResourceId.2", &b),
        ],
    )
    .await;
    let listed = listed.assert_alibaba_ok();
    assert!(listed.get("NextToken").is_none(), "one page: {listed}");
    assert_eq!(
        tag_entries(listed),
        [
            entry(&a, "empty", ""),
            entry(&a, "env", "dev"),
            entry(&a, "made", "at-create"),
            entry(&b, "empty", ""),
            entry(&b, "env", "prod"),
        ]
    );
    // By tag: a key, or a key and its value; every one must be carried.
    let by_tag = ecs(
        &app,
        "ListTagResources",
        &[
            ("ResourceType", "eni"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "prod"),
        ],
    )
    .await;
    assert_eq!(
        tag_entries(by_tag.assert_alibaba_ok()),
        [entry(&b, "empty", ""), entry(&b, "env", "prod")]
    );
    let by_key = ecs(
        &app,
        "ListTagResources",
        &[("ResourceType", "eni"), ("Tag.1.Key", "made")],
    )
    .await;
    assert_eq!(tag_entries(by_key.assert_alibaba_ok()).len(), 3);
    // Describe shows them as TagKey / TagValue.
    let shown = describe(&app, &[("NetworkInterfaceId.1", &b)]).await;
    assert_eq!(
        items(&shown)[0]["Tags"],
        json!({"Tag": [{"TagKey": "empty", "TagValue": ""}, {"TagKey": "env", "TagValue": "prod"}]})
    );

    ecs(
        &app,
        "UntagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &a),
            ("TagKey.1", "env"),
            ("TagKey.2", "never"),
        ],
    )
    .await
    .assert_alibaba_ok();
    // Neither keys nor All: nothing is removed.
    ecs(
        &app,
        "UntagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &b),
            ("All", "False"),
        ],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(tags_of(&app, &[&a, &b]).await.len(), 4);
    ecs(
        &app,
        "UntagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &b),
            ("All", "True"),
        ],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(
        tags_of(&app, &[&a, &b]).await,
        [entry(&a, "empty", ""), entry(&a, "made", "at-create")]
    );
    // Tags may be changed while the ENI is being deleted.
    delete_eni(&app, &a).await.assert_alibaba_ok();
    ecs(
        &app,
        "TagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &a),
            ("Tag.1.Key", "late"),
        ],
    )
    .await
    .assert_alibaba_ok();
}

#[tokio::test]
async fn list_tag_resources_pages_by_token() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let tags: Vec<(String, String)> = (1..=20)
        .map(|i| (format!("Tag.{i}.Key"), format!("k{i:02}")))
        .collect();
    let tags: Vec<(&str, &str)> = tags.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(eni(&app, &vsw, &tags).await);
    }
    let target: Vec<(&str, &str)> = vec![
        ("ResourceType", "eni"),
        ("ResourceId.1", &made[0]),
        ("ResourceId.2", &made[1]),
        ("ResourceId.3", &made[2]),
    ];
    let first = ecs(&app, "ListTagResources", &target).await;
    let first = first.assert_alibaba_ok();
    let first_entries = tag_entries(first);
    assert_eq!(first_entries.len(), 50);
    let token = first["NextToken"]
        .as_str()
        .expect("a token while more follow")
        .to_owned();
    let mut params = target.clone();
    params.push(("NextToken", &token));
    let second = ecs(&app, "ListTagResources", &params).await;
    let second = second.assert_alibaba_ok();
    assert!(second.get("NextToken").is_none(), "{second}");
    let all: Vec<_> = first_entries
        .into_iter()
        .chain(tag_entries(second))
        .collect();
    assert_eq!(all.len(), 60);
    assert_eq!(all[0], entry(&made[0], "k01", ""));
    assert_eq!(all[59], entry(&made[2], "k20", ""));
    let mut params = target.clone();
    params.push(("NextToken", "abc"));
    ecs(&app, "ListTagResources", &params)
        .await
        .assert_ecs_error(400, "InvalidParameter");
    // A 21st tag is over the quota, and nothing of the call is written.
    let over = ecs(
        &app,
        "TagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &made[0]),
            ("Tag.1.Key", "k01"),
            ("Tag.2.Key", "k21"),
        ],
    )
    .await;
    assert_eq!(
        over.assert_ecs_error(400, "OperationDenied.QuotaExceed"),
        "The quota of tags on resource is beyond permitted range."
    );
    assert_eq!(tags_of(&app, &[&made[0]]).await.len(), 20);
}

#[tokio::test]
async fn the_tag_service_codes() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let id = eni(&app, &vsw, &[]).await;
    let ids_51: Vec<(String, String)> = (1..=51)
        .map(|i| (format!("ResourceId.{i}"), id.clone()))
        .collect();
    let mut too_many_ids: Vec<(&str, &str)> = ids_51
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    too_many_ids.extend([("ResourceType", "eni"), ("Tag.1.Key", "k")]);
    let tags_21: Vec<(String, String)> = (1..=21)
        .map(|i| (format!("Tag.{i}.Key"), format!("k{i}")))
        .collect();
    let mut too_many_tags: Vec<(&str, &str)> = tags_21
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    too_many_tags.extend([("ResourceType", "eni"), ("ResourceId.1", id.as_str())]);
    let keys_21: Vec<(String, String)> = (1..=21)
        .map(|i| (format!("TagKey.{i}"), format!("k{i}")))
        .collect();
    let mut too_many_keys: Vec<(&str, &str)> = keys_21
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    too_many_keys.extend([("ResourceType", "eni"), ("ResourceId.1", id.as_str())]);
    let cases: Vec<Refusal> = vec![
        (
            "TagResources",
            vec![("ResourceId.1", &id), ("Tag.1.Key", "k")],
            404,
            "MissingParameter.ResourceType",
            Some("The parameter - ResourceType should not be null"),
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "flowlog"),
                ("ResourceId.1", &id),
                ("Tag.1.Key", "k"),
            ],
            404,
            "InvalidResourceType.NotFound",
            Some("The ResourceType provided does not exist in our records."),
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "instance"),
                ("ResourceId.1", "i-bp1"),
                ("Tag.1.Key", "k"),
            ],
            404,
            "InvalidResourceId.NotFound",
            Some("The specified ResourceIds are not found in our records."),
        ),
        (
            "TagResources",
            vec![("ResourceType", "eni"), ("Tag.1.Key", "k")],
            404,
            "MissingParameter.ResourceIds",
            None,
        ),
        (
            "TagResources",
            vec![("ResourceType", "eni"), ("ResourceId.1", &id)],
            404,
            "MissingParameter.Tags",
            Some("The parameter - Tags should not be null"),
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", &id),
                ("ResourceId.2", "eni-gone"),
                ("Tag.1.Key", "k"),
            ],
            404,
            "InvalidResourceId.NotFound",
            None,
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", &vsw),
                ("Tag.1.Key", "k"),
            ],
            404,
            "InvalidResourceId.NotFound",
            None,
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", &id),
                ("Tag.1.Key", "k"),
                ("Tag.2.Key", "k"),
            ],
            400,
            "Duplicate.TagKey",
            Some("The Tag.N.Key contain duplicate key."),
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", &id),
                ("Tag.1.Key", "aliyun:k"),
            ],
            400,
            "InvalidTagKey.Malformed",
            Some("The specified Tag.n.Key is not valid."),
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", &id),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "acs:v"),
            ],
            400,
            "InvalidTagValue.Malformed",
            Some("The specified Tag.n.Value is not valid."),
        ),
        (
            "TagResources",
            too_many_ids,
            400,
            "NumberExceed.ResourceIds",
            Some("The ResourceIds parameter's number is exceed , Valid : 50"),
        ),
        (
            "TagResources",
            too_many_tags,
            400,
            "NumberExceed.Tags",
            Some("The Tags parameter's number is exceed , Valid : 20"),
        ),
        (
            "UntagResources",
            too_many_keys,
            400,
            "NumberExceed.Tags",
            None,
        ),
        (
            "UntagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", "eni-gone"),
                ("All", "true"),
            ],
            404,
            "InvalidResourceId.NotFound",
            None,
        ),
        (
            "UntagResources",
            vec![
                ("ResourceType", "disk"),
                ("ResourceId.1", "d-1"),
                ("All", "true"),
            ],
            404,
            "InvalidResourceId.NotFound",
            None,
        ),
        (
            "UntagResources",
            vec![("ResourceId.1", &id)],
            404,
            "MissingParameter.ResourceType",
            None,
        ),
        (
            "ListTagResources",
            vec![("ResourceType", "eni")],
            404,
            "MissingParameter.Tags",
            None,
        ),
        (
            "ListTagResources",
            vec![("ResourceType", "vpc"), ("ResourceId.1", &id)],
            404,
            "InvalidResourceType.NotFound",
            None,
        ),
        (
            "ListTagResources",
            vec![("ResourceType", "eni"), ("Tag.1.Value", "v")],
            400,
            "InvalidParameter.TagValue",
            None,
        ),
    ];
    for (action, params, status, code, message) in cases {
        let refused = ecs(&app, action, &params).await;
        let said = refused.assert_ecs_error(status, code);
        if let Some(message) = message {
            assert_eq!(said, message, "{action} {params:?}");
        }
    }
    // None of it was written.
    assert_eq!(tags_of(&app, &[&id]).await, []);
    // Other ECS types exist in name only: their tags list empty.
    let listed = ecs(
        &app,
        "ListTagResources",
        &[("ResourceType", "instance"), ("ResourceId.1", "i-bp1")],
    )
    .await;
    assert_eq!(tag_entries(listed.assert_alibaba_ok()), []);
    // Unknown ENIs list nothing.
    let listed = ecs(
        &app,
        "ListTagResources",
        &[("ResourceType", "eni"), ("ResourceId.1", "eni-gone")],
    )
    .await;
    assert_eq!(tag_entries(listed.assert_alibaba_ok()), []);
}

#[tokio::test]
async fn ecs_and_vpc_spell_their_untag_action_each_its_own_way() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let id = eni(&app, &vsw, &[("Tag.1.Key", "k")]).await;
    // VPC's UnTagResources under ECS's version, and ECS's UntagResources under VPC's.
    let vpc_spelling = ecs(
        &app,
        "UnTagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &id),
            ("All", "true"),
        ],
    )
    .await;
    assert_eq!(vpc_spelling.status.as_u16(), 400, "{}", vpc_spelling.body);
    assert_eq!(vpc_spelling.body["Code"], "InvalidVersion");
    let ecs_spelling = app
        .alibaba(
            "UntagResources",
            &[
                ("ResourceType", "eni"),
                ("ResourceId.1", &id),
                ("All", "true"),
            ],
        )
        .await;
    ecs_spelling.assert_alibaba_error(400, "InvalidVersion");
    // The VPC product's tag actions do not reach ENIs.
    app.alibaba(
        "TagResources",
        &[
            ("ResourceType", "eni"),
            ("ResourceId.1", &id),
            ("Tag.1.Key", "x"),
        ],
    )
    .await
    .assert_alibaba_error(400, "OperationUnsupported.ResourceType");
    assert_eq!(tags_of(&app, &[&id]).await, [entry(&id, "k", "")]);
}
