"""`arsip serve`'s two servers: Datasette for the dataset, pywb for the WARC files.

``datasette_app`` runs Datasette with the ``datasette_plugin`` hooks (stemmed
search, body excerpts, replay links, limits, the Host check); ``replay`` runs
pywb on the collection's WARC files and CDXJ index with a small top frame
that links each capture back to its record. ``arsip.commands.serve`` binds
both sockets on 127.0.0.1 and hands them to the two processes, so each knows
the other's address before either starts, and stops them together.
"""
