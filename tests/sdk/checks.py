"""The runner the SDK check scripts share: each check a function, run in order; one line per
check (`PASS name` / `FAIL name: reason`, with a short traceback), then `N passed, M failed`."""

import traceback


def run(checks, prefix=""):
    """Runs `checks` (`(name, function)` pairs); the exit status: 0 when none failed."""
    passed = failed = 0
    for name, check in checks:
        try:
            check()
            passed += 1
            print(f"PASS {prefix}{name}", flush=True)
        except Exception as exc:  # noqa: BLE001 - report every failure, go on
            failed += 1
            print(f"FAIL {prefix}{name}: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(limit=3)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1
