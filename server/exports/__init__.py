"""Complete exports of visits and everything recorded with them, names rather than ids: a zip
of CSV or JSON Lines files, streamed, and a paged JSON API for analysts; reason required,
every record disclosed audited."""
