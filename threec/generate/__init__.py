"""A seeded synthetic council: a whole export history for the pipeline to eat.

Fernwell City Council (fictional; postcode area FW, districts FW1-FW15 over five
localities) runs adult social care through eleven teams: a front door, four
locality community teams, two hospital social work teams, a reviewing team, two
specialist teams (learning disability, mental health) and an enhanced-assessment-
beds team. Eight of them went live on Three Conversations on different dates
between May 2023 and July 2024; three (Community West, the Riverside hospital
team, Learning Disability) never did and still work the old care-management way.

Live teams look like the published evaluations (Birmingham, Norfolk, Bath & North
East Somerset): about two thirds of first conversations close with a positive
outcome, roughly one in ten goes on to a Conversation 2 and a quarter reach a
Conversation 3; under one in ten new requests leads to long-term support within 90
days; waits are days. Old-model teams send half their first conversations straight
to a Conversation 3, put nearly one in five new requests into long-term support and
keep waiting lists. Teams differ in how well they explain direct C1 -> C3
escalations (some leave over 20% unexplained) and in whether colleagues challenge
them. People already receiving long-term support come back through reviews and
requests; live teams tend to reduce what their support costs, old-model teams to
add to it. Packages cover every cost frequency; direct-payment uptake is about 30%.
Hospital delays cover six sites, acute and non-acute, every reason code.

The history (from `history_start`) is cut into extract folders
`<landing>/<YYYY-MM-DD>/<entity>.csv`: a full history at `first_extract`, then one
delta a day to `last_extract`, with the contract's dialect variations, a manifest in
most folders (one deliberately wrong), delta edge cases (replays, stale and tied
corrections, deletions) and about half a percent of messy rows the pipeline must
quarantine, counted by kind in the returned `GenerateSummary`.

Modules: `council` (teams, localities, hospitals), `practice` (the probabilities),
`population` (people), `journeys` (conversations), `services` (packages and costs),
`delays` (delayed transfers of care), `simulate` (one chunk of people), `extracts`
(folders and deltas), `scenarios` (delta edge cases), `messy` (contract-breaking
rows), `render` and `writer` (CSV text and files), `run` (the entry point).

Usage::

    from threec.generate import generate
    summary = generate(Path("data/landing"), people=4000, seed=3)
"""

from .run import generate
from .summary import GenerateSummary

__all__ = ["GenerateSummary", "generate"]
