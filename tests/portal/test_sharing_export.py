"""Organization sharing survives `regard export` / `regard import`; older exports lack the field
and import as not shared."""

from __future__ import annotations

import json

import pytest

from regard.customers.models import Organization
from regard.system.portability import PortabilityError
from regard.system.portability_export import export_dir
from regard.system.portability_import import import_dir
from tests.system.test_portability import ORG, read_lines, write_export

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_shared_flag_that_is_not_true_or_false_is_refused(tmp_path):
    folder = write_export(
        tmp_path / "in", organizations=json.dumps({**ORG, "portal_shared": "yes"}) + "\n"
    )
    with pytest.raises(PortabilityError, match="field 'portal_shared' must be true or false"):
        import_dir(folder)


def test_an_older_export_without_the_field_imports_as_not_shared(tmp_path):
    import_dir(write_export(tmp_path / "in", organizations=json.dumps(ORG) + "\n"))
    assert Organization.objects.get().portal_shared is False


def test_the_flag_is_exported_and_imported(tmp_path):
    Organization.objects.create(name="Acme", portal_shared=True)
    Organization.objects.create(name="Solo")
    export_dir(tmp_path / "out")
    rows = read_lines(tmp_path / "out", "organizations.jsonl")
    assert {r["name"]: r["portal_shared"] for r in rows} == {"Acme": True, "Solo": False}
    Organization.objects.all().delete()
    import_dir(tmp_path / "out")
    assert dict(Organization.objects.values_list("name", "portal_shared")) == {
        "Acme": True,
        "Solo": False,
    }
