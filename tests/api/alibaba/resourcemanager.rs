//! Resource Manager (`src/alibaba/resourcemanager/`): every account's resource groups, the
//! default first, listed with filters and pages, and read one by one; never another account's.

use serde_json::{json, Value};

use crate::support::auth::{ACCOUNT, OTHER_ACCOUNT};
use crate::support::identity::*;
use crate::support::snapshot::{self, assert_body_snapshot};
use crate::support::*;
use flowplane::domain::tenancy::{default_resource_group_id, resource_groups};

const LIST: (&str, &str) = (RM_VERSION, "ListResourceGroups");
const GET: (&str, &str) = (RM_VERSION, "GetResourceGroup");

fn group_names(body: &Value) -> Vec<&str> {
    body["ResourceGroups"]["ResourceGroup"]
        .as_array()
        .expect("ResourceGroups.ResourceGroup is an array")
        .iter()
        .map(|group| group["Name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_account_lists_its_groups_the_default_first() {
    let (app, _dir) = identity_app().await;
    let response = app.ali_v3(&AliKey::account(), LIST, &[]).await;
    let body = response.assert_alibaba_ok();
    assert_body_snapshot!("list_resource_groups", body, {
        ".RequestId" => snapshot::alibaba_request_id(),
        ".ResourceGroups.ResourceGroup[].Id" => "[rg]",
    });
    let groups = resource_groups(ACCOUNT);
    assert_eq!(
        body["ResourceGroups"]["ResourceGroup"][0]["Id"],
        default_resource_group_id(ACCOUNT)
    );
    assert_eq!(
        body["ResourceGroups"]["ResourceGroup"][1]["Id"],
        groups[1].id
    );
    let other = app.ali_v1(&AliKey::other_account(), LIST, &[]).await;
    assert_eq!(
        other.assert_alibaba_ok()["ResourceGroups"]["ResourceGroup"][0]["Id"],
        default_resource_group_id(OTHER_ACCOUNT)
    );
}

#[tokio::test]
async fn filters_and_pages() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    let second = resource_groups(ACCOUNT)[1].id.clone();
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>, u64);
    let cases: Vec<Case> = vec![
        (
            vec![("Status", "OK"), ("PageSize", "50")],
            vec!["default", "flowplane"],
            2,
        ),
        (vec![("Status", "PendingDelete")], vec![], 0),
        (vec![("Name", "fault")], vec!["default"], 1),
        (vec![("DisplayName", "flowplane")], vec!["flowplane"], 1),
        (vec![("ResourceGroupIds.1", &second)], vec!["flowplane"], 1),
        (vec![("ResourceGroupId", &second)], vec!["flowplane"], 1),
        (vec![("PageSize", "1")], vec!["default"], 2),
        (
            vec![("PageSize", "1"), ("PageNumber", "2")],
            vec!["flowplane"],
            2,
        ),
        (vec![("PageNumber", "3"), ("PageSize", "1")], vec![], 2),
        (vec![("Tag.1.Key", "k")], vec![], 0),
    ];
    for (params, names, total) in cases {
        let response = app.ali_v1(&key, LIST, &params).await;
        let body = response.assert_alibaba_ok();
        assert_eq!(group_names(body), names, "{params:?}");
        assert_eq!(
            body["TotalCount"], total,
            "{params:?}: integers, not strings"
        );
    }
    let tagged = app.ali_v1(&key, LIST, &[("IncludeTags", "true")]).await;
    assert_eq!(
        tagged.assert_alibaba_ok()["ResourceGroups"]["ResourceGroup"][0]["Tags"],
        json!({"Tag": []})
    );
    for bad in [
        vec![("PageSize", "0")],
        vec![("PageSize", "101")],
        vec![("PageNumber", "0")],
        vec![("Status", "Gone")],
        vec![("ResourceGroupIds.2", "rg-x")],
    ] {
        app.ali_v1(&key, LIST, &bad)
            .await
            .assert_pop_error(RM_HOST, 400, "InvalidParameter");
    }
}

#[tokio::test]
async fn a_group_is_read_by_id_within_its_account() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    let default = default_resource_group_id(ACCOUNT);
    let response = app
        .ali_v3(&key, GET, &[("ResourceGroupId", &default)])
        .await;
    let body = response.assert_alibaba_ok();
    assert_body_snapshot!("get_resource_group", body, {
        ".RequestId" => snapshot::alibaba_request_id(),
        ".ResourceGroup.Id" => "[rg]",
    });
    assert_eq!(body["ResourceGroup"]["Id"], default.as_str());
    let theirs = default_resource_group_id(OTHER_ACCOUNT);
    for id in [theirs.as_str(), "rg-acfmnotagroup00"] {
        let response = app.ali_v1(&key, GET, &[("ResourceGroupId", id)]).await;
        let message = response.assert_pop_error(RM_HOST, 404, "EntityNotExists.ResourceGroup");
        assert_eq!(message, "The resource group does not exist.");
    }
    app.ali_v1(&key, GET, &[("ResourceGroupId", "default")])
        .await
        .assert_pop_error(RM_HOST, 400, "InvalidResourceGroupId.Malformed");
    app.ali_v1(&key, GET, &[])
        .await
        .assert_pop_error(RM_HOST, 400, "MissingResourceGroupId");
}

#[tokio::test]
async fn the_version_picks_the_product() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    // ListResourceGroups is Resource Manager's; under VPC's version it is an invalid version.
    app.ali_v1(
        &key,
        (VPC_VERSION, "ListResourceGroups"),
        &[("RegionId", REGION)],
    )
    .await
    .assert_alibaba_error(400, "InvalidVersion");
    app.ali_v1(&key, (RM_VERSION, "NoSuchAction"), &[])
        .await
        .assert_alibaba_error(404, "InvalidAction.NotFound");
    // A RegionId, when given, must be well formed.
    app.ali_v1(&key, LIST, &[("RegionId", "Hangzhou")])
        .await
        .assert_pop_error(RM_HOST, 400, "InvalidRegionId.NotFound");
}

#[tokio::test]
async fn a_flow_log_created_without_a_group_is_in_the_listed_default_group() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    let mut params = vec![("RegionId", REGION)];
    params.extend(create_params("vpc-in-default"));
    let created = app
        .ali_v3(&key, (VPC_VERSION, "CreateFlowLog"), &params)
        .await;
    let id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    let described = app
        .ali_v1(
            &key,
            (VPC_VERSION, "DescribeFlowLogs"),
            &[("RegionId", REGION), ("FlowLogId", &id)],
        )
        .await;
    let group = described.assert_alibaba_ok()["FlowLogs"]["FlowLog"][0]["ResourceGroupId"].clone();
    let listed = app.ali_v1(&key, LIST, &[("Status", "OK")]).await;
    let default = &listed.assert_alibaba_ok()["ResourceGroups"]["ResourceGroup"][0];
    assert_eq!(default["Name"], "default");
    assert_eq!(group, default["Id"]);
}
