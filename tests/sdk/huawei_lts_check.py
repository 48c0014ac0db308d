#!/usr/bin/env python3
"""End-to-end checks of Flowplane's Huawei LTS v2 API with the official, unmodified Huawei Cloud
Python SDK (huaweicloudsdklts, huaweicloudsdkvpc, huaweicloudsdkcore; pinned in requirements.txt).

The endpoint comes from FLOWPLANE_ENDPOINT (e.g. http://127.0.0.1:8080); the server runs with
`--auth verify` and a credentials file holding this script's key (`--print-credentials` prints its
`[[huawei]]` entry). Its own project keeps it apart from the other checks.

What a user does: LtsClient creates a log group and a log stream -> VpcClient creates a flow log on
them -> `POST /_flowplane/records/generate` produces an hour of capture windows (6 x 10 min) ->
ListLogs (QueryLtsLogParams) reads the lines back, checked field by field; keywords `REJECT` find
only rejected traffic; highlighting and line_num paging; the group's and (as Terraform's
huaweicloud_lts_stream does) the stream's TTL updates; LTS's error codes. Deleting the stream turns
the flow log ERROR; a Huawei flow log's log group/topic cannot be changed (UpdateFlowLog takes only
name, description and admin_state), so, as on the real cloud, the user creates a new stream and a
new flow log on it (deleting the old one): that one is ACTIVE and its windows are delivered.

Prints `PASS name` / `FAIL name: reason` per check, then `N passed, M failed`.
"""

import calendar
import datetime
import json
import os
import sys
import time
import urllib.request
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdklts.v2 import (
    CreateLogGroupParams,
    CreateLogGroupRequest,
    CreateLogStreamParams,
    CreateLogStreamRequest,
    DeleteLogGroupRequest,
    DeleteLogStreamRequest,
    ListLogGroupsRequest,
    ListLogsRequest,
    ListLogStreamRequest,
    ListLogStreamsRequest,
    LtsClient,
    QueryLtsLogParams,
    UpdateLogGroupParams,
    UpdateLogGroupRequest,
    UpdateLogStreamParams,
    UpdateLogStreamRequest,
)
from huaweicloudsdkvpc.v2 import (
    CreateFlowLogReq,
    CreateFlowLogReqBody,
    CreateFlowLogRequest,
    DeleteFlowLogRequest,
    ShowFlowLogRequest,
    VpcClient,
)

AK = "HWLTSCHECKACCESSKEY1"
SK = "hw-lts-check-secret-key-0000000000000000"
PID = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"

CREDENTIALS = f"""[[huawei]]
access_key = "{AK}"
secret_key = "{SK}"
projects = ["{PID}"]
"""

WINDOW = 600  # seconds: Huawei's capture window


def endpoint():
    return os.environ["FLOWPLANE_ENDPOINT"]


def clients():
    creds = BasicCredentials(AK, SK, PID)
    lts = LtsClient.new_builder().with_credentials(creds).with_endpoints([endpoint()]).build()
    vpc = VpcClient.new_builder().with_credentials(creds).with_endpoints([endpoint()]).build()
    return lts, vpc


LTS, VPC = None, None  # set in main()


def short():
    return uuid.uuid4().hex[:8]


def now_ms():
    return int(time.time() * 1000)


def expect_error(call, status, code):
    try:
        call()
    except ServiceResponseException as e:
        assert (e.status_code, e.error_code) == (status, code), \
            f"want {status} {code}, got {e.status_code} {e.error_code}: {e.error_msg!r}"
        assert e.request_id, f"{status} {code} has no X-Request-Id"
        return e
    raise AssertionError(f"want {status} {code}, but the call succeeded")


def create_group(name=None, ttl=7):
    resp = LTS.create_log_group(CreateLogGroupRequest(body=CreateLogGroupParams(
        log_group_name=name or "lts-check-" + short(), ttl_in_days=ttl)))
    assert resp.status_code == 201, f"create group answered {resp.status_code}"
    return resp.log_group_id


def create_stream(group, name=None, ttl=None):
    resp = LTS.create_log_stream(CreateLogStreamRequest(log_group_id=group, body=CreateLogStreamParams(
        log_stream_name=name or "vpc-flow-" + short(), ttl_in_days=ttl)))
    assert resp.status_code == 201, f"create stream answered {resp.status_code}"
    return resp.log_stream_id


def create_flow_log(group, stream, port):
    req = CreateFlowLogReq(name="fl-lts-" + short(), resource_type="port", resource_id=port,
                           traffic_type="all", log_group_id=group, log_topic_id=stream)
    return VPC.create_flow_log(CreateFlowLogRequest(body=CreateFlowLogReqBody(flow_log=req))).flow_log


def flow_log_status(flow_log_id):
    return VPC.show_flow_log(ShowFlowLogRequest(flowlog_id=flow_log_id)).flow_log.status


def generate(flow_log_id, windows):
    request = urllib.request.Request(
        f"{endpoint()}/_flowplane/records/generate", method="POST",
        data=json.dumps({"windows": windows, "flow_log_id": flow_log_id}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        body = json.load(resp)
    assert body["windows"] == windows, body
    return body["records"]


def query(group, stream, start_ms, end_ms, **params):
    resp = LTS.list_logs(ListLogsRequest(log_group_id=group, log_stream_id=stream, body=QueryLtsLogParams(
        start_time=str(start_ms), end_time=str(end_ms), **params)))
    assert resp.status_code == 200, resp.status_code
    assert resp.is_query_complete is True, resp
    return resp


def window_start(created_at):
    """The flow log's first window: its creation time, aligned down to ten minutes."""
    created = datetime.datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%S")
    seconds = calendar.timegm(created.timetuple())
    return seconds - seconds % WINDOW


def check_line(line, port, first_window, windows):
    """One record line, field by field (reference huawei-lts.md §8)."""
    f = line.split(" ")
    assert len(f) == 14, f"{len(f)} fields: {line!r}"
    version, project, interface, src, dst, sport, dport, proto, packets, nbytes, start, end, action, status = f
    assert version == "1", line
    assert project == PID, line
    assert interface == port, line
    start, end = int(start), int(end)
    # A flow shorter than a second starts and ends in the same second.
    assert start <= end, line
    k = (start - first_window) // WINDOW
    assert 0 <= k < windows, f"start {start} outside the {windows} windows from {first_window}: {line!r}"
    assert end <= first_window + (k + 1) * WINDOW, f"end {end} after its window: {line!r}"
    if status == "OK":
        for addr in (src, dst):
            parts = addr.split(".")
            assert len(parts) == 4 and all(p.isdigit() and 0 <= int(p) <= 255 for p in parts), line
        assert 0 <= int(sport) <= 65535 and 0 <= int(dport) <= 65535, line
        assert proto in ("1", "6", "17"), line
        assert int(packets) > 0 and int(nbytes) > 0, line
        assert action in ("ACCEPT", "REJECT"), line
    else:
        assert status in ("NODATA", "SKIPDATA"), line
        assert [src, dst, sport, dport, proto, packets, nbytes, action] == ["-"] * 8, line
    return action


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append((fn.__name__, fn))
    return fn


@check
def groups_and_streams():
    name = "lts-group-" + short()
    before = now_ms()
    group = create_group(name, ttl=7)
    listed = [g for g in LTS.list_log_groups(ListLogGroupsRequest()).log_groups if g.log_group_id == group]
    assert len(listed) == 1, listed
    g = listed[0]
    assert (g.log_group_name, g.ttl_in_days) == (name, 7), g
    assert isinstance(g.creation_time, int) and before - 1000 <= g.creation_time <= now_ms(), g.creation_time
    assert g.tag == {"_sys_enterprise_project_id": "0"}, g.tag
    # Terraform's huaweicloud_lts_group update: POST /v2/{pid}/groups/{id} {"ttl_in_days"}.
    up = LTS.update_log_group(UpdateLogGroupRequest(log_group_id=group, body=UpdateLogGroupParams(ttl_in_days=30)))
    assert (up.status_code, up.log_group_id, up.ttl_in_days, up.log_group_name) == (200, group, 30, name), up

    stream = create_stream(group, "vpc-flow")
    streams = LTS.list_log_stream(ListLogStreamRequest(log_group_id=group)).log_streams
    assert [(s.log_stream_id, s.log_stream_name, s.ttl_in_days) for s in streams] == [(stream, "vpc-flow", -1)], streams
    assert streams[0].filter_count == 0 and streams[0].tag == {"_sys_enterprise_project_id": "0"}, streams[0]
    # Terraform's huaweicloud_lts_stream update: PUT …/streams-ttl/{id}, answered with topic names.
    up = LTS.update_log_stream(UpdateLogStreamRequest(log_group_id=group, log_stream_id=stream,
                                                      body=UpdateLogStreamParams(ttl_in_days=14)))
    assert (up.status_code, up.log_topic_id, up.log_topic_name, up.ttl_in_days) == (200, stream, "vpc-flow", 14), up
    streams = LTS.list_log_stream(ListLogStreamRequest(log_group_id=group)).log_streams
    assert streams[0].ttl_in_days == 14, streams[0]
    everywhere = LTS.list_log_streams(ListLogStreamsRequest(log_group_name=name)).log_streams
    assert [(s.log_group_id, s.log_stream_id) for s in everywhere] == [(group, stream)], everywhere

    # LTS's error codes.
    expect_error(lambda: create_group(name), 400, "LTS.0101")
    expect_error(lambda: create_group(ttl=0), 400, "LTS.0009")
    expect_error(lambda: create_group("_bad"), 400, "LTS.0009")
    expect_error(lambda: LTS.create_log_group(CreateLogGroupRequest()), 400, "LTS.0007")
    expect_error(lambda: create_stream(group, "vpc-flow"), 400, "LTS.0205")
    missing = str(uuid.uuid4())
    expect_error(lambda: create_stream(missing), 400, "LTS.0201")
    expect_error(lambda: LTS.delete_log_stream(DeleteLogStreamRequest(log_group_id=group, log_stream_id=missing)),
                 400, "LTS.0208")
    expect_error(lambda: query(group, missing, 0, 1), 400, "LTS.0208")

    # Deleting the group takes its streams.
    resp = LTS.delete_log_group(DeleteLogGroupRequest(log_group_id=group))
    assert resp.status_code == 204, resp.status_code
    expect_error(lambda: LTS.list_log_stream(ListLogStreamRequest(log_group_id=group)), 400, "LTS.0201")
    assert LTS.list_log_streams(ListLogStreamsRequest(log_group_name=name)).log_streams == []


@check
def flow_logs_deliver_into_lts():
    group = create_group()
    stream = create_stream(group)
    port = str(uuid.uuid4())
    flow_log = create_flow_log(group, stream, port)
    assert flow_log.status == "ACTIVE", flow_log.status
    first = window_start(flow_log.created_at)
    generated = generate(flow_log.id, 6)
    start_ms, end_ms = first * 1000, (first + 6 * WINDOW) * 1000

    resp = query(group, stream, start_ms, end_ms, limit=5000, highlight=False)
    logs = resp.logs or []
    assert resp.count == len(logs) == generated > 0, (resp.count, len(logs), generated)
    actions = [check_line(log.content, port, first, 6) for log in logs]
    line_nums = [int(log.line_num) for log in logs]
    assert line_nums == sorted(set(line_nums)), "line_num is unique and increasing"
    assert all(len(log.line_num) == 19 for log in logs), logs[0].line_num
    assert all(log.labels == {} for log in logs)
    rejected = [log.content for log, a in zip(logs, actions) if a == "REJECT"]
    assert rejected, "an hour of traffic has rejected flows"

    # Keywords: REJECT finds exactly the rejected lines; highlighting is on by default.
    found = query(group, stream, start_ms, end_ms, keywords="REJECT", limit=5000, highlight=False)
    assert [log.content for log in found.logs] == rejected and found.count == len(rejected)
    marked = query(group, stream, start_ms, end_ms, keywords="REJECT", limit=1)
    assert marked.logs[0].content == rejected[0].replace(" REJECT ", " <HighLightTag>REJECT</HighLightTag> "), \
        marked.logs[0].content
    others = query(group, stream, start_ms, end_ms, keywords="NOT REJECT", limit=5000)
    assert others.count == len(logs) - len(rejected), others.count
    expect_error(lambda: query(group, stream, start_ms, end_ms, keywords="*JECT"), 400, "LTS.0301")
    expect_error(lambda: query(group, stream, end_ms, start_ms), 400, "LTS.0009")
    expect_error(lambda: query(group, stream, start_ms, end_ms, limit=5001), 400, "LTS.0009")

    # Paging by line_num, both ways, as the documentation's examples page.
    page = query(group, stream, start_ms, end_ms, limit=5, highlight=False)
    assert [log.content for log in page.logs] == [log.content for log in logs[:5]]
    nxt = query(group, stream, start_ms, end_ms, limit=5, line_num=page.logs[-1].line_num,
                search_type="forwards", highlight=False)
    assert [log.line_num for log in nxt.logs] == [log.line_num for log in logs[5:10]]
    back = query(group, stream, start_ms, end_ms, limit=3, line_num=nxt.logs[0].line_num,
                 search_type="backwards", highlight=False)
    assert [log.line_num for log in back.logs] == [log.line_num for log in logs[2:5]]
    newest = query(group, stream, start_ms, end_ms, limit=3, is_desc=True, highlight=False)
    assert [log.line_num for log in newest.logs] == [log.line_num for log in reversed(logs[-3:])]
    # A narrower range: the first window only.
    first_window = query(group, stream, start_ms, start_ms + WINDOW * 1000 - 1, limit=5000, highlight=False)
    assert 0 < first_window.count < len(logs), first_window.count
    assert all(int(log.content.split(" ")[10]) < first + WINDOW for log in first_window.logs)

    # The stream goes: the flow log is ERROR.
    LTS.delete_log_stream(DeleteLogStreamRequest(log_group_id=group, log_stream_id=stream))
    status = flow_log_status(flow_log.id)
    assert status == "ERROR", f"after the stream's delete: {status}"
    generate(flow_log.id, 1)  # delivers nowhere

    # A flow log's destination cannot be changed: a new stream, and a new flow log on it.
    renewed = create_stream(group, "vpc-flow-renewed")
    assert flow_log_status(flow_log.id) == "ERROR"
    VPC.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flow_log.id))
    again = create_flow_log(group, renewed, port)
    assert again.status == "ACTIVE", again.status
    delivered = generate(again.id, 2)
    first = window_start(again.created_at)
    resp = query(group, renewed, first * 1000, (first + 2 * WINDOW) * 1000, limit=5000, highlight=False)
    assert resp.count == delivered > 0, (resp.count, delivered)
    for log in resp.logs:
        check_line(log.content, port, first, 2)

    VPC.delete_flow_log(DeleteFlowLogRequest(flowlog_id=again.id))
    LTS.delete_log_group(DeleteLogGroupRequest(log_group_id=group))


@check
def a_deleted_group_turns_its_flow_logs_error():
    group = create_group()
    stream = create_stream(group)
    flow_log = create_flow_log(group, stream, str(uuid.uuid4()))
    assert flow_log.status == "ACTIVE", flow_log.status
    LTS.delete_log_group(DeleteLogGroupRequest(log_group_id=group))
    assert flow_log_status(flow_log.id) == "ERROR"
    VPC.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flow_log.id))


def failure_reason(exc):
    if isinstance(exc, ServiceResponseException):
        return f"unexpected HTTP {exc.status_code} {exc.error_code}: {exc.error_msg!r} (request id {exc.request_id!r})"
    if isinstance(exc, AssertionError):
        import traceback
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return str(exc) or f"assertion failed at line {frame.lineno}: {frame.line}"
    return f"{type(exc).__name__}: {exc}"


def main():
    global LTS, VPC
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    if not os.environ.get("FLOWPLANE_ENDPOINT"):
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8080)", file=sys.stderr)
        return 2
    LTS, VPC = clients()
    passed = failed = 0
    for name, fn in CHECKS:
        try:
            fn()
            passed += 1
            print(f"PASS lts.{name}", flush=True)
        except Exception as exc:  # one broken check must not stop the others
            failed += 1
            print(f"FAIL lts.{name}: {failure_reason(exc)}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
