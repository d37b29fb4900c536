"""bfr-triage: is blood flow restriction training a reasonable first-line option?"""
