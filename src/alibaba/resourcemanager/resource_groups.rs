//! `ListResourceGroups` and `GetResourceGroup`, typed as `alibabacloud-resourcemanager20200331`'s
//! models type them (`TotalCount`, `PageNumber` and `PageSize` are integers). The groups are
//! the caller's account's (`domain::tenancy`); they have no tags and are `OK` in every region.

use axum::http::StatusCode;
use serde::Serialize;

use crate::alibaba::error::AlibabaError;
use crate::alibaba::rpc::Call;
use crate::domain::tenancy::{resource_groups, ResourceGroup};

const DEFAULT_PAGE_SIZE: u64 = 10;
const MAX_PAGE_SIZE: u64 = 100;
const MAX_IDS: usize = 100;
const MAX_TAGS: usize = 20;
const STATUSES: [&str; 5] = ["Creating", "OK", "PendingDelete", "Deleting", "Deleted"];
/// The groups exist from the account's start; the date is the API's.
const CREATE_DATE: &str = "2020-03-31T00:00:00Z";
/// The regions a group reports itself `OK` in.
const REGIONS: [&str; 10] = [
    "cn-beijing",
    "cn-hangzhou",
    "cn-hongkong",
    "cn-qingdao",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-zhangjiakou",
    "ap-southeast-1",
    "eu-central-1",
    "us-west-1",
];

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[schema(as = ResourceGroupTags)]
struct Tags {
    tag: Vec<serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct RegionStatus {
    region_id: &'static str,
    status: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct RegionStatuses {
    region_status: Vec<RegionStatus>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    account_id: String,
    create_date: &'static str,
    display_name: &'static str,
    id: String,
    name: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_statuses: Option<RegionStatuses>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Tags>,
}

impl Group {
    fn of(group: ResourceGroup, include_tags: bool, with_regions: bool) -> Self {
        Group {
            account_id: group.account_id,
            create_date: CREATE_DATE,
            display_name: group.display_name,
            id: group.id,
            name: group.name,
            status: "OK",
            region_statuses: with_regions.then(|| RegionStatuses {
                region_status: REGIONS
                    .iter()
                    .map(|region_id| RegionStatus {
                        region_id,
                        status: "OK",
                    })
                    .collect(),
            }),
            tags: include_tags.then(|| Tags { tag: Vec::new() }),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Groups {
    resource_group: Vec<Group>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ListAnswer {
    page_number: u64,
    page_size: u64,
    total_count: u64,
    resource_groups: Groups,
}

pub async fn list_resource_groups(call: &Call<'_>) -> Result<ListAnswer, AlibabaError> {
    let params = call.params;
    let page_number = params.integer("PageNumber")?.unwrap_or(1);
    if page_number == 0 {
        return Err(AlibabaError::invalid("PageNumber", "it must be at least 1"));
    }
    let page_size = params.integer("PageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(AlibabaError::invalid(
            "PageSize",
            "it must be from 1 to 100",
        ));
    }
    let status = params.get("Status");
    if status.is_some_and(|status| !STATUSES.contains(&status)) {
        return Err(AlibabaError::invalid(
            "Status",
            "it must be Creating, OK, PendingDelete, Deleting or Deleted",
        ));
    }
    let name = params.get("Name");
    let display_name = params.get("DisplayName");
    let mut ids = params.list("ResourceGroupIds", MAX_IDS)?;
    if ids.is_empty() {
        ids.extend(params.get("ResourceGroupId"));
    }
    let tags = params.records("Tag", ["Key", "Value"], MAX_TAGS)?;
    // A tag filter shows tags too; no group has any, so none matches it.
    let include_tags = params.boolean("IncludeTags")?.unwrap_or(false) || !tags.is_empty();
    let matching: Vec<ResourceGroup> = resource_groups(call.caller.account_id())
        .into_iter()
        .filter(|_| status.is_none_or(|status| status == "OK"))
        .filter(|group| name.is_none_or(|name| group.name.contains(name)))
        .filter(|group| display_name.is_none_or(|name| group.display_name.contains(name)))
        .filter(|group| ids.is_empty() || ids.contains(&group.id.as_str()))
        .filter(|_| tags.is_empty())
        .collect();
    let total_count = matching.len() as u64;
    let skip = usize::try_from((page_number - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let page = matching
        .into_iter()
        .skip(skip)
        .take(usize::try_from(page_size).unwrap_or(usize::MAX))
        .map(|group| Group::of(group, include_tags, false))
        .collect();
    Ok(ListAnswer {
        page_number,
        page_size,
        total_count,
        resource_groups: Groups {
            resource_group: page,
        },
    })
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetAnswer {
    resource_group: Group,
}

pub async fn get_resource_group(call: &Call<'_>) -> Result<GetAnswer, AlibabaError> {
    let params = call.params;
    let id = params.require("ResourceGroupId")?;
    let include_tags = params.boolean("IncludeTags")?.unwrap_or(false);
    if !id.starts_with("rg-") || id.len() > 64 {
        return Err(AlibabaError::documented(
            "InvalidResourceGroupId.Malformed",
            "Specified ResourceGroupId is malformed.",
        ));
    }
    let group = resource_groups(call.caller.account_id())
        .into_iter()
        .find(|group| group.id == id)
        .ok_or_else(|| {
            AlibabaError::documented_with(
                StatusCode::NOT_FOUND,
                "EntityNotExists.ResourceGroup",
                "The resource group does not exist.",
            )
        })?;
    Ok(GetAnswer {
        resource_group: Group::of(group, include_tags, true),
    })
}
