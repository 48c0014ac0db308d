#!/usr/bin/env python3
"""End-to-end checks of Flowplane's Alibaba Simple Log Service (SLS) with the official, unmodified SDKs:
`aliyun-log-python-sdk` (LogClient, V1 HMAC-SHA1 and V4) and `alibabacloud-sls20201230` (the TEA client,
V1 HMAC-SHA256), with `alibabacloud-vpc20160428` for the flow log itself.

How the SDKs reach Flowplane (openapi/reference/alibaba-sls.md §1): SLS puts the project in the host
(`<project>.<endpoint>`), which no local name resolves, so both SDKs are configured with the real endpoint
name `cn-hangzhou.log.aliyuncs.com` over plain HTTP and Flowplane as their HTTP proxy (`HTTP_PROXY` /
`http_proxy` for LogClient, `Config(http_proxy=…)` for TEA). The proxy receives absolute-form requests and
Flowplane answers them itself, reading the project and region from the `Host`.

The scenario: create a project and a logstore → CreateFlowLog (VPC) on them → generate an hour of capture
windows (`POST /_flowplane/records/generate`) → get_log / GetLogs over a time range covering them, every
field of every record checked → `action: REJECT` returns exactly the rejected records, and
`action: REJECT and dstport: 22` composes → an analytic query is refused → delete the logstore →
FlowLogDeliverStatus FAILED → recreate it → SUCCESS and new windows deliver. Plus the SLS error codes, V4
signing, the TEA client, another account seeing nothing, and the consumer side (GetCursor, PullLogs).

`alibaba_sls_check.py --print-credentials` prints this script's `[[alibaba]]` entries.

Environment: FLOWPLANE_ENDPOINT (e.g. http://127.0.0.1:8750). Prints `PASS name` / `FAIL name: reason`
per check, then `N passed, M failed`; exits 0 only when nothing failed.
"""

import json
import os
import sys
import time
import traceback
import urllib.parse
import urllib.request
import uuid

KEY = "LTAIcheckSls"
OTHER_KEY = "LTAIcheckSlsOther"
SECRET = "flowplane-sls-check-secret-000000"
ACCOUNT = "2000000000000040"
OTHER_ACCOUNT = "2000000000000041"
REGION = "cn-hangzhou"
SLS_ENDPOINT = f"{REGION}.log.aliyuncs.com"

# Alibaba's flow-log record fields (openapi/reference/alibaba-sls.md §7).
FIELDS = {
    "version", "vswitch-id", "vm-id", "vpc-id", "account-id", "eni-id", "region", "srcaddr", "srcport",
    "dstaddr", "dstport", "protocol", "direction", "packets", "bytes", "start", "end", "log-status", "action",
    "tcp-flags", "traffic_path",
}


def credentials_toml():
    return "\n".join(
        f'[[alibaba]]\naccess_key_id = "{key}"\naccess_key_secret = "{SECRET}"\naccount_id = "{account}"\n'
        for key, account in ((KEY, ACCOUNT), (OTHER_KEY, OTHER_ACCOUNT)))


def use_flowplane_as_proxy(endpoint):
    """The documented way: Flowplane is the SDKs' HTTP proxy; the fake endpoint must not be in NO_PROXY."""
    os.environ["HTTP_PROXY"] = endpoint
    os.environ["http_proxy"] = endpoint


def log_client(key=KEY, secret=SECRET, **kwargs):
    from aliyun.log import LogClient
    return LogClient(SLS_ENDPOINT, key, secret, **kwargs)


def tea_client(endpoint, key=KEY, **config):
    from alibabacloud_sls20201230.client import Client
    from alibabacloud_tea_openapi import utils_models as open_api_models
    return Client(open_api_models.Config(
        access_key_id=key, access_key_secret=SECRET, endpoint=SLS_ENDPOINT, protocol="http",
        region_id=REGION, http_proxy=endpoint, **config))


def vpc_client(endpoint):
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_vpc20160428.client import Client as VpcClient
    return VpcClient(Config(access_key_id=KEY, access_key_secret=SECRET,
                            endpoint=urllib.parse.urlsplit(endpoint).netloc, protocol="http", region_id=REGION))


def expect_log_error(call, status, code):
    from aliyun.log.logexception import LogException
    try:
        call()
    except LogException as err:
        assert (err.resp_status, err.get_error_code()) == (status, code), \
            (err.resp_status, err.get_error_code(), err.get_error_message())
        assert len(err.get_request_id()) == 24, err.get_request_id()
        return err
    raise AssertionError(f"expected {status} {code}, the call succeeded")


def generate(endpoint, flow_log_id, windows):
    request = urllib.request.Request(
        f"{endpoint}/_flowplane/records/generate", method="POST",
        data=json.dumps({"windows": windows, "flow_log_id": flow_log_id}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["records"]


def describe(vpc, flow_log_id):
    from alibabacloud_vpc20160428 import models as vpc_models
    found = vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(
        region_id=REGION, flow_log_id=flow_log_id)).body.flow_logs.flow_log
    assert len(found) == 1, found
    return found[0]


def wait_for(what, read, done, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: last {value!r}")
        time.sleep(0.1)


def logs(client, project, logstore, window, query=""):
    """Every record the query matches in the window: (time, source, contents)."""
    response = client.get_log(project, logstore, window[0], window[1], query=query, size=1000)
    assert response.is_completed()
    return [(log.get_time(), log.get_source(), log.get_contents()) for log in response.get_logs()]


class Scenario:
    """The project, logstore and flow log the checks share, made once."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.project = f"fp-sls-{uuid.uuid4().hex[:12]}"
        self.logstore = "flowlog"
        self.client = log_client()
        self.vpc = vpc_client(endpoint)
        self.flow_log_id = None
        self.window = None


def check_projects_and_logstores(s):
    c = s.client
    c.create_project(s.project, "flow logs")
    project = c.get_project(s.project)
    assert (project.get_projectname(), project.get_description(), project.get_owner(), project.get_region()) == \
        (s.project, "flow logs", ACCOUNT, REGION), project.get_all_headers() if hasattr(project, "get_all_headers") else project
    listed = c.list_project(size=100)
    assert s.project in [p["projectName"] for p in listed.get_projects()], listed.get_projects()
    expect_log_error(lambda: c.create_project(s.project, "again"), 400, "ProjectAlreadyExist")
    expect_log_error(lambda: c.get_project("fp-nobody-made-this"), 404, "ProjectNotExist")
    expect_log_error(lambda: c.create_project("Bad_Name", ""), 400, "ParameterInvalid")

    c.create_logstore(s.project, s.logstore, ttl=7, shard_count=2)
    logstore = c.get_logstore(s.project, s.logstore)
    assert (logstore.get_ttl(), logstore.get_shard_count()) == (7, 2), logstore.body
    assert s.logstore in c.list_logstore(s.project, size=10).get_logstores()
    expect_log_error(lambda: c.create_logstore(s.project, s.logstore), 400, "LogStoreAlreadyExist")
    expect_log_error(lambda: c.get_logstore(s.project, "nosuch"), 404, "LogStoreNotExist")
    c.update_logstore(s.project, s.logstore, ttl=30)
    assert c.get_logstore(s.project, s.logstore).get_ttl() == 30


def check_tea_client(s):
    from alibabacloud_sls20201230 import models as sls_models
    t = tea_client(s.endpoint)
    project = t.get_project(s.project, sls_models.GetProjectRequest()).body
    assert (project.project_name, project.owner) == (s.project, ACCOUNT), project
    stores = t.list_log_stores(s.project, sls_models.ListLogStoresRequest(offset=0, size=10)).body
    assert s.logstore in stores.logstores, stores
    store = t.get_log_store(s.project, s.logstore).body
    assert (store.logstore_name, store.ttl) == (s.logstore, 30), store
    v4 = tea_client(s.endpoint, signature_version="v4")
    assert v4.get_log_store(s.project, s.logstore).body.logstore_name == s.logstore
    try:
        t.get_log_store(s.project, "nosuch")
    except Exception as err:  # the TEA SDK's exception: code and HTTP status
        assert getattr(err, "code", None) == "LogStoreNotExist", err
    else:
        raise AssertionError("GetLogStore of a missing logstore succeeded")


def check_v4_and_bad_signatures(s):
    from aliyun.log.auth import AUTH_VERSION_4
    v4 = log_client(auth_version=AUTH_VERSION_4, region=REGION)
    assert v4.get_project(s.project).get_projectname() == s.project
    wrong = log_client(secret="not-the-secret")
    expect_log_error(lambda: wrong.get_project(s.project), 401, "SignatureNotMatch")
    unknown = log_client(key="LTAInobody")
    expect_log_error(lambda: unknown.get_project(s.project), 401, "Unauthorized")
    other = log_client(key=OTHER_KEY)
    expect_log_error(lambda: other.get_project(s.project), 404, "ProjectNotExist")
    assert s.project not in [p["projectName"] for p in other.list_project(size=100).get_projects()]


def check_flow_log_delivers(s):
    from alibabacloud_vpc20160428 import models as vpc_models
    created = s.vpc.create_flow_log(vpc_models.CreateFlowLogRequest(
        region_id=REGION, resource_type="VPC", resource_id=f"vpc-sls{uuid.uuid4().hex[:16]}", traffic_type="All",
        project_name=s.project, log_store_name=s.logstore, aggregation_interval=1, flow_log_name="sls-check"))
    s.flow_log_id = created.body.flow_log_id
    wait_for("the flow log to be Active", lambda: describe(s.vpc, s.flow_log_id).status, lambda st: st == "Active")
    now = int(time.time())
    s.window = (now - 3600, now + 86400)
    records = generate(s.endpoint, s.flow_log_id, 60)  # an hour of 1-minute windows
    assert records > 0, records
    found = logs(s.client, s.project, s.logstore, s.window)
    assert len(found) == records, (len(found), records)
    for time_, source, contents in found:
        assert source == "", source
        assert set(contents) == FIELDS | {"__topic__"}, sorted(contents)
        assert contents["__topic__"] == "flow_log"
        assert all(isinstance(v, str) for v in contents.values()), contents
        assert str(time_) == contents["start"], (time_, contents["start"])
        assert (contents["version"], contents["account-id"], contents["region"]) == ("1", ACCOUNT, REGION), contents
        assert contents["eni-id"].startswith("eni-"), contents
        assert contents["log-status"] in ("OK", "NODATA", "SKIPDATA"), contents
        if contents["log-status"] == "OK":
            assert contents["action"] in ("ACCEPT", "REJECT") and contents["direction"] in ("in", "out"), contents
            assert contents["protocol"] in ("1", "6", "17"), contents
            for numeric in ("srcport", "dstport", "packets", "bytes", "start", "end", "tcp-flags"):
                int(contents[numeric])
            assert int(contents["end"]) > int(contents["start"]) - 1
    times = [t for t, _, _ in found]
    assert times == sorted(times), "oldest first"

    rejected = logs(s.client, s.project, s.logstore, s.window, "action: REJECT")
    assert rejected and len(rejected) < len(found), (len(rejected), len(found))
    assert rejected == [r for r in found if r[2]["action"] == "REJECT"]
    ssh = logs(s.client, s.project, s.logstore, s.window, "action: REJECT and dstport: 22")
    assert ssh == [r for r in rejected if r[2]["dstport"] == "22"]
    either = logs(s.client, s.project, s.logstore, s.window, "dstport: 22 OR (dstport: 443 and not action: REJECT)")
    assert either == [r for r in found if r[2]["dstport"] == "22"
                      or (r[2]["dstport"] == "443" and r[2]["action"] != "REJECT")]
    big = logs(s.client, s.project, s.logstore, s.window, "bytes > 1000")
    assert big == [r for r in found if r[2]["bytes"].isdigit() and int(r[2]["bytes"]) > 1000]
    newest = s.client.get_log(s.project, s.logstore, s.window[0], s.window[1], size=3, reverse=True).get_logs()
    assert [log.get_time() for log in newest] == sorted(times, reverse=True)[:3]
    expect_log_error(lambda: s.client.get_log(s.project, s.logstore, s.window[0], s.window[1],
                                              query="* | select count(*) as c"), 400, "ParameterInvalid")

    from alibabacloud_sls20201230 import models as sls_models
    t = tea_client(s.endpoint)
    answer = t.get_logs(s.project, s.logstore, sls_models.GetLogsRequest(
        from_=s.window[0], to=s.window[1], query="action: REJECT", line=100)).body
    assert answer.meta.progress == "Complete", answer.meta
    assert [row["__time__"] for row in answer.data] == [str(r[0]) for r in rejected][:100], answer.data[:2]
    assert all(row["action"] == "REJECT" and row["__topic__"] == "flow_log" for row in answer.data)


def check_cursor_and_pull_logs(s):
    """The consumer side: every record, in order, through get_begin_cursor / pull_logs."""
    c = s.client
    expected = logs(c, s.project, s.logstore, s.window)
    begin = c.get_begin_cursor(s.project, s.logstore, 0).get_cursor()
    end = c.get_end_cursor(s.project, s.logstore, 0).get_cursor()
    assert c.get_cursor(s.project, s.logstore, 0, expected[0][0]).get_cursor() == begin
    assert c.get_cursor_time(s.project, s.logstore, 0, begin).get_cursor_time() == expected[0][0]
    pulled, cursor = [], begin
    while True:
        response = c.pull_logs(s.project, s.logstore, 0, cursor, count=50)
        pulled.extend(response.get_flatten_logs_json())
        if response.get_next_cursor() == cursor:
            break
        cursor = response.get_next_cursor()
    assert cursor == end, (cursor, end)
    assert len(pulled) == len(expected), (len(pulled), len(expected))
    for got, (time_, _, contents) in zip(pulled, expected):
        assert int(got["__time__"]) == time_, (got, time_)
        assert {k: v for k, v in got.items() if k in FIELDS} == {k: contents[k] for k in FIELDS}, got
    assert c.pull_logs(s.project, s.logstore, 1, c.get_begin_cursor(s.project, s.logstore, 1).get_cursor()) \
        .get_log_count() == 0, "shard 1 is empty"
    shards = c.list_shards(s.project, s.logstore).get_shards_info()
    assert [shard["shardID"] for shard in shards] == [0, 1], shards


def check_delivery_follows_the_logstore(s):
    assert s.flow_log_id, "the flow log check ran first"
    assert describe(s.vpc, s.flow_log_id).flow_log_deliver_status == "SUCCESS"
    s.client.delete_logstore(s.project, s.logstore)
    expect_log_error(lambda: s.client.get_logstore(s.project, s.logstore), 404, "LogStoreNotExist")
    assert generate(s.endpoint, s.flow_log_id, 5) == 0
    entry = describe(s.vpc, s.flow_log_id)
    assert (entry.flow_log_deliver_status, entry.flow_log_deliver_error_message) == ("FAILED", "UnavaliableTarget"), \
        (entry.flow_log_deliver_status, entry.flow_log_deliver_error_message)
    s.client.create_logstore(s.project, s.logstore, ttl=7, shard_count=2)
    assert logs(s.client, s.project, s.logstore, s.window) == [], "a recreated logstore starts empty"
    delivered = generate(s.endpoint, s.flow_log_id, 5)
    assert delivered > 0
    assert describe(s.vpc, s.flow_log_id).flow_log_deliver_status == "SUCCESS"
    assert len(logs(s.client, s.project, s.logstore, s.window)) == delivered


def cleanup(s):
    from alibabacloud_vpc20160428 import models as vpc_models
    if s.flow_log_id:
        s.vpc.delete_flow_log(vpc_models.DeleteFlowLogRequest(region_id=REGION, flow_log_id=s.flow_log_id))
    s.client.delete_project(s.project)
    expect_log_error(lambda: s.client.get_project(s.project), 404, "ProjectNotExist")


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(credentials_toml())
        return 0
    endpoint = (os.environ.get("FLOWPLANE_ENDPOINT") or "http://127.0.0.1:8750").rstrip("/")
    use_flowplane_as_proxy(endpoint)
    s = Scenario(endpoint)
    passed = failed = 0
    for check in (check_projects_and_logstores, check_tea_client, check_v4_and_bad_signatures,
                  check_flow_log_delivers, check_cursor_and_pull_logs, check_delivery_follows_the_logstore,
                  cleanup):
        started = time.monotonic()
        try:
            check(s)
        except Exception as exc:  # a check's failure is reported, the others still run
            failed += 1
            reason = str(exc) or type(exc).__name__
            print(f"FAIL sls.{check.__name__}: {reason}", flush=True)
            traceback.print_exc()
            continue
        passed += 1
        print(f"PASS sls.{check.__name__} ({time.monotonic() - started:.1f} s)", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
