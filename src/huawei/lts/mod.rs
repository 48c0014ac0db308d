//! Huawei LTS (Log Tank Service) v2: log groups and log streams ([`containers`]), the
//! destinations of Huawei flow logs, and reading the flow-log records delivered to a stream
//! ([`query`], with LTS's keyword syntax in [`keywords`]). Requests are read by [`wire`];
//! errors are LTS's `{"error_code","error_msg"}` ([`errors`]). The handlers translate between
//! the wire and the destination and record services and nothing else.

mod containers;
mod errors;
pub mod keywords;
pub mod openapi;
mod query;
mod wire;

use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};

use super::gateway::Operations;

/// The product's name in the request context.
pub const PRODUCT: &str = "lts";

/// Every operation of the product, with the gateway, under the SDK's names.
pub fn operations(operations: Operations) -> Operations {
    use containers::*;
    operations
        .add(GROUPS, "CreateLogGroup", post(create_group))
        .add(GROUPS, "ListLogGroups", get(list_groups))
        .add(GROUP, "UpdateLogGroup", post(update_group))
        .add(GROUP, "DeleteLogGroup", delete(delete_group))
        .add(STREAMS, "CreateLogStream", post(create_stream))
        .add(STREAMS, "ListLogStream", get(list_streams))
        .add(STREAM, "DeleteLogStream", delete(delete_stream))
        .add(STREAM_TTL, "UpdateLogStream", put(update_stream))
        .add(ALL_STREAMS, "ListLogStreams", get(list_all_streams))
        .add(query::QUERY, "ListLogs", post(query::list_logs))
}

/// LTS's answer to a bug: 500 LTS.0010.
pub fn internal_error() -> Response {
    errors::internal().into_response()
}
