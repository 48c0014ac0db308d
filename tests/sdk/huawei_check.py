#!/usr/bin/env python3
"""End-to-end conformance checks for Flowplane's Huawei Cloud VPC flow-log API (v1).

Drives a running Flowplane server with the official, unmodified Huawei Cloud Python SDK
(huaweicloudsdkvpc / huaweicloudsdkcore, pinned in requirements.txt). The endpoint comes from
FLOWPLANE_ENDPOINT, e.g. http://127.0.0.1:8080. The server runs with `--auth verify` and a
credentials file holding the keys below: `huawei_check.py --print-credentials` prints their
`[[huawei]]` entries (run.sh writes them into the server's file).

Prints one line per check (`PASS name` / `FAIL name: reason`), then `N passed, M failed`, and
exits 0 only when nothing failed. Checks use fresh uuid4 resource ids and filter by them, so
they do not depend on an empty database or on each other; what they create is deleted after
each check (best effort).

Flow logs deliver into LTS log groups and streams, which a user creates first: the checks do the
same with the LTS SDK (huaweicloudsdklts), so their flow logs are ACTIVE; a flow log on a group and
stream that do not exist reads ERROR (checked by flow_log_on_a_missing_destination_is_error).

Reference: shared/reference/huawei-vpc-flow-logs.md (sections 1, 4 and 5).
"""

import datetime
import os
import re
import sys
import time
import traceback
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdklts.v2 import (
    CreateLogGroupParams,
    CreateLogGroupRequest,
    CreateLogStreamParams,
    CreateLogStreamRequest,
    DeleteLogGroupRequest,
    LtsClient,
)
from huaweicloudsdkvpc.v2 import (
    CreateFlowLogReq,
    CreateFlowLogReqBody,
    CreateFlowLogRequest,
    DeleteFlowLogRequest,
    ListFlowLogsRequest,
    ShowFlowLogRequest,
    UpdateFlowLogReq,
    UpdateFlowLogReqBody,
    UpdateFlowLogRequest,
    VpcClient,
)

AK = "HWCHECKACCESSKEY0001"  # may use any project
SK = "hw-check-secret-key-000000000000000000000"
LIMITED_AK = "HWCHECKONEPROJECT001"  # may use PID only
LIMITED_SK = "hw-check-secret-key-one-project-00000000"
PID = "0123456789abcdef0123456789abcdef"
PID2 = "fedcba9876543210fedcba9876543210"  # second project, for isolation checks

CREDENTIALS = f"""[[huawei]]
access_key = "{AK}"
secret_key = "{SK}"

[[huawei]]
access_key = "{LIMITED_AK}"
secret_key = "{LIMITED_SK}"
projects = ["{PID}"]
"""

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")  # no Z, no fraction
FLOW_LOG_FIELDS = {
    "id", "name", "tenant_id", "description", "resource_type", "resource_id", "traffic_type",
    "log_group_id", "log_topic_id", "log_store_type", "created_at", "updated_at", "admin_state",
    "status",
}
IMMUTABLE_FIELDS = ("id", "tenant_id", "resource_type", "resource_id", "traffic_type",
                    "log_group_id", "log_topic_id", "log_store_type", "created_at")

# ---------------------------------------------------------------------------------------------
# Clients and bookkeeping
# ---------------------------------------------------------------------------------------------

# The SDK hides response headers on success; an official HttpHandler response hook records the
# last raw response so checks can see X-Request-Id on 2xx replies too.
LAST = {"response": None}


def _record_response(**kwargs):
    LAST["response"] = kwargs.get("response")


def make_client(project_id, ak=AK, sk=SK):
    endpoint = os.environ["FLOWPLANE_ENDPOINT"]
    creds = BasicCredentials(ak, sk, project_id)
    client = (VpcClient.new_builder()
              .with_credentials(creds)
              .with_endpoints([endpoint])
              .with_http_handler(HttpHandler().add_response_handler(_record_response))
              .build())
    PROJECT_OF[id(client)] = project_id
    return client


PROJECT_OF = {}
C1 = C2 = None  # set in main()
CREATED = []  # (client, flow log id) made by the running check; deleted afterwards

# ---------------------------------------------------------------------------------------------
# LTS destinations, made with the LTS SDK as a user makes them before a flow log
# ---------------------------------------------------------------------------------------------

LTS_CLIENTS = {}
DESTINATIONS = set()  # (project, group id, stream id) that exist
GROUP_PROJECT = {}  # group id -> its project
DEFAULT_GROUP = {}  # project -> the group flow logs use unless a check names one
DEFAULT_STREAM = {}  # group id -> the stream flow logs use unless a check names one
CREATED_GROUPS = []  # (project, group id) made by the running check; deleted afterwards


def lts_client(project_id):
    if project_id not in LTS_CLIENTS:
        creds = BasicCredentials(AK, SK, project_id)
        LTS_CLIENTS[project_id] = (LtsClient.new_builder().with_credentials(creds)
                                   .with_endpoints([os.environ["FLOWPLANE_ENDPOINT"]]).build())
    return LTS_CLIENTS[project_id]


def lts_group(project_id=PID, keep=False):
    """A fresh LTS log group of the project (deleted after the check unless `keep`)."""
    resp = lts_client(project_id).create_log_group(CreateLogGroupRequest(body=CreateLogGroupParams(
        log_group_name="fl-check-" + short(), ttl_in_days=7)))
    GROUP_PROJECT[resp.log_group_id] = project_id
    if not keep:
        CREATED_GROUPS.append((project_id, resp.log_group_id))
    return resp.log_group_id


def lts_stream(group):
    """A fresh LTS log stream of the group."""
    project_id = GROUP_PROJECT[group]
    resp = lts_client(project_id).create_log_stream(CreateLogStreamRequest(
        log_group_id=group, body=CreateLogStreamParams(log_stream_name="flows-" + short())))
    DESTINATIONS.add((project_id, group, resp.log_stream_id))
    return resp.log_stream_id


def destination(project_id, group=None):
    """(group, stream) for a flow log of the project: the project's default group unless `group`
    is given, and a stream of that group, made once."""
    if group is None:
        if project_id not in DEFAULT_GROUP:
            DEFAULT_GROUP[project_id] = lts_group(project_id, keep=True)
        group = DEFAULT_GROUP[project_id]
    if group not in DEFAULT_STREAM:
        DEFAULT_STREAM[group] = lts_stream(group)
    return group, DEFAULT_STREAM[group]


def last_request_id():
    resp = LAST["response"]
    assert resp is not None, "no HTTP response recorded"
    return resp.headers.get("X-Request-Id", "")


def short():
    return uuid.uuid4().hex[:8]


def new_uuid():
    return str(uuid.uuid4())


def ids(flow_logs):
    return [f.id for f in flow_logs]


# ---------------------------------------------------------------------------------------------
# SDK wrappers: each asserts the HTTP status, the raw JSON shape and the X-Request-Id header
# ---------------------------------------------------------------------------------------------

def assert_raw_flow_log(raw, project_id):
    """Checks one FlowLogResp as raw JSON: the Python SDK coerces types silently, Go/Terraform don't."""
    assert isinstance(raw, dict), f"flow log is not a JSON object: {raw!r}"
    missing = FLOW_LOG_FIELDS - raw.keys()
    assert not missing, f"flow log lacks fields {sorted(missing)}: {raw}"
    # Go SDK models type every one of these as string: null or numbers would break decoding.
    for key in FLOW_LOG_FIELDS - {"admin_state"}:
        assert isinstance(raw[key], str), f"{key} must be a JSON string, got {raw[key]!r}"
    assert isinstance(raw["admin_state"], bool), f"admin_state must be a JSON bool, got {raw['admin_state']!r}"
    assert UUID_RE.match(raw["id"]), f"id is not a lowercase UUID: {raw['id']!r}"
    assert raw["tenant_id"] == project_id, f"tenant_id {raw['tenant_id']!r} != project id {project_id!r}"
    assert raw["log_store_type"] == "lts", f"log_store_type {raw['log_store_type']!r} != 'lts'"
    for key in ("created_at", "updated_at"):
        assert TS_RE.match(raw[key]), f"{key} {raw[key]!r} is not YYYY-MM-DDTHH:MM:SS"
    # Enabled: ACTIVE while its LTS group and stream exist, ERROR otherwise.
    delivering = (project_id, raw["log_group_id"], raw["log_topic_id"]) in DESTINATIONS
    expected_status = ("ACTIVE" if delivering else "ERROR") if raw["admin_state"] else "DOWN"
    assert raw["status"] == expected_status, \
        f"status {raw['status']!r} does not match admin_state {raw['admin_state']} (want {expected_status})"


def assert_ok(resp, status, what):
    assert resp.status_code == status, f"{what} returned HTTP {resp.status_code}, want {status}"
    assert last_request_id(), f"{what} response has no X-Request-Id header"


def flow_log_req(project_id=PID, **overrides):
    """A valid CreateFlowLogReq with a fresh resource id, delivering to an LTS group and stream of
    the project (a stream of the group the overrides name, when they name a known one); an
    override of None omits that field."""
    group = overrides.get("log_group_id")
    if group is None or group in GROUP_PROJECT:
        group, stream = destination(project_id, group)
    else:
        stream = new_uuid()
    fields = dict(name="fl-" + short(), description="sdk conformance", resource_type="port",
                  resource_id=new_uuid(), traffic_type="all", log_group_id=group,
                  log_topic_id=stream)
    fields.update(overrides)
    return CreateFlowLogReq(**{k: v for k, v in fields.items() if v is not None})


def create(client, **overrides):
    body = CreateFlowLogReqBody(flow_log=flow_log_req(PROJECT_OF[id(client)], **overrides))
    resp = client.create_flow_log(CreateFlowLogRequest(body=body))
    assert_ok(resp, 200, "create")
    raw = resp.to_json_object()
    assert isinstance(raw, dict) and "flow_log" in raw, f"create body lacks 'flow_log': {raw!r}"
    assert_raw_flow_log(raw["flow_log"], PROJECT_OF[id(client)])
    CREATED.append((client, resp.flow_log.id))
    return resp.flow_log


def show(client, flowlog_id, raw=False):
    resp = client.show_flow_log(ShowFlowLogRequest(flowlog_id=flowlog_id))
    assert_ok(resp, 200, "show")
    body = resp.to_json_object()
    assert isinstance(body, dict) and "flow_log" in body, f"show body lacks 'flow_log': {body!r}"
    assert_raw_flow_log(body["flow_log"], PROJECT_OF[id(client)])
    return body["flow_log"] if raw else resp.flow_log


def update(client, flowlog_id, **fields):
    body = UpdateFlowLogReqBody(flow_log=UpdateFlowLogReq(**fields))
    resp = client.update_flow_log(UpdateFlowLogRequest(flowlog_id=flowlog_id, body=body))
    assert_ok(resp, 200, "update")
    raw = resp.to_json_object()
    assert isinstance(raw, dict) and "flow_log" in raw, f"update body lacks 'flow_log': {raw!r}"
    assert_raw_flow_log(raw["flow_log"], PROJECT_OF[id(client)])
    return resp.flow_log


def delete(client, flowlog_id):
    resp = client.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flowlog_id))
    assert_ok(resp, 204, "delete")
    assert not resp.raw_content, f"delete must have an empty body, got {resp.raw_content!r}"


def list_logs(client, raw=False, **filters):
    resp = client.list_flow_logs(ListFlowLogsRequest(**filters))
    assert_ok(resp, 200, f"list {filters}")
    body = resp.to_json_object()
    assert isinstance(body, dict) and isinstance(body.get("flow_logs"), list), \
        f"list body must be {{'flow_logs': [...]}}, got {body!r}"
    assert "page_info" not in body, "list body must not carry page_info"
    for item in body["flow_logs"]:
        assert_raw_flow_log(item, PROJECT_OF[id(client)])
    return body["flow_logs"] if raw else (resp.flow_logs or [])


def list_all(client, limit, max_pages=1000, **filters):
    """Pages with limit/marker until an empty page, the way Terraform's MarkerPager does."""
    seen, marker, pages = [], None, []
    for _ in range(max_pages):
        page = list_logs(client, limit=str(limit), marker=marker, **filters)
        assert len(page) <= limit, f"page of {len(page)} items exceeds limit={limit}"
        if not page:
            return seen, pages
        repeated = set(ids(page)) & set(seen)
        assert not repeated, f"page after marker={marker} repeats ids {sorted(repeated)}"
        pages.append(len(page))
        seen.extend(ids(page))
        marker = page[-1].id
    raise AssertionError(f"paging did not reach an empty page within {max_pages} pages")


def expect_error(call, status, code, field=None):
    """Runs call(), which must fail with HTTP status + error code (+ field named in the message)."""
    try:
        call()
    except ServiceResponseException as e:
        assert (e.status_code, e.error_code) == (status, code), \
            f"want {status} {code}, got {e.status_code} {e.error_code}: {e.error_msg!r}"
        assert e.request_id, f"{status} {code} error response has no X-Request-Id header"
        if field:
            assert field in (e.error_msg or ""), f"error message {e.error_msg!r} does not name {field!r}"
        return e
    raise AssertionError(f"want {status} {code}, but the call succeeded")


def parse_ts(value):
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append((fn.__name__, fn))
    return fn


@check
def reference_scenario():
    """Reference section 5, against a database that may already hold other flow logs."""
    rid = new_uuid()
    group = lts_group()
    fl = create(C1, name="fl-test", description="demo", resource_type="port", resource_id=rid,
                traffic_type="all", log_group_id=group, log_topic_id=lts_stream(group))
    assert fl.admin_state is True and fl.status == "ACTIVE", f"new log: {fl.admin_state} {fl.status}"
    listed = ids(list_logs(C1, resource_type="port", resource_id=rid, limit="10"))
    assert listed == [fl.id], f"list by resource_id gave {listed}, want [{fl.id}]"
    assert show(C1, fl.id).name == "fl-test"
    up = update(C1, fl.id, name="fl-renamed", admin_state=False)
    assert up.name == "fl-renamed" and up.admin_state is False and up.status == "DOWN", \
        f"after update: {up.name} {up.admin_state} {up.status}"
    delete(C1, fl.id)
    expect_error(lambda: show(C1, fl.id), 404, "VPC.3002")


@check
def create_response_fields():
    group = lts_group()
    req = dict(name="fl-fields", description="all fields", resource_type="network",
               resource_id=new_uuid(), traffic_type="reject", log_group_id=group,
               log_topic_id=lts_stream(group))
    fl = create(C1, **req)
    for key, want in req.items():
        assert getattr(fl, key) == want, f"{key}: got {getattr(fl, key)!r}, sent {want!r}"
    assert fl.tenant_id == PID and fl.log_store_type == "lts"
    assert fl.admin_state is True and fl.status == "ACTIVE", f"new log: {fl.admin_state} {fl.status}"
    assert fl.created_at == fl.updated_at, f"created_at {fl.created_at} != updated_at {fl.updated_at}"
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    skew = abs((parse_ts(fl.created_at) - now).total_seconds())
    assert skew < 300, f"created_at {fl.created_at} is {skew:.0f}s from UTC now {now:%Y-%m-%dT%H:%M:%S}"
    other = create(C1)
    assert other.id != fl.id, "two creates returned the same id"


@check
def create_minimal_fields():
    fl = create(C1, name=None, description=None, resource_type="vpc", traffic_type="accept")
    assert fl.name == "" and fl.description == "", \
        f"unset name/description came back as {fl.name!r}/{fl.description!r}"
    assert fl.resource_type == "vpc" and fl.traffic_type == "accept"


@check
def create_accepts_index_enabled():
    # index_enabled is in the SDK 3.1.219 CreateFlowLogReq model, so SDK users may send it.
    for flag in (False, True):
        fl = create(C1, index_enabled=flag)
        assert fl.status == "ACTIVE", f"index_enabled={flag}: status {fl.status}"


@check
def show_matches_create_and_list():
    fl = create(C1)
    shown = show(C1, fl.id, raw=True)
    listed = list_logs(C1, raw=True, resource_id=fl.resource_id)
    assert len(listed) == 1, f"list by resource_id returned {len(listed)} items"
    for key in FLOW_LOG_FIELDS:
        assert shown[key] == getattr(fl, key), f"show {key}={shown[key]!r}, create gave {getattr(fl, key)!r}"
        assert listed[0][key] == shown[key], f"list {key}={listed[0][key]!r}, show gave {shown[key]!r}"


@check
def chinese_name_round_trip():
    name, desc = "流日志-1", "中文描述：测试 & more"
    fl = create(C1, name=name, description=desc)
    assert (fl.name, fl.description) == (name, desc), f"create echoed {fl.name!r}/{fl.description!r}"
    assert show(C1, fl.id).name == name
    listed = ids(list_logs(C1, name=name, resource_id=fl.resource_id))
    assert listed == [fl.id], f"list name={name!r} gave {listed}"
    up = update(C1, fl.id, name="流日志-2")
    assert up.name == "流日志-2", f"update echoed {up.name!r}"
    assert show(C1, fl.id).name == "流日志-2"


@check
def boundary_values_accepted():
    name64 = "n" * 60 + "_-.流"
    desc255 = ("d" * 250) + " & é!"
    fl = create(C1, name=name64, description=desc255)
    assert (len(fl.name), len(fl.description)) == (64, 255), f"lengths {len(fl.name)}/{len(fl.description)}"
    shown = show(C1, fl.id)
    assert (shown.name, shown.description) == (name64, desc255), "64-char name / 255-char description not kept"


@check
def paging_with_marker():
    group = lts_group()
    created = [create(C1, log_group_id=group, resource_id=new_uuid()).id for _ in range(7)]
    seen, pages = list_all(C1, 3, log_group_id=group)
    assert pages == [3, 3, 1], f"page sizes {pages}, want [3, 3, 1]"
    assert seen == created, f"paged ids {seen} != creation order {created}"
    # No limit: the default (2000) covers all seven, in creation order.
    assert ids(list_logs(C1, log_group_id=group)) == created, "unpaged list not in creation order"
    # Marker = last id: empty page rather than an error.
    assert list_logs(C1, log_group_id=group, marker=created[-1]) == [], "marker=last id must give []"
    # A marker in the middle starts right after it.
    after = ids(list_logs(C1, log_group_id=group, marker=created[2], limit="2"))
    assert after == created[3:5], f"marker={created[2]} limit=2 gave {after}, want {created[3:5]}"


@check
def paging_unfiltered():
    created = [create(C1).id for _ in range(4)]
    seen, _ = list_all(C1, 5)
    assert len(seen) == len(set(seen)), "unfiltered paging returned some id twice"
    mine = [i for i in seen if i in created]
    assert mine == created, f"unfiltered paging gave {mine} of mine, want {created} in order"


def filter_fixture():
    """Three logs in one fresh log group: A port/all, B network/accept, C vpc/reject (other topic)."""
    tag, group = short(), lts_group()
    topic1, topic2 = lts_stream(group), lts_stream(group)
    a = create(C1, name=f"flt-a-{tag}", description=f"desc a {tag}", resource_type="port",
               traffic_type="all", log_group_id=group, log_topic_id=topic1)
    b = create(C1, name=f"flt-b-{tag}", description=f"desc b {tag}", resource_type="network",
               traffic_type="accept", log_group_id=group, log_topic_id=topic1)
    c = create(C1, name=f"flt-c-{tag}", description=f"desc c {tag}", resource_type="vpc",
               traffic_type="reject", log_group_id=group, log_topic_id=topic2)
    return a, b, c, group


def assert_filter(want, **filters):
    got = ids(list_logs(C1, **filters))
    want = [f.id for f in want]
    assert got == want, f"list {filters} gave {got}, want {want}"


@check
def filter_id():
    a, _, _, _ = filter_fixture()
    assert_filter([a], id=a.id)
    assert_filter([], id=new_uuid())


@check
def filter_name():
    a, _, _, _ = filter_fixture()
    assert_filter([a], name=a.name)
    assert_filter([], name=a.name[:-1])  # exact match, not prefix


@check
def filter_description():
    _, b, _, _ = filter_fixture()
    assert_filter([b], description=b.description)
    assert_filter([], description=b.description.upper())  # exact, case-sensitive


@check
def filter_tenant_id():
    a, b, c, group = filter_fixture()
    assert_filter([a, b, c], log_group_id=group, tenant_id=PID)
    assert_filter([], log_group_id=group, tenant_id=PID2)


@check
def filter_resource_type():
    a, b, c, group = filter_fixture()
    assert_filter([b], log_group_id=group, resource_type="network")
    assert_filter([a], log_group_id=group, resource_type="port")
    assert_filter([c], log_group_id=group, resource_type="vpc")


@check
def filter_resource_id():
    _, _, c, _ = filter_fixture()
    assert_filter([c], resource_id=c.resource_id)


@check
def filter_traffic_type():
    a, b, c, group = filter_fixture()
    assert_filter([c], log_group_id=group, traffic_type="reject")
    assert_filter([b], log_group_id=group, traffic_type="accept")
    assert_filter([a], log_group_id=group, traffic_type="all")


@check
def filter_log_group_id():
    a, b, c, group = filter_fixture()
    assert_filter([a, b, c], log_group_id=group)
    assert_filter([], log_group_id=new_uuid())


@check
def filter_log_topic_id():
    a, b, c, _ = filter_fixture()
    assert_filter([a, b], log_topic_id=a.log_topic_id)
    assert_filter([c], log_topic_id=c.log_topic_id)


@check
def filter_log_store_type():
    a, b, c, group = filter_fixture()
    assert_filter([a, b, c], log_group_id=group, log_store_type="lts")


@check
def filter_status():
    a, b, c, group = filter_fixture()
    assert update(C1, b.id, admin_state=False).status == "DOWN"
    assert_filter([b], log_group_id=group, status="DOWN")
    assert_filter([a, c], log_group_id=group, status="ACTIVE")
    assert_filter([], log_group_id=group, status="ERROR")


@check
def filter_combined_is_and():
    _, _, c, group = filter_fixture()
    assert_filter([], log_group_id=group, resource_type="port", traffic_type="reject")
    assert_filter([c], log_group_id=group, resource_type="vpc", traffic_type="reject")


# Invalid list parameters: 404 VPC.3001 "resource could not be found, <param> is invalid".
BAD_LIST_PARAMS = [
    ("resource_type", "subnet"),
    ("traffic_type", "bogus"),
    ("status", "BOGUS"),
    ("limit", "abc"),
    ("limit", "-1"),
]


def _bad_list_param_check(param, value):
    def run():
        expect_error(lambda: C1.list_flow_logs(ListFlowLogsRequest(**{param: value})),
                     404, "VPC.3001", field=param)
    return run


for _param, _value in BAD_LIST_PARAMS:
    CHECKS.append((f"list_rejects_{_param}={_value}", _bad_list_param_check(_param, _value)))


# Create validation: 400 VPC.3001 naming the field. An override of None omits the field.
BAD_CREATE_FIELDS = [
    ("resource_type=subnet", "resource_type", dict(resource_type="subnet")),
    ("resource_type_missing", "resource_type", dict(resource_type=None)),
    ("traffic_type=everything", "traffic_type", dict(traffic_type="everything")),
    ("traffic_type_missing", "traffic_type", dict(traffic_type=None)),
    ("log_group_id_not_uuid", "log_group_id", dict(log_group_id="not-a-uuid")),
    ("log_group_id_missing", "log_group_id", dict(log_group_id=None)),
    ("log_topic_id_not_uuid", "log_topic_id", dict(log_topic_id="12345")),
    ("log_topic_id_missing", "log_topic_id", dict(log_topic_id=None)),
    ("resource_id_missing", "resource_id", dict(resource_id=None)),
    ("name_65_chars", "name", dict(name="n" * 65)),
    ("name_bad_chars", "name", dict(name="bad name!")),
    ("description_256_chars", "description", dict(description="d" * 256)),
    ("description_angle_brackets", "description", dict(description="x <b> y")),
]


def _bad_create_check(field, overrides):
    def run():
        req = CreateFlowLogRequest(body=CreateFlowLogReqBody(flow_log=flow_log_req(**overrides)))
        expect_error(lambda: C1.create_flow_log(req), 400, "VPC.3001", field=field)
    return run


for _name, _field, _overrides in BAD_CREATE_FIELDS:
    CHECKS.append((f"create_rejects_{_name}", _bad_create_check(_field, _overrides)))


@check
def create_rejects_empty_flow_log():
    # The SDK does no client-side validation: this goes out as {"flow_log": {}}.
    req = CreateFlowLogRequest(body=CreateFlowLogReqBody(flow_log=CreateFlowLogReq()))
    expect_error(lambda: C1.create_flow_log(req), 400, "VPC.3001")


@check
def create_rejects_missing_wrapper_and_body():
    # CreateFlowLogReqBody() goes out as "{}"; CreateFlowLogRequest() as an empty body.
    expect_error(lambda: C1.create_flow_log(CreateFlowLogRequest(body=CreateFlowLogReqBody())),
                 400, "VPC.3001")
    expect_error(lambda: C1.create_flow_log(CreateFlowLogRequest()), 400, "VPC.3001")


@check
def create_duplicate_conflict():
    group = lts_group()
    tuple5 = dict(resource_type="port", resource_id=new_uuid(), traffic_type="all",
                  log_group_id=group, log_topic_id=lts_stream(group))
    first = create(C1, name="dup-1", **tuple5)
    req = CreateFlowLogRequest(body=CreateFlowLogReqBody(flow_log=flow_log_req(PID, name="dup-2", **tuple5)))
    expect_error(lambda: C1.create_flow_log(req), 409, "VPC.3004")
    listed = ids(list_logs(C1, resource_id=tuple5["resource_id"]))
    assert listed == [first.id], f"after the 409 the resource has logs {listed}, want only {first.id}"


@check
def duplicate_scope():
    group = lts_group()
    tuple5 = dict(resource_type="port", resource_id=new_uuid(), traffic_type="all",
                  log_group_id=group, log_topic_id=lts_stream(group))
    create(C1, **tuple5)
    create(C1, **dict(tuple5, traffic_type="reject"))  # another traffic type is not a duplicate
    create(C1, **dict(tuple5, log_topic_id=lts_stream(group)))  # nor another log topic
    # Nor the same 5-tuple in another project (where that group is not: the flow log is ERROR).
    assert create(C2, **tuple5).status == "ERROR"


@check
def recreate_after_delete():
    # Terraform's ForceNew replaces a flow log by delete + create with the same 5-tuple.
    group = lts_group()
    tuple5 = dict(resource_id=new_uuid(), log_group_id=group, log_topic_id=lts_stream(group))
    first = create(C1, **tuple5)
    delete(C1, first.id)
    second = create(C1, **tuple5)
    assert second.id != first.id, "re-created flow log reused the deleted id"


@check
def flow_log_on_a_missing_destination_is_error():
    """A flow log whose LTS group and stream do not exist is created (the server is lenient) but
    reads ERROR while enabled, DOWN when disabled; it delivers once they exist (never, here)."""
    group, topic = new_uuid(), new_uuid()
    fl = create(C1, log_group_id=group, log_topic_id=topic)
    assert (fl.admin_state, fl.status) == (True, "ERROR"), f"new log: {fl.admin_state} {fl.status}"
    assert show(C1, fl.id).status == "ERROR"
    assert_filter([fl], log_group_id=group, status="ERROR")
    assert_filter([], log_group_id=group, status="ACTIVE")
    assert update(C1, fl.id, admin_state=False).status == "DOWN"
    # A real stream of a real group, but in the other project: still ERROR here.
    other_group, other_stream = destination(PID2)
    assert create(C1, log_group_id=other_group, log_topic_id=other_stream).status == "ERROR"


@check
def update_admin_state_toggles_status():
    fl = create(C1)
    down = update(C1, fl.id, admin_state=False)
    assert (down.admin_state, down.status) == (False, "DOWN"), f"after disable: {down.admin_state} {down.status}"
    shown = show(C1, fl.id)
    assert (shown.admin_state, shown.status) == (False, "DOWN"), f"show after disable: {shown.status}"
    up = update(C1, fl.id, admin_state=True)
    assert (up.admin_state, up.status) == (True, "ACTIVE"), f"after enable: {up.admin_state} {up.status}"
    assert show(C1, fl.id).status == "ACTIVE"


@check
def update_keeps_other_fields():
    fl = create(C1, name="keep-me", description="before")
    before = show(C1, fl.id, raw=True)
    up = update(C1, fl.id, description="after")
    assert (up.name, up.description, up.admin_state) == ("keep-me", "after", True), \
        f"description-only update gave name={up.name!r} description={up.description!r} admin_state={up.admin_state}"
    up = update(C1, fl.id, admin_state=False)
    assert (up.name, up.description) == ("keep-me", "after"), "admin_state-only update changed name/description"
    up = update(C1, fl.id, name="renamed")
    assert (up.name, up.description, up.admin_state) == ("renamed", "after", False), \
        "name-only update changed description or admin_state"
    after = show(C1, fl.id, raw=True)
    for key in IMMUTABLE_FIELDS:
        assert after[key] == before[key], f"update changed immutable {key}: {before[key]!r} -> {after[key]!r}"


@check
def update_moves_updated_at():
    fl = create(C1)
    time.sleep(1.1)  # timestamps have second resolution; the only sleep in the suite
    up = update(C1, fl.id, name="later")
    assert up.created_at == fl.created_at, f"created_at changed: {fl.created_at} -> {up.created_at}"
    assert up.updated_at > fl.updated_at, f"updated_at did not move: {fl.updated_at} -> {up.updated_at}"
    assert show(C1, fl.id).updated_at == up.updated_at, "show disagrees with update's updated_at"


@check
def update_validation():
    fl = create(C1, name="valid", description="valid")
    for fields, field in ((dict(name="n" * 65), "name"), (dict(name="no spaces"), "name"),
                          (dict(description="<x>"), "description")):
        req = UpdateFlowLogRequest(flowlog_id=fl.id,
                                   body=UpdateFlowLogReqBody(flow_log=UpdateFlowLogReq(**fields)))
        expect_error(lambda: C1.update_flow_log(req), 400, "VPC.3001", field=field)
    shown = show(C1, fl.id)
    assert (shown.name, shown.description) == ("valid", "valid"), "a rejected update changed the flow log"


@check
def delete_lifecycle():
    fl = create(C1)
    delete(C1, fl.id)
    expect_error(lambda: show(C1, fl.id), 404, "VPC.3002")
    expect_error(lambda: delete(C1, fl.id), 404, "VPC.3005")
    expect_error(lambda: update(C1, fl.id, name="gone"), 404, "VPC.3005")
    assert list_logs(C1, resource_id=fl.resource_id) == [], "deleted flow log still listed"


@check
def show_unknown_id():
    expect_error(lambda: show(C1, new_uuid()), 404, "VPC.3002")


@check
def show_malformed_id():
    expect_error(lambda: show(C1, "not-a-uuid"), 404, "VPC.3001")


@check
def update_unknown_id():
    expect_error(lambda: update(C1, new_uuid(), name="x"), 404, "VPC.3005")


@check
def update_malformed_id():
    expect_error(lambda: update(C1, "not-a-uuid", name="x"), 404, "VPC.3001")


@check
def delete_unknown_id():
    expect_error(lambda: delete(C1, new_uuid()), 404, "VPC.3005")


@check
def delete_malformed_id():
    expect_error(lambda: delete(C1, "not-a-uuid"), 404, "VPC.3001")


@check
def project_isolation():
    fl = create(C1)
    assert list_logs(C2, resource_id=fl.resource_id) == [], "project 2 lists project 1's flow log"
    assert list_logs(C2, tenant_id=PID, resource_id=fl.resource_id) == [], \
        "project 2 sees project 1's flow log through tenant_id"
    assert list_logs(C2, id=fl.id) == [], "project 2 lists project 1's flow log by id"
    seen, _ = list_all(C2, 500)
    assert fl.id not in seen, "project 2's unfiltered listing includes project 1's flow log"
    expect_error(lambda: show(C2, fl.id), 404, "VPC.3002")
    expect_error(lambda: update(C2, fl.id, name="hijack"), 404, "VPC.3005")
    expect_error(lambda: delete(C2, fl.id), 404, "VPC.3005")
    shown = show(C1, fl.id)
    assert shown.name == fl.name, "project 2's update reached project 1's flow log"
    other = create(C2, resource_id=fl.resource_id)
    assert other.tenant_id == PID2, f"project 2's flow log has tenant_id {other.tenant_id}"
    assert ids(list_logs(C1, resource_id=fl.resource_id)) == [fl.id], "project 1 sees project 2's flow log"


@check
def wrong_secret_is_401_apigw_0301():
    bad = make_client(PID, sk=SK + "-wrong")
    resource = new_uuid()
    for call in (lambda: list_logs(bad), lambda: create(bad, resource_id=resource)):
        err = expect_error(call, 401, "APIGW.0301")
        assert "verify aksk signature fail" in (err.error_msg or ""), f"error_msg {err.error_msg!r}"
        assert SK not in (err.error_msg or ""), "the error shows the secret"
    assert list_logs(C1, resource_id=resource) == [], "the refused create wrote a flow log"
    unknown = make_client(PID, ak="HWCHECKUNKNOWNKEY001")
    err = expect_error(lambda: list_logs(unknown), 401, "APIGW.0301")
    assert "ak not exist" in (err.error_msg or ""), f"error_msg {err.error_msg!r}"


@check
def key_limited_to_a_project():
    mine = make_client(PID, ak=LIMITED_AK, sk=LIMITED_SK)
    elsewhere = make_client(PID2, ak=LIMITED_AK, sk=LIMITED_SK)
    fl = create(mine)
    assert fl.tenant_id == PID, f"tenant_id {fl.tenant_id}"
    err = expect_error(lambda: list_logs(elsewhere), 400, "VPC.0007")
    assert err.error_msg == "urlTenantId is not equal tokenTenantId", f"error_msg {err.error_msg!r}"
    expect_error(lambda: create(elsewhere), 400, "VPC.0007")


@check
def request_ids():
    fl = create(C1)
    first = last_request_id()
    show(C1, fl.id)
    second = last_request_id()
    assert first and second and first != second, f"X-Request-Id should differ per response: {first!r} {second!r}"
    err = expect_error(lambda: show(C1, new_uuid()), 404, "VPC.3002")
    assert err.request_id not in (first, second), "error response reused an earlier X-Request-Id"


@check
def journal_finds_a_failed_call_by_its_request_id():
    """A failed SDK call, looked up in the request journal by the request id of its exception."""
    import json
    import urllib.parse
    import urllib.request
    err = expect_error(lambda: show(C1, new_uuid()), 404, "VPC.3002")
    query = urllib.parse.urlencode({"request_id": err.request_id})
    url = f"{os.environ['FLOWPLANE_ENDPOINT']}/_flowplane/requests?{query}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = json.load(answer)
    assert body["total"] == 1, f"the journal has {body['total']} entries for {err.request_id}: {body}"
    entry = body["requests"][0]
    want = {"face": "huawei", "product": "vpc", "operation": "ShowFlowLog", "tenant": PID,
            "status": 404, "error_code": "VPC.3002", "request_id": err.request_id,
            "signature": "valid"}
    got = {key: entry.get(key) for key in want}
    assert got == want, f"journal entry {got}, want {want}"
    assert "Authorization" not in json.dumps(entry), f"the entry holds a signature: {entry}"


# ---------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------

def cleanup():
    """Deletes what the last check created (flow logs, then LTS groups with their streams);
    404s (already deleted) are fine."""
    while CREATED:
        client, flowlog_id = CREATED.pop()
        try:
            client.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flowlog_id))
        except ServiceResponseException:
            pass
    while CREATED_GROUPS:
        project_id, group = CREATED_GROUPS.pop()
        DESTINATIONS.difference_update({d for d in DESTINATIONS if d[1] == group})
        DEFAULT_STREAM.pop(group, None)
        try:
            lts_client(project_id).delete_log_group(DeleteLogGroupRequest(log_group_id=group))
        except ServiceResponseException:
            pass


def failure_reason(exc):
    if isinstance(exc, ServiceResponseException):
        return (f"unexpected HTTP {exc.status_code} {exc.error_code}: {exc.error_msg!r} "
                f"(request id {exc.request_id!r})")
    text = str(exc)
    if isinstance(exc, AssertionError):
        if not text:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            text = f"assertion failed at line {frame.lineno}: {frame.line}"
        return text
    return f"{type(exc).__name__}: {text}"


def main():
    global C1, C2
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    if not os.environ.get("FLOWPLANE_ENDPOINT"):
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8080)", file=sys.stderr)
        return 2
    C1, C2 = make_client(PID), make_client(PID2)
    passed = failed = 0
    for name, fn in CHECKS:
        try:
            fn()
            passed += 1
            print(f"PASS {name}", flush=True)
        except Exception as exc:  # one broken check must not stop the others
            failed += 1
            print(f"FAIL {name}: {failure_reason(exc)}", flush=True)
        finally:
            try:
                cleanup()
            except Exception as exc:
                print(f"  (cleanup after {name} failed: {failure_reason(exc)})", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
