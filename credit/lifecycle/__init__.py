"""The post-event lifecycle: lists, joint rewards and punishments, commitments, interviews and
rectification, credit repair, objections, voluntary registration, quarterly list releases.

The SQL lives in dbt (models/marts/lists, models/marts/lifecycle, models/pub/pub_list*); this
package holds what is not SQL: the configuration and its seeds (:mod:`.config`), the Python twin
of a list entry's dates (:mod:`.lists`), the outbox that delivers joint measures to the
departments (:mod:`.outbox`) and the quarterly release writer (:mod:`.releases`).
See docs/lifecycle.md.
"""
