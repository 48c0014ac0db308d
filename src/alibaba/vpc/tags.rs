//! Tags and resource groups: TagResources, UnTagResources and ListTagResources for flow logs
//! (`ResourceType=FLOWLOG`), VPCs (`VPC`) and vSwitches (`VSWITCH`), and MoveResourceGroup for
//! flow logs and VPCs (a vSwitch has no group of its own). The resource type's case does not
//! matter: Terraform sends `FLOWLOG`, the SDK docs say `FlowLog`.

use axum::http::StatusCode;
use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::flow_logs::Empty;
use super::vpcs::change_vpc;
use super::wire::{is_flow_log_id, parse_resource_group_id, parse_tags};
use crate::domain::network::{NetworkChanges, NetworkStatus};
use crate::domain::{
    AttributeChanges, DomainError, FlowLogId, Modifiable, ResourceKind, Tag, TagFilter,
    MAX_TAGS_PER_FLOW_LOG,
};

/// What the tag actions' `ResourceType` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tagged {
    FlowLogs,
    Network(ResourceKind),
}

/// The tag actions' resource types, as ListTagResources writes them back.
const TAGGED_TYPES: [(&str, Tagged); 3] = [
    ("FLOWLOG", Tagged::FlowLogs),
    ("VPC", Tagged::Network(ResourceKind::Vpc)),
    ("VSWITCH", Tagged::Network(ResourceKind::Subnet)),
];

impl Tagged {
    fn parse(params: &Params) -> Result<Self, AlibabaError> {
        let asked = params.require("ResourceType")?;
        TAGGED_TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(asked))
            .map(|(_, tagged)| *tagged)
            .ok_or_else(AlibabaError::unsupported_resource_type)
    }

    fn wire_name(self) -> &'static str {
        TAGGED_TYPES
            .iter()
            .find(|(_, tagged)| *tagged == self)
            .map(|(name, _)| *name)
            .expect("every tagged type has a name")
    }
}

pub async fn tag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let tagged = Tagged::parse(call.params)?;
    let ids = parse_resource_ids(call.params, tagged, true)?;
    let tags = parse_tags(call.params, "Tag")?;
    if tags.is_empty() {
        return Err(AlibabaError::missing("Tag.1.Key"));
    }
    match tagged {
        Tagged::FlowLogs => {
            let ids = flow_log_ids(ids);
            call.state.flow_logs.tag(call.scope, &ids, &tags).await?;
        }
        Tagged::Network(kind) => call
            .state
            .network
            .tag(call.scope, kind, &ids, &tags)
            .await
            .map_err(tag_target_not_found)?,
    }
    Ok(Empty {})
}

pub async fn untag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let tagged = Tagged::parse(call.params)?;
    let ids = parse_resource_ids(call.params, tagged, true)?;
    let keys = parse_untag_keys(call.params)?;
    match tagged {
        Tagged::FlowLogs => {
            let ids = flow_log_ids(ids);
            call.state
                .flow_logs
                .untag(call.scope, &ids, keys.as_deref())
                .await?;
        }
        Tagged::Network(kind) => call
            .state
            .network
            .untag(call.scope, kind, &ids, keys.as_deref())
            .await
            .map_err(tag_target_not_found)?,
    }
    Ok(Empty {})
}

pub async fn list_tag_resources(call: &Call<'_>) -> Result<ListTagResourcesResponse, AlibabaError> {
    let query = parse_list_tag_resources(call.params)?;
    // One more than a page tells whether another page follows.
    let asked = query.limit + 1;
    let mut tagged: Vec<(String, Tag)> = match query.tagged {
        Tagged::FlowLogs => {
            let ids = flow_log_ids(query.ids);
            call.state
                .flow_logs
                .list_tags(call.scope, &ids, &query.filters, query.offset, asked)
                .await?
                .into_iter()
                .map(|entry| (entry.id.as_str().to_owned(), entry.tag))
                .collect()
        }
        Tagged::Network(kind) => call
            .state
            .network
            .list_tags(
                call.scope,
                kind,
                &query.ids,
                &query.filters,
                query.offset,
                asked,
            )
            .await?
            .into_iter()
            .map(|entry| (entry.id, entry.tag))
            .collect(),
    };
    let next_token = if tagged.len() > query.limit as usize {
        tagged.truncate(query.limit as usize);
        (query.offset + u64::from(query.limit)).to_string()
    } else {
        String::new()
    };
    let resource_type = query.tagged.wire_name();
    Ok(ListTagResourcesResponse {
        next_token,
        tag_resources: TagResourceList {
            tag_resource: tagged
                .into_iter()
                .map(|(resource_id, tag)| TagResource {
                    resource_id,
                    resource_type,
                    tag_key: tag.key,
                    tag_value: tag.value,
                })
                .collect(),
        },
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResourcesResponse {
    next_token: String,
    tag_resources: TagResourceList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct TagResourceList {
    tag_resource: Vec<TagResource>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct TagResource {
    resource_id: String,
    resource_type: &'static str,
    tag_key: String,
    tag_value: String,
}

pub async fn move_resource_group(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    // Only flow logs and VPCs move; a vSwitch shows its VPC's group.
    let tagged = Tagged::parse(call.params)?;
    let id = call.params.require("ResourceId")?;
    if tagged == Tagged::FlowLogs && !is_flow_log_id(id) {
        return Err(AlibabaError::flow_log_not_found());
    }
    let group = parse_resource_group_id(call.params.require("NewResourceGroupId")?)?;
    match tagged {
        Tagged::FlowLogs => {
            let changes = AttributeChanges {
                resource_group_id: Some(group),
                ..Default::default()
            };
            call.state
                .flow_logs
                .modify(
                    call.scope,
                    &FlowLogId::from_trusted(id),
                    &changes,
                    Modifiable::UnlessDeleting,
                )
                .await?;
        }
        Tagged::Network(ResourceKind::Vpc) => {
            // The system route table is the VPC's, so it moves with it.
            let changes = NetworkChanges {
                resource_group_id: Some(group),
                ..Default::default()
            };
            let allowed = [NetworkStatus::Pending, NetworkStatus::Available];
            change_vpc(call, id, &changes, &allowed).await?;
        }
        Tagged::Network(_) => return Err(AlibabaError::unsupported_resource_type()),
    }
    Ok(Empty {})
}

/// A tag action's unknown VPC or vSwitch: the tag API's own 404 (`ResourceNotFound.VPC`).
fn tag_target_not_found(err: DomainError) -> AlibabaError {
    match err {
        DomainError::NetworkNotFound { kind, id } => {
            let code = match kind {
                ResourceKind::Vpc => "ResourceNotFound.VPC",
                ResourceKind::Subnet => "ResourceNotFound.VSWITCH",
                ResourceKind::NetworkInterface => "ResourceNotFound.NETWORKINTERFACE",
            };
            AlibabaError::new(
                StatusCode::NOT_FOUND,
                code,
                format!("The specified resource of {id} is not found."),
            )
        }
        other => other.into(),
    }
}

/// ListTagResources' page size: 50 unless asked, at most 50.
const MAX_TAG_RESULTS: u32 = 50;

/// How many resources one tag action may name.
const MAX_RESOURCE_IDS: usize = 50;

/// `ResourceId.N` of the tag actions, each named once. A flow-log id that cannot exist is not
/// found; a VPC or vSwitch id is looked up as given.
fn parse_resource_ids(
    params: &Params,
    tagged: Tagged,
    required: bool,
) -> Result<Vec<String>, AlibabaError> {
    let ids = params.list("ResourceId", MAX_RESOURCE_IDS)?;
    if required && ids.is_empty() {
        return Err(AlibabaError::missing("ResourceId.1"));
    }
    let mut parsed: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if tagged == Tagged::FlowLogs && !is_flow_log_id(id) {
            return Err(AlibabaError::flow_log_not_found());
        }
        if !parsed.iter().any(|known| known == id) {
            parsed.push(id.to_owned());
        }
    }
    Ok(parsed)
}

/// Ids [`parse_resource_ids`] has checked as flow-log ids.
fn flow_log_ids(ids: Vec<String>) -> Vec<FlowLogId> {
    ids.into_iter().map(FlowLogId::from_trusted).collect()
}

/// UnTagResources: the keys to remove, or `None` for every tag (`All=true` without keys).
fn parse_untag_keys(params: &Params) -> Result<Option<Vec<String>>, AlibabaError> {
    let keys: Vec<String> = params
        .list("TagKey", MAX_TAGS_PER_FLOW_LOG)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let all = params.boolean("All")?.unwrap_or(false);
    Ok(if keys.is_empty() && all {
        None
    } else {
        Some(keys)
    })
}

struct ListTagsQuery {
    tagged: Tagged,
    ids: Vec<String>,
    filters: Vec<TagFilter>,
    offset: u64,
    limit: u32,
}

fn parse_list_tag_resources(params: &Params) -> Result<ListTagsQuery, AlibabaError> {
    let tagged = Tagged::parse(params)?;
    let ids = parse_resource_ids(params, tagged, false)?;
    let tags = parse_tags(params, "Tag")?;
    if ids.is_empty() && tags.is_empty() {
        return Err(AlibabaError::documented(
            "MissingParameter",
            "ResourceId.N or Tag.N is mandatory for this action.",
        ));
    }
    let filters = tags
        .into_iter()
        .map(|tag| TagFilter {
            key: tag.key,
            value: Some(tag.value).filter(|v| !v.is_empty()),
        })
        .collect();
    let limit = match params.integer("MaxResults")? {
        None => MAX_TAG_RESULTS,
        Some(size @ 1..=50) => size as u32,
        Some(_) => {
            return Err(AlibabaError::invalid(
                "MaxResults",
                format_args!("it must be from 1 to {MAX_TAG_RESULTS}"),
            ))
        }
    };
    // The token is the offset of the next page.
    let offset = params
        .get("NextToken")
        .map(|token| {
            token
                .parse::<u64>()
                .map_err(|_| AlibabaError::invalid("NextToken", "it is not a token this API gave"))
        })
        .transpose()?
        .unwrap_or(0);
    Ok(ListTagsQuery {
        tagged,
        ids,
        filters,
        offset,
        limit,
    })
}
