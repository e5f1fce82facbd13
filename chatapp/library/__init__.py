"""What a user organises: the prompts library (prompts.py) and projects (projects.py),
with their forms and pages (forms.py, views.py)."""
