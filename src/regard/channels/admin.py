from django import forms
from django.contrib import admin

from regard.channels.models import FormField, Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to keep the current password",
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "done_folder",
            "auto_acknowledge",
            "active",
        ]

    def clean_password(self):
        return self.cleaned_data["password"] or (self.instance.password if self.instance else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "host", "folder", "active", "last_checked_at"]
    readonly_fields = ["last_checked_at", "last_error"]


@admin.register(FormField)
class FormFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "required", "position", "active"]
    list_editable = ["position", "active"]
    fields = ["label", "kind", "options", "required", "position", "active"]
