"""A target revision's reason becomes a text object (language -> text).

The reason each existing revision carries is kept as the text in its plan's
default language; going back keeps the default language's text (else any one).
"""

from django.db import migrations, models


def to_texts(apps, schema_editor):  # type: ignore[no-untyped-def]
    TargetRevision = apps.get_model("plans", "TargetRevision")
    for r in TargetRevision.objects.select_related("target__indicator__plan").iterator():
        lang = r.target.indicator.plan.default_language or "en"
        r.reason_texts = {lang: r.reason} if (r.reason or "").strip() else {}
        r.save(update_fields=["reason_texts"])


def to_text(apps, schema_editor):  # type: ignore[no-untyped-def]
    TargetRevision = apps.get_model("plans", "TargetRevision")
    for r in TargetRevision.objects.select_related("target__indicator__plan").iterator():
        texts = r.reason_texts or {}
        lang = r.target.indicator.plan.default_language
        r.reason = texts.get(lang) or next((t for t in texts.values() if t), "")
        r.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0007_plan_embed_origins"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetrevision",
            name="reason_texts",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(to_texts, to_text),
        migrations.RemoveField(model_name="targetrevision", name="reason"),
        migrations.RenameField(
            model_name="targetrevision", old_name="reason_texts", new_name="reason"
        ),
    ]
