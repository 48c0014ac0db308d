#!/usr/bin/env python3
"""Fault rules (`/_flowplane/faults`) as the official, unmodified SDKs see them:

- Huawei (huaweicloudsdkvpc): the SDK's HTTP session retries a 429 itself, `HttpConfig.retry_times`
  times (default 0): with the default a throttle rule is a `ClientRequestException` with status
  429 (the SDK reports its exhausted retries, not the body; the journal shows the `APIGW.0308` it
  got); with `retry_times = 3` the SDK gets through a rule that fires twice, as does the invoker's
  `with_retry` on 429; a latency rule delays the answer; a drop rule is a connection error.
- Alibaba TEA (alibabacloud_vpc20160428 on tea-openapi 0.4): a throttle rule is the SDK's own
  `ThrottlingException` (code `Throttling.User`, `retry_after` from `x-acs-retry-after`); with
  `retry_options` retrying `Throttling.User` the client waits `retry_after` and succeeds; a latency
  rule delays the answer.
- Alibaba legacy (aliyun-python-sdk-core): a `ServerException` with `Throttling.User`.
- Alibaba SLS (aliyun-log-python-sdk LogClient through HTTP_PROXY): a `LogException`
  `ReadQuotaExceed` (403), which LogClient does not retry.

Every rule names this script's own Huawei project or Alibaba account (`tenant`), so no other check
is touched; each check deletes the rules it added.

Environment: FLOWPLANE_ENDPOINT, the server's URL (http://127.0.0.1:8750).
`--print-credentials` prints this script's `[[huawei]]` and `[[alibaba]]` entries.
Prints `PASS name` / `FAIL name: reason` per check, then `N passed, M failed`.
"""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

import checks

AK = "HWFAULTSCHECKACCESS1"
SK = "hw-faults-check-secret-key-000000000000"
PID = "5b8f1d2e3c4a56f7b8c9d0e1f2a30415"
ALI_KEY = "LTAIcheckFaults"
ALI_SECRET = "ali-faults-check-secret-000000000"
ALI_ACCOUNT = "2000000000000060"
REGION = "cn-hangzhou"

CREDENTIALS = f"""[[huawei]]
access_key = "{AK}"
secret_key = "{SK}"
projects = ["{PID}"]

[[alibaba]]
access_key_id = "{ALI_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_ACCOUNT}"
"""


def endpoint():
    return os.environ["FLOWPLANE_ENDPOINT"].rstrip("/")


def host():
    return urllib.parse.urlsplit(endpoint()).netloc


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(endpoint() + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


class Rule:
    """A fault rule for the length of a `with` block."""

    def __init__(self, **rule):
        self.rule = rule

    def __enter__(self):
        added = control("POST", "/_flowplane/faults", self.rule)
        assert added["fired"] == 0, added
        self.id = added["id"]
        return self

    def stats(self):
        rules = control("GET", "/_flowplane/faults")["faults"]
        return next(rule for rule in rules if rule["id"] == self.id)

    def __exit__(self, *_):
        control("DELETE", f"/_flowplane/faults/{self.id}")


def huawei_client(retry_times=0):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkvpc.v2 import VpcClient

    config = HttpConfig.get_default_config()
    config.retry_times = retry_times
    return (VpcClient.new_builder().with_http_config(config)
            .with_credentials(BasicCredentials(AK, SK, PID))
            .with_endpoints([endpoint()]).build())


def check_huawei_throttling():
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest

    with Rule(face="huawei", operation="ListFlowLogs", tenant=PID, effect={"throttle": True}, times=1):
        try:
            huawei_client().list_flow_logs(ListFlowLogsRequest())
        except ClientRequestException as e:
            assert e.status_code == 429, e
        else:
            raise AssertionError("not throttled")
        journal = control("GET", f"/_flowplane/requests?tenant={PID}&status=429&limit=1")
        assert journal["requests"][0]["error_code"] == "APIGW.0308", journal
        assert huawei_client().list_flow_logs(ListFlowLogsRequest()).flow_logs == []
    # The SDK's own retries on 429 get through a rule that fires twice.
    with Rule(face="huawei", operation="ListFlowLogs", tenant=PID, effect={"throttle": True}, times=2) as rule:
        assert huawei_client(retry_times=3).list_flow_logs(ListFlowLogsRequest()).flow_logs == []
        assert rule.stats()["fired"] == 2, rule.stats()


def check_huawei_retries_through_throttling():
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.retry.backoff_strategy import BackoffStrategies
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest

    def throttled(_response, exception):
        return isinstance(exception, ClientRequestException) and exception.status_code == 429

    with Rule(face="huawei", operation="ListFlowLogs", tenant=PID, effect={"throttle": True}, times=2) as rule:
        listed = (huawei_client().list_flow_logs_invoker(ListFlowLogsRequest())
                  .with_retry(retry_condition=throttled, max_retries=3,
                              backoff_strategy=BackoffStrategies.EQUAL_JITTER)
                  .invoke())
        assert listed.flow_logs == [], listed
        stats = rule.stats()
        assert (stats["matched"], stats["fired"], stats["remaining"]) == (2, 2, 0), stats


def check_huawei_latency():
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest

    with Rule(face="huawei", operation="ListFlowLogs", tenant=PID, effect={"latency": "400ms"}):
        started = time.monotonic()
        huawei_client().list_flow_logs(ListFlowLogsRequest())
        elapsed = time.monotonic() - started
        assert elapsed >= 0.4, elapsed


def check_huawei_dropped_connection():
    from huaweicloudsdkcore.exceptions.exceptions import ConnectionException
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest

    with Rule(face="huawei", operation="ListFlowLogs", tenant=PID, effect={"drop": True}, times=1):
        try:
            huawei_client().list_flow_logs(ListFlowLogsRequest())
        except ConnectionException:
            pass
        else:
            raise AssertionError("answered")


def tea_client(retry_options=None):
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_vpc20160428.client import Client as VpcClient

    return VpcClient(Config(access_key_id=ALI_KEY, access_key_secret=ALI_SECRET, endpoint=host(),
                            protocol="http", region_id=REGION, retry_options=retry_options))


def describe_request():
    from alibabacloud_vpc20160428 import models as vpc_models

    return vpc_models.DescribeFlowLogsRequest(region_id=REGION)


def check_alibaba_tea_throttling():
    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    with Rule(face="alibaba", operation="DescribeFlowLogs", tenant=ALI_ACCOUNT, effect={"throttle": {"retry_after": "300ms"}},
              times=1):
        try:
            tea_client().describe_flow_logs(describe_request())
        except ThrottlingException as e:
            assert e.code == "Throttling.User", e
            assert e.retry_after == 300, e.retry_after
            assert e.data["RequestId"], e.data
        else:
            raise AssertionError("not throttled")


def check_alibaba_tea_retries_after_the_advised_wait():
    from darabonba.policy.retry import RetryOptions

    options = RetryOptions({"retryable": True, "retryCondition": [
        {"maxAttempts": 3, "errorCode": ["Throttling.User"], "exception": ["ThrottlingException"]}]})
    with Rule(face="alibaba", operation="DescribeFlowLogs", tenant=ALI_ACCOUNT, effect={"throttle": {"retry_after": "300ms"}},
              times=2) as rule:
        started = time.monotonic()
        answer = tea_client(options).describe_flow_logs(describe_request())
        elapsed = time.monotonic() - started
        assert answer.status_code == 200, answer
        assert elapsed >= 0.6, f"two waits of x-acs-retry-after: {elapsed}"
        assert rule.stats()["fired"] == 2, rule.stats()


def check_alibaba_tea_latency():
    with Rule(face="alibaba", operation="DescribeFlowLogs", tenant=ALI_ACCOUNT, effect={"latency": "400ms"}):
        started = time.monotonic()
        tea_client().describe_flow_logs(describe_request())
        assert time.monotonic() - started >= 0.4


def check_alibaba_legacy_throttling():
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkvpc.request.v20160428.DescribeFlowLogsRequest import DescribeFlowLogsRequest

    request = DescribeFlowLogsRequest()
    request.set_endpoint(host())
    request.set_protocol_type("http")
    client = AcsClient(ALI_KEY, ALI_SECRET, REGION)
    with Rule(face="alibaba", operation="DescribeFlowLogs", tenant=ALI_ACCOUNT, effect={"throttle": True},
              times=1):
        try:
            client.do_action_with_exception(request)
        except ServerException as e:
            assert e.get_error_code() == "Throttling.User", e
            assert e.get_http_status() == 400, e
            assert e.get_request_id(), e
        else:
            raise AssertionError("not throttled")


def check_alibaba_sls_throttling():
    from aliyun.log import LogClient, LogException

    os.environ["HTTP_PROXY"] = endpoint()
    try:
        client = LogClient(f"{REGION}.log.aliyuncs.com", ALI_KEY, ALI_SECRET)
        with Rule(face="sls", tenant=ALI_ACCOUNT, effect={"throttle": True}, times=1):
            try:
                client.list_project(size=10)
            except LogException as e:
                assert e.get_error_code() == "ReadQuotaExceed", e
                assert e.resp_status == 403, e
                assert e.get_request_id(), e
            else:
                raise AssertionError("not throttled")
        assert client.list_project(size=10).get_projects() == []
    finally:
        del os.environ["HTTP_PROXY"]


CHECKS = [
    ("huawei.throttling_is_a_429_apigw_0308", check_huawei_throttling),
    ("huawei.with_retry_gets_through_throttling", check_huawei_retries_through_throttling),
    ("huawei.latency", check_huawei_latency),
    ("huawei.dropped_connection", check_huawei_dropped_connection),
    ("alibaba.tea_throttling_exception", check_alibaba_tea_throttling),
    ("alibaba.tea_retries_after_x_acs_retry_after", check_alibaba_tea_retries_after_the_advised_wait),
    ("alibaba.tea_latency", check_alibaba_tea_latency),
    ("alibaba.legacy_throttling", check_alibaba_legacy_throttling),
    ("alibaba.sls_read_quota_exceeded", check_alibaba_sls_throttling),
]


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    if not os.environ.get("FLOWPLANE_ENDPOINT"):
        print("FLOWPLANE_ENDPOINT is not set", file=sys.stderr)
        return 2
    return checks.run(CHECKS, prefix="faults.")


if __name__ == "__main__":
    sys.exit(main())
