//! The LTS product's operations in the OpenAPI document: the paths and SDK names of
//! [`super::operations`]. LTS reads its bodies loosely typed (numbers as strings and the other way
//! round, [`super::wire`]) and writes its answers with `json!`, so its bodies are described as
//! JSON objects, their fields in each operation's description.

use super::containers::{ALL_STREAMS, GROUP, GROUPS, STREAM, STREAMS, STREAM_TTL};
use super::query::QUERY;
use crate::apidoc::{self, Method, Op, Part};
use crate::huawei::openapi::{gateway_errors, op};

const TAG: &str = "huawei-lts";

const PROJECT: (&str, &str) = ("project_id", "$request.path.project_id");
const GROUP_LINK: &[(&str, &str)] = &[PROJECT, ("group_id", "$response.body#/log_group_id")];
const STREAM_LINK: &[(&str, &str)] = &[
    PROJECT,
    ("group_id", "$request.path.group_id"),
    ("stream_id", "$response.body#/log_stream_id"),
];

pub fn describe(part: &mut Part) {
    part.tag(
        TAG,
        "Huawei LTS v2: log groups and log streams (flow-log destinations), and the records delivered to them.",
    );
    // LTS's envelope: {"error_code", "error_msg"}.
    let error = apidoc::object();
    let lts = |method, path, id, summary| -> Op {
        gateway_errors(op(TAG, method, path, id, summary)).errors(
            &[
                (
                    400,
                    "LTS.xxxx: a field, the JSON or an id is invalid; a quota is reached.",
                ),
                (403, "LTS.0001: the project id is invalid."),
                (
                    404,
                    "No such group or stream, or no such route (APIGW.0101).",
                ),
                (409, "A group or stream of that name exists."),
            ],
            &error,
        )
    };
    let object = || Some(apidoc::object());
    part.add(
        lts(Method::Post, GROUPS, "CreateLogGroup", "Create a log group: {\"log_group_name\", \"ttl_in_days\", \"tags\"?, \"log_group_name_alias\"?, \"enterprise_project_name\"?}.")
            .body(apidoc::object())
            .answer(201, "{\"log_group_id\"}.", object())
            .link("ListLogStream", GROUP_LINK)
            .link("CreateLogStream", GROUP_LINK)
            .link("UpdateLogGroup", GROUP_LINK)
            .link("DeleteLogGroup", GROUP_LINK),
    );
    part.add(
        lts(
            Method::Get,
            GROUPS,
            "ListLogGroups",
            "The project's log groups.",
        )
        .answer(200, "{\"log_groups\": […]}.", object()),
    );
    part.add(
        lts(
            Method::Post,
            GROUP,
            "UpdateLogGroup",
            "Change a log group's ttl_in_days (and tags).",
        )
        .body(apidoc::object())
        .answer(200, "The log group.", object()),
    );
    part.add(
        lts(
            Method::Delete,
            GROUP,
            "DeleteLogGroup",
            "Delete a log group (and its streams).",
        )
        .answer(204, "Deleted.", None),
    );
    part.add(
        lts(Method::Post, STREAMS, "CreateLogStream", "Create a log stream: {\"log_stream_name\", \"ttl_in_days\"?, \"tags\"?, \"log_stream_name_alias\"?, \"enterprise_project_name\"?}.")
            .body(apidoc::object())
            .answer(201, "{\"log_stream_id\"}.", object())
            .link("UpdateLogStream", STREAM_LINK)
            .link("ListLogs", STREAM_LINK)
            .link("DeleteLogStream", STREAM_LINK),
    );
    part.add(
        lts(
            Method::Get,
            STREAMS,
            "ListLogStream",
            "A log group's streams.",
        )
        .answer(200, "{\"log_streams\": […]}.", object()),
    );
    part.add(
        lts(
            Method::Delete,
            STREAM,
            "DeleteLogStream",
            "Delete a log stream.",
        )
        .answer(204, "Deleted.", None),
    );
    part.add(
        lts(
            Method::Put,
            STREAM_TTL,
            "UpdateLogStream",
            "Change a log stream's ttl_in_days.",
        )
        .body(apidoc::object())
        .answer(200, "The log stream.", object()),
    );
    part.add(
        lts(
            Method::Get,
            ALL_STREAMS,
            "ListLogStreams",
            "Every log stream of the project.",
        )
        .query(
            "log_group_name",
            apidoc::string(),
            "Only the streams of this group.",
        )
        .query(
            "log_stream_name",
            apidoc::string(),
            "Only streams of this name.",
        )
        .answer(200, "{\"log_streams\": […]}.", object()),
    );
    part.add(
        lts(Method::Post, QUERY, "ListLogs", "The records delivered to a stream: {\"start_time\", \"end_time\", \"keywords\"?, \"labels\"?, \"limit\"?, \"is_desc\"?, \"line_num\"?, \"search_type\"?, …}.")
            .body(apidoc::object())
            .answer(200, "{\"count\", \"logs\": [{\"content\", \"line_num\", \"labels\"}], \"isQueryComplete\"}.", object()),
    );
}
