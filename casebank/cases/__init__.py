"""Case files (案卷): decisions added by agencies and supervision staff, checked by
the NLP checker in the background against the catalogue version in force.

models (rows), intake (files, zips, paste → texts), services (state changes),
queries (scoped reads), checks (the background check job), views (screens).
"""
