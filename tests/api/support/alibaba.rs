//! The Alibaba face: RPC calls as the V1 SDKs and Terraform send them, the POP envelope's
//! assertions, the DescribeFlowLogs readers, a domain-level Alibaba spec, and the tenancy check
//! that runs unsigned (`alibaba::vpc`) and signed (`auth`).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use flowplane::domain::{LogDestination, NewFlowLog, ResourceKind, TenantScope, TrafficFilter};
use serde_json::{json, Value};

use super::app::{view_path, TestApp, TestResponse};
use super::{ALIBABA_KEY, REGION};

/// The content type of a form body.
pub const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// The parameters of a valid CreateFlowLog of the VPC `resource_id`.
pub fn create_params(resource_id: &str) -> Vec<(&str, &str)> {
    vec![
        ("ResourceType", "VPC"),
        ("ResourceId", resource_id),
        ("TrafficType", "All"),
        ("ProjectName", "flowlogproject"),
        ("LogStoreName", "flowlogstore"),
    ]
}

/// `base` with `name` replaced (or removed when `value` is `None`).
pub fn with_param<'a>(
    base: &[(&'a str, &'a str)],
    name: &'a str,
    value: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut params: Vec<_> = base.iter().copied().filter(|(n, _)| *n != name).collect();
    if let Some(value) = value {
        params.push((name, value));
    }
    params
}

/// The entries of a DescribeFlowLogs answer.
pub fn described(body: &Value) -> Vec<Value> {
    body["FlowLogs"]["FlowLog"]
        .as_array()
        .expect("FlowLogs.FlowLog is an array")
        .clone()
}

/// The ids of a DescribeFlowLogs answer, in order.
pub fn described_ids(body: &Value) -> Vec<String> {
    described(body)
        .iter()
        .map(|e| e["FlowLogId"].as_str().unwrap().to_owned())
        .collect()
}

/// Alibaba's request ids are uppercase hyphenated UUIDs.
#[track_caller]
pub fn assert_alibaba_request_id(id: &str) {
    let parsed = uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("{id} is a UUID"));
    assert_eq!(id, parsed.hyphenated().to_string().to_uppercase());
}

impl TestResponse {
    /// Asserts a POP error envelope with `status` and `code`; returns its message.
    #[track_caller]
    pub fn assert_alibaba_error(&self, status: u16, code: &str) -> &str {
        self.assert_pop_error("vpc.aliyuncs.com", status, code)
    }

    /// [`TestResponse::assert_alibaba_error`] of the product whose endpoint is `host`.
    #[track_caller]
    pub fn assert_pop_error(&self, host: &str, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["Code"], code, "body: {}", self.body);
        assert_eq!(
            self.headers["content-type"], "application/json;charset=utf-8",
            "{}",
            self.body
        );
        let request_id = self.body["RequestId"].as_str().expect("RequestId");
        assert_alibaba_request_id(request_id);
        assert_eq!(self.request_id(), request_id);
        assert_eq!(self.body["HostId"], host);
        assert!(self.body["Recommend"]
            .as_str()
            .is_some_and(|r| r.contains(code) && r.contains(request_id)));
        self.body["Message"].as_str().expect("Message is a string")
    }

    /// Asserts a success body: 200, a RequestId, and never a `Code`.
    #[track_caller]
    pub fn assert_alibaba_ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_alibaba_request_id(self.body["RequestId"].as_str().expect("RequestId"));
        assert!(self.body.get("Code").is_none(), "{}", self.body);
        &self.body
    }
}

impl TestApp {
    /// Calls an Alibaba action as the V1 SDKs do: `POST /` with every parameter in the query,
    /// as the default test account in the default region.
    pub async fn alibaba(&self, action: &str, params: &[(&str, &str)]) -> TestResponse {
        self.alibaba_as(ALIBABA_KEY, REGION, action, params).await
    }

    /// The account an access key acts for: its account with a verifying app, else the key
    /// itself (`--auth off` takes the key as the account).
    pub fn alibaba_account(&self, access_key_id: &str) -> String {
        match &self.signer {
            Some(signer) => signer
                .credentials
                .alibaba(access_key_id)
                .map(|key| key.account_id().to_owned())
                .unwrap_or_else(|| access_key_id.to_owned()),
            None => access_key_id.to_owned(),
        }
    }

    /// An action as `access_key_id` in `region`: unsigned, or V1-signed by a verifying app.
    pub async fn alibaba_as(
        &self,
        access_key_id: &str,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> TestResponse {
        if self.signer.is_some() {
            return self
                .alibaba_v1_as(access_key_id, region, action, params)
                .await;
        }
        let query = {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("Action", action)
                .append_pair("Version", "2016-04-28")
                .append_pair("AccessKeyId", access_key_id)
                .append_pair("RegionId", region);
            for (name, value) in params {
                query.append_pair(name, value);
            }
            query.finish()
        };
        self.alibaba_raw(Method::POST, &query, &[], Vec::new())
            .await
    }

    /// An RPC request exactly as given: raw query, extra headers, raw body.
    pub async fn alibaba_raw(
        &self,
        method: Method,
        query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(format!("/?{query}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Creates an Alibaba flow log on `resource_id` (a `vpc-…`) and returns its id.
    pub async fn create_alibaba(&self, resource_id: &str, extra: &[(&str, &str)]) -> String {
        let mut params = create_params(resource_id);
        params.extend_from_slice(extra);
        self.alibaba_destination(&self.alibaba_account(ALIBABA_KEY), REGION)
            .await;
        let response = self.alibaba("CreateFlowLog", &params).await;
        response.assert_alibaba_ok();
        response.body["FlowLogId"].as_str().unwrap().to_owned()
    }

    /// Creates an Alibaba flow log on the resource of `kind` (`VPC`, `VSwitch`,
    /// `NetworkInterface`) with this id and returns its id.
    pub async fn create_alibaba_on(&self, kind: &str, resource_id: &str) -> String {
        let params = with_param(&create_params(resource_id), "ResourceType", Some(kind));
        self.alibaba_destination(&self.alibaba_account(ALIBABA_KEY), REGION)
            .await;
        let response = self.alibaba("CreateFlowLog", &params).await;
        response.assert_alibaba_ok();
        response.body["FlowLogId"].as_str().unwrap().to_owned()
    }

    /// The DescribeFlowLogs entry of one flow log, or `None` once it is gone.
    pub async fn describe_alibaba(&self, id: &str) -> Option<Value> {
        let response = self.alibaba("DescribeFlowLogs", &[("FlowLogId", id)]).await;
        described(response.assert_alibaba_ok()).first().cloned()
    }

    /// TagResources of `resource_type` `id` with `count` tags `k01`, `k02`, … (empty values).
    pub async fn tag_numbered(&self, resource_type: &str, id: &str, count: usize) -> TestResponse {
        let tags: Vec<(String, String)> = (1..=count)
            .map(|i| (format!("Tag.{i}.Key"), format!("k{i:02}")))
            .collect();
        let mut params = vec![("ResourceType", resource_type), ("ResourceId.1", id)];
        params.extend(tags.iter().map(|(name, key)| (name.as_str(), key.as_str())));
        self.alibaba("TagResources", &params).await
    }

    pub async fn alibaba_status(&self, id: &str) -> Option<String> {
        self.describe_alibaba(id)
            .await
            .map(|entry| entry["Status"].as_str().unwrap().to_owned())
    }
}

/// Awaits concurrent Alibaba calls and returns how many succeeded; every other one must be
/// refused with the 400 error `code`.
pub async fn successes_else(
    calls: Vec<tokio::task::JoinHandle<TestResponse>>,
    code: &str,
) -> usize {
    let mut succeeded = 0;
    for call in calls {
        let response = call.await.unwrap();
        if response.status == StatusCode::OK {
            succeeded += 1;
        } else {
            response.assert_alibaba_error(400, code);
        }
    }
    succeeded
}

/// An Alibaba-shaped spec, for exercising the asynchronous life cycle through the domain service.
pub fn alibaba_spec(resource_id: &str) -> NewFlowLog {
    NewFlowLog {
        name: Some("ali".into()),
        description: None,
        resource_kind: ResourceKind::Vpc,
        resource_id: resource_id.into(),
        traffic_filter: TrafficFilter::All,
        traffic_paths: vec!["all".into()],
        aggregation_interval: Some(10),
        ip_version: Some("IPv4".into()),
        log_format: None,
        destination: LogDestination {
            group: "sls-project".into(),
            topic: "sls-logstore".into(),
        },
        index_enabled: false,
        resource_group_id: None,
        tags: Vec::new(),
    }
}

pub fn alibaba_scope() -> TenantScope {
    TenantScope::alibaba_account("1234567890123456", "cn-hangzhou")
}

/// A flow log that `mine` (access key id, account id) creates in `REGION` is out of reach of
/// `other`'s account and of `mine` in another region: describe, delete, (de)activate, modify,
/// tag, untag, list tags, move, and the control API's view by tenant. Run unsigned
/// (`alibaba::vpc`) and signed (`auth`).
pub async fn assert_no_action_reaches_across_accounts_or_regions(
    app: &TestApp,
    mine: (&str, &str),
    other: (&str, &str),
) {
    let mut params = create_params("vpc-mine");
    params.push(("Tag.1.Key", "k"));
    let id = app
        .alibaba_as(mine.0, REGION, "CreateFlowLog", &params)
        .await
        .assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tick_all().await;
    for (key, region) in [(other.0, REGION), (mine.0, "cn-shanghai")] {
        let listed = app.alibaba_as(key, region, "DescribeFlowLogs", &[]).await;
        assert_eq!(listed.assert_alibaba_ok()["TotalCount"], "0");
        for action in [
            "DeleteFlowLog",
            "DeactiveFlowLog",
            "ActiveFlowLog",
            "ModifyFlowLogAttribute",
        ] {
            app.alibaba_as(key, region, action, &[("FlowLogId", &id)])
                .await
                .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
        }
        let tag = [
            ("ResourceType", "FLOWLOG"),
            ("ResourceId.1", id.as_str()),
            ("Tag.1.Key", "x"),
        ];
        app.alibaba_as(key, region, "TagResources", &tag)
            .await
            .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
        app.alibaba_as(
            key,
            region,
            "UnTagResources",
            &[tag[0], tag[1], ("All", "true")],
        )
        .await
        .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
        let listed = app
            .alibaba_as(key, region, "ListTagResources", &[tag[0], tag[1]])
            .await;
        assert_eq!(
            listed.assert_alibaba_ok()["TagResources"]["TagResource"],
            json!([])
        );
        app.alibaba_as(
            key,
            region,
            "MoveResourceGroup",
            &[
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", &id),
                ("NewResourceGroupId", "rg-theirs"),
            ],
        )
        .await
        .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
    }
    let described = app
        .alibaba_as(mine.0, REGION, "DescribeFlowLogs", &[("FlowLogId", &id)])
        .await;
    let entry = &described.assert_alibaba_ok()["FlowLogs"]["FlowLog"][0];
    assert_eq!(entry["Status"], "Active");
    assert_eq!(entry["Tags"]["Tag"], json!([{"Key": "k", "Value": ""}]));
    // Without a group, the flow log is in its account's default group.
    assert_eq!(
        entry["ResourceGroupId"],
        flowplane::domain::tenancy::default_resource_group_id(mine.1).as_str()
    );
    assert_eq!(
        app.get(&view_path("alibaba", other.1)).await.body,
        json!({"flow_logs": []})
    );
    let stored = app.get(&view_path("alibaba", mine.1)).await.body;
    assert_eq!(stored["flow_logs"].as_array().unwrap().len(), 1, "{stored}");
    assert_eq!(stored["flow_logs"][0]["id"], id.as_str());
}
