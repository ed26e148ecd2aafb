import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Existing batch invitations take their batch's business system where the rater's
    handlings of that batch number come from one system only; the others keep none and
    cover the batch number across systems, as before."""
    Invitation = apps.get_model("evaluations", "Invitation")
    Handling = apps.get_model("handlings", "Handling")
    for invitation in Invitation.objects.filter(handling__isnull=True, client__isnull=True):
        clients = set(Handling.objects.filter(batch_no=invitation.batch_no,
                                              rater_id=invitation.rater_id)
                      .values_list("client_id", flat=True).distinct()[:2])
        if len(clients) == 1:
            Invitation.objects.filter(pk=invitation.pk).update(client_id=clients.pop())


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_alter_user_managers'),
        ('handlings', '0007_org_completed_index'),
        ('evaluations', '0004_changed_since_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='client',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.apiclient', verbose_name='批次所属业务系统'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
