"""The prompt and project forms: their bad input is a form error, never a 500."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chatapp.library import projects, prompts
from chatapp.models import Project, PromptGroup
from endpoints import specs

TEXT_MAX = 20_000  # characters of a prompt version
INSTRUCTIONS_MAX = 100_000  # characters; the token check against the model comes after


class PromptGroupForm(forms.ModelForm):
    text = forms.CharField(label=_("Prompt"), widget=forms.Textarea, max_length=TEXT_MAX)

    class Meta:
        model = PromptGroup
        fields = ["name", "command", "category", "oneliner", "shared"]
        labels = {"oneliner": _("Description"), "shared": _("Share with everyone")}
        help_texts = {
            "command": _("Type / and this in the message box to insert the prompt."),
        }

    def __init__(self, *args, may_share: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_share:
            del self.fields["shared"]

    def clean_command(self) -> str:
        command = self.cleaned_data["command"].strip().lower().lstrip("/")
        if command and not prompts.COMMAND.match(command):
            raise forms.ValidationError(
                _(
                    "Use up to 50 lower-case letters, digits, - and _, "
                    "starting with a letter or digit."
                )
            )
        owner = self.instance.owner
        taken = owner.prompt_groups.filter(command=command).exclude(pk=self.instance.pk)
        if command and taken.exists():
            raise forms.ValidationError(_("You already have a prompt with this command."))
        return command

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        try:
            prompts.check_closed(text)
        except prompts.Unclosed as error:
            raise forms.ValidationError(str(error)) from None
        return text


class ProjectForm(forms.ModelForm):
    instructions = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea, required=False, max_length=INSTRUCTIONS_MAX
    )
    model_spec = forms.ChoiceField(label=_("Default model spec"), required=False)

    class Meta:
        model = Project
        fields = ["name", "instructions", "model_spec"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = [spec.name for spec in specs.current().items]
        self.fields["model_spec"].choices = [("", _("None")), *((n, n) for n in names)]

    def clean(self) -> dict:
        data = super().clean()
        try:
            projects.check_fits(data.get("instructions", ""), data.get("model_spec", ""))
        except projects.TooLong as error:
            self.add_error("instructions", str(error))
        return data
