"""Reader problems name the price-book customer they concern: through the
accounts the reader names, or, for a problem about the whole report, when every
account of the report maps to one customer.  Expected customers read off the
price books built here."""
from __future__ import annotations

from tests.test_pricing_fixtures import NOV, book, read, rate, rec
from xlbilling.commands.sample_data import sample_path
from xlbilling.core.problems import Problem
from xlbilling.pricing.engine import price_month
from xlbilling.readers import read_report


def _problem(res, kind):
    (p,) = [p for p in res.problems if p.kind == kind]
    return p


def test_d2c_devices_of_the_sample_name_client_3002_and_its_customer():
    r = read_report(sample_path("x360recover_devices_2026-10.csv"))
    # the sample's only Direct-to-Cloud device is client 3002's workstation (record d2c_workstation)
    assert [p.account for p in r.problems if p.kind == "d2c_devices"] == ["3002"]
    pb = book(customers=[("Contoso", "USD"), ("Other", "USD")],
              accounts=[("x360recover", "3002", "Contoso"), ("x360recover", "3001", "Other"),
                        ("x360recover", "3003", "Other")],
              rates=[rate("x360recover", "*", "1")])
    assert _problem(price_month([r], pb, NOV), "d2c_devices").customer == "Contoso"


def test_problem_over_several_accounts_names_a_customer_only_when_they_share_one():
    warn = Problem("assumed_tier", "", "c1, c2", "", "tier assumed")
    recs = [rec("x360recover", "c1", "endpoint_server", 1, "device", tier="bundled"),
            rec("x360recover", "c2", "endpoint_server", 1, "device", tier="bundled")]
    same = book(customers=[("A", "USD")], accounts=[("x360recover", "c1", "A"), ("x360recover", "c2", "A")])
    two = book(customers=[("A", "USD"), ("B", "USD")],
               accounts=[("x360recover", "c1", "A"), ("x360recover", "c2", "B")])
    assert _problem(price_month([read(recs, problems=[warn])], same, NOV), "assumed_tier").customer == "A"
    assert _problem(price_month([read(recs, problems=[warn])], two, NOV), "assumed_tier").customer == ""


def test_whole_report_problem_names_the_one_customer_of_its_accounts():
    warn = Problem("blank_tenant_kind", "", "", "", "blank tenant.kind")
    recs = [rec("acronis", "t1", "pw_base_storage", 5), rec("acronis", "t2", "pw_base_storage", 5)]
    one = book(customers=[("A", "USD")], accounts=[("acronis", "t1", "A"), ("acronis", "t2", "A")])
    half = book(customers=[("A", "USD")], accounts=[("acronis", "t1", "A")])    # t2 unmapped: not one customer
    assert _problem(price_month([read(recs, problems=[warn])], one, NOV), "blank_tenant_kind").customer == "A"
    assert _problem(price_month([read(recs, problems=[warn])], half, NOV), "blank_tenant_kind").customer == ""
