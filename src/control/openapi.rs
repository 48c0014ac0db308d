//! The OpenAPI document: the control API's own operations (this file's table, with the wire
//! types of [`super`]'s handlers), merged with every REST face's part (`huawei::openapi_part`), is
//! what `GET /_flowplane/openapi.json` serves and `openapi/flowplane.json` holds; Alibaba's RPC
//! actions and SLS's operations (`alibaba::openapi`) are `GET /_flowplane/openapi/alibaba.json`
//! and `openapi/alibaba.json`. `tests/api/openapi.rs` fails when the committed files differ from
//! these (`FLOWPLANE_UPDATE_OPENAPI=1 cargo test --test api openapi` rewrites them).

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::faults::{RuleBody, RuleView, RulesView};
use super::records::{GenerateBody, Listing};
use super::transitions::PutBody;
use super::views::FlowLogView;
use super::{
    FAULT, FAULTS, FLOW_LOGS, GENERATE, HEALTH, METRICS, OPENAPI, OPENAPI_ALIBABA, RECORDS,
    REQUESTS, RESET, SNAPSHOT, TICK, TRANSITIONS,
};
use crate::apidoc::{self, Document, Method, Op, Part};
use crate::domain::Provider;

const TAG: &str = "control";

/// The document of every REST face: Huawei's products and the control API.
pub fn document() -> Document {
    let mut part = crate::huawei::openapi_part();
    part.merge(control_part());
    part.into_openapi(
        "Flowplane: the REST faces",
        "Every REST face of Flowplane, generated from the code: the Huawei Cloud face (VPC flow logs \
         and network, IAM, LTS), which the official SDKs call with SDK-HMAC-SHA256 signatures \
         (or X-Auth-Token), its errors in Huawei's envelopes with an X-Request-Id on every \
         response; and the emulator's control API under /_flowplane/ (JSON; errors \
         {\"error\": {\"code\", \"message\"}, \"request_id\"}; with --control-token, \
         Authorization: Bearer <token> on every route but health and these documents). \
         Alibaba's RPC actions and SLS are described in /_flowplane/openapi/alibaba.json.",
    )
}

/// The Alibaba face's description: every RPC action and SLS operation.
pub fn alibaba_document() -> Document {
    crate::alibaba::openapi::document()
}

pub async fn serve() -> Response {
    json(apidoc::to_file_text(&document()))
}

pub async fn serve_alibaba() -> Response {
    json(apidoc::to_file_text(&alibaba_document()))
}

fn json(text: String) -> Response {
    ([(CONTENT_TYPE, "application/json")], text).into_response()
}

/// A `provider` parameter's schema: the providers Flowplane emulates.
fn provider() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let names: Vec<&str> = Provider::ALL
        .iter()
        .map(|provider| provider.as_str())
        .collect();
    apidoc::one_of(&names)
}

fn control_part() -> Part {
    let mut part = Part::default();
    part.tag(TAG, "The emulator's own control API (SPEC §5).");
    let error = apidoc::object();
    let ctl = |method, path, id, summary| -> Op {
        Op::new(TAG, method, path, id, summary).errors(
            &[
                (400, "InvalidParameter: a query parameter or the body is invalid."),
                (401, "Unauthorized: --control-token is set and the bearer token is missing or wrong."),
            ],
            &error,
        )
    };
    let text = apidoc::string;
    let object = || Some(apidoc::object());
    part.add(
        Op::new(
            TAG,
            Method::Get,
            HEALTH,
            "Health",
            "Whether the server is ready: {\"status\", \"version\", \"database\"}.",
        )
        .answer(200, "Ready.", object()),
    );
    part.add(
        Op::new(TAG, Method::Get, OPENAPI, "OpenApi", "This document.").answer(
            200,
            "The OpenAPI 3.1 document of the REST faces.",
            object(),
        ),
    );
    part.add(
        Op::new(
            TAG,
            Method::Get,
            OPENAPI_ALIBABA,
            "OpenApiAlibaba",
            "The description of Alibaba's RPC actions and SLS operations.",
        )
        .answer(200, "The document.", object()),
    );
    part.add(
        Op::new(
            TAG,
            Method::Get,
            METRICS,
            "Metrics",
            "Prometheus text exposition of the cloud requests and resources.",
        )
        .answer(200, "Prometheus text (text/plain).", None)
        .answer(
            401,
            "Unauthorized: --control-token is set and the bearer token is missing or wrong.",
            Some(error.clone()),
        ),
    );
    part.add(
        ctl(
            Method::Post,
            RESET,
            "Reset",
            "Remove the world, or the part that provider, tenant (region) and product name.",
        )
        .query("provider", provider(), "Only this provider's.")
        .query("tenant", text(), "Only this tenant's.")
        .query(
            "region",
            text(),
            "With tenant: only this region's (Alibaba).",
        )
        .query(
            "product",
            text(),
            "Only this product's (vpc, ecs, lts, sls, …).",
        )
        .answer(200, "{\"deleted\": n, \"by_kind\": {<kind>: n}}.", object()),
    );
    let views = part.schema::<FlowLogView>();
    part.add(
        ctl(
            Method::Get,
            FLOW_LOGS,
            "ListStoredFlowLogs",
            "The provider-neutral view of every stored flow log.",
        )
        .query("provider", provider(), "Only this provider's.")
        .query("tenant", text(), "Only this tenant's.")
        .query("status", text(), "Only these statuses (comma-separated).")
        .query("limit", apidoc::integer(), "At most this many.")
        .query("offset", apidoc::integer(), "Skip this many.")
        .answer(
            200,
            "The flow logs.",
            Some(apidoc::object_with(&[("flow_logs", apidoc::array(views))])),
        ),
    );
    let settings = "{\"settings\": [{\"provider\", \"kind\", \"mode\", \"delay\"}]}.";
    part.add(
        ctl(
            Method::Get,
            TRANSITIONS,
            "ListTransitionSettings",
            "How transitions complete, per provider and kind.",
        )
        .answer(200, settings, object()),
    );
    part.add(
        ctl(
            Method::Put,
            TRANSITIONS,
            "PutTransitionSettings",
            "Set how transitions complete (one setting, a list, or {\"settings\": […]}).",
        )
        .body(part.schema::<PutBody>())
        .answer(
            200,
            "One setting: the setting now in force, {\"provider\", \"kind\", \"mode\", \"delay\", \"source\"}; a list: every setting, {\"settings\": […]}.",
            object(),
        ),
    );
    part.add(
        ctl(
            Method::Delete,
            TRANSITIONS,
            "ResetTransitionSettings",
            "Back to the defaults (all, or a provider's and/or a kind's).",
        )
        .query("provider", provider(), "Only this provider's.")
        .query("kind", text(), "Only this kind's.")
        .answer(200, settings, object()),
    );
    part.add(
        ctl(
            Method::Post,
            TICK,
            "Tick",
            "Complete every transition that is due (all=true: every pending one).",
        )
        .query(
            "all",
            apidoc::boolean(),
            "Every pending transition, whatever its due time.",
        )
        .answer(200, "{\"completed\": n}.", object()),
    );
    part.add(
        ctl(
            Method::Post,
            GENERATE,
            "GenerateRecords",
            "Produce and deliver the next capture windows of every active flow log (or one).",
        )
        .query("windows", apidoc::integer(), "How many windows.")
        .query(
            "until",
            text(),
            "Instead: every window that ends by this time (RFC 3339).",
        )
        .query("flow_log_id", text(), "Only this flow log's.")
        .body(part.schema::<GenerateBody>())
        .answer(200, "{\"windows\", \"flow_logs\", \"records\"}.", object())
        .answer(404, "NotFound: no such flow log.", Some(error.clone())),
    );
    part.add(
        ctl(
            Method::Get,
            RECORDS,
            "ListRecords",
            "The delivered flow-log records, newest first.",
        )
        .query("flow_log_id", text(), "Only this flow log's.")
        .query("provider", provider(), "Only this provider's.")
        .query("tenant", text(), "Only this tenant's.")
        .query(
            "group",
            text(),
            "With stream: one destination's (LTS group id or SLS project).",
        )
        .query(
            "stream",
            text(),
            "With group: one destination's (LTS stream id or SLS logstore).",
        )
        .query("from", text(), "From this time (RFC 3339).")
        .query("to", text(), "Up to this time (RFC 3339).")
        .query("limit", apidoc::integer(), "At most this many.")
        .query("offset", apidoc::integer(), "Skip this many.")
        .answer(200, "The records.", Some(part.schema::<Listing>())),
    );
    part.add(
        ctl(Method::Get, REQUESTS, "ListRequests", "The request journal, newest first.")
            .query("face", apidoc::one_of(&["huawei", "alibaba", "sls"]), "Only this face's.")
            .query("tenant", text(), "Only this tenant's.")
            .query("status", text(), "A status (404), a class (4xx) or error.")
            .query("request_id", text(), "Only this request.")
            .query("limit", apidoc::integer(), "At most this many (1..=1000).")
            .query("offset", apidoc::integer(), "Skip this many.")
            .answer(200, "{\"requests\": [{\"time\", \"face\", \"product\", \"operation\", \"tenant\", \"region\", \"status\", \"error_code\", \"latency_ms\", \"request_id\", \"signature\"}], \"total\", \"dropped\"}.", object()),
    );
    part.add(
        ctl(
            Method::Get,
            FAULTS,
            "ListFaults",
            "The fault rules with their counts.",
        )
        .answer(200, "The rules.", Some(part.schema::<RulesView>())),
    );
    part.add(
        ctl(Method::Post, FAULTS, "AddFault", "Add a fault rule.")
            .body(part.schema::<RuleBody>())
            .answer(
                201,
                "The rule, with its id.",
                Some(part.schema::<RuleView>()),
            ),
    );
    part.add(
        ctl(
            Method::Delete,
            FAULTS,
            "DeleteFaults",
            "Remove every fault rule.",
        )
        .answer(200, "{\"deleted\": n}.", object()),
    );
    part.add(
        ctl(
            Method::Delete,
            FAULT,
            "DeleteFault",
            "Remove one fault rule.",
        )
        .answer(204, "Removed.", None)
        .answer(404, "NotFound: no such rule.", Some(error.clone())),
    );
    part.add(
        ctl(
            Method::Get,
            SNAPSHOT,
            "ExportSnapshot",
            "The world as a snapshot document.",
        )
        .query("provider", provider(), "Only this provider's.")
        .query("tenant", text(), "Only this tenant's.")
        .query("region", text(), "With tenant: only this region's.")
        .query("records", apidoc::boolean(), "With the delivered records.")
        .answer(
            200,
            "{\"format\": \"flowplane-snapshot\", \"version\", …}.",
            object(),
        ),
    );
    part.add(
        ctl(
            Method::Post,
            SNAPSHOT,
            "ImportSnapshot",
            "Load a snapshot document (replace by default, or merge).",
        )
        .query(
            "mode",
            apidoc::one_of(&["replace", "merge"]),
            "replace (the default) or merge.",
        )
        .body(apidoc::object())
        .answer(
            200,
            "{\"mode\", \"imported\": {<kind>: n}, \"deleted\": {<kind>: n}}.",
            object(),
        )
        .answer(
            409,
            "Conflict: the snapshot's ids are taken (merge).",
            Some(error.clone()),
        )
        .answer(413, "PayloadTooLarge: over 64 MiB.", Some(error)),
    );
    part
}
