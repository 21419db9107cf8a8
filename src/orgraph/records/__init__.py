"""Records: members, households, contacts, areas and orgs as the API reads and writes them.

Lists are filtered, sorted and paged over the analysis projection (the same scope semantics
as the gap engine), then one Cypher statement fetches the page's details. Writes take strict
pydantic bodies (unknown fields are refused) and use parameterised catalog blocks only.
Every function takes a `Visible`: what the caller may see; references to anything else are
withheld, never shown.
"""
