"""Give the admin role the retention period setting (triage.RetentionPolicy)."""

from django.db import migrations

from sorum_archive.roles import ROLE_PERMISSIONS


def sync_groups(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=global_apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("sorum_archive", "0003_sec_app_audit_chain"),
        ("triage", "0011_retention_policy_admin_setting"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
