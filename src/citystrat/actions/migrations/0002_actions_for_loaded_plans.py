"""Plans loaded before actions existed get their projects and key actions as actions."""

from django.db import migrations


def derive(apps, schema_editor):  # type: ignore[no-untyped-def]
    Plan = apps.get_model("plans", "Plan")
    Project = apps.get_model("plans", "Project")
    KeyAction = apps.get_model("plans", "KeyAction")
    Action = apps.get_model("actions", "Action")
    for plan in Plan.objects.all():
        if Action.objects.filter(plan=plan).exists():
            continue
        rows = []
        order = 0
        for project in Project.objects.filter(plan=plan).order_by("order", "id"):
            rows.append(
                Action(
                    plan=plan,
                    code=project.code,
                    kind="project",
                    title=project.title,
                    description=project.description,
                    project=project,
                    order=order,
                )
            )
            order += 1
        key_actions = KeyAction.objects.filter(direction__measure__plan=plan).select_related(
            "direction__measure"
        )
        for ka in sorted(
            key_actions, key=lambda k: (k.direction.measure.order, k.direction.order, k.order)
        ):
            rows.append(
                Action(
                    plan=plan,
                    code=f"{ka.direction.measure.code}-{ka.direction.order + 1}-{ka.order + 1}",
                    kind="key_action",
                    title=ka.text,
                    key_action=ka,
                    order=order,
                )
            )
            order += 1
        Action.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial"), ("plans", "0001_initial")]

    operations = [migrations.RunPython(derive, migrations.RunPython.noop)]
