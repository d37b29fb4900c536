"""The questionnaire in the browser: pages, forms, signed state and error pages."""
