#!/usr/bin/env python3
"""End-to-end conformance checks for Flowplane's Alibaba Cloud VPC flow-log API (Vpc 2016-04-28, RPC).

Drives a running Flowplane server with three official, unmodified Alibaba Cloud Python SDK clients
(pinned in requirements.txt):

- `v3`:     alibabacloud-vpc20160428 (tea-openapi 0.4.x) with its default ACS3-HMAC-SHA256 signing;
- `v1`:     the same SDK with `config.signature_algorithm = 'v2'` (HMAC-SHA1, `Signature=` in the query);
- `legacy`: aliyun-python-sdk-core's AcsClient + aliyun-python-sdk-vpc request classes, pointed at the
            server per request with set_endpoint / set_protocol_type('http').

Every check runs once per client, with an access key of its own in an account of its own (plus an
"other" account for isolation checks and a "quota" account), so the runs cannot see each other's
flow logs. The server runs with `--auth verify` and a credentials file holding these keys:
`alibaba_check.py --print-credentials` prints their `[[alibaba]]` entries (run.sh writes them into
the server's file).
A few checks (the Terraform-shaped form body, unknown action / version) use the SDK's generic
`call_api` and run for `v3` and `v1` only.

Environment:
  FLOWPLANE_ENDPOINT                the server, e.g. http://127.0.0.1:8750 (FLOWPLANE_URL works too)
  FLOWPLANE_TRANSITION_DELAY        the server's --transition-delay (200ms, 1s; default 200ms). With a
                                    delay > 0, a transitional state (Activating, Deactivating, Deleting)
                                    must be visible to a request answered within that delay.
  FLOWPLANE_ALIBABA_FLOW_LOG_QUOTA  the server's flow-log quota per account and region (default 10)

Prints one line per check (`PASS name` / `FAIL name: reason`), then `N passed, M failed`, and exits
0 only when nothing failed. Waits for asynchronous transitions by polling DescribeFlowLogs (100 ms
interval, 15 s deadline), never by sleeping. Every flow log a check creates gets random resource ids
and is deleted (and waited for until gone) after the check.

Reference: shared/reference/alibaba-vpc-flow-logs.md (sections 1, 2 and 4.6).
"""

import datetime
import importlib
import json
import os
import random
import re
import string
import sys
import time
import traceback
import urllib.parse
import urllib.request

from alibabacloud_tea_openapi import utils_models as openapi_models
from alibabacloud_tea_openapi.exceptions import ClientException as TeaClientException
from alibabacloud_tea_openapi.exceptions import ServerException as TeaServerException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient
from aliyunsdkcore.acs_exception.exceptions import ServerException as LegacyServerException
from aliyunsdkcore.client import AcsClient
from darabonba.runtime import RuntimeOptions

REGION = "cn-hangzhou"
REGION2 = "cn-shanghai"  # same access key, another region: must be another tenant
SECRET = "flowplane-sdk-check-secret-00000000"
VERSION = "2016-04-28"

# Per client kind, its own key, an "other" one and a "quota" one, each in an account of its own.
KEYS = {
    f"LTAIcheck{kind}{role}": f"20000000000000{k}{r}"
    for k, kind in enumerate(("V3", "V1", "Legacy"))
    for r, role in enumerate(("", "other", "quota"))
}
# The Node.js SDK's check (tests/sdk/node), in an account of its own.
KEYS["LTAIcheckNode"] = "2000000000000030"


def credentials_toml():
    return "\n".join(
        f'[[alibaba]]\naccess_key_id = "{key}"\naccess_key_secret = "{SECRET}"\naccount_id = "{account}"\n'
        for key, account in KEYS.items())

FLOW_LOG_ID_RE = re.compile(r"^fl-[a-z0-9]{20}$")
CREATION_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TRANSITIONAL = {"Activating", "Deactivating", "Deleting", "Modifying"}
POLL_INTERVAL = 0.1
POLL_DEADLINE = 15.0

# Every key of the SDK model DescribeFlowLogsResponseBodyFlowLogsFlowLog; AggregationInterval is an
# int there, TrafficPath and Tags are wrapper objects, everything else is a str.
FLOW_LOG_REQUIRED = {
    "FlowLogId", "Status", "CreationTime", "RegionId", "ResourceType", "ResourceId", "TrafficType",
    "ProjectName", "LogStoreName", "AggregationInterval", "TrafficPath", "Tags", "BusinessStatus",
    "IpVersion",
}
FLOW_LOG_STR_FIELDS = {
    "BusinessStatus", "CreationTime", "Description", "FlowLogDeliverErrorMessage",
    "FlowLogDeliverStatus", "FlowLogId", "FlowLogName", "IpVersion", "LogFormat", "LogStoreName",
    "ProjectName", "RegionId", "ResourceGroupId", "ResourceId", "ResourceType", "ServiceType",
    "Status", "TrafficType",
}


def parse_delay(text):
    text = (text or "200ms").strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m)?", text)
    if not m:
        raise SystemExit(f"cannot parse FLOWPLANE_TRANSITION_DELAY={text!r} (want e.g. 200ms or 1s)")
    value = float(m.group(1))
    return value / 1000 if m.group(2) == "ms" else value * 60 if m.group(2) == "m" else value


ENDPOINT = os.environ.get("FLOWPLANE_ENDPOINT") or os.environ.get("FLOWPLANE_URL") or ""
DELAY = parse_delay(os.environ.get("FLOWPLANE_TRANSITION_DELAY"))
QUOTA = int(os.environ.get("FLOWPLANE_ALIBABA_FLOW_LOG_QUOTA") or 10)  # the server's default


def rand(n, alphabet=string.ascii_lowercase + string.digits):
    return "".join(random.choice(alphabet) for _ in range(n))


def res_id(kind="vpc"):
    return f"{kind}-{rand(20)}"


def unknown_flow_log_id():
    return "fl-nope" + rand(16)


# ---------------------------------------------------------------------------------------------
# One calling convention for the three clients: parameters by wire name, raw JSON bodies back
# ---------------------------------------------------------------------------------------------

OMIT = object()  # a parameter value that means "do not send this parameter at all"


class ApiError(Exception):
    """An error response, as the SDK in use surfaced it."""

    def __init__(self, client, status, code, request_id, message, data=None, kind=None):
        super().__init__(f"HTTP {status} {code}: {message!r} (request id {request_id!r})")
        self.client, self.status, self.code = client, status, code
        self.request_id, self.message, self.data = request_id, message, data
        self.kind = kind  # the SDK's exception class


def snake(name):
    # The SDK writes VSwitch as one word: CreateVSwitch -> create_vswitch.
    name = name.replace("VSwitch", "Vswitch")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class NewSdkClient:
    """alibabacloud-vpc20160428 with V3 (default) or V1 (signature_algorithm='v2') signing."""

    def __init__(self, name, access_key_id, v1=False, secret=SECRET):
        self.name, self.access_key_id, self.generic, self.v1 = name, access_key_id, True, v1
        host = urllib.parse.urlsplit(ENDPOINT).netloc
        cfg = Config(access_key_id=access_key_id, access_key_secret=secret, endpoint=host,
                     protocol="http", region_id=REGION)
        if v1:
            cfg.signature_algorithm = "v2"
        self.sdk = VpcClient(cfg)
        self.last = None
        # Observer only: records the raw {"body", "headers", "statusCode"} that the SDK's own
        # call_api returned, so checks can see keys the response model would drop (e.g. Code).
        original = self.sdk.call_api

        def spy(params, request, runtime):
            self.last = original(params, request, runtime)
            return self.last

        self.sdk.call_api = spy

    def clone(self, access_key_id, secret=SECRET):
        return NewSdkClient(self.name, access_key_id, v1=self.v1, secret=secret)

    def call(self, action, params):
        request = getattr(vpc_models, action + "Request")().from_map(
            {k: v for k, v in params.items() if v is not OMIT})
        self.last = None
        try:
            resp = getattr(self.sdk, snake(action))(request)
        except (TeaClientException, TeaServerException) as e:
            raise ApiError(self.name, e.status_code, e.code, e.request_id, e.message, e.data,
                           type(e).__name__) from None
        assert resp.status_code == 200, f"{action} returned HTTP {resp.status_code}"
        assert self.last is not None, f"{action}: the SDK did not go through call_api"
        raw = self.last["body"]
        assert isinstance(raw, dict), f"{action} body is not a JSON object: {raw!r}"
        ctype = {k.lower(): v for k, v in (self.last.get("headers") or {}).items()}.get("content-type", "")
        assert "application/json" in ctype, f"{action} answered content-type {ctype!r}"
        # The response model read the same body.
        assert resp.body.request_id == raw.get("RequestId"), f"{action}: model and body disagree"
        return raw, resp

    def call_generic(self, action, query=None, body=None, version=VERSION):
        """Terraform's shape: generic call_api, RegionId in the query, the rest in a form body."""
        params = openapi_models.Params(action=action, version=version, protocol="HTTP", pathname="/",
                                       method="POST", auth_type="AK", style="RPC",
                                       req_body_type="formData", body_type="json")
        req = openapi_models.OpenApiRequest(query=query or {}, body=body)
        try:
            result = self.sdk.call_api(params, req, RuntimeOptions())
        except (TeaClientException, TeaServerException) as e:
            raise ApiError(self.name, e.status_code, e.code, e.request_id, e.message, e.data,
                           type(e).__name__) from None
        assert result["statusCode"] == 200, f"{action} returned HTTP {result['statusCode']}"
        assert isinstance(result["body"], dict), f"{action} body is not a JSON object"
        return result["body"]


class LegacyClient:
    """aliyun-python-sdk-core AcsClient + aliyun-python-sdk-vpc request classes (always V1)."""

    # List parameters go through the classes' plural setters: set_TrafficPaths, set_Tags (Tag.N),
    # set_Tagss (Tags.N), set_ResourceIds, set_TagKeys.

    def __init__(self, name, access_key_id, secret=SECRET):
        self.name, self.access_key_id, self.generic = name, access_key_id, False
        self.secret = secret
        self.host = urllib.parse.urlsplit(ENDPOINT).netloc
        self.clients = {}

    def clone(self, access_key_id, secret=SECRET):
        return LegacyClient(self.name, access_key_id, secret=secret)

    def client(self, region):
        if region not in self.clients:
            self.clients[region] = AcsClient(self.access_key_id, self.secret, region)
        return self.clients[region]

    def call(self, action, params):
        module = importlib.import_module(f"aliyunsdkvpc.request.v20160428.{action}Request")
        req = getattr(module, f"{action}Request")()
        req.set_endpoint(self.host)
        req.set_protocol_type("http")
        region = params.get("RegionId", OMIT)
        assert region is not OMIT, "the legacy SDK always sends RegionId (the client's region)"
        for key, value in params.items():
            if key == "RegionId" or value is OMIT:
                continue
            setter = f"set_{key}s" if isinstance(value, list) else f"set_{key}"
            assert hasattr(req, setter), f"legacy {action}Request has no {setter}()"
            getattr(req, setter)(value)
        try:
            body = self.client(region).do_action_with_exception(req)
        except LegacyServerException as e:
            raise ApiError(self.name, e.get_http_status(), e.get_error_code(), e.get_request_id(),
                           e.get_error_msg(), kind=type(e).__name__) from None
        raw = json.loads(body)
        assert isinstance(raw, dict), f"{action} body is not a JSON object: {raw!r}"
        return raw, None


# ---------------------------------------------------------------------------------------------
# Bookkeeping
# ---------------------------------------------------------------------------------------------

CREATED = []  # (client, region, flow log id) made by the running check; deleted afterwards


def call(c, action, region=REGION, **params):
    """Calls action; returns the raw body after the checks every success body must pass."""
    if region is not OMIT:
        params = {"RegionId": region, **params}
    raw, _ = c.call(action, params)
    assert isinstance(raw.get("RequestId"), str) and raw["RequestId"], f"{action} body lacks RequestId: {raw}"
    if action == "OpenFlowLogService":
        # The model has Code and Message here; Terraform's formatError turns a 200 carrying Code,
        # no Success "true" and a non-empty Message into an error.
        assert "Code" not in raw or raw.get("Success") == "true" or not raw.get("Message"), \
            f"OpenFlowLogService success body would read as an error to Terraform: {raw}"
    else:
        assert "Code" not in raw, f"{action} success body carries Code (Terraform reads that as an error): {raw}"
    return raw


def expect_error(fn, status, code=None, prefix=None, suffix=None):
    """Runs fn(), which must fail with HTTP status and the given code (exact, prefix or suffix)."""
    try:
        got = fn()
    except ApiError as e:
        want = code or (prefix and prefix + "*") or (suffix and "*" + suffix) or "any code"
        assert e.status == status, f"want HTTP {status} {want}, got HTTP {e.status} {e.code}: {e.message!r}"
        assert isinstance(e.code, str) and e.code, f"error without a code: {e}"
        if code is not None:
            assert e.code == code, f"want code {code}, got {e.code} (HTTP {e.status}: {e.message!r})"
        if prefix is not None:
            assert e.code.startswith(prefix), f"want code {prefix}*, got {e.code} ({e.message!r})"
        if suffix is not None:
            assert e.code.endswith(suffix), f"want code *{suffix}, got {e.code} ({e.message!r})"
        assert e.request_id, f"error {e.code} has no RequestId"
        assert e.message, f"error {e.code} has no Message"
        if e.data is not None:  # the new SDK exposes the whole error body
            missing = {"RequestId", "Code", "Message", "HostId", "Recommend"} - set(e.data)
            assert not missing, f"error body lacks {sorted(missing)}: {e.data}"
        return e
    raise AssertionError(f"want HTTP {status} {code or prefix or suffix or ''}, got success: {got!r}"[:400])


def create_params(**overrides):
    params = dict(ResourceType="VPC", ResourceId=res_id("vpc"), TrafficType="All",
                  ProjectName="flowplane-check", LogStoreName="flowplane-check")
    params.update(overrides)
    return params


def create(c, region=REGION, **overrides):
    params = create_params(**overrides)
    raw = call(c, "CreateFlowLog", region=region, **params)
    fid = raw.get("FlowLogId")
    assert isinstance(fid, str) and FLOW_LOG_ID_RE.match(fid), f"FlowLogId {fid!r} is not fl-<20 lowercase alnum>"
    CREATED.append((c, region, fid))
    assert raw.get("Success") == "true", f"CreateFlowLog Success is {raw.get('Success')!r}, want the string 'true'"
    if params.get("ResourceGroupId") not in (None, OMIT) and "ResourceGroupId" in raw:
        assert raw["ResourceGroupId"] == params["ResourceGroupId"], \
            f"CreateFlowLog ResourceGroupId {raw['ResourceGroupId']!r} != {params['ResourceGroupId']!r}"
    return fid


def assert_flow_log(fl, region=REGION):
    assert isinstance(fl, dict), f"FlowLog item is not an object: {fl!r}"
    missing = FLOW_LOG_REQUIRED - set(fl)
    assert not missing, f"FlowLog lacks {sorted(missing)}: {fl}"
    for key in FLOW_LOG_STR_FIELDS & set(fl):
        assert isinstance(fl[key], str), f"FlowLog.{key} must be a JSON string, got {fl[key]!r}"
    ai = fl["AggregationInterval"]
    assert isinstance(ai, int) and not isinstance(ai, bool), f"AggregationInterval must be a JSON int, got {ai!r}"
    assert FLOW_LOG_ID_RE.match(fl["FlowLogId"]), f"FlowLogId {fl['FlowLogId']!r}"
    assert CREATION_TIME_RE.match(fl["CreationTime"]), f"CreationTime {fl['CreationTime']!r} is not YYYY-MM-DDThh:mm:ssZ"
    assert fl["RegionId"] == region, f"RegionId {fl['RegionId']!r} != {region!r}"
    tp = fl["TrafficPath"]
    assert isinstance(tp, dict) and isinstance(tp.get("TrafficPathList"), list), \
        f"TrafficPath must be {{'TrafficPathList': [...]}}, got {tp!r}"
    assert all(isinstance(p, str) for p in tp["TrafficPathList"]), f"TrafficPathList {tp!r}"
    tags = fl["Tags"]
    assert isinstance(tags, dict) and isinstance(tags.get("Tag"), list), f"Tags must be {{'Tag': [...]}}, got {tags!r}"
    for t in tags["Tag"]:
        assert isinstance(t, dict) and isinstance(t.get("Key"), str) and isinstance(t.get("Value"), str), \
            f"Tags.Tag item must be {{Key: str, Value: str}}, got {t!r}"
    assert fl["BusinessStatus"] in ("Normal", "FinancialLocked"), f"BusinessStatus {fl['BusinessStatus']!r}"
    if "FlowLogDeliverStatus" in fl:
        assert fl["FlowLogDeliverStatus"] in ("SUCCESS", "FAILED"), f"FlowLogDeliverStatus {fl['FlowLogDeliverStatus']!r}"


def describe(c, region=REGION, **filters):
    raw = call(c, "DescribeFlowLogs", region=region, **filters)
    for key in ("TotalCount", "PageNumber", "PageSize", "Success"):
        assert isinstance(raw.get(key), str), f"DescribeFlowLogs {key} must be a JSON string, got {raw.get(key)!r}"
    for key in ("TotalCount", "PageNumber", "PageSize"):
        assert raw[key].isdigit(), f"DescribeFlowLogs {key} {raw[key]!r} is not a number"
    assert raw["Success"] == "true", f"DescribeFlowLogs Success {raw['Success']!r}"
    fls = raw.get("FlowLogs")
    assert isinstance(fls, dict) and isinstance(fls.get("FlowLog"), list), \
        f"FlowLogs must be {{'FlowLog': [...]}}, got {fls!r}"
    assert len(fls["FlowLog"]) <= int(raw["PageSize"]), "more items than PageSize"
    assert len(fls["FlowLog"]) <= int(raw["TotalCount"]), "more items than TotalCount"
    for fl in fls["FlowLog"]:
        assert_flow_log(fl, region)
    return raw


def items(raw):
    return raw["FlowLogs"]["FlowLog"]


def ids(raw):
    return [fl["FlowLogId"] for fl in items(raw)]


def get(c, fid, region=REGION):
    """The flow log by id, or None when DescribeFlowLogs says it does not exist."""
    raw = describe(c, region=region, FlowLogId=fid)
    found = items(raw)
    if not found:
        assert raw["TotalCount"] == "0", f"empty FlowLog list with TotalCount {raw['TotalCount']!r}"
        return None
    assert len(found) == 1 and found[0]["FlowLogId"] == fid, f"describe by id {fid} gave {ids(raw)}"
    assert raw["TotalCount"] == "1", f"describe by id: TotalCount {raw['TotalCount']!r}, want '1'"
    return found[0]


def wait_for(c, fid, status, region=REGION):
    """Polls DescribeFlowLogs until the flow log has status (None: until it is gone)."""
    deadline = time.monotonic() + POLL_DEADLINE
    seen = []
    while True:
        fl = get(c, fid, region)
        now = fl["Status"] if fl else None
        if not seen or seen[-1] != now:
            seen.append(now)
        if now == status:
            return fl
        if time.monotonic() > deadline:
            want = status or "gone"
            raise AssertionError(f"{fid} not {want} within {POLL_DEADLINE:.0f} s; statuses seen: {seen}")
        time.sleep(POLL_INTERVAL)


def in_window(t0):
    """True while a response received now must still see a transition started at t0."""
    return DELAY > 0 and time.monotonic() - t0 < DELAY


def transition_visible(c, fid, action, transitional, region=REGION):
    """Runs action (Active/Deactive/Delete) and, within the delay, sees the transitional status.

    Returns t0 (the time just before the action was sent), for further in-window probes."""
    t0 = time.monotonic()
    call(c, action, region=region, FlowLogId=fid)
    if DELAY <= 0:
        return t0
    fl = get(c, fid, region)
    assert in_window(t0), (f"inconclusive: {action} + DescribeFlowLogs took "
                           f"{(time.monotonic() - t0) * 1000:.0f} ms, longer than the {DELAY * 1000:.0f} ms "
                           f"transition delay")
    assert fl is not None, f"right after {action}, {fid} is already gone"
    assert fl["Status"] == transitional, f"right after {action}, status is {fl['Status']!r}, want {transitional!r}"
    return t0


def cleanup():
    """Deletes what the last check created and waits until all of it is gone (frees the quota).

    Deletes everything settled first, then polls the rest together, deleting each flow log once it
    has left a transitional state."""
    pending = {}
    while CREATED:
        c, region, fid = CREATED.pop()
        pending[fid] = (c, region)
    problems = []
    deadline = time.monotonic() + POLL_DEADLINE
    while pending:
        for fid, (c, region) in list(pending.items()):
            try:
                fl = get(c, fid, region)
                if fl is None:
                    del pending[fid]
                elif fl["Status"] not in TRANSITIONAL:
                    try:
                        call(c, "DeleteFlowLog", region=region, FlowLogId=fid)
                    except ApiError as e:
                        if e.code != "IncorrectStatus.flowlog":
                            raise
            except Exception as exc:  # report, keep cleaning the rest
                problems.append(f"{fid}: {failure_reason(exc)}")
                del pending[fid]
        if not pending:
            break
        if time.monotonic() > deadline:
            problems.append(f"still there after {POLL_DEADLINE:.0f} s: {sorted(pending)}")
            break
        time.sleep(POLL_INTERVAL)
    if problems:
        raise AssertionError("; ".join(problems))


# ---------------------------------------------------------------------------------------------
# Checks, each run once per client. Each is fn(c, other) where other is a client of the same
# kind with another access key id (another account).
# ---------------------------------------------------------------------------------------------

CHECKS = []  # (name, fn, generic_only)


def check(fn=None, *, generic_only=False):
    def register(f):
        CHECKS.append((f.__name__, f, generic_only))
        return f
    return register(fn) if fn else register


@check
def create_every_parameter_then_active(c, other):
    name = "check flow/log " + rand(6)
    desc = "desc with spaces & symbols * ~ ok"
    rg = "rg-" + rand(15)
    resource = res_id("vsw")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    t0 = time.monotonic()
    fid = create(c, ResourceType="VSwitch", ResourceId=resource, TrafficType="Allow",
                 FlowLogName=name, Description=desc, AggregationInterval=1,
                 TrafficPath=["internetGateway", "natGateway"], Tag=[{"Key": "env", "Value": "dev"}],
                 ResourceGroupId=rg, IpVersion="IPv4")
    if DELAY > 0:
        fl = get(c, fid)
        assert in_window(t0), (f"inconclusive: CreateFlowLog + DescribeFlowLogs took "
                               f"{(time.monotonic() - t0) * 1000:.0f} ms, more than the transition delay")
        assert fl is not None, "DescribeFlowLogs right after CreateFlowLog does not find it"
        assert fl["Status"] == "Activating", f"right after create, status {fl['Status']!r}, want 'Activating'"
    fl = wait_for(c, fid, "Active")
    want = dict(FlowLogId=fid, FlowLogName=name, Description=desc, ResourceType="VSwitch",
                ResourceId=resource, TrafficType="Allow", ProjectName="flowplane-check",
                LogStoreName="flowplane-check", AggregationInterval=1, ResourceGroupId=rg,
                IpVersion="IPv4", RegionId=REGION)
    wrong = {k: (fl.get(k), v) for k, v in want.items() if fl.get(k) != v}
    assert not wrong, f"fields (got, want): {wrong}"
    paths = fl["TrafficPath"]["TrafficPathList"]
    assert sorted(paths) == ["internetGateway", "natGateway"], f"TrafficPathList {paths}"
    assert fl["Tags"]["Tag"] == [{"Key": "env", "Value": "dev"}], f"Tags.Tag {fl['Tags']['Tag']}"
    created = datetime.datetime.strptime(fl["CreationTime"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    after = datetime.datetime.now(datetime.timezone.utc)
    assert before - datetime.timedelta(seconds=5) <= created <= after + datetime.timedelta(seconds=5), \
        f"CreationTime {fl['CreationTime']} is not now (UTC {before:%H:%M:%S}..{after:%H:%M:%S})"


@check
def create_defaults(c, other):
    fid = create(c)
    fl = wait_for(c, fid, "Active")
    assert fl["AggregationInterval"] == 10, f"default AggregationInterval {fl['AggregationInterval']!r}, want 10"
    assert fl["TrafficPath"]["TrafficPathList"] == ["all"], \
        f"default TrafficPathList {fl['TrafficPath']['TrafficPathList']}, want ['all']"
    assert fl["IpVersion"] == "IPv4", f"default IpVersion {fl['IpVersion']!r}, want 'IPv4'"
    assert fl["Tags"]["Tag"] == [], f"Tags.Tag {fl['Tags']['Tag']}, want []"
    assert fl["BusinessStatus"] == "Normal", f"BusinessStatus {fl['BusinessStatus']!r}"


def control(method, path, body=None):
    """A control API call (/_flowplane/…; run.sh sets no control token); the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(ENDPOINT.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


@check
def manual_transition_completes_on_tick_all(c, other):
    # PUT /_flowplane/transitions: Alibaba flow logs manual; the SDK sees Activating stay past the
    # default delay, until POST /_flowplane/transitions/tick?all=true. The default is restored
    # whatever happens, so the other checks (same server) are unaffected.
    control("PUT", "/_flowplane/transitions",
            {"provider": "alibaba", "kind": "flow_log", "mode": "manual"})
    try:
        fid = create(c)
        fl = get(c, fid)
        assert fl is not None and fl["Status"] == "Activating", \
            f"manual: right after create, status {fl and fl['Status']!r}, want 'Activating'"
        time.sleep(max(DELAY, 0.2) * 2)
        fl = get(c, fid)
        assert fl["Status"] == "Activating", \
            f"manual: status {fl['Status']!r} after twice the default delay, want 'Activating'"
        control("POST", "/_flowplane/transitions/tick?all=true")
        fl = get(c, fid)
        assert fl["Status"] == "Active", f"manual: after tick?all=true, status {fl['Status']!r}"
    finally:
        control("DELETE", "/_flowplane/transitions?provider=alibaba&kind=flow_log")
    settings = control("GET", "/_flowplane/transitions")["settings"]
    restored = [s for s in settings if s["provider"] == "alibaba" and s["kind"] == "flow_log"]
    assert restored and restored[0]["source"] == "default", f"not restored: {restored}"


@check(generic_only=True)
def create_log_format_round_trip(c, other):
    # The legacy request classes have no LogFormat setter; the new SDK model has it.
    fmt = "${srcaddr} ${dstaddr} ${action}"
    fid = create(c, LogFormat=fmt)
    fl = wait_for(c, fid, "Active")
    assert fl.get("LogFormat") == fmt, f"LogFormat {fl.get('LogFormat')!r}, want {fmt!r}"


@check
def modify_attributes(c, other):
    fid = create(c, FlowLogName="before", Description="before", TrafficPath=["natGateway"],
                 Tag=[{"Key": "env", "Value": "dev"}])
    before = wait_for(c, fid, "Active")
    raw = call(c, "ModifyFlowLogAttribute", FlowLogId=fid, FlowLogName="after name/with slash",
               Description="after & desc", AggregationInterval=5)
    assert raw.get("Success") == "true", f"ModifyFlowLogAttribute Success {raw.get('Success')!r}"
    fl = wait_for(c, fid, "Active")
    got = (fl["FlowLogName"], fl["Description"], fl["AggregationInterval"])
    assert got == ("after name/with slash", "after & desc", 5), f"after modify (name, description, interval) = {got}"
    for key in ("ResourceId", "ResourceType", "TrafficType", "ProjectName", "LogStoreName", "CreationTime",
                "TrafficPath", "Tags", "IpVersion"):
        assert fl[key] == before[key], f"modify changed {key}: {before[key]!r} -> {fl[key]!r}"
    # Only one attribute: the others stay.
    call(c, "ModifyFlowLogAttribute", FlowLogId=fid, Description="only desc")
    fl = wait_for(c, fid, "Active")
    got = (fl["FlowLogName"], fl["Description"], fl["AggregationInterval"])
    assert got == ("after name/with slash", "only desc", 5), f"description-only modify gave {got}"
    # A rejected modify changes nothing.
    expect_error(lambda: call(c, "ModifyFlowLogAttribute", FlowLogId=fid, AggregationInterval=3),
                 400, "IllegalParam.AggregationInterval")
    assert get(c, fid)["AggregationInterval"] == 5, "a rejected modify changed AggregationInterval"


@check
def deactive_active_life_cycle(c, other):
    fid = create(c)
    wait_for(c, fid, "Active")
    expect_error(lambda: call(c, "ActiveFlowLog", FlowLogId=fid), 400, "IncorrectStatus.flowlog")
    t0 = transition_visible(c, fid, "DeactiveFlowLog", "Deactivating")
    if DELAY > 0:
        # Another action while Deactivating is refused.
        expect_error(lambda: call(c, "ActiveFlowLog", FlowLogId=fid), 400, "IncorrectStatus.flowlog")
        assert in_window(t0), "inconclusive: the in-transition ActiveFlowLog was answered after the delay"
    wait_for(c, fid, "Inactive")
    expect_error(lambda: call(c, "DeactiveFlowLog", FlowLogId=fid), 400, "IncorrectStatus.flowlog")
    t0 = transition_visible(c, fid, "ActiveFlowLog", "Activating")
    if DELAY > 0:
        expect_error(lambda: call(c, "DeactiveFlowLog", FlowLogId=fid), 400, "IncorrectStatus.flowlog")
        assert in_window(t0), "inconclusive: the in-transition DeactiveFlowLog was answered after the delay"
    wait_for(c, fid, "Active")


@check
def no_delete_or_modify_during_transition(c, other):
    if DELAY <= 0:
        return
    fid = create(c)
    wait_for(c, fid, "Active")
    t0 = transition_visible(c, fid, "DeactiveFlowLog", "Deactivating")
    expect_error(lambda: call(c, "DeleteFlowLog", FlowLogId=fid), 400, "IncorrectStatus.flowlog")
    expect_error(lambda: call(c, "ModifyFlowLogAttribute", FlowLogId=fid, FlowLogName="mid-transition"),
                 400, "IncorrectStatus.flowlog")
    assert in_window(t0), "inconclusive: the in-transition calls were answered after the delay"
    fl = wait_for(c, fid, "Inactive")
    assert fl.get("FlowLogName") != "mid-transition", "a refused modify changed the name"


@check
def delete_life_cycle(c, other):
    fid = create(c)
    wait_for(c, fid, "Active")
    transition_visible(c, fid, "DeleteFlowLog", "Deleting")
    wait_for(c, fid, None)
    raw = describe(c, FlowLogId=fid)
    assert items(raw) == [] and raw["TotalCount"] == "0", f"deleted flow log described as {raw}"
    for action in ("DeleteFlowLog", "ActiveFlowLog", "DeactiveFlowLog"):
        expect_error(lambda: call(c, action, FlowLogId=fid), 404, "InvalidInstanceId.NotFound")
    expect_error(lambda: call(c, "ModifyFlowLogAttribute", FlowLogId=fid, FlowLogName="x"),
                 404, "InvalidInstanceId.NotFound")


@check
def delete_inactive_then_recreate(c, other):
    resource = res_id("eni")
    fid = create(c, ResourceType="NetworkInterface", ResourceId=resource)
    wait_for(c, fid, "Active")
    call(c, "DeactiveFlowLog", FlowLogId=fid)
    wait_for(c, fid, "Inactive")
    call(c, "DeleteFlowLog", FlowLogId=fid)
    wait_for(c, fid, None)
    # Terraform's ForceNew: the same resource gets a new flow log once the old one is gone.
    again = create(c, ResourceType="NetworkInterface", ResourceId=resource)
    assert again != fid, "re-created flow log reused the deleted id"
    wait_for(c, again, "Active")


@check
def paging_three_pages(c, other):
    store = "page-" + rand(10)
    made = [create(c, LogStoreName=store) for _ in range(5)]
    seen, sizes = [], []
    for page in (1, 2, 3):
        raw = describe(c, LogStoreName=store, PageNumber=page, PageSize=2)
        assert raw["TotalCount"] == "5", f"page {page}: TotalCount {raw['TotalCount']!r}, want '5'"
        assert (raw["PageNumber"], raw["PageSize"]) == (str(page), "2"), \
            f"page {page}: PageNumber/PageSize echoed as {raw['PageNumber']!r}/{raw['PageSize']!r}"
        sizes.append(len(items(raw)))
        repeated = set(ids(raw)) & set(seen)
        assert not repeated, f"page {page} repeats {sorted(repeated)}"
        seen.extend(ids(raw))
    assert sizes == [2, 2, 1], f"page sizes {sizes}, want [2, 2, 1]"
    assert sorted(seen) == sorted(made), f"pages hold {sorted(seen)}, created {sorted(made)}"
    raw = describe(c, LogStoreName=store, PageNumber=4, PageSize=2)
    assert items(raw) == [] and raw["TotalCount"] == "5", f"page 4: {len(items(raw))} items, TotalCount {raw['TotalCount']}"
    raw = describe(c, LogStoreName=store)
    assert (raw["PageNumber"], raw["PageSize"]) == ("1", "20"), \
        f"defaults PageNumber/PageSize {raw['PageNumber']!r}/{raw['PageSize']!r}, want '1'/'20'"
    assert sorted(ids(raw)) == sorted(made), "the default page does not hold all five"
    describe(c, LogStoreName=store, PageSize=50)
    expect_error(lambda: describe(c, LogStoreName=store, PageSize=51), 400)


@check
def describe_tag_filters(c, other):
    store = "tags-" + rand(10)
    a = create(c, LogStoreName=store, Tag=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}])
    b = create(c, LogStoreName=store, Tag=[{"Key": "env", "Value": "prod"}])
    cases = [
        ([{"Key": "env", "Value": "dev"}], [a]),
        ([{"Key": "env", "Value": "prod"}], [b]),
        ([{"Key": "env", "Value": "none"}], []),
        ([{"Key": "nokey", "Value": "dev"}], []),
        ([{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}], [a]),
        ([{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}], []),
    ]
    for tags, want in cases:
        raw = describe(c, LogStoreName=store, Tags=tags)
        assert sorted(ids(raw)) == sorted(want), f"Tags filter {tags}: got {ids(raw)}, want {want}"
        assert raw["TotalCount"] == str(len(want)), f"Tags filter {tags}: TotalCount {raw['TotalCount']!r}"


@check
def describe_filters(c, other):
    store = "filt-" + rand(10)
    rg = "rg-" + rand(15)
    vpc = res_id("vpc")
    a = create(c, LogStoreName=store, ResourceType="VPC", ResourceId=vpc, TrafficType="Drop",
               FlowLogName="alpha-" + rand(6), ResourceGroupId=rg)
    b = create(c, LogStoreName=store, ResourceType="NetworkInterface", ResourceId=res_id("eni"))
    wait_for(c, a, "Active")
    wait_for(c, b, "Active")
    call(c, "DeactiveFlowLog", FlowLogId=b)
    wait_for(c, b, "Inactive")
    name_a = get(c, a)["FlowLogName"]
    cases = [
        (dict(ResourceId=vpc), [a]),
        (dict(ResourceType="NetworkInterface"), [b]),
        (dict(TrafficType="Drop"), [a]),
        (dict(FlowLogName=name_a), [a]),
        (dict(ResourceGroupId=rg), [a]),
        (dict(Status="Active"), [a]),
        (dict(Status="Inactive"), [b]),
        (dict(ProjectName="flowplane-check"), [a, b]),
        (dict(ProjectName="other-project"), []),
    ]
    for filters, want in cases:
        raw = describe(c, LogStoreName=store, **filters)
        assert sorted(ids(raw)) == sorted(want), f"filter {filters}: got {ids(raw)}, want {want}"


@check
def tag_resources_list_untag_move(c, other):
    fid = create(c, Tag=[{"Key": "env", "Value": "dev"}])
    wait_for(c, fid, "Active")
    unique = rand(10)
    raw = call(c, "TagResources", ResourceType="FLOWLOG", ResourceId=[fid],
               Tag=[{"Key": "k1", "Value": unique}, {"Key": "k2", "Value": ""}])
    assert set(raw) >= {"RequestId"}, raw
    fl = get(c, fid)
    tags = {t["Key"]: t["Value"] for t in fl["Tags"]["Tag"]}
    assert tags == {"env": "dev", "k1": unique, "k2": ""}, f"tags after TagResources: {tags}"

    # ListTagResources by resource id, paged two at a time with NextToken.
    entries, token, pages = [], None, 0
    while True:
        params = dict(ResourceType="FLOWLOG", ResourceId=[fid], MaxResults=2)
        if token:
            params["NextToken"] = token
        raw = call(c, "ListTagResources", **params)
        wrapper = raw.get("TagResources")
        assert isinstance(wrapper, dict) and isinstance(wrapper.get("TagResource"), list), \
            f"TagResources must be {{'TagResource': [...]}}, got {wrapper!r}"
        page = wrapper["TagResource"]
        assert len(page) <= 2, f"MaxResults=2 gave {len(page)} entries"
        for e in page:
            for key in ("ResourceId", "ResourceType", "TagKey", "TagValue"):
                assert isinstance(e.get(key), str), f"TagResource.{key} must be a string: {e}"
            assert e["ResourceType"].lower() == "flowlog", f"TagResource.ResourceType {e['ResourceType']!r}"
        entries.extend((e["ResourceId"], e["TagKey"], e["TagValue"]) for e in page)
        pages += 1
        token = raw.get("NextToken")
        assert token is None or isinstance(token, str), f"NextToken {token!r}"
        if not token:
            break
        assert pages < 5, f"ListTagResources did not end within 5 pages: {entries}"
    assert len(entries) == len(set(entries)), f"ListTagResources pages repeat entries: {entries}"
    assert sorted(entries) == sorted([(fid, "env", "dev"), (fid, "k1", unique), (fid, "k2", "")]), \
        f"ListTagResources gave {entries}"
    assert pages >= 2, "three tags with MaxResults=2 came back in one page"

    # ListTagResources by tag, no resource id.
    raw = call(c, "ListTagResources", ResourceType="FLOWLOG", Tag=[{"Key": "k1", "Value": unique}])
    found = [(e["ResourceId"], e["TagKey"]) for e in raw["TagResources"]["TagResource"]]
    assert (fid, "k1") in found, f"ListTagResources by Tag k1={unique} gave {found}"

    # UnTagResources one key, then All.
    call(c, "UnTagResources", ResourceType="FLOWLOG", ResourceId=[fid], TagKey=["k1"])
    tags = {t["Key"]: t["Value"] for t in get(c, fid)["Tags"]["Tag"]}
    assert tags == {"env": "dev", "k2": ""}, f"tags after UnTagResources k1: {tags}"
    call(c, "UnTagResources", ResourceType="FLOWLOG", ResourceId=[fid], All=True)  # wire: All=True
    assert get(c, fid)["Tags"]["Tag"] == [], "UnTagResources All=True left tags"

    # MoveResourceGroup: Terraform sends FLOWLOG, the SDK docs say FlowLog.
    for rtype in ("FLOWLOG", "FlowLog"):
        rg = "rg-" + rand(15)
        call(c, "MoveResourceGroup", ResourceType=rtype, ResourceId=fid, NewResourceGroupId=rg)
        fl = get(c, fid)
        assert fl.get("ResourceGroupId") == rg, f"after MoveResourceGroup({rtype}) ResourceGroupId {fl.get('ResourceGroupId')!r}"
        assert ids(describe(c, ResourceGroupId=rg)) == [fid], f"ResourceGroupId filter after move ({rtype})"
    assert get(c, fid)["Status"] == "Active", "tagging or moving changed the status"


@check
def tag_resources_overwrite_and_limit(c, other):
    fid = create(c, Tag=[{"Key": "env", "Value": "dev"}])
    wait_for(c, fid, "Active")
    call(c, "TagResources", ResourceType="FLOWLOG", ResourceId=[fid], Tag=[{"Key": "env", "Value": "prod"}])
    assert get(c, fid)["Tags"]["Tag"] == [{"Key": "env", "Value": "prod"}], "TagResources did not overwrite env"
    call(c, "TagResources", ResourceType="FLOWLOG", ResourceId=[fid],
         Tag=[{"Key": f"k{i:02}", "Value": "v"} for i in range(1, 20)])  # 20 in all: the limit
    assert len(get(c, fid)["Tags"]["Tag"]) == 20, "20 tags were not all kept"
    expect_error(lambda: call(c, "TagResources", ResourceType="FLOWLOG", ResourceId=[fid],
                              Tag=[{"Key": "k20", "Value": "v"}, {"Key": "env", "Value": "x"}]),
                 400, "QuotaExceeded.TagNum")
    tags = {t["Key"]: t["Value"] for t in get(c, fid)["Tags"]["Tag"]}
    assert len(tags) == 20 and tags["env"] == "prod", "a refused TagResources changed the tags"


@check
def tag_actions_unknown_flow_log(c, other):
    nope = unknown_flow_log_id()
    expect_error(lambda: call(c, "TagResources", ResourceType="FLOWLOG", ResourceId=[nope],
                              Tag=[{"Key": "k", "Value": "v"}]), 404, suffix=".NotFound")
    expect_error(lambda: call(c, "MoveResourceGroup", ResourceType="FLOWLOG", ResourceId=nope,
                              NewResourceGroupId="rg-" + rand(15)), 404, suffix=".NotFound")


@check
def flow_log_service_status(c, other):
    raw = call(c, "GetFlowLogServiceStatus")
    assert isinstance(raw.get("Enabled"), bool), f"Enabled must be a JSON bool, got {raw.get('Enabled')!r}"
    call(c, "OpenFlowLogService")
    raw = call(c, "GetFlowLogServiceStatus")
    assert raw.get("Enabled") is True, f"after OpenFlowLogService Enabled is {raw.get('Enabled')!r}"
    call(c, "OpenFlowLogService")  # opening again is harmless
    raw = call(c, "GetFlowLogServiceStatus")
    assert raw.get("Enabled") is True, f"after a second OpenFlowLogService Enabled is {raw.get('Enabled')!r}"


@check(generic_only=True)
def error_missing_region_id(c, other):
    # Only the new SDK can leave RegionId out; AcsClient always adds its own region.
    expect_error(lambda: describe(c, region=OMIT), 400, "MissingRegionId")
    expect_error(lambda: call(c, "CreateFlowLog", region=OMIT, **create_params()), 400, "MissingRegionId")
    expect_error(lambda: call(c, "DeleteFlowLog", region=OMIT, FlowLogId=unknown_flow_log_id()),
                 400, "MissingRegionId")


@check
def error_missing_parameters(c, other):
    for param in ("ResourceId", "ResourceType", "TrafficType"):
        expect_error(lambda: call(c, "CreateFlowLog", **create_params(**{param: OMIT})), 400, f"Missing{param}")
    for action in ("DeleteFlowLog", "ActiveFlowLog", "DeactiveFlowLog", "ModifyFlowLogAttribute"):
        expect_error(lambda: call(c, action), 400, "MissingFlowLogId")


@check
def error_invalid_values(c, other):
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(ResourceType="Subnet")),
                 400, prefix="OperationUnsupported.ResourceType")
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(AggregationInterval=3)),
                 400, "IllegalParam.AggregationInterval")
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(TrafficPath=["bogusPath"])),
                 400, "IllegalParam.TrafficPath")
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(TrafficType="Everything")), 400)
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(FlowLogName="http://name")), 400)
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(Description="https://desc")), 400)
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(FlowLogName="n" * 129)), 400)
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(ProjectName="Bad_Project")), 400)
    # Nothing was created by the refused calls.
    raw = describe(c, ProjectName="Bad_Project")
    assert items(raw) == [], "a refused create left a flow log"


@check
def error_duplicate_trafficpath(c, other):
    err = expect_error(lambda: call(c, "CreateFlowLog", **create_params(TrafficPath=["natGateway", "natGateway"])),
                       400)
    assert err.code in ("DuplicatedParam.TrafficPath", "IllegalParam.TrafficPath"), \
        f"duplicate TrafficPath gave {err.code}, want DuplicatedParam.TrafficPath"


@check
def error_second_flow_log_on_resource(c, other):
    resource = res_id("vpc")
    first = create(c, ResourceId=resource)
    expect_error(lambda: call(c, "CreateFlowLog", **create_params(ResourceId=resource, TrafficType="Drop")),
                 400, "InvalidResourceId.NotFound")
    raw = describe(c, ResourceId=resource)
    assert ids(raw) == [first], f"after the refused duplicate the resource has {ids(raw)}"


@check
def error_unknown_flow_log_id(c, other):
    nope = unknown_flow_log_id()
    for action in ("DeleteFlowLog", "ActiveFlowLog", "DeactiveFlowLog"):
        expect_error(lambda: call(c, action, FlowLogId=nope), 404, "InvalidInstanceId.NotFound")
    expect_error(lambda: call(c, "ModifyFlowLogAttribute", FlowLogId=nope, FlowLogName="x"),
                 404, "InvalidInstanceId.NotFound")


@check
def describe_unknown_id_is_empty(c, other):
    raw = describe(c, FlowLogId=unknown_flow_log_id())
    assert items(raw) == [] and raw["TotalCount"] == "0", \
        f"unknown FlowLogId: {len(items(raw))} items, TotalCount {raw['TotalCount']!r}"


@check
def isolation_between_accounts_and_regions(c, other):
    resource = res_id("vpc")
    fid = create(c, ResourceId=resource)
    wait_for(c, fid, "Active")
    for who, client, region in (("another access key", other, REGION), ("another region", c, REGION2)):
        raw = describe(client, region=region, FlowLogId=fid)
        assert items(raw) == [] and raw["TotalCount"] == "0", f"{who} describes the flow log: {ids(raw)}"
        raw = describe(client, region=region, ResourceId=resource)
        assert items(raw) == [], f"{who} finds it by ResourceId"
        for action in ("DeleteFlowLog", "DeactiveFlowLog", "ActiveFlowLog"):
            expect_error(lambda: call(client, action, region=region, FlowLogId=fid), 404,
                         "InvalidInstanceId.NotFound")
        expect_error(lambda: call(client, "ModifyFlowLogAttribute", region=region, FlowLogId=fid,
                                  FlowLogName="hijack"), 404, "InvalidInstanceId.NotFound")
        expect_error(lambda: call(client, "TagResources", region=region, ResourceType="FLOWLOG",
                                  ResourceId=[fid], Tag=[{"Key": "k", "Value": "v"}]), 404, suffix=".NotFound")
    fl = get(c, fid)
    assert fl["Status"] == "Active" and fl.get("FlowLogName") != "hijack" and fl["Tags"]["Tag"] == [], \
        f"another tenant changed the flow log: {fl}"
    # Uniqueness of the resource is per tenant: another account may log the same resource id.
    theirs = create(other, ResourceId=resource)
    assert ids(describe(c, ResourceId=resource)) == [fid], "the owner now sees the other account's flow log"
    assert ids(describe(other, ResourceId=resource)) == [theirs], "the other account sees the owner's flow log"


@check
def quota_per_account_and_region(c, other):
    if QUOTA == 0:  # --alibaba-flow-log-quota 0: unlimited
        return
    # A fresh account (access key id) of its own, so no other check's flow logs count.
    q = c.clone(c.access_key_id + "quota")
    made = [create(q) for _ in range(QUOTA)]
    expect_error(lambda: call(q, "CreateFlowLog", **create_params()), 400, "QuotaExceeded.FlowlogCount")
    assert len(ids(describe(q, PageSize=50))) == QUOTA, "the refused create left a flow log"
    create(q, region=REGION2)  # the quota is per region
    create(other)  # and per account
    # Once one is deleted and gone, there is room for one more.
    wait_for(q, made[0], "Active")
    call(q, "DeleteFlowLog", FlowLogId=made[0])
    wait_for(q, made[0], None)
    create(q)
    expect_error(lambda: call(q, "CreateFlowLog", **create_params()), 400, "QuotaExceeded.FlowlogCount")


@check
def wrong_secret_is_refused(c, other):
    bad = c.clone(c.access_key_id, secret=SECRET + "-wrong")
    resource = res_id("vpc")
    for fn in (lambda: call(bad, "DescribeFlowLogs"),
               lambda: call(bad, "CreateFlowLog", **create_params(ResourceId=resource))):
        if isinstance(c, LegacyClient):
            # AcsClient finds its own string to sign after "server string to sign is:" and so
            # knows the secret, not the request, is wrong.
            err = expect_error(fn, 400, "InvalidAccessKeySecret")
            assert err.kind == "ServerException", f"raised {err.kind}"
        else:
            err = expect_error(fn, 400, "SignatureDoesNotMatch")
            assert err.kind == "ClientException", f"raised {err.kind}"
            assert "server string to sign is:" in err.message, f"Message {err.message!r}"
        assert SECRET not in err.message, "the error shows the secret"
    assert ids(describe(c, ResourceId=resource)) == [], "the refused create wrote a flow log"
    unknown = c.clone("LTAIcheckUnknownKey")
    expect_error(lambda: call(unknown, "DescribeFlowLogs"), 404, "InvalidAccessKeyId.NotFound")


# --- Generic call_api checks (new SDK only) ----------------------------------------------------

@check(generic_only=True)
def terraform_form_body_create(c, other):
    name = "tf form " + rand(6) + " a+b*c"
    resource = res_id("vpc")
    body = {"ResourceType": "VPC", "ResourceId": resource, "TrafficType": "All",
            "ProjectName": "flowplane-check", "LogStoreName": "flowplane-check", "FlowLogName": name,
            "Description": "form & body ~", "AggregationInterval": "5", "TrafficPath.1": "all",
            "Tag.1.Key": "tf", "Tag.1.Value": "yes", "IpVersion": "IPv4"}
    raw = c.call_generic("CreateFlowLog", query={"RegionId": REGION}, body=body)
    fid = raw.get("FlowLogId")
    assert isinstance(fid, str) and FLOW_LOG_ID_RE.match(fid), f"FlowLogId {fid!r}: {raw}"
    CREATED.append((c, REGION, fid))
    assert raw.get("Success") == "true" and raw.get("RequestId"), f"create body {raw}"
    fl = wait_for(c, fid, "Active")
    got = (fl["FlowLogName"], fl["Description"], fl["AggregationInterval"], fl["ResourceId"],
           fl["TrafficPath"]["TrafficPathList"], fl["Tags"]["Tag"])
    want = (name, "form & body ~", 5, resource, ["all"], [{"Key": "tf", "Value": "yes"}])
    assert got == want, f"form-body create described as {got}, want {want}"
    # Terraform's DescribeFlowLogs call is form-shaped too.
    raw = c.call_generic("DescribeFlowLogs", query={"RegionId": REGION}, body={"FlowLogId": fid})
    assert [f["FlowLogId"] for f in raw["FlowLogs"]["FlowLog"]] == [fid], f"form-body describe gave {raw}"


@check(generic_only=True)
def unknown_action_and_version(c, other):
    expect_error(lambda: c.call_generic("NoSuchFlowLogAction", query={"RegionId": REGION}),
                 404, "InvalidAction.NotFound")
    expect_error(lambda: c.call_generic("DescribeFlowLogs", query={"RegionId": REGION}, version="2099-01-01"),
                 400, "InvalidVersion")


# ---------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------

def failure_reason(exc):
    if isinstance(exc, ApiError):
        return f"unexpected {exc}"
    text = str(exc)
    if isinstance(exc, AssertionError) and not text:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text = f"assertion failed at line {frame.lineno}: {frame.line}"
    elif not isinstance(exc, AssertionError):
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text = f"{type(exc).__name__}: {text} (line {frame.lineno})"
    return text


def run_check(label, fn):
    """Runs one check, then cleans up what it created; prints PASS or FAIL and says which."""
    started = time.monotonic()
    try:
        fn()
        ok, reason = True, ""
    except Exception as exc:  # one broken check must not stop the others
        ok, reason = False, failure_reason(exc)
    try:
        cleanup()
    except Exception as exc:
        if ok:
            ok, reason = False, f"cleanup: {failure_reason(exc)}"
        else:
            reason += f" (and cleanup: {failure_reason(exc)})"
    if ok:
        print(f"PASS {label} ({time.monotonic() - started:.1f} s)", flush=True)
    else:
        print(f"FAIL {label}: {reason}", flush=True)
    return ok


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(credentials_toml())
        return 0
    if sys.argv[1:2] == ["--print-key"] and sys.argv[2:] and sys.argv[2] in KEYS:
        # One key of the credentials file, for a check in another language (tests/sdk/node).
        print(sys.argv[2], SECRET)
        return 0
    if not ENDPOINT:
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8750)", file=sys.stderr)
        return 2
    clients = [
        (NewSdkClient("v3", "LTAIcheckV3"), NewSdkClient("v3", "LTAIcheckV3other")),
        (NewSdkClient("v1", "LTAIcheckV1", v1=True), NewSdkClient("v1", "LTAIcheckV1other", v1=True)),
        (LegacyClient("legacy", "LTAIcheckLegacy"), LegacyClient("legacy", "LTAIcheckLegacyother")),
    ]
    only = set(sys.argv[1:])  # optional: names of checks to run
    print(f"alibaba: {ENDPOINT}, transition delay {DELAY * 1000:.0f} ms", flush=True)
    passed = failed = 0
    for c, other in clients:
        for name, fn, generic_only in CHECKS:
            if generic_only and not c.generic:
                continue
            if only and name not in only:
                continue
            if run_check(f"{c.name}.{name}", lambda: fn(c, other)):
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
