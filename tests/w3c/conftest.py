"""Conformance counts for the W3C suites, printed in pytest's terminal summary after every run.

Each suite gets one headline, `SPARQL 1.1 conformance: N passed, M skipped, K failed (P% of applicable)`,
where applicable = passed + failed, and failed counts the known upstream failures (xfail) with the
unexpected ones. Below it: the share among the tests the working group approved, the skip reasons
with their counts, each xfail with its reason, the unexpected failures, and the tests that passed only
by literal value (see compare.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict

SUITES = {"w3c/test_sparql.py::": "SPARQL 1.1 conformance",
          "w3c/test_service.py::": "SPARQL 1.1 Federated Query conformance",
          "w3c/test_shacl.py::": "SHACL conformance",
          "w3c/test_protocol.py::test_protocol": "SPARQL 1.1 Protocol conformance (micgraph serve)",
          "w3c/test_protocol.py::test_service_description": "SPARQL 1.1 Service Description conformance "
                                                             "(micgraph serve)"}

# suite -> W3C test id -> (outcome, reason); outcome: passed, skipped, xfailed or failed
_outcomes: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
_by_value: dict[str, list[str]] = defaultdict(list)
_unapproved: set[str] = set()


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "w3c_unapproved: a W3C test without the working group's approval")


def _suite(nodeid: str) -> str | None:
    return next((label for marker, label in SUITES.items() if marker in nodeid), None)


def pytest_runtest_logreport(report) -> None:
    suite = _suite(report.nodeid)
    if suite is None:
        return
    test_id = report.nodeid.split("[", 1)[-1].removesuffix("]")
    if "w3c_unapproved" in report.keywords:
        _unapproved.add(test_id)
    if report.when == "call" or (report.when == "setup" and not report.passed) or report.failed:
        if hasattr(report, "wasxfail"):
            outcome, reason = ("xfailed" if report.skipped else "failed"), report.wasxfail
        elif report.skipped:
            outcome, reason = "skipped", str(report.longrepr[2]).removeprefix("Skipped: ")
        else:
            outcome, reason = report.outcome, ""
        _outcomes[suite][test_id] = (outcome, reason)
    if report.when == "call" and report.passed and any(key == "by_value" for key, _ in report.user_properties):
        _by_value[suite].append(test_id)


def pytest_terminal_summary(terminalreporter) -> None:
    write = terminalreporter.write_line
    for suite, outcomes in sorted(_outcomes.items(), key=lambda kv: list(SUITES.values()).index(kv[0])):
        counts = Counter(outcome for outcome, _ in outcomes.values())
        failed = counts["failed"] + counts["xfailed"]
        applicable = counts["passed"] + failed
        share = f"{100 * counts['passed'] / applicable:.1f}%" if applicable else "n/a"
        terminalreporter.write_sep("=", suite)
        write(f"{suite}: {counts['passed']} passed, {counts['skipped']} skipped, {failed} failed "
              f"({share} of applicable)")
        write(f"  applicable: {applicable}; failed: {counts['xfailed']} known upstream (xfail), "
              f"{counts['failed']} unexpected")
        approved = Counter(o for test_id, (o, _) in outcomes.items() if test_id not in _unapproved and o != "skipped")
        if _unapproved & outcomes.keys() and sum(approved.values()):
            write(f"  approved by the working group: {approved['passed']} passed of {sum(approved.values())} "
                  f"applicable ({100 * approved['passed'] / sum(approved.values()):.1f}%)")
        skips = Counter(reason for outcome, reason in outcomes.values() if outcome == "skipped")
        if skips:
            write("  skipped, by reason:")
            for reason, n in sorted(skips.items(), key=lambda kv: -kv[1]):
                write(f"    {n:4d}  {reason}")
        for label, kind in (("known upstream failures (xfail)", "xfailed"), ("unexpected failures", "failed")):
            listed = sorted((test_id, reason) for test_id, (outcome, reason) in outcomes.items() if outcome == kind)
            if listed:
                write(f"  {label}:")
                for test_id, reason in listed:
                    write(f"    {test_id}" + (f": {reason}" if reason else ""))
        if _by_value[suite]:
            write(f"  passed only by literal value ({len(_by_value[suite])}; same datatype, other lexical form): "
                  + ", ".join(sorted(_by_value[suite])))
