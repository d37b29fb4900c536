"""The decision and the answers as documents other systems read: JSON and FHIR.

Both the API and the pages (a share link's downloads) use these; neither owns them.
"""
