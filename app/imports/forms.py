"""Forms of the imports pages: the upload fallback and an import source's settings."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import BaseForm, SecretTextAreaField, options
from app.imports.models import SourceKind
from app.words import words

KEY_CHECKS = [Optional(), Length(max=20_000)]  # an OpenSSH RSA-16384 private key is about 13,000 characters


class JobListForm(BaseForm):
    """The job list's filter: only the last N days' files (the dashboard's "Imports, 30 days" links here)."""

    class Meta:
        csrf = False

    days = IntegerField("Last days", validators=[Optional(), NumberRange(1, 3650)])


class UploadForm(BaseForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])


class ImportSourceForm(BaseForm):
    """An SFTP server (or local folder); secrets left blank keep the stored ones."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    kind = SelectField("Kind", choices=options([(k.value, words(k)) for k in SourceKind]))
    host = StringField("Host", validators=[Optional(), Length(max=255)])
    port = IntegerField("Port", default=22, validators=[Optional(), NumberRange(1, 65535)])
    username = StringField("Username", validators=[Optional(), Length(max=100)])
    password = PasswordField("Password (blank keeps the stored one)", validators=[Optional(), Length(max=500)])
    private_key = SecretTextAreaField("Private key, PEM/OpenSSH (blank keeps the stored one)", validators=KEY_CHECKS)
    host_key = TextAreaField("Server host key, e.g. 'ssh-ed25519 AAAA…' (ssh-keyscan)", validators=KEY_CHECKS)
    remote_dir = StringField("Remote directory (or local folder)", validators=[DataRequired(), Length(max=500)])
    processed_dir = StringField("Processed directory", validators=[DataRequired(), Length(max=500)])
    pattern = StringField("File-name pattern", default="*.csv", validators=[DataRequired(), Length(max=100)])
    poll_interval_minutes = IntegerField("Poll every (minutes)", default=15, validators=[NumberRange(1, 1440)])
    enabled = BooleanField("Enabled", default=True)

    def to_values(self) -> dict:
        """The submitted settings as plain values for the service."""
        names = ("name", "kind", "host", "port", "username", "password", "private_key", "host_key")
        names += ("remote_dir", "processed_dir", "pattern", "poll_interval_minutes", "enabled")
        values = {name: getattr(self, name).data for name in names}
        values["port"] = self.port.data if "".join(self.port.raw_data or []).strip() else None  # not the default
        return values
