#!/usr/bin/env python3
"""HTTPS on Flowplane's one port, with the official, unmodified Python SDKs trusting the CA that
Flowplane generated at first start (README, "HTTPS"): each SDK makes a call over `https://` on the
same port as the plain-HTTP checks, verifying the certificate, the way a user is told to trust it:

- Huawei (huaweicloudsdkcore): `HttpConfig.ssl_ca_cert = CA`, `ignore_ssl_verification = False`;
  VpcClient lists flow logs, LtsClient lists log groups; without the CA the same call fails
  verification (so it really is TLS, and verified).
- Alibaba TEA (alibabacloud_vpc20160428 on alibabacloud_tea_openapi): `Config(protocol="https",
  ca=CA)`; DescribeFlowLogs with V3 signing.
- Alibaba legacy (aliyun-python-sdk-core + aliyun-python-sdk-vpc): `AcsClient(..., verify=CA)`,
  `set_protocol_type("https")`; DescribeFlowLogs.
- Alibaba SLS (aliyun-log-python-sdk): `LogClient("https://127.0.0.1:PORT", ...)` with
  `REQUESTS_CA_BUNDLE=CA` (the SDK's requests session reads it); ListProject. With an IP endpoint
  the SDK names a project in the Host header only, so project calls work the same way.

Environment:
  FLOWPLANE_ENDPOINT  the server's plain URL, e.g. http://127.0.0.1:8750; HTTPS is on the same port
  FLOWPLANE_CA        the CA file to trust (run.sh: flowplane-ca.pem in the server's --tls-dir)

`--print-credentials` prints this script's `[[huawei]]` and `[[alibaba]]` entries for the server's
credentials file. Prints `PASS name` / `FAIL name: reason` per check, then `N passed, M failed`.
"""

import os
import sys
import urllib.parse

import checks

AK = "HWHTTPSCHECKACCESSK1"
SK = "hw-https-check-secret-key-00000000000000"
PID = "4a7e0c1d2b3f45e6a7b8c9d0e1f20304"
ALI_KEY = "LTAIcheckHttps"
ALI_SECRET = "ali-https-check-secret-0000000000"
ALI_ACCOUNT = "2000000000000050"  # its own account: the listings it checks are empty
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


def https_endpoint():
    """The server's URL with https:// on the same host and port."""
    plain = urllib.parse.urlsplit(os.environ["FLOWPLANE_ENDPOINT"])
    return f"https://{plain.netloc}"


def host():
    return urllib.parse.urlsplit(os.environ["FLOWPLANE_ENDPOINT"]).netloc


def ca():
    return os.environ["FLOWPLANE_CA"]


def huawei_config(trust=True):
    from huaweicloudsdkcore.http.http_config import HttpConfig

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = False
    config.ssl_ca_cert = ca() if trust else None
    config.retry_times = 0
    return config


def check_huawei_vpc():
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest, VpcClient

    client = (VpcClient.new_builder().with_http_config(huawei_config())
              .with_credentials(BasicCredentials(AK, SK, PID))
              .with_endpoints([https_endpoint()]).build())
    listed = client.list_flow_logs(ListFlowLogsRequest())
    assert listed.flow_logs == [], listed


def check_huawei_refuses_an_untrusted_certificate():
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import SdkException
    from huaweicloudsdkvpc.v2 import ListFlowLogsRequest, VpcClient

    client = (VpcClient.new_builder().with_http_config(huawei_config(trust=False))
              .with_credentials(BasicCredentials(AK, SK, PID))
              .with_endpoints([https_endpoint()]).build())
    try:
        client.list_flow_logs(ListFlowLogsRequest())
    except SdkException as e:
        assert "CERTIFICATE_VERIFY_FAILED" in str(e) or "SSL" in str(e), e
        return
    raise AssertionError("the call succeeded without trusting the CA")


def check_huawei_lts():
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdklts.v2 import ListLogGroupsRequest, LtsClient

    client = (LtsClient.new_builder().with_http_config(huawei_config())
              .with_credentials(BasicCredentials(AK, SK, PID))
              .with_endpoints([https_endpoint()]).build())
    groups = client.list_log_groups(ListLogGroupsRequest())
    assert groups.log_groups == [], groups


def refused_without_the_ca(call):
    """`call` must fail certificate verification (so the trusting calls really verify)."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - each SDK wraps the SSL error its own way
        text = f"{type(e).__name__}: {e}"
        assert "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text, text
        return
    raise AssertionError("the call succeeded without trusting the CA")


def tea_client(trust=True):
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_vpc20160428.client import Client as VpcClient

    return VpcClient(Config(access_key_id=ALI_KEY, access_key_secret=ALI_SECRET, endpoint=host(),
                            protocol="https", region_id=REGION, ca=ca() if trust else None))


def check_alibaba_tea():
    from alibabacloud_vpc20160428 import models as vpc_models

    request = vpc_models.DescribeFlowLogsRequest(region_id=REGION)
    refused_without_the_ca(lambda: tea_client(trust=False).describe_flow_logs(request))
    answer = tea_client().describe_flow_logs(request)
    assert answer.status_code == 200, answer
    assert answer.body.total_count == "0" or answer.body.total_count == 0, answer.body


def check_alibaba_legacy():
    import json

    from aliyunsdkcore.client import AcsClient
    from aliyunsdkvpc.request.v20160428.DescribeFlowLogsRequest import DescribeFlowLogsRequest

    request = DescribeFlowLogsRequest()
    request.set_endpoint(host())
    request.set_protocol_type("https")
    untrusting = AcsClient(ALI_KEY, ALI_SECRET, REGION, auto_retry=False)
    refused_without_the_ca(lambda: untrusting.do_action_with_exception(request))
    client = AcsClient(ALI_KEY, ALI_SECRET, REGION, verify=ca(), auto_retry=False)
    body = json.loads(client.do_action_with_exception(request))
    assert body["Success"] in (True, "true"), body
    assert str(body["TotalCount"]) == "0", body


def check_alibaba_sls():
    from aliyun.log import LogClient

    refused_without_the_ca(lambda: LogClient(https_endpoint(), ALI_KEY, ALI_SECRET).list_project(size=1))
    os.environ["REQUESTS_CA_BUNDLE"] = ca()
    try:
        client = LogClient(https_endpoint(), ALI_KEY, ALI_SECRET)
        listed = client.list_project(size=100)
        assert listed.get_projects() == [], listed.get_projects()
    finally:
        del os.environ["REQUESTS_CA_BUNDLE"]


CHECKS = [
    ("huawei.vpc_list_flow_logs", check_huawei_vpc),
    ("huawei.untrusted_certificate_refused", check_huawei_refuses_an_untrusted_certificate),
    ("huawei.lts_list_log_groups", check_huawei_lts),
    ("alibaba.tea_describe_flow_logs", check_alibaba_tea),
    ("alibaba.legacy_describe_flow_logs", check_alibaba_legacy),
    ("alibaba.sls_list_project", check_alibaba_sls),
]


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    for name in ("FLOWPLANE_ENDPOINT", "FLOWPLANE_CA"):
        if not os.environ.get(name):
            print(f"{name} is not set", file=sys.stderr)
            return 2
    return checks.run(CHECKS, prefix="https.")


if __name__ == "__main__":
    sys.exit(main())
