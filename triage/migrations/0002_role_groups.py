"""Create the three staff groups (saksbehandler, arkivar, admin) with their permissions."""

from django.db import migrations

from sorum_archive.roles import ROLE_PERMISSIONS, role_groups_ensure


def create_groups(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=global_apps)

    role_groups_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("journal", "0002_initial"),
        ("channels", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
