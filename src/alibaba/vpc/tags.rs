//! Tags and resource groups of flow logs: TagResources, UnTagResources, ListTagResources and
//! MoveResourceGroup (`ResourceType=FLOWLOG`).

use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::flow_logs::Empty;
use super::wire::{is_flow_log_id, parse_resource_group_id, parse_tags};
use crate::domain::{
    AttributeChanges, FlowLogId, Modifiable, Tag, TagFilter, MAX_TAGS_PER_FLOW_LOG,
};

pub async fn tag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let (ids, tags) = parse_tag_resources(call.params)?;
    call.state.flow_logs.tag(call.scope, &ids, &tags).await?;
    Ok(Empty {})
}

pub async fn untag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let (ids, keys) = parse_untag_resources(call.params)?;
    call.state
        .flow_logs
        .untag(call.scope, &ids, keys.as_deref())
        .await?;
    Ok(Empty {})
}

pub async fn list_tag_resources(call: &Call<'_>) -> Result<ListTagResourcesResponse, AlibabaError> {
    let query = parse_list_tag_resources(call.params)?;
    // One more than a page tells whether another page follows.
    let mut tagged = call
        .state
        .flow_logs
        .list_tags(
            call.scope,
            &query.ids,
            &query.filters,
            query.offset,
            query.limit + 1,
        )
        .await?;
    let next_token = if tagged.len() > query.limit as usize {
        tagged.truncate(query.limit as usize);
        (query.offset + u64::from(query.limit)).to_string()
    } else {
        String::new()
    };
    Ok(ListTagResourcesResponse {
        next_token,
        tag_resources: TagResourceList {
            tag_resource: tagged
                .into_iter()
                .map(|entry| TagResource {
                    resource_id: entry.id.as_str().to_owned(),
                    resource_type: "FLOWLOG",
                    tag_key: entry.tag.key,
                    tag_value: entry.tag.value,
                })
                .collect(),
        },
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResourcesResponse {
    next_token: String,
    tag_resources: TagResourceList,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagResourceList {
    tag_resource: Vec<TagResource>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagResource {
    resource_id: String,
    resource_type: &'static str,
    tag_key: String,
    tag_value: String,
}

pub async fn move_resource_group(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let (id, group) = parse_move_resource_group(call.params)?;
    let changes = AttributeChanges {
        resource_group_id: Some(group),
        ..Default::default()
    };
    call.state
        .flow_logs
        .modify(call.scope, &id, &changes, Modifiable::UnlessDeleting)
        .await?;
    Ok(Empty {})
}

/// ListTagResources' page size: 50 unless asked, at most 50.
const MAX_TAG_RESULTS: u32 = 50;

/// How many resources one tag action may name.
const MAX_RESOURCE_IDS: usize = 50;

/// The `ResourceType` of the tag and resource-group actions: only flow logs live here. Its
/// case does not matter (Terraform sends `FLOWLOG`, the SDK docs say `FlowLog`).
fn require_flow_log_resource_type(params: &Params) -> Result<(), AlibabaError> {
    if params
        .require("ResourceType")?
        .eq_ignore_ascii_case("flowlog")
    {
        Ok(())
    } else {
        Err(AlibabaError::unsupported_resource_type())
    }
}

/// `ResourceId.N` of the tag actions, each a flow-log id (one that cannot exist is not found).
fn parse_resource_ids(params: &Params, required: bool) -> Result<Vec<FlowLogId>, AlibabaError> {
    let ids = params.list("ResourceId", MAX_RESOURCE_IDS)?;
    if required && ids.is_empty() {
        return Err(AlibabaError::missing("ResourceId.1"));
    }
    let mut parsed: Vec<FlowLogId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !is_flow_log_id(id) {
            return Err(AlibabaError::flow_log_not_found());
        }
        let id = FlowLogId::from_trusted(id);
        if !parsed.contains(&id) {
            parsed.push(id);
        }
    }
    Ok(parsed)
}

fn parse_tag_resources(params: &Params) -> Result<(Vec<FlowLogId>, Vec<Tag>), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, true)?;
    let tags = parse_tags(params, "Tag")?;
    if tags.is_empty() {
        return Err(AlibabaError::missing("Tag.1.Key"));
    }
    Ok((ids, tags))
}

/// UnTagResources: the keys to remove, or `None` for every tag (`All=true` without keys).
fn parse_untag_resources(
    params: &Params,
) -> Result<(Vec<FlowLogId>, Option<Vec<String>>), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, true)?;
    let keys: Vec<String> = params
        .list("TagKey", MAX_TAGS_PER_FLOW_LOG)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let all = params.boolean("All")?.unwrap_or(false);
    let keys = if keys.is_empty() && all {
        None
    } else {
        Some(keys)
    };
    Ok((ids, keys))
}

struct ListTagsQuery {
    ids: Vec<FlowLogId>,
    filters: Vec<TagFilter>,
    offset: u64,
    limit: u32,
}

fn parse_list_tag_resources(params: &Params) -> Result<ListTagsQuery, AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, false)?;
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
        ids,
        filters,
        offset,
        limit,
    })
}

fn parse_move_resource_group(params: &Params) -> Result<(FlowLogId, String), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let id = params.require("ResourceId")?;
    if !is_flow_log_id(id) {
        return Err(AlibabaError::flow_log_not_found());
    }
    let group = parse_resource_group_id(params.require("NewResourceGroupId")?)?;
    Ok((FlowLogId::from_trusted(id), group))
}
