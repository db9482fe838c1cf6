"""Ratings and differentiated supervision (issue 7, REFERENCE §7).

- :mod:`credit.ratings.config` — the rating model, sector models, inspection and integrity rules
  from ``config/*.yaml``, validated and written into ``ref_config.*`` before every run;
- :mod:`credit.ratings.roster` — the simulated inspector roster (Faker, seeded);
- :mod:`credit.ratings.inspection` — the quarterly random-inspection draw (set-based SQL);
- :mod:`credit.ratings.report` — the rating report (static HTML, inline SVG).

The ratings themselves are computed in SQL by the dbt models in
``dbt_project/models/marts/ratings`` and ``marts/supervision``; see docs/ratings.md.
"""
